// Which of the given County keys exist.
UNWIND $keys AS k
MATCH (n:County {fips: k})
// One record for the whole batch: a record per key would stream back in thousands of tiny messages.
RETURN collect(n.fips) AS keys
