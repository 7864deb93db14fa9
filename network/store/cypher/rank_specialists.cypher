// A referral search ranked in the database, so only the page travels back: specialist participations
// in effect in the plan's networks at locations within the radius, each specialist once at its nearest
// qualifying location, ordered by prior referrals from the PCP (when asked), then distance, then NPI.
// The hot part reads each candidate participation once, by the properties denormalised on it (network,
// role, dates, specialty, NPI): the only relationship expanded per row is AT_LOCATION (or its twin, below).
// Miles are Neo4j's haversine rescaled to pnet's Earth radius (Python recomputes the page's exact miles).
//
// Asked by PCP and plan ($ask.pcp, $ask.plan; $ask.networks and $ask.prior null), the statement also reads
// what the service checks (the PCP, its participations, its shared-patient totals, the plan, whether the
// specialty code exists) and ranks within the plan's networks by those totals: a search is one round trip,
// and the service discards the page when the checks fail. Asked with $ask.networks and $ask.prior ([npi,
// pairs] pairs) instead, it ranks those alone (the store's plain ranking, which the contract tests walk).
//
// AT_LOCATION joins only a Participation to a Location (network.store.links; a unit test holds it), so
// neither end's label is checked: on a wide search that check was a fifth of the db hits.
//
// Two ways in, whichever reads fewer participations (the slotted runtime plans once per statement text, so
// the choice is made here from counts, not left to the cached plan): a named specialty seeks its
// participations in the plan's networks (composite RANGE index: cost grows with the specialty's size, not
// with the radius), otherwise every participation at the locations in the radius (POINT index), estimated
// as the locations there times the graph's mean participations per location (count store) and, when that
// favours the radius, counted exactly from the locations' degrees. A specialty with at most 2,000
// participations in the plan's networks skips the estimate. The counts run only for a
// named specialty under 'auto' (CASE stops early); $ask.anchor 'specialty' or 'space' forces one way (tests
// walk both).
//
// The radius's way expands AT_SPECIALTY_LOCATION, which is not a type in the graph: the store puts the
// named specialties' twins of AT_LOCATION there (`AT_LOCATION_AS_<code>`, written beside it by
// write_participation.cypher), or AT_LOCATION itself when no specialty is named (network.store.twins). So a
// search naming a specialty reads only that specialty's participations at a city's dense locations
// (about 1/30 of them), and budgets them from the locations' degrees by type. Each set of codes is then a
// text of its own, planned once (the plan cache); a parameter could not name the types: a dynamic type
// (`$any(...)`) is planned as an expansion of every relationship and a filter.
//
// Every parameter is a field of one map, $ask. Neo4j caches a plan by the text and the parameters' types,
// string and list sizes included (in buckets): with flat parameters a search that named a language, a
// filter on accepting, a plan id of another length or a read budget was planned again, 0.5-2 s each time
// (a mixed workload of 41 texts left 172 plans). A map is one type whatever it holds, so each text is
// planned once (BENCHMARKS.md, optimisation 32).
//
// The radius's way reads only the first $ask.window miles ($ask.meters its index pre-filter), so a search
// that needs no exact total can rank within a mile first (network.store.ranking.windows); the specialty's way
// costs the same whatever the window, so it ranks within the whole $ask.radius, and `whole` says which.
OPTIONAL MATCH (pcp:Practitioner {npi: $ask.pcp})
OPTIONAL MATCH (plan:Plan {id: $ask.plan})
WITH pcp, plan, EXISTS { (:Specialty {code: $ask.specialty}) } AS specialty_known,
     // No networks to rank in when the plan or the PCP is missing: the answer is an error, so read nothing.
     CASE WHEN $ask.pcp IS NOT NULL AND pcp IS NULL THEN [] ELSE coalesce($ask.networks, plan.network_ids, []) END
       AS networks
// With a read budget only whether the specialty holds fewer than that matters, so it counts no further (a
// common specialty's 20k participations at L cost 5 ms to count, in every window's statement).
WITH pcp, plan, specialty_known, networks,
     CASE WHEN $ask.anchor = 'auto' AND $ask.specialties IS NOT NULL THEN
       COUNT { MATCH (r:Participation) WHERE r.specialty_code IN $ask.specialties AND r.network_id IN networks
               RETURN r LIMIT coalesce($ask.budget, 1000000000) }
     END AS named
