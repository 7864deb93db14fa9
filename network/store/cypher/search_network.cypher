// Provider search anchor: practitioners with a participation in effect on $as_of in one of $networks.
MATCH (n:Network)
WHERE n.id IN $networks
MATCH (p:Practitioner)-[:HAS_ROLE]->(r:Participation)-[:IN_NETWORK]->(n)
WHERE (r.effective IS NULL OR r.effective <= $as_of) AND (r.termination IS NULL OR r.termination > $as_of)
RETURN DISTINCT p.npi AS npi
