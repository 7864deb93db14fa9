// Practitioner properties by key, for a batch of keys.
UNWIND $keys AS k
MATCH (n:Practitioner {npi: k})
RETURN n {.*} AS props
