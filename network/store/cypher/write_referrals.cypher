// Upsert REFERS_TO edges keyed by edge_key (from, to, source, year, window). A row whose practitioner is
// not in the graph is not written and comes back in `missing` with the absent end ('from' first): the
// index seeks that find the ends are the existence check, so the loader needs no read of its own.
// Unchanged edges are left alone. The old edge is found once and then created or updated in place: a
// MERGE would expand a busy practitioner's relationships a second time.
UNWIND $rows AS row
OPTIONAL MATCH (a:Practitioner {npi: row.props.from_npi})
OPTIONAL MATCH (b:Practitioner {npi: row.props.to_npi})
OPTIONAL MATCH (a)-[old:REFERS_TO {edge_key: row.key}]->(b)
WITH a, b, row, old, old.content_hash AS prior,
  CASE WHEN a IS NULL THEN 'from' WHEN b IS NULL THEN 'to' END AS absent
WITH a, b, row, old, prior, absent, absent IS NULL AND (prior IS NULL OR prior <> row.hash) AS write
FOREACH (_ IN CASE WHEN write AND old IS NULL THEN [1] ELSE [] END |
  CREATE (a)-[r:REFERS_TO]->(b)
  SET r = row.props, r.edge_key = row.key, r.content_hash = row.hash)
FOREACH (_ IN CASE WHEN write AND old IS NOT NULL THEN [1] ELSE [] END |
  SET old = row.props, old.edge_key = row.key, old.content_hash = row.hash)
// One record for the whole batch, naming only the rows that were not created: a fresh load (every row
// created) gets back three empty lists instead of a key per row.
RETURN collect(CASE WHEN write AND prior IS NOT NULL THEN [row.key, prior] END) AS updated,
  collect(CASE WHEN absent IS NULL AND NOT write THEN row.key END) AS unchanged,
  collect(CASE WHEN absent IS NOT NULL THEN [row.key, absent] END) AS missing
