// Which of the given Practitioner keys exist.
UNWIND $keys AS k
MATCH (n:Practitioner {npi: k})
// One record for the whole batch: a record per key would stream back in thousands of tiny messages.
RETURN collect(n.npi) AS keys
