// Every participation (any date) of each given practitioner.
UNWIND $npis AS npi
MATCH (:Practitioner {npi: npi})-[:HAS_ROLE]->(r:Participation)
RETURN npi, r {.*} AS props
ORDER BY npi, r.id
