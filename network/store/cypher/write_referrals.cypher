// Upsert REFERS_TO edges, each found by its ends and (source, year, window_days): Referral.key. A row whose
// practitioner is not in the graph is not written and comes back in `missing` with the absent end ('from'
// first): the index seeks that find the ends are the existence check, so the loader needs no read of its own.
// An edge holds its content only (Referral.edge_props): it is unchanged when its properties equal the row's,
// and is then left alone. The old edge is found once and then created or updated in place: a MERGE would
// expand a busy practitioner's relationships a second time.
UNWIND $rows AS row
OPTIONAL MATCH (a:Practitioner {npi: row.from})
OPTIONAL MATCH (b:Practitioner {npi: row.to})
OPTIONAL MATCH (a)-[old:REFERS_TO]->(b)
  WHERE old.source = row.props.source AND coalesce(old.year, -1) = coalesce(row.props.year, -1)
    AND coalesce(old.window_days, -1) = coalesce(row.props.window_days, -1)
WITH a, b, row, old, properties(old) AS prior,
  CASE WHEN a IS NULL THEN 'from' WHEN b IS NULL THEN 'to' END AS absent
WITH a, b, row, old, prior, absent, absent IS NULL AND (prior IS NULL OR prior <> row.props) AS write
FOREACH (_ IN CASE WHEN write AND old IS NULL THEN [1] ELSE [] END |
  CREATE (a)-[r:REFERS_TO]->(b)
  SET r = row.props)
FOREACH (_ IN CASE WHEN write AND old IS NOT NULL THEN [1] ELSE [] END |
  SET old = row.props)
// One record for the whole batch, naming only the rows that were not created: a fresh load (every row
// created) gets back three empty lists instead of a key per row. An updated row names the properties it
// replaced (the store reports their digest).
RETURN collect(CASE WHEN write AND prior IS NOT NULL THEN [row.key, prior] END) AS updated,
  collect(CASE WHEN absent IS NULL AND NOT write THEN row.key END) AS unchanged,
  collect(CASE WHEN absent IS NOT NULL THEN [row.key, absent] END) AS missing
