// Upsert Participation nodes by id; rows whose content hash is already stored are skipped.
// Returns [key, replaced hash (null when created)] for every row written.
// MERGE first, the stored hash read off the merged node (one index seek a row, not two), the hash set in the
// same SET as the properties, links deleted only where the node existed: BENCHMARKS.md, optimisation 19.
// A Participation's outgoing relationships are all links (network.store.links), so a rewrite drops them all.
// Beside each AT_LOCATION of a participation naming a specialty runs a twin typed by that specialty,
// AT_LOCATION_AS_<code>: the store's own index for a search naming a specialty (BENCHMARKS.md, optimisation
// 29), which expands only that type at a city's dense locations. It is not part of the graph's model:
// checksums and stats leave it out, and a contract test holds it to AT_LOCATION.
UNWIND $rows AS row
MERGE (n:Participation {id: row.key})
WITH n, row, n.content_hash AS prior
WHERE prior IS NULL OR prior <> row.hash
WITH n, row, prior, row.props AS props
SET n = props{.*, content_hash: row.hash}
WITH n, row, prior
CALL (n, prior) { WITH n, prior WHERE prior IS NOT NULL MATCH (n)-[r]->() DELETE r }
CALL (n, prior) { WITH n, prior WHERE prior IS NOT NULL MATCH (n)<-[r:HAS_ROLE]-() DELETE r }
CALL (n, row) { UNWIND row.links.npi AS x MATCH (t:Practitioner {npi: x}) CREATE (t)-[:HAS_ROLE]->(n) }
CALL (n, row) { UNWIND row.links.network_id AS x MATCH (t:Network {id: x}) CREATE (n)-[:IN_NETWORK]->(t) }
CALL (n, row) {
  UNWIND row.links.location_ids AS x MATCH (t:Location {id: x}) CREATE (n)-[:AT_LOCATION]->(t)
  WITH n, t WHERE n.specialty_code IS NOT NULL CREATE (n)-[:$('AT_LOCATION_AS_' + n.specialty_code)]->(t)
}
CALL (n, row) { UNWIND row.links.specialty_code AS x MATCH (t:Specialty {code: x}) CREATE (n)-[:FOR_SPECIALTY]->(t) }
CALL (n, row) { UNWIND row.links.organization_id AS x MATCH (t:Organization {id: x}) CREATE (n)-[:WITH_ORGANIZATION]->(t) }
// One record for the whole batch: a record per row would stream back in thousands of tiny messages.
RETURN collect([row.key, prior]) AS written
