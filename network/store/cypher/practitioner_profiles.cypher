// Each practitioner's directory entry in one round trip: its properties, every participation (any
// date), and the locations, networks and specialties the two name, each looked up by key as get_many
// would (a named key with no node is left out). A provider lookup's nested fields, read at once.
UNWIND $npis AS npi
MATCH (p:Practitioner {npi: npi})
CALL (p) {
  OPTIONAL MATCH (p)-[:HAS_ROLE]->(r:Participation)
  RETURN collect(r {.*}) AS roles
}
CALL (p, roles) {
  UNWIND coalesce(p.location_ids, []) + reduce(ids = [], r IN roles | ids + coalesce(r.location_ids, [])) AS id
  WITH DISTINCT id
  MATCH (l:Location {id: id})
  RETURN collect(l {.*}) AS locations
}
CALL (roles) {
  UNWIND [r IN roles | r.network_id] AS id
  WITH DISTINCT id
  MATCH (n:Network {id: id})
  RETURN collect(n {.*}) AS networks
}
CALL (p, roles) {
  UNWIND coalesce(p.specialties, []) + coalesce(p.primary_specialty, [])
    + [r IN roles WHERE r.specialty_code IS NOT NULL | r.specialty_code] AS code
  WITH DISTINCT code
  MATCH (s:Specialty {code: code})
  RETURN collect(s {.*}) AS specialties
}
RETURN npi, p {.*} AS practitioner, roles, locations, networks, specialties
