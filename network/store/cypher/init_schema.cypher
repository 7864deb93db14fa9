// Idempotent schema: one uniqueness constraint per label key (network.model.KEYS), the POINT index for
// radius reads, and the lookups the hot paths filter on. One statement per line, run in order.
CREATE CONSTRAINT practitioner_npi IF NOT EXISTS FOR (n:Practitioner) REQUIRE n.npi IS UNIQUE;
CREATE CONSTRAINT organization_id IF NOT EXISTS FOR (n:Organization) REQUIRE n.id IS UNIQUE;
CREATE CONSTRAINT location_id IF NOT EXISTS FOR (n:Location) REQUIRE n.id IS UNIQUE;
CREATE CONSTRAINT specialty_code IF NOT EXISTS FOR (n:Specialty) REQUIRE n.code IS UNIQUE;
CREATE CONSTRAINT network_id IF NOT EXISTS FOR (n:Network) REQUIRE n.id IS UNIQUE;
CREATE CONSTRAINT plan_id IF NOT EXISTS FOR (n:Plan) REQUIRE n.id IS UNIQUE;
CREATE CONSTRAINT county_fips IF NOT EXISTS FOR (n:County) REQUIRE n.fips IS UNIQUE;
CREATE CONSTRAINT participation_id IF NOT EXISTS FOR (n:Participation) REQUIRE n.id IS UNIQUE;
CREATE POINT INDEX location_point IF NOT EXISTS FOR (n:Location) ON (n.point);
CREATE INDEX location_county_fips IF NOT EXISTS FOR (n:Location) ON (n.county_fips);
CREATE INDEX county_ssa_code IF NOT EXISTS FOR (n:County) ON (n.ssa_code);
CREATE INDEX practitioner_last_name IF NOT EXISTS FOR (n:Practitioner) ON (n.last_name);
CREATE INDEX participation_role IF NOT EXISTS FOR (n:Participation) ON (n.role);
CREATE INDEX participation_specialty_network IF NOT EXISTS FOR (n:Participation) ON (n.specialty_code, n.network_id);
// -- directory search (API): provider search anchors (search_*.cypher)
CREATE FULLTEXT INDEX practitioner_name IF NOT EXISTS FOR (n:Practitioner) ON EACH [n.name] OPTIONS {indexConfig: {`fulltext.analyzer`: 'simple'}};
CREATE INDEX location_zip IF NOT EXISTS FOR (n:Location) ON (n.zip);
CREATE INDEX location_state IF NOT EXISTS FOR (n:Location) ON (n.state);
// -- end directory search (API)
