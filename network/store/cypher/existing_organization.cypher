// Which of the given Organization keys exist.
UNWIND $keys AS k
MATCH (n:Organization {id: k})
// One record for the whole batch: a record per key would stream back in thousands of tiny messages.
RETURN collect(n.id) AS keys
