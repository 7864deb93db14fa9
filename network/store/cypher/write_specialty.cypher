// Upsert Specialty nodes by code; rows whose content hash is already stored are skipped.
// Returns the key and the replaced hash (null when created) of every row written.
UNWIND $rows AS row
OPTIONAL MATCH (old:Specialty {code: row.key})
WITH row, old.content_hash AS prior
WHERE prior IS NULL OR prior <> row.hash
MERGE (n:Specialty {code: row.key})
SET n = row.props, n.content_hash = row.hash
RETURN row.key AS key, prior
