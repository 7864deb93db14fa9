// Per given practitioner, the practitioners it shares the most patients with (top $limit).
UNWIND $npis AS npi
MATCH (:Practitioner {npi: npi})-[r:REFERS_TO]->(b:Practitioner)
WITH npi, b.npi AS target, sum(r.pair_count) AS pairs
ORDER BY npi, pairs DESC, target
WITH npi, collect([target, pairs])[..$limit] AS top
RETURN npi, top
