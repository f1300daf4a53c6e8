// name: quality.orphans
// description: Organisations with no PARENT_OF spell at all, neither as parent nor as child, whatever the dates (ids merged into another organisation are redirects, not orphans).
// mode: read
// param limit: integer   the most rows returned
// returns: id, name
MATCH (o:Organisation)
WHERE NOT EXISTS { (o)-[:PARENT_OF]-() } AND NOT EXISTS { (o)-[m WHERE type(m) = 'MERGED_INTO']->() }
RETURN o.id AS id, o.name AS name
ORDER BY id
LIMIT $limit
