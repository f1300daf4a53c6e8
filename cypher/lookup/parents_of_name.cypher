// name: lookup.parents_of_name
// description: The organisation a reference denotes (merged ids followed) and its parents through any PARENT_OF spell, whatever the dates, with each parent's aliases: what `resolver explain --graph` weighs as graph evidence.
// mode: read
// param ref: string      an exact name (an Alias), an organisation id or an identifier key 'scheme:value'
// returns: id, name, parentId, parentName, parentAliases (one row per parent; parentId null when it has none)
CALL () {
  MATCH (:Alias {name: $ref})-[a WHERE type(a) = 'ALIAS_OF']->(start:Organisation)
  RETURN start
  UNION
  MATCH (start:Organisation {id: $ref})
  RETURN start
  UNION
  MATCH (:Identifier {key: $ref})-[i WHERE type(i) = 'IDENTIFIES']->(start:Organisation)
  RETURN start
}
OPTIONAL MATCH (start)-[m WHERE type(m) = 'MERGED_INTO']->{1,5}(merged:Organisation)
  WHERE NOT EXISTS { (merged)-[n WHERE type(n) = 'MERGED_INTO']->() }
WITH DISTINCT coalesce(merged, start) AS o
OPTIONAL MATCH (p:Organisation)-[:PARENT_OF]->(o)
WITH DISTINCT o, p
RETURN o.id AS id, o.name AS name, p.id AS parentId, p.name AS parentName,
       CASE WHEN p IS NULL THEN [] ELSE
         COLLECT { MATCH (x:Alias)-[y WHERE type(y) = 'ALIAS_OF']->(p) RETURN DISTINCT x.name AS alias ORDER BY alias }
       END AS parentAliases
ORDER BY id, parentId
