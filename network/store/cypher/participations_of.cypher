// Every participation (any date) of each given practitioner. A stored practitioner with none gives one
// row with null props, so existence and roles come back in one round trip (a hot path of every search).
UNWIND $npis AS npi
MATCH (p:Practitioner {npi: npi})
OPTIONAL MATCH (p)-[:HAS_ROLE]->(r:Participation)
RETURN npi, r {.*} AS props
ORDER BY npi, r.id
