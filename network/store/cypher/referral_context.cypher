// What a referral search checks before it ranks, in one round trip: the PCP, its participations (any
// date), its shared-patient totals per target, the plan, and whether the asked specialty code exists.
OPTIONAL MATCH (pcp:Practitioner {npi: $pcp})
CALL (pcp) {
  OPTIONAL MATCH (pcp)-[:HAS_ROLE]->(r:Participation)
  WITH r ORDER BY r.id
  RETURN collect(r {.*}) AS roles
}
CALL (pcp) {
  OPTIONAL MATCH (pcp)-[x:REFERS_TO]->(b:Practitioner)
  WITH b.npi AS target, sum(x.pair_count) AS pairs
  WHERE target IS NOT NULL
  RETURN collect([target, pairs]) AS referred
}
OPTIONAL MATCH (plan:Plan {id: $plan})
OPTIONAL MATCH (s:Specialty {code: $specialty})
RETURN pcp {.*} AS pcp, roles, referred, plan {.*} AS plan, s IS NOT NULL AS specialty_known
