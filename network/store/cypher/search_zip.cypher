// Provider search anchor: practitioners practising at a location whose ZIP starts with $zip (range seek).
MATCH (l:Location)
WHERE l.zip STARTS WITH $zip
MATCH (p:Practitioner)-[:PRACTICES_AT]->(l)
RETURN DISTINCT p.npi AS npi
