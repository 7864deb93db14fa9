// Upsert County nodes by fips; rows whose content hash is already stored are skipped.
// Returns [key, replaced hash (null when created)] for every row written.
// MERGE first, the stored hash read off the merged node (one index seek a row, not two), the hash set in the
// same SET as the properties, links deleted only where the node existed: BENCHMARKS.md, optimisation 19.
UNWIND $rows AS row
MERGE (n:County {fips: row.key})
WITH n, row, n.content_hash AS prior
WHERE prior IS NULL OR prior <> row.hash
WITH n, row, prior, row.props AS props
SET n = props{.*, content_hash: row.hash}
WITH n, row, prior
// Backfill: locations loaded before their county link to it now.
CALL (n) { MATCH (l:Location {county_fips: n.fips}) MERGE (l)-[:IN_COUNTY]->(n) }
// One record for the whole batch: a record per row would stream back in thousands of tiny messages.
RETURN collect([row.key, prior]) AS written
