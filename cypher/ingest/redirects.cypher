// name: ingest.redirects
// description: Organisations merged into another (MERGED_INTO), each with the organisation at the end of its chain and its own alias names and identifier keys: they still denote that organisation when new names are resolved.
// mode: read
// returns: id, target, aliases, identifiers
MATCH (o:Organisation)-[:MERGED_INTO]->{1,5}(t:Organisation)
WHERE NOT EXISTS { (t)-[:MERGED_INTO]->() }
RETURN o.id AS id, t.id AS target,
       COLLECT { MATCH (a:Alias)-[:ALIAS_OF]->(o) RETURN a.name } AS aliases,
       COLLECT { MATCH (i:Identifier)-[:IDENTIFIES]->(o) RETURN i.key } AS identifiers
