// Which of the given Plan keys exist.
UNWIND $keys AS k
MATCH (n:Plan {id: k})
RETURN n.id AS key
