// Upsert REFERS_TO edges keyed by edge_key (from, to, source, year, window); both practitioners must
// exist (the loader checks first and reports the rest as skipped). Unchanged edges are left alone.
UNWIND $rows AS row
MATCH (a:Practitioner {npi: row.from_npi})
MATCH (b:Practitioner {npi: row.to_npi})
OPTIONAL MATCH (a)-[old:REFERS_TO {edge_key: row.key}]->(b)
WITH a, b, row, old.content_hash AS prior
WHERE prior IS NULL OR prior <> row.hash
MERGE (a)-[r:REFERS_TO {edge_key: row.key}]->(b)
SET r = row.props, r.edge_key = row.key, r.content_hash = row.hash
RETURN row.key AS key, prior
