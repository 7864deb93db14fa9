// Upsert REFERS_TO edges keyed by edge_key (from, to, source, year, window); both practitioners must
// exist (the loader checks first and reports the rest as skipped). Unchanged edges are left alone.
// The old edge is found once and then created or updated in place: a MERGE would expand a busy
// practitioner's relationships a second time.
UNWIND $rows AS row
MATCH (a:Practitioner {npi: row.from_npi})
MATCH (b:Practitioner {npi: row.to_npi})
OPTIONAL MATCH (a)-[old:REFERS_TO {edge_key: row.key}]->(b)
WITH a, b, row, old, old.content_hash AS prior
WHERE prior IS NULL OR prior <> row.hash
FOREACH (_ IN CASE WHEN old IS NULL THEN [1] ELSE [] END |
  CREATE (a)-[r:REFERS_TO]->(b)
  SET r = row.props, r.edge_key = row.key, r.content_hash = row.hash)
FOREACH (_ IN CASE WHEN old IS NULL THEN [] ELSE [1] END |
  SET old = row.props, old.edge_key = row.key, old.content_hash = row.hash)
// One record for the whole batch: a record per row would stream back in thousands of tiny messages.
RETURN collect([row.key, prior]) AS written
