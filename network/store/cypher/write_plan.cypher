// Upsert Plan nodes by id; rows whose content hash is already stored are skipped.
// Returns [key, replaced hash (null when created)] for every row written.
UNWIND $rows AS row
OPTIONAL MATCH (old:Plan {id: row.key})
WITH row, old.content_hash AS prior
WHERE prior IS NULL OR prior <> row.hash
MERGE (n:Plan {id: row.key})
SET n = row.props, n.content_hash = row.hash
WITH n, row, prior
CALL (n) { MATCH (n)-[r:USES_NETWORK]->() DELETE r }
CALL (n) { MATCH (n)<-[r:OFFERS]-() DELETE r }
CALL (n, row) { UNWIND row.links.payer_id AS x MATCH (t:Organization {id: x}) CREATE (t)-[:OFFERS]->(n) }
CALL (n, row) { UNWIND row.links.network_ids AS x MATCH (t:Network {id: x}) CREATE (n)-[:USES_NETWORK]->(t) }
// One record for the whole batch: a record per row would stream back in thousands of tiny messages.
RETURN collect([row.key, prior]) AS written
