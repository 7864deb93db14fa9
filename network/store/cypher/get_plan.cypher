// Plan properties by key, for a batch of keys.
UNWIND $keys AS k
MATCH (n:Plan {id: k})
RETURN n {.*} AS props
