// name: write.organisations
// description: Create or update canonical organisations by id with the aliases and identifiers they gain. The name changes (and updatedAt with it) only when resolution chose another display name; an ALIAS_OF edge keeps the evidence of the run that first made it (score, method, runId). Re-running with the same rows changes nothing.
// mode: write
// param rows: list<map>   {id, name, normName, aliases: [{name, normName, score, method}], identifiers: [{key, scheme, value}]}
// param now: datetime     creation / update time
// param runId: string     the ingest run
UNWIND $rows AS row
MERGE (o:Organisation {id: row.id})
  ON CREATE SET o.name = row.name, o.normName = row.normName, o.createdAt = $now, o.updatedAt = $now
WITH o, row
CALL (o, row) {
  WITH o, row
  WHERE o.name <> row.name OR o.normName <> row.normName
  SET o.name = row.name, o.normName = row.normName, o.updatedAt = $now
}
FOREACH (a IN row.aliases |
  MERGE (alias:Alias {name: a.name})
    ON CREATE SET alias.normName = a.normName
  MERGE (alias)-[r:ALIAS_OF]->(o)
    ON CREATE SET r.score = a.score, r.method = a.method, r.runId = $runId
)
FOREACH (i IN row.identifiers |
  MERGE (ident:Identifier {key: i.key})
    ON CREATE SET ident.scheme = i.scheme, ident.value = i.value
  MERGE (ident)-[:IDENTIFIES]->(o)
)
