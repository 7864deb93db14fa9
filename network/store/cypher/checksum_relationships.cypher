// Every relationship of the model with its endpoints' labels and keys (content checksums in tests only):
// AT_LOCATION's typed twins are the store's index, not the graph (network.store.twins).
MATCH (a)-[r]->(b)
WHERE NOT type(r) STARTS WITH 'AT_LOCATION_AS_'
WITH r, a, b, labels(a)[0] AS a_label, labels(b)[0] AS b_label
RETURN type(r) AS type,
       a_label, CASE a_label WHEN 'Practitioner' THEN a.npi WHEN 'Specialty' THEN a.code
                             WHEN 'County' THEN a.fips ELSE a.id END AS a_key,
       b_label, CASE b_label WHEN 'Practitioner' THEN b.npi WHEN 'Specialty' THEN b.code
                             WHEN 'County' THEN b.fips ELSE b.id END AS b_key,
       properties(r) AS props
