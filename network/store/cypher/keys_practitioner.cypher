// Practitioner keys in ascending order after $after (null: from the start), index-backed.
MATCH (n:Practitioner)
WHERE n.npi > coalesce($after, '')
RETURN n.npi AS key
ORDER BY key
LIMIT $limit
