// Summed shared-patient pair counts from one practitioner to each of the given ones.
MATCH (:Practitioner {npi: $from_npi})-[r:REFERS_TO]->(b:Practitioner)
WHERE b.npi IN $to_npis
RETURN b.npi AS npi, sum(r.pair_count) AS pairs
