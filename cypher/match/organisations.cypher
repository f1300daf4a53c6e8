// name: match.organisations
// description: The snapshot `resolver match` and `resolver serve` match against, as flat rows (kind, id, value) that stream without aggregation: every organisation's name (kind 'name'), each alias name ('alias') and identifier key ('identifier') with the organisation it belongs to, and for a merged organisation the one it now is ('merged').
// mode: read
// returns: kind, id, value
MATCH (o:Organisation)
RETURN 'name' AS kind, o.id AS id, o.name AS value
UNION ALL
MATCH (a:Alias)-[:ALIAS_OF]->(o:Organisation)
RETURN 'alias' AS kind, o.id AS id, a.name AS value
UNION ALL
MATCH (i:Identifier)-[:IDENTIFIES]->(o:Organisation)
RETURN 'identifier' AS kind, o.id AS id, i.key AS value
UNION ALL
MATCH (o:Organisation)-[:MERGED_INTO]->{1,5}(m:Organisation)
WHERE NOT EXISTS { (m)-[:MERGED_INTO]->() }
RETURN 'merged' AS kind, o.id AS id, m.id AS value
