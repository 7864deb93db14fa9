// Upsert Practitioner nodes by npi; rows whose content hash is already stored are skipped.
// Returns [key, replaced hash (null when created)] for every row written.
// MERGE first, the stored hash read off the merged node (one index seek a row, not two), the hash set in the
// same SET as the properties, links deleted only where the node existed: BENCHMARKS.md, optimisation 19.
UNWIND $rows AS row
MERGE (n:Practitioner {npi: row.key})
WITH n, row, n.content_hash AS prior
WHERE prior IS NULL OR prior <> row.hash
WITH n, row, prior, row.props AS props
SET n = props{.*, content_hash: row.hash}
WITH n, row, prior
CALL (n, prior) { WITH n, prior WHERE prior IS NOT NULL MATCH (n)-[r:HAS_SPECIALTY|PRACTICES_AT]->() DELETE r }
CALL (n, row) { UNWIND row.links.specialties AS x MATCH (t:Specialty {code: x.key}) CREATE (n)-[:HAS_SPECIALTY {primary: x.primary}]->(t) }
CALL (n, row) { UNWIND row.links.location_ids AS x MATCH (t:Location {id: x}) CREATE (n)-[:PRACTICES_AT]->(t) }
// One record for the whole batch: a record per row would stream back in thousands of tiny messages.
RETURN collect([row.key, prior]) AS written