// A specialty with few participations is read outright: counting the locations in the radius would cost
// more than reading them (a city's 25 miles hold thousands of locations).
WITH pcp, plan, specialty_known, networks, named,
     CASE WHEN named > 2000 AND $ask.budget IS NULL THEN
       COUNT { MATCH (l:Location)
               WHERE point.distance(l.point, point({latitude: $ask.lat, longitude: $ask.lon})) <= $ask.meters }
     END AS here
WITH pcp, plan, specialty_known, networks,
     CASE $ask.anchor
       WHEN 'space' THEN false
       WHEN 'specialty' THEN $ask.specialties IS NOT NULL
       ELSE CASE
         WHEN named IS NULL THEN false
         // With a read budget the radius's way reads about that many (the nearest buildings first, only
         // the specialty's participations), so the specialty's way is taken when it reads fewer; past
         // that the budget grows (Python) until it is: a page costs about what the cheaper of the two would.
         WHEN $ask.budget IS NOT NULL THEN named < $ask.budget
         WHEN named <= 2000 THEN true
         // At the graph's mean participations per location the radius holds more than the specialty: the
         // specialty's way costs at most `named`, wherever the radius is. These counts are of every
         // specialty's participations, though the radius's way reads the twins only: each location costs
         // that way a walk of its relationship groups per code, so counting its twins instead chose the
         // radius where the specialty was cheaper (a counted 25-mile named search at L, p50 43 -> 64 ms).
         WHEN named < here * toFloat(COUNT { MATCH (r:Participation) }) / (COUNT { MATCH (l:Location) } + 1)
           THEN true
         // The mean says the radius holds fewer, but a city's locations hold many times the mean (5 miles
         // of Brooklyn at L: 330k participations where the mean said under 18k): count them, each
         // location's degree from its relationship counts.
         ELSE named < reduce(n = 0, d IN COLLECT {
                               MATCH (l:Location)
                               WHERE point.distance(l.point, point({latitude: $ask.lat, longitude: $ask.lon})) <= $ask.meters
                               RETURN COUNT { (l)<-[:AT_LOCATION]-() } } | n + d)
       END
     END AS by_specialty
// A search ranked in windows reads the window's nearest locations only, up to $ask.budget participations
// (counted from each location's degree, nearest first; never splitting locations at one distance, never
// fewer than the nearest): `cut` is the distance it stopped short of, so Python knows how far it read.
// Synthetic or real, a city's buildings are dense: at L the first mile of Manhattan holds 272 locations
// and 106k participations of every network, 25 miles 4,301 and 687k. A null $ask.budget reads the window.
WITH pcp, plan, specialty_known, networks, by_specialty,
     CASE WHEN $ask.budget IS NOT NULL AND NOT by_specialty AND size(networks) > 0 THEN
       reduce(acc = [0, -1.0, null], x IN COLLECT {
                MATCH (l:Location)
                USING INDEX SEEK l:Location(point)
                WHERE point.distance(l.point, point({latitude: $ask.lat, longitude: $ask.lon})) <= $ask.meters
                WITH point.distance(l.point, point({latitude: $ask.lat, longitude: $ask.lon})) * $ask.miles_per_meter AS d,
                     COUNT { (l)<-[:AT_SPECIALTY_LOCATION]-() } AS n
                WHERE d <= $ask.window
                RETURN [d, n] AS x ORDER BY d
              } |
              // [participations so far, the distance last read, the cut]
              CASE WHEN acc[2] IS NOT NULL THEN acc
                   WHEN acc[0] > 0 AND acc[0] + x[1] > $ask.budget AND x[0] > acc[1] THEN [acc[0], acc[1], x[0]]
                   ELSE [acc[0] + x[1], x[0], null]
              END)[2]
     END AS cut
