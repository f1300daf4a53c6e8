// name: write.parent_of
// description: One PARENT_OF edge per claim, keyed by claimId. A claim whose endpoints changed since an earlier run (its source record was corrected) is moved, never duplicated. Properties are set from the claim (null removes).
// mode: write
// param rows: list<map>   {claimId, parentId, childId, props: {validFrom, validFromLatest, validFromPrecision, validFromText, validTo, ..., isCurrent, source, sourceId, sourceUrls, notes, description}}
// param runId: string     the ingest run (kept from the run that created the edge)
UNWIND $rows AS row
MATCH (p:Organisation {id: row.parentId})
MATCH (c:Organisation {id: row.childId})
CALL (row, p, c) {
  MATCH (a)-[old:PARENT_OF {claimId: row.claimId}]->(b)
  WHERE a <> p OR b <> c
  DELETE old
}
MERGE (p)-[r:PARENT_OF {claimId: row.claimId}]->(c)
  ON CREATE SET r.runId = $runId
SET r += row.props
