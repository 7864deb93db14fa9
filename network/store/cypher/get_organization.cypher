// Organization properties by key, for a batch of keys.
UNWIND $keys AS k
MATCH (n:Organization {id: k})
RETURN n {.*} AS props
