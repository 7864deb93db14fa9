// Node counts per label (reports and tests only: it reads every node).
MATCH (n)
RETURN labels(n)[0] AS label, count(*) AS nodes
