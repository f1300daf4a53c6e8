// name: match.organisations
// description: Every organisation with its alias names and identifier keys, and the organisation a merged one now is (null when not merged): the snapshot `resolver match` and `resolver serve` match against.
// mode: read
// returns: id, name, mergedInto, aliases, identifiers
MATCH (o:Organisation)
OPTIONAL MATCH (o)-[:MERGED_INTO]->{1,5}(merged:Organisation)
  WHERE NOT EXISTS { (merged)-[:MERGED_INTO]->() }
WITH o, head(collect(merged.id)) AS mergedInto
RETURN o.id AS id, o.name AS name, mergedInto,
       COLLECT { MATCH (a:Alias)-[:ALIAS_OF]->(o) RETURN a.name } AS aliases,
       COLLECT { MATCH (i:Identifier)-[:IDENTIFIES]->(o) RETURN i.key } AS identifiers
