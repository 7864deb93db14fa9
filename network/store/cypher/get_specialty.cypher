// Specialty properties by key, for a batch of keys.
UNWIND $keys AS k
MATCH (n:Specialty {code: k})
RETURN n {.*} AS props
