// Which of the given Specialty keys exist.
UNWIND $keys AS k
MATCH (n:Specialty {code: k})
// One record for the whole batch: a record per key would stream back in thousands of tiny messages.
RETURN collect(n.code) AS keys