// Every row a buffering operator (Sort, Top) holds is charged the memory of all the variables in scope,
// lists included, once per row: so the search sorts its per-specialist rows before any list exists, and
// the page is cut from the sorted list by position. (A Top over rows carrying the whole result was charged
// gigabytes for a wide search at national scale and hit the transaction memory limit.)
CALL (pcp, by_specialty, networks, cut) {
  CALL (pcp, by_specialty, networks, cut) {
    CALL (by_specialty, networks, cut) {
      // The empty list when not chosen: the planner seeks before it filters on by_specialty.
      MATCH (r:Participation)
      USING INDEX SEEK r:Participation(specialty_code, network_id)
      WHERE r.specialty_code IN CASE WHEN by_specialty THEN $ask.specialties ELSE [] END AND r.network_id IN networks
      MATCH (r)-[:AT_LOCATION]->(l)
      WITH l, r, point.distance(l.point, point({latitude: $ask.lat, longitude: $ask.lon})) * $ask.miles_per_meter AS d
      WHERE d <= $ask.radius
      RETURN l, r, d
    UNION ALL
      // A radius of nothing when not chosen: the planner seeks the point index before it filters on
      // by_specialty, so the filter alone would still read every location in the radius.
      WITH by_specialty, CASE WHEN by_specialty OR size(networks) = 0 THEN -1.0 ELSE $ask.meters END AS meters
      WHERE NOT by_specialty AND size(networks) > 0
      MATCH (l:Location)
      USING INDEX SEEK l:Location(point)
      WHERE point.distance(l.point, point({latitude: $ask.lat, longitude: $ask.lon})) <= meters
      WITH l, point.distance(l.point, point({latitude: $ask.lat, longitude: $ask.lon})) * $ask.miles_per_meter AS d
      WHERE d <= $ask.window AND (cut IS NULL OR d < cut)
      MATCH (l)<-[:AT_SPECIALTY_LOCATION]-(r)
      RETURN l, r, d
    }
    // The network first, projected so the planner cannot fold it into the filter below: as a list read
    // from the plan it looks no more selective than the role, and the role of every row was read first
    // (+20% db hits on a wide search).
    WITH l, r, d, r.network_id AS network
    WHERE network IN networks
    WITH l, r, d
    WHERE r.role = 'specialist'
      AND (r.effective IS NULL OR r.effective <= $ask.as_of)
      AND (r.termination IS NULL OR r.termination > $ask.as_of)
      AND ($ask.accepting IS NULL OR r.accepting_new_patients = $ask.accepting)
      AND ($ask.exclude IS NULL OR r.npi <> $ask.exclude)
      AND ($ask.specialties IS NULL OR r.specialty_code IN $ask.specialties)
    RETURN r.npi AS npi, CASE WHEN r.specialty_code IS NOT NULL THEN [d, l.id, r.id, r.specialty_code] END AS coded,
           CASE WHEN r.specialty_code IS NULL THEN [d, l.id, r.id] END AS uncoded, null AS pairs
  UNION ALL
    // The PCP's shared-patient pairs join the same rows by NPI, rather than riding every row as a list.
    MATCH (pcp)-[x:REFERS_TO]->(b:Practitioner)
    WHERE $ask.prior IS NULL
    RETURN b.npi AS npi, null AS coded, null AS uncoded, x.pair_count AS pairs
  UNION ALL
    UNWIND coalesce($ask.prior, []) AS p
    RETURN p[0] AS npi, null AS coded, null AS uncoded, p[1] AS pairs
  }
  // Nearest location per specialist (ties: location id, then participation id; lists order element-wise),
  // apart for participations naming no specialty (only without a specialty filter): those stand for the
  // practitioner's primary one, read below once per specialist, and only when such a row or a language asks
  // for the Practitioner at all (a seek per specialist is a fifth of a wide search).
  WITH npi, min(coded) AS coded, min(uncoded) AS uncoded, sum(pairs) AS prior, count(pairs) AS referrals
  WITH npi, coded, uncoded, prior, referrals,
       CASE WHEN uncoded IS NOT NULL OR ($ask.language IS NOT NULL AND coded IS NOT NULL) THEN
         COLLECT { MATCH (p:Practitioner {npi: npi})
                   RETURN [coalesce(p.primary_specialty, head(p.specialties)),
                           $ask.language IS NULL OR any(x IN coalesce(p.languages, []) WHERE toLower(x) = $ask.language)] }[0]
       END AS doc
  WITH npi, prior, referrals,
       CASE WHEN $ask.language IS NOT NULL AND NOT coalesce(doc[1], false) THEN null
            WHEN uncoded IS NULL OR doc[0] IS NULL THEN coded
            WHEN coded IS NULL OR uncoded < coded[0..3] THEN uncoded + [doc[0]]
            ELSE coded
       END AS best
  WITH npi, prior, referrals, best
  ORDER BY CASE WHEN $ask.by_prior THEN -prior ELSE 0 END, best[0], npi
  RETURN collect(CASE WHEN best IS NOT NULL
                   THEN {npi: npi, d: best[0], lid: best[1], rid: best[2], code: best[3], prior: prior} END) AS found,
         collect(CASE WHEN referrals > 0 THEN [npi, prior] END) AS referred
}
// Everything not before the cursor (with the distance tolerance as slack), in order; the rows within the
// slack all come back, so Python can drop the ones the cursor has shown by exact comparison.
WITH pcp, plan, specialty_known, referred, by_specialty, cut, size(found) AS total,
     [x IN found WHERE $ask.after_distance IS NULL
        OR ($ask.by_prior AND x.prior < $ask.after_prior)
        OR ((NOT $ask.by_prior OR x.prior = $ask.after_prior) AND x.d >= $ask.after_distance - $ask.tolerance)] AS rest
