// County properties by key, for a batch of keys.
UNWIND $keys AS k
MATCH (n:County {fips: k})
RETURN n {.*} AS props
