// Which of the given Location keys exist.
UNWIND $keys AS k
MATCH (n:Location {id: k})
RETURN n.id AS key
