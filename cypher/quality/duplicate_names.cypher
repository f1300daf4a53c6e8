// name: quality.duplicate_names
// description: One normalised name carried by several organisations (names and aliases, merged ids followed): candidate duplicates, e.g. one file loaded under two identifier schemes. Feeds resolver review.
// mode: read
// param limit: integer   the most rows returned
// returns: normName, ids, names, organisations (how many)
MATCH (a:Alias)-[x WHERE type(x) = 'ALIAS_OF']->(src:Organisation)
WHERE a.normName IS NOT NULL AND a.normName <> ''
OPTIONAL MATCH (src)-[m WHERE type(m) = 'MERGED_INTO']->{1,5}(merged:Organisation)
  WHERE NOT EXISTS { (merged)-[n WHERE type(n) = 'MERGED_INTO']->() }
WITH a.normName AS normName, coalesce(merged, src) AS o
WITH normName, collect(DISTINCT o) AS orgs
WHERE size(orgs) > 1
WITH normName, orgs, size(orgs) AS organisations
ORDER BY organisations DESC, normName
LIMIT $limit
UNWIND orgs AS o
WITH normName, organisations, o
ORDER BY o.id
RETURN normName, collect(o.id) AS ids, collect(o.name) AS names, organisations
ORDER BY organisations DESC, normName
