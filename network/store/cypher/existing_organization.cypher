// Which of the given Organization keys exist.
UNWIND $keys AS k
MATCH (n:Organization {id: k})
RETURN n.id AS key
