// In-effect participations (any role) of the given networks at locations inside a lat/lon box: the POINT
// index answers the box (one seek per audit area), then each location expands to its participations.
// Inputs: $south $west $north $east (degrees, west <= east), $networks (ids), $as_of (ISO date).
MATCH (l:Location)
WHERE point.withinBBox(l.point, point({latitude: $south, longitude: $west}),
                       point({latitude: $north, longitude: $east}))
MATCH (l)<-[:AT_LOCATION]-(r:Participation)-[:IN_NETWORK]->(n:Network)
WHERE n.id IN $networks
  AND (r.effective IS NULL OR r.effective <= $as_of)
  AND (r.termination IS NULL OR r.termination > $as_of)
MATCH (p:Practitioner)-[:HAS_ROLE]->(r)
RETURN p.npi AS npi, r.id AS participation_id, n.id AS network_id, r.specialty_code AS specialty_code,
       p.primary_specialty AS primary_specialty, l.id AS location_id, l.lat AS lat, l.lon AS lon,
       coalesce(r.telehealth, false) AS telehealth, coalesce(p.active, true) AS active
ORDER BY participation_id, location_id
