// Which of the given Practitioner keys exist.
UNWIND $keys AS k
MATCH (n:Practitioner {npi: k})
RETURN n.npi AS key
