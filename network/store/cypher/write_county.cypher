// Upsert County nodes by fips; rows whose content hash is already stored are skipped.
// Returns [key, replaced hash (null when created)] for every row written.
UNWIND $rows AS row
OPTIONAL MATCH (old:County {fips: row.key})
WITH row, old.content_hash AS prior
WHERE prior IS NULL OR prior <> row.hash
MERGE (n:County {fips: row.key})
SET n = row.props, n.content_hash = row.hash
WITH n, row, prior
// Backfill: locations loaded before their county link to it now.
CALL (n) { MATCH (l:Location {county_fips: n.fips}) MERGE (l)-[:IN_COUNTY]->(n) }
// One record for the whole batch: a record per row would stream back in thousands of tiny messages.
RETURN collect([row.key, prior]) AS written
