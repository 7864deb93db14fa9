// Provider search anchor: practitioners practising in state $state (index seek on Location.state).
MATCH (l:Location {state: $state})
MATCH (p:Practitioner)-[:PRACTICES_AT]->(l)
RETURN DISTINCT p.npi AS npi
