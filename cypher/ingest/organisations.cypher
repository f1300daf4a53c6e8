// name: ingest.organisations
// description: The graph's current organisations (merged ones excluded) with their alias names and identifier keys: the state new names are resolved against.
// mode: read
// returns: id, name, normName, aliases, identifiers
MATCH (o:Organisation)
WHERE NOT (o)-[:MERGED_INTO]->()
RETURN o.id AS id, o.name AS name, o.normName AS normName,
       COLLECT { MATCH (a:Alias)-[:ALIAS_OF]->(o) RETURN a.name } AS aliases,
       COLLECT { MATCH (i:Identifier)-[:IDENTIFIES]->(o) RETURN i.key } AS identifiers
