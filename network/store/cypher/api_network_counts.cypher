// Per given network, its members through participations in effect on $as_of (network id seeks).
UNWIND $ids AS id
MATCH (n:Network {id: id})
CALL (n) {
  OPTIONAL MATCH (n)<-[:IN_NETWORK]-(r:Participation)
  WHERE (r.effective IS NULL OR r.effective <= $as_of) AND (r.termination IS NULL OR r.termination > $as_of)
  OPTIONAL MATCH (p:Practitioner)-[:HAS_ROLE]->(r)
  RETURN count(DISTINCT r) AS participations, count(DISTINCT p) AS practitioners,
         count(DISTINCT CASE WHEN r.role = 'pcp' THEN p END) AS pcps,
         count(DISTINCT CASE WHEN r.role = 'specialist' THEN p END) AS specialists
}
CALL (n) {
  OPTIONAL MATCH (n)<-[:IN_NETWORK]-(r:Participation)-[:AT_LOCATION]->(l:Location)
  WHERE (r.effective IS NULL OR r.effective <= $as_of) AND (r.termination IS NULL OR r.termination > $as_of)
  RETURN count(DISTINCT l) AS locations
}
RETURN id, participations, practitioners, pcps, specialists, locations
