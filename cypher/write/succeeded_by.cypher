// name: write.succeeded_by
// description: One SUCCEEDED_BY edge per succession claim, keyed by claimId (predecessor replaced by successor on validFrom; both organisations stay). A claim whose endpoints changed since an earlier run is moved, never duplicated. Properties are set from the claim (null removes).
// mode: write
// param rows: list<map>   {claimId, predecessorId, successorId, props: {validFrom, validFromLatest, validFromPrecision, validFromText, validTo, ..., source, sourceId, notes}}
// param runId: string     the ingest run (kept from the run that created the edge)
UNWIND $rows AS row
MATCH (p:Organisation {id: row.predecessorId})
MATCH (s:Organisation {id: row.successorId})
CALL (row, p, s) {
  MATCH (a)-[old:SUCCEEDED_BY {claimId: row.claimId}]->(b)
  WHERE a <> p OR b <> s
  DELETE old
}
MERGE (p)-[r:SUCCEEDED_BY {claimId: row.claimId}]->(s)
  ON CREATE SET r.runId = $runId
SET r += row.props
