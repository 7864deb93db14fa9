// For several labels at once: which of the given keys exist and, where asked, some of their properties.
// What a loader checks before writing a batch, in one round trip instead of one per label (or per row).
// $keys and $fields map every label to its keys and to the property names wanted (both may be empty).
// One record: per label, a list of [key, [property values in the order asked]].
CALL () { UNWIND $keys.Practitioner AS k MATCH (n:Practitioner {npi: k})
  RETURN collect([k, [f IN $fields.Practitioner | n[f]]]) AS Practitioner }
CALL () { UNWIND $keys.Organization AS k MATCH (n:Organization {id: k})
  RETURN collect([k, [f IN $fields.Organization | n[f]]]) AS Organization }
CALL () { UNWIND $keys.Location AS k MATCH (n:Location {id: k})
  RETURN collect([k, [f IN $fields.Location | n[f]]]) AS Location }
CALL () { UNWIND $keys.Specialty AS k MATCH (n:Specialty {code: k})
  RETURN collect([k, [f IN $fields.Specialty | n[f]]]) AS Specialty }
CALL () { UNWIND $keys.Network AS k MATCH (n:Network {id: k})
  RETURN collect([k, [f IN $fields.Network | n[f]]]) AS Network }
CALL () { UNWIND $keys.Plan AS k MATCH (n:Plan {id: k})
  RETURN collect([k, [f IN $fields.Plan | n[f]]]) AS Plan }
CALL () { UNWIND $keys.County AS k MATCH (n:County {fips: k})
  RETURN collect([k, [f IN $fields.County | n[f]]]) AS County }
CALL () { UNWIND $keys.Participation AS k MATCH (n:Participation {id: k})
  RETURN collect([k, [f IN $fields.Participation | n[f]]]) AS Participation }
RETURN Practitioner, Organization, Location, Specialty, Network, Plan, County, Participation
