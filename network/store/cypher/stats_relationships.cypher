// Relationship counts per type of the model (reports and tests only: it reads every relationship); AT_LOCATION's
// typed twins are the store's index, not the graph (network.store.twins).
MATCH ()-[r]->()
WHERE NOT type(r) STARTS WITH 'AT_LOCATION_AS_'
RETURN type(r) AS type, count(*) AS rels
