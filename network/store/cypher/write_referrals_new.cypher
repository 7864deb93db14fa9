// Create REFERS_TO edges whose keys are certainly not in the graph (network.store.fresh: a first load),
// without looking for an old edge: write_referrals.cypher's upsert, less its expansion of the referring
// practitioner's relationships. A row is [from, to, pair_count, beneficiaries, same_day_count]; what a
// file's rows share (source, year, window_days) comes once per batch as $shared, not in every row
// (BENCHMARKS.md, optimisation 35). A row whose practitioner is not in the graph is not written and comes
// back in `missing` as [from, to, the absent end].
UNWIND $rows AS row
OPTIONAL MATCH (a:Practitioner {npi: row[0]})
OPTIONAL MATCH (b:Practitioner {npi: row[1]})
WITH a, b, row, CASE WHEN a IS NULL THEN 'from' WHEN b IS NULL THEN 'to' END AS absent
FOREACH (_ IN CASE WHEN absent IS NULL THEN [1] ELSE [] END |
  CREATE (a)-[r:REFERS_TO]->(b)
  SET r = $shared, r.pair_count = row[2], r.beneficiaries = row[3], r.same_day_count = row[4])
RETURN collect(CASE WHEN absent IS NOT NULL THEN [row[0], row[1], absent] END) AS missing
