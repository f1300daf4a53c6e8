// name: write.organisations_new
// description: Create organisations, with their aliases and identifiers, into a graph that held none when the ingest took its lock (a first load): CREATE, no MERGE, where nothing can match. An alias name only one organisation of the run carries is CREATEd (newAliases); one that several share is MERGEd on its unique name (aliases). Each organisation comes with all its names and identifiers in one transaction, as write.organisations does, so a killed run leaves whole organisations. The constraints still refuse a duplicate id, name or key.
// mode: write
// param rows: list<map>   {id, name, normName, newAliases: [{name, normName, score, method}], aliases: [same], identifiers: [{key, scheme, value}]}
// param now: datetime     creation time
// param runId: string     the ingest run
UNWIND $rows AS row
CREATE (o:Organisation {id: row.id, name: row.name, normName: row.normName, createdAt: $now, updatedAt: $now})
FOREACH (i IN row.identifiers |
  CREATE (:Identifier {key: i.key, scheme: i.scheme, value: i.value})-[:IDENTIFIES]->(o)
)
FOREACH (a IN row.newAliases |
  CREATE (:Alias {name: a.name, normName: a.normName})-[:ALIAS_OF {score: a.score, method: a.method, runId: $runId}]->(o)
)
FOREACH (a IN row.aliases |
  MERGE (alias:Alias {name: a.name})
    ON CREATE SET alias.normName = a.normName
  CREATE (alias)-[:ALIAS_OF {score: a.score, method: a.method, runId: $runId}]->(o)
)
