// The relationship types of AT_LOCATION's typed twins (network.store.twins), one per specialty code.
CALL db.relationshipTypes() YIELD relationshipType AS type
WITH type WHERE type STARTS WITH 'AT_LOCATION_AS_'
RETURN type
