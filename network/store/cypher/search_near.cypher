// Provider search anchor: practitioners practising within $meters of the center (POINT index seek).
MATCH (l:Location)
WHERE point.distance(l.point, point({latitude: $lat, longitude: $lon})) <= $meters
MATCH (p:Practitioner)-[:PRACTICES_AT]->(l)
RETURN DISTINCT p.npi AS npi
