// County keys in ascending order after $after (null: from the start), index-backed.
MATCH (n:County)
WHERE n.fips > coalesce($after, '')
RETURN n.fips AS key
ORDER BY key
LIMIT $limit
