// Participation properties by key, for a batch of keys.
UNWIND $keys AS k
MATCH (n:Participation {id: k})
RETURN n {.*} AS props
