// Which of the given Network keys exist.
UNWIND $keys AS k
MATCH (n:Network {id: k})
RETURN n.id AS key
