// Specialty keys in ascending order after $after (null: from the start), index-backed.
MATCH (n:Specialty)
WHERE n.code > coalesce($after, '')
RETURN n.code AS key
ORDER BY key
LIMIT $limit
