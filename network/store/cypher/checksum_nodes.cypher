// Every node with its properties (content checksums in tests; not for production paths).
MATCH (n)
RETURN labels(n)[0] AS label, properties(n) AS props