WITH pcp, plan, specialty_known, referred, by_specialty, cut, total, rest,
     [x IN rest WHERE $ask.after_distance IS NOT NULL AND (NOT $ask.by_prior OR x.prior = $ask.after_prior)
        AND x.d <= $ask.after_distance + $ask.tolerance] AS window
// The window is part of rest, so the first $ask.limit others are within its first $ask.limit + size(window).
WITH pcp, plan, specialty_known, referred, by_specialty, cut, total, size(rest) AS remaining, window,
     [x IN rest[0..$ask.limit + size(window)] WHERE NOT x IN window][0..$ask.limit] AS head
// No ORDER BY here: the rows in scope now carry the result (Python orders the roles by id).
CALL (pcp) {
  OPTIONAL MATCH (pcp)-[:HAS_ROLE]->(r:Participation)
  RETURN collect(r {.*}) AS roles
}
// The page's records, by key; a page past the end still answers with the totals (one row of nulls).
// The context rides the first row only.
WITH pcp {.*} AS pcp, plan {.*} AS plan, roles, specialty_known, referred, by_specialty, cut, total, remaining,
     CASE WHEN size(window + head) = 0 THEN [null] ELSE window + head END AS page
UNWIND range(0, size(page) - 1) AS i
WITH pcp, plan, roles, specialty_known, referred, by_specialty, cut, total, remaining, i, page[i] AS x
OPTIONAL MATCH (p:Practitioner {npi: x.npi})
OPTIONAL MATCH (l:Location {id: x.lid})
OPTIONAL MATCH (r:Participation {id: x.rid})
OPTIONAL MATCH (n:Network {id: r.network_id})
OPTIONAL MATCH (sp:Specialty {code: x.code})
RETURN total, remaining, by_specialty OR ($ask.window >= $ask.radius AND cut IS NULL) AS whole, cut,
       x.npi AS npi, x.lid AS location_id, l.lat AS lat, l.lon AS lon,
       x.d AS distance, x.code AS specialty_code, r.network_id AS network_id, x.rid AS participation_id,
       r.accepting_new_patients AS accepting_new_patients, x.prior AS prior, p {.*} AS practitioner,
       l {.*} AS location, n {.*} AS network, sp {.*} AS specialty,
       CASE WHEN i = 0 THEN pcp END AS pcp, CASE WHEN i = 0 THEN plan END AS plan,
       CASE WHEN i = 0 THEN roles END AS roles, CASE WHEN i = 0 THEN referred END AS referred, specialty_known
