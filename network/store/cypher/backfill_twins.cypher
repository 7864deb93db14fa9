// AT_LOCATION's twins (network.store.twins) for up to $limit participations after $after in id order (the
// uniqueness constraint's index reads them in order); called with the last id returned until that is null.
MATCH (r:Participation)
WHERE r.id > $after
WITH r ORDER BY r.id LIMIT $limit
CALL (r) {
  WITH r WHERE r.specialty_code IS NOT NULL
  MATCH (r)-[:AT_LOCATION]->(l)
  MERGE (r)-[:$('AT_LOCATION_AS_' + r.specialty_code)]->(l)
}
RETURN max(r.id) AS last
