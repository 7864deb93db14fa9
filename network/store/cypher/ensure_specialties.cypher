// Create the Specialty nodes that do not exist yet; existing ones (e.g. from the NUCC file) are kept.
UNWIND $rows AS row
OPTIONAL MATCH (old:Specialty {code: row.key})
WITH row WHERE old IS NULL
CREATE (n:Specialty)
SET n = row.props, n.content_hash = row.hash
RETURN count(n) AS created
