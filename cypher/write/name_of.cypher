// name: write.name_of
// description: One NAME_OF spell per name claim, keyed by claimId: the alias was the organisation's name from validFrom to validTo. The alias is created when missing; a claim whose organisation changed since an earlier run is moved, never duplicated. Properties are set from the claim (null removes).
// mode: write
// param rows: list<map>   {claimId, name, normName, orgId, props: {validFrom, validFromLatest, validFromPrecision, validFromText, validTo, ..., isCurrent, source, sourceId, notes}}
// param runId: string     the ingest run (kept from the run that created the spell)
UNWIND $rows AS row
MATCH (o:Organisation {id: row.orgId})
MERGE (alias:Alias {name: row.name})
  ON CREATE SET alias.normName = row.normName
WITH row, alias, o
CALL (row, alias, o) {
  MATCH (a)-[old:NAME_OF {claimId: row.claimId}]->(b)
  WHERE a <> alias OR b <> o
  DELETE old
}
MERGE (alias)-[r:NAME_OF {claimId: row.claimId}]->(o)
  ON CREATE SET r.runId = $runId
SET r += row.props
