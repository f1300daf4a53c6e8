// name: match.organisations
// description: Every organisation with its alias names and identifier keys, and the organisation a merged one now is (null when not merged): the snapshot `resolver match` and `resolver serve` match against. Streams (no aggregation across rows).
// mode: read
// returns: id, name, mergedInto, aliases, identifiers
MATCH (o:Organisation)
RETURN o.id AS id, o.name AS name,
       COLLECT { MATCH (o)-[:MERGED_INTO]->{1,5}(m:Organisation)
                 WHERE NOT EXISTS { (m)-[:MERGED_INTO]->() } RETURN m.id }[0] AS mergedInto,
       COLLECT { MATCH (a:Alias)-[:ALIAS_OF]->(o) RETURN a.name } AS aliases,
       COLLECT { MATCH (i:Identifier)-[:IDENTIFIES]->(o) RETURN i.key } AS identifiers
