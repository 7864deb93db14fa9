// A referral search ranked in the database, so only the page travels back: specialist participations
// in effect in the plan's networks at locations within the radius (POINT index seek), each specialist
// once at its nearest qualifying location, ordered by prior referrals from the PCP (when asked), then
// distance, then NPI. Distances use pnet's haversine (Python recomputes the page's exact miles).
// The hint keeps the plan spatial-first: a radius holds few locations, a network may hold millions.
MATCH (l:Location)
USING INDEX l:Location(point)
WHERE point.distance(l.point, point({latitude: $lat, longitude: $lon})) <= $meters
MATCH (l)<-[:AT_LOCATION]-(r:Participation)-[:IN_NETWORK]->(n:Network)
WHERE r.role = 'specialist'
  AND n.id IN $networks
  AND (r.effective IS NULL OR r.effective <= $as_of)
  AND (r.termination IS NULL OR r.termination > $as_of)
  AND ($accepting IS NULL OR r.accepting_new_patients = $accepting)
MATCH (p:Practitioner)-[:HAS_ROLE]->(r)
WHERE ($exclude IS NULL OR p.npi <> $exclude)
  AND ($language IS NULL OR any(x IN coalesce(p.languages, []) WHERE toLower(x) = $language))
OPTIONAL MATCH (r)-[:FOR_SPECIALTY]->(s:Specialty)
// Without a specialty filter, a participation naming none stands for the practitioner's primary one.
WITH p, l, r, n,
     CASE WHEN $specialties IS NULL THEN coalesce(s.code, p.primary_specialty, head(p.specialties))
          ELSE s.code END AS code
WHERE code IS NOT NULL AND ($specialties IS NULL OR code IN $specialties)
WITH p, l, r, n, code, radians(l.lat) - radians($lat) AS dp, radians(l.lon - $lon) AS dl
WITH p, l, r, n, code,
     sin(dp / 2) ^ 2 + cos(radians($lat)) * cos(radians(l.lat)) * sin(dl / 2) ^ 2 AS h
WITH p, l, r, n, code, 2 * $earth_radius * asin(CASE WHEN sqrt(h) > 1.0 THEN 1.0 ELSE sqrt(h) END) AS d
WHERE d <= $radius
// Nearest location per specialist (ties: location id, participation id) without sorting every row.
WITH p, collect({d: d, l: l, r: r, n: n, code: code}) AS options
WITH p, reduce(b = head(options), o IN tail(options) |
       CASE WHEN o.d < b.d OR (o.d = b.d AND (o.l.id < b.l.id OR (o.l.id = b.l.id AND o.r.id < b.r.id)))
            THEN o ELSE b END) AS best
WITH collect(best {.*, p: p, prior: coalesce($prior[p.npi], 0)}) AS found
// Everything not before the cursor (with the distance tolerance as slack); the rows within the slack
// all come back, so Python can drop the ones the cursor has shown by exact comparison.
WITH size(found) AS total,
     [x IN found WHERE $after_distance IS NULL
        OR ($by_prior AND x.prior < $after_prior)
        OR ((NOT $by_prior OR x.prior = $after_prior) AND x.d >= $after_distance - $tolerance)] AS rest
WITH total, rest,
     [x IN rest WHERE $after_distance IS NOT NULL AND (NOT $by_prior OR x.prior = $after_prior)
        AND x.d <= $after_distance + $tolerance] AS window
CALL (rest, window) {
  UNWIND rest AS x
  WITH x WHERE NOT x IN window
  WITH x ORDER BY CASE WHEN $by_prior THEN -x.prior ELSE 0 END, x.d, x.p.npi LIMIT $limit
  RETURN collect(x) AS head
}
// A page past the end still answers with the totals: one row of nulls.
UNWIND CASE WHEN size(window + head) = 0 THEN [null] ELSE window + head END AS x
OPTIONAL MATCH (sp:Specialty {code: x.code})
RETURN total, size(rest) AS remaining, x.p.npi AS npi, x.l.id AS location_id, x.l.lat AS lat,
       x.l.lon AS lon, x.d AS distance, x.code AS specialty_code, x.n.id AS network_id,
       x.r.id AS participation_id, x.r.accepting_new_patients AS accepting_new_patients,
       x.prior AS prior, properties(x.p) AS practitioner, properties(x.l) AS location, properties(x.n) AS network,
       sp {.*} AS specialty
