// name: match.organisations
// description: The snapshot `resolver match` and `resolver serve` match against, as one row per kind with two parallel lists (a row per organisation costs the Python driver far more than lists do): every organisation's name (kind 'name': ids, names), alias names ('alias': the organisation of each, the alias), identifier keys ('identifier') and, for a merged organisation, the one it now is ('merged').
// mode: read
// returns: kind, ids, vals
MATCH (o:Organisation)
RETURN 'name' AS kind, collect(o.id) AS ids, collect(coalesce(o.name, '')) AS vals
UNION ALL
MATCH (a:Alias)-[:ALIAS_OF]->(o:Organisation)
WHERE a.name IS NOT NULL
RETURN 'alias' AS kind, collect(o.id) AS ids, collect(a.name) AS vals
UNION ALL
MATCH (i:Identifier)-[:IDENTIFIES]->(o:Organisation)
WHERE i.key IS NOT NULL
RETURN 'identifier' AS kind, collect(o.id) AS ids, collect(i.key) AS vals
UNION ALL
MATCH (o:Organisation)-[:MERGED_INTO]->{1,5}(m:Organisation)
WHERE NOT EXISTS { (m)-[:MERGED_INTO]->() }
RETURN 'merged' AS kind, collect(o.id) AS ids, collect(m.id) AS vals
