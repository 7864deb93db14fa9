// Which of the given Specialty keys exist.
UNWIND $keys AS k
MATCH (n:Specialty {code: k})
RETURN n.code AS key
