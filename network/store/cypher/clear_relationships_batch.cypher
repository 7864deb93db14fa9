// Delete up to $limit relationships; called until it deletes none, before the nodes go (clear_batch).
// Nodes alone will not do: DETACH DELETE of a node batch takes a Network's or a Specialty's hundreds of
// thousands of relationships into one transaction (at L, past Neo4j's transaction memory limit). Each type
// is read through the relationship type lookup index, which holds live relationships only; a scan of the
// relationship store would step over every record deleted by the calls before. One branch per Rel member
// (a test keeps the list whole).
CALL () {
  MATCH ()-[r:REFERS_TO]->() RETURN r LIMIT $limit
  UNION ALL
  MATCH ()-[r:IN_NETWORK]->() RETURN r LIMIT $limit
  UNION ALL
  MATCH ()-[r:FOR_SPECIALTY]->() RETURN r LIMIT $limit
  UNION ALL
  MATCH ()-[r:HAS_SPECIALTY]->() RETURN r LIMIT $limit
  UNION ALL
  MATCH ()-[r:AT_LOCATION]->() RETURN r LIMIT $limit
  UNION ALL
  MATCH ()-[r:PRACTICES_AT]->() RETURN r LIMIT $limit
  UNION ALL
  MATCH ()-[r:OPERATES]->() RETURN r LIMIT $limit
  UNION ALL
  MATCH ()-[r:IN_COUNTY]->() RETURN r LIMIT $limit
  UNION ALL
  MATCH ()-[r:HAS_ROLE]->() RETURN r LIMIT $limit
  UNION ALL
  MATCH ()-[r:WITH_ORGANIZATION]->() RETURN r LIMIT $limit
  UNION ALL
  MATCH ()-[r:PART_OF]->() RETURN r LIMIT $limit
  UNION ALL
  MATCH ()-[r:MANAGES]->() RETURN r LIMIT $limit
  UNION ALL
  MATCH ()-[r:OFFERS]->() RETURN r LIMIT $limit
  UNION ALL
  MATCH ()-[r:USES_NETWORK]->() RETURN r LIMIT $limit
}
WITH r LIMIT $limit
DELETE r
RETURN count(*) AS deleted
