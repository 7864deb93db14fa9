// Participation keys in ascending order after $after (null: from the start), index-backed.
MATCH (n:Participation)
WHERE n.id > coalesce($after, '')
RETURN n.id AS key
ORDER BY key
LIMIT $limit
