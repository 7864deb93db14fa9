// Practitioners' directory entries in one round trip: each one's properties and every participation (any
// date) as `entries`, then the locations, networks and specialties they name, each looked up by key as
// get_many would (a named key with no node is left out). One row: a node that several of the
// practitioners name (a page shares its networks and specialties) is read and sent once.
UNWIND $npis AS npi
MATCH (p:Practitioner {npi: npi})
CALL (p) {
  OPTIONAL MATCH (p)-[:HAS_ROLE]->(r:Participation)
  RETURN collect(r {.*}) AS roles
}
WITH collect({npi: npi, practitioner: p {.*}, roles: roles}) AS entries
CALL (entries) {
  UNWIND entries AS e
  UNWIND coalesce(e.practitioner.location_ids, [])
    + reduce(ids = [], r IN e.roles | ids + coalesce(r.location_ids, [])) AS id
  WITH DISTINCT id
  MATCH (l:Location {id: id})
  RETURN collect(l {.*}) AS locations
}
CALL (entries) {
  UNWIND entries AS e
  UNWIND [r IN e.roles | r.network_id] AS id
  WITH DISTINCT id
  MATCH (n:Network {id: id})
  RETURN collect(n {.*}) AS networks
}
CALL (entries) {
  UNWIND entries AS e
  UNWIND coalesce(e.practitioner.specialties, []) + coalesce(e.practitioner.primary_specialty, [])
    + [r IN e.roles WHERE r.specialty_code IS NOT NULL | r.specialty_code] AS code
  WITH DISTINCT code
  MATCH (s:Specialty {code: code})
  RETURN collect(s {.*}) AS specialties
}
RETURN entries, locations, networks, specialties
