// Relationship counts per type (reports and tests only: it reads every relationship).
MATCH ()-[r]->()
RETURN type(r) AS type, count(*) AS rels
