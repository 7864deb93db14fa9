// Network properties by key, for a batch of keys.
UNWIND $keys AS k
MATCH (n:Network {id: k})
RETURN n {.*} AS props
