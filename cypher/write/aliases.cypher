// name: write.aliases
// description: Attach surface forms to organisations. The ALIAS_OF edge keeps the evidence of the run that first made it (score, method, runId).
// mode: write
// param rows: list<map>   {name, normName, orgId, score, method}
// param runId: string     the ingest run
UNWIND $rows AS row
MATCH (o:Organisation {id: row.orgId})
MERGE (a:Alias {name: row.name})
  ON CREATE SET a.normName = row.normName
MERGE (a)-[r:ALIAS_OF]->(o)
  ON CREATE SET r.score = row.score, r.method = row.method, r.runId = $runId
