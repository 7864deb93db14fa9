// Which of the given Participation keys exist.
UNWIND $keys AS k
MATCH (n:Participation {id: k})
RETURN n.id AS key
