// Provider search: of the anchor's practitioners ($npis, NPI seeks), those matching every filter, one row
// per qualifying practice location when $located (all location filters at the same location), else one
// row each. Names and exact miles are tested in Python; $meters is a slightly wider pre-filter radius.
UNWIND $npis AS npi
MATCH (p:Practitioner {npi: npi})
WHERE ($language IS NULL OR any(x IN coalesce(p.languages, []) WHERE toLower(x) = $language))
  AND ($sex IS NULL OR toLower(coalesce(p.sex, '')) = $sex)
  AND ($specialties IS NULL OR EXISTS {
        MATCH (p)-[:HAS_SPECIALTY]->(s:Specialty) WHERE s.code IN $specialties })
  AND (NOT $by_participation OR EXISTS {
        MATCH (p)-[:HAS_ROLE]->(r:Participation)
        WHERE (r.effective IS NULL OR r.effective <= $as_of)
          AND (r.termination IS NULL OR r.termination > $as_of)
          AND ($accepting IS NULL OR r.accepting_new_patients = $accepting)
          AND ($networks IS NULL OR EXISTS {
                MATCH (r)-[:IN_NETWORK]->(n:Network) WHERE n.id IN $networks }) })
OPTIONAL MATCH (p)-[:PRACTICES_AT]->(l:Location)
WHERE $located
  AND ($lat IS NULL OR point.distance(l.point, point({latitude: $lat, longitude: $lon})) <= $meters)
  AND ($state IS NULL OR l.state = $state)
  AND ($zip IS NULL OR l.zip STARTS WITH $zip)
WITH p, l
WHERE NOT $located OR l IS NOT NULL
RETURN p.npi AS npi, coalesce(p.name, '') AS name, l.id AS location_id, l.lat AS lat, l.lon AS lon
