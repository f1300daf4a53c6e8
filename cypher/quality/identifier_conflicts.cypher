// name: quality.identifier_conflicts
// description: Identifiers that disagree with the organisations (merged ids followed): 'shared' when one identifier key identifies several organisations, 'cross-scheme' when one value under two schemes sits on different organisations. Feeds resolver review.
// mode: read
// param limit: integer   the most rows returned
// returns: kind, value, keys, ids, names
CALL () {
  MATCH (i:Identifier)-[x WHERE type(x) = 'IDENTIFIES']->(src:Organisation)
  OPTIONAL MATCH (src)-[m WHERE type(m) = 'MERGED_INTO']->{1,5}(merged:Organisation)
    WHERE NOT EXISTS { (merged)-[n WHERE type(n) = 'MERGED_INTO']->() }
  WITH i, collect(DISTINCT coalesce(merged, src)) AS orgs
  WHERE size(orgs) > 1
  RETURN 'shared' AS kind, i.value AS value, [i.key] AS keys, orgs
  UNION
  MATCH (i:Identifier)-[x WHERE type(x) = 'IDENTIFIES']->(src:Organisation)
  OPTIONAL MATCH (src)-[m WHERE type(m) = 'MERGED_INTO']->{1,5}(merged:Organisation)
    WHERE NOT EXISTS { (merged)-[n WHERE type(n) = 'MERGED_INTO']->() }
  WITH i.value AS value, collect(DISTINCT i.scheme) AS schemes, collect(DISTINCT i.key) AS keys,
       collect(DISTINCT coalesce(merged, src)) AS orgs
  WHERE size(schemes) > 1 AND size(orgs) > 1
  RETURN 'cross-scheme' AS kind, value, keys, orgs
}
WITH kind, value, keys, orgs
ORDER BY kind DESC, value
LIMIT $limit
RETURN kind, value, keys, [o IN orgs | o.id] AS ids, [o IN orgs | o.name] AS names
