// A participation naming a specialty linked to a location, in a graph with no twin of AT_LOCATION at all
// (twin_types.cypher found none): a graph loaded before the twins (network.store.twins), so init_schema
// writes them (backfill_twins.cypher). Writes make both in one statement, so no graph holds some only.
MATCH (r:Participation)-[:AT_LOCATION]->()
WHERE r.specialty_code IS NOT NULL
RETURN r.id AS id
LIMIT 1
