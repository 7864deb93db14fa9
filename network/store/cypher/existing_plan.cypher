// Which of the given Plan keys exist.
UNWIND $keys AS k
MATCH (n:Plan {id: k})
// One record for the whole batch: a record per key would stream back in thousands of tiny messages.
RETURN collect(n.id) AS keys
