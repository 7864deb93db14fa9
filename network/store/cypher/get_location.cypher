// Location properties by key, for a batch of keys.
UNWIND $keys AS k
MATCH (n:Location {id: k})
RETURN n {.*} AS props
