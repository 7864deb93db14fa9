// Upsert Organization nodes by id; rows whose content hash is already stored are skipped.
// Returns [key, replaced hash (null when created)] for every row written.
UNWIND $rows AS row
OPTIONAL MATCH (old:Organization {id: row.key})
WITH row, old.content_hash AS prior
WHERE prior IS NULL OR prior <> row.hash
MERGE (n:Organization {id: row.key})
SET n = row.props, n.content_hash = row.hash
WITH n, row, prior
CALL (n) { MATCH (n)-[r:HAS_SPECIALTY|OPERATES|PART_OF]->() DELETE r }
CALL (n, row) { UNWIND row.links.specialties AS x MATCH (t:Specialty {code: x.key}) CREATE (n)-[:HAS_SPECIALTY {primary: x.primary}]->(t) }
CALL (n, row) { UNWIND row.links.location_ids AS x MATCH (t:Location {id: x}) CREATE (n)-[:OPERATES]->(t) }
CALL (n, row) { UNWIND row.links.part_of AS x MATCH (t:Organization {id: x}) CREATE (n)-[:PART_OF]->(t) }
// One record for the whole batch: a record per row would stream back in thousands of tiny messages.
RETURN collect([row.key, prior]) AS written
