// Counties whose FIPS code starts with one of the given two-digit state prefixes; STARTS WITH on the key
// is a range seek on the County.fips uniqueness index. Input: $prefixes (list of strings).
UNWIND $prefixes AS prefix
MATCH (c:County)
WHERE c.fips STARTS WITH prefix
RETURN c {.*} AS props
ORDER BY c.fips
