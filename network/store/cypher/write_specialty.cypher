// Upsert Specialty nodes by code; rows whose content hash is already stored are skipped.
// Returns [key, replaced hash (null when created)] for every row written.
UNWIND $rows AS row
OPTIONAL MATCH (old:Specialty {code: row.key})
WITH row, old.content_hash AS prior
WHERE prior IS NULL OR prior <> row.hash
MERGE (n:Specialty {code: row.key})
SET n = row.props, n.content_hash = row.hash
// One record for the whole batch: a record per row would stream back in thousands of tiny messages.
RETURN collect([row.key, prior]) AS written
