// Upsert Location nodes by id; rows whose content hash is already stored are skipped.
// Returns [key, replaced hash (null when created)] for every row written.
UNWIND $rows AS row
OPTIONAL MATCH (old:Location {id: row.key})
WITH row, old.content_hash AS prior
WHERE prior IS NULL OR prior <> row.hash
MERGE (n:Location {id: row.key})
SET n = row.props, n.content_hash = row.hash
SET n.point = CASE WHEN row.props.lat IS NULL OR row.props.lon IS NULL THEN null
  ELSE point({latitude: row.props.lat, longitude: row.props.lon}) END
WITH n, row, prior
CALL (n) { MATCH (n)-[r:IN_COUNTY]->() DELETE r }
CALL (n, row) { UNWIND row.links.county_fips AS x MATCH (t:County {fips: x}) CREATE (n)-[:IN_COUNTY]->(t) }
// One record for the whole batch: a record per row would stream back in thousands of tiny messages.
RETURN collect([row.key, prior]) AS written
