// Provider search anchor: practitioners with any of the given specialties (unique-constraint seek).
MATCH (s:Specialty)
WHERE s.code IN $codes
MATCH (p:Practitioner)-[:HAS_SPECIALTY]->(s)
RETURN DISTINCT p.npi AS npi
