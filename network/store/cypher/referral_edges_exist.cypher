// Whether the graph holds any REFERS_TO edge (network.store.fresh). Answered from the count store.
MATCH ()-[r:REFERS_TO]->()
RETURN count(r) > 0 AS present
