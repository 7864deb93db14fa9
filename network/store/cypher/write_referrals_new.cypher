// Create REFERS_TO edges whose keys are certainly not in the graph (network.store.fresh: a first load),
// without looking for an old edge: write_referrals.cypher's upsert, less its expansion of the referring
// practitioner's relationships. A row whose practitioner is not in the graph comes back in `missing`.
UNWIND $rows AS row
OPTIONAL MATCH (a:Practitioner {npi: row.from})
OPTIONAL MATCH (b:Practitioner {npi: row.to})
WITH a, b, row, CASE WHEN a IS NULL THEN 'from' WHEN b IS NULL THEN 'to' END AS absent
FOREACH (_ IN CASE WHEN absent IS NULL THEN [1] ELSE [] END |
  CREATE (a)-[r:REFERS_TO]->(b)
  SET r = row.props)
RETURN [] AS updated, [] AS unchanged, collect(CASE WHEN absent IS NOT NULL THEN [row.key, absent] END) AS missing
