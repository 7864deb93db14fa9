// Specialist participations in effect at locations within $meters of the center (POINT index seek),
// filtered by network, date, acceptance, language and specialty. Exact miles are computed in Python.
// The hint keeps the plan spatial-first: a radius holds few locations, a network may hold millions.
MATCH (l:Location)
USING INDEX l:Location(point)
WHERE point.distance(l.point, point({latitude: $lat, longitude: $lon})) <= $meters
MATCH (l)<-[:AT_LOCATION]-(r:Participation)-[:IN_NETWORK]->(n:Network)
WHERE r.role = 'specialist'
  AND n.id IN $networks
  AND (r.effective IS NULL OR r.effective <= $as_of)
  AND (r.termination IS NULL OR r.termination > $as_of)
  AND ($accepting IS NULL OR r.accepting_new_patients = $accepting)
MATCH (p:Practitioner)-[:HAS_ROLE]->(r)
WHERE ($exclude IS NULL OR p.npi <> $exclude)
  AND ($language IS NULL OR any(x IN coalesce(p.languages, []) WHERE toLower(x) = $language))
OPTIONAL MATCH (r)-[:FOR_SPECIALTY]->(s:Specialty)
WITH p, l, r, n, s
WHERE $specialties IS NULL OR s.code IN $specialties
RETURN p.npi AS npi, l.id AS location_id, l.lat AS lat, l.lon AS lon, s.code AS specialty_code,
       n.id AS network_id, r.id AS participation_id, r.accepting_new_patients AS accepting_new_patients
