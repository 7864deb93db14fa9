// Which of the given County keys exist.
UNWIND $keys AS k
MATCH (n:County {fips: k})
RETURN n.fips AS key
