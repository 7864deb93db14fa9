// Delete up to $limit of one twin type's relationships (network.store.twins.expanding names it in place of
// AT_SPECIALTY_LOCATION); called until it deletes none, as clear_relationships_batch is.
MATCH ()-[r:AT_SPECIALTY_LOCATION]->()
WITH r LIMIT $limit
DELETE r
RETURN count(*) AS deleted
