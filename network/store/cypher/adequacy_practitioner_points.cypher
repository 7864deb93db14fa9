// Every practitioner practising at a location inside a lat/lon box (POINT index seek), one row per
// practitioner x location: the recruitment candidates of an adequacy audit.
// Inputs: $south $west $north $east (degrees, west <= east).
MATCH (l:Location)
WHERE point.withinBBox(l.point, point({latitude: $south, longitude: $west}),
                       point({latitude: $north, longitude: $east}))
MATCH (p:Practitioner)-[:PRACTICES_AT]->(l)
RETURN p.npi AS npi, coalesce(p.specialties, []) AS specialties, l.id AS location_id, l.lat AS lat,
       l.lon AS lon, coalesce(p.active, true) AS active
ORDER BY npi, location_id
