// Provider search anchor: practitioners whose name has words starting with every term (full-text index,
// 'simple' analyzer). A pre-filter only: the exact name-word test is decided in Python for both stores.
CALL db.index.fulltext.queryNodes('practitioner_name', $lucene) YIELD node
WHERE node:Practitioner
RETURN DISTINCT node.npi AS npi
