// name: lookup.by_id
// description: One organisation by its id (a merged id is followed through MERGED_INTO) or by an external identifier key such as 'ods:A81001'.
// mode: read
// param ref: string      an organisation id or an identifier key 'scheme:value'
// returns: id, name, matchedBy ('id' or 'identifier'), requested (the id the reference named, before redirects), aliases, identifiers
CALL () {
  MATCH (start:Organisation {id: $ref})
  RETURN start, 'id' AS matchedBy
  UNION
  MATCH (:Identifier {key: $ref})-[i WHERE type(i) = 'IDENTIFIES']->(start:Organisation)
  RETURN start, 'identifier' AS matchedBy
}
OPTIONAL MATCH (start)-[m WHERE type(m) = 'MERGED_INTO']->{1,5}(merged:Organisation)
  WHERE NOT EXISTS { (merged)-[n WHERE type(n) = 'MERGED_INTO']->() }
WITH coalesce(merged, start) AS o, matchedBy, start.id AS requested
RETURN o.id AS id, o.name AS name, matchedBy, requested,
       COLLECT { MATCH (a:Alias)-[x WHERE type(x) = 'ALIAS_OF']->(:Organisation)-[y WHERE type(y) = 'MERGED_INTO']->{0,5}(o)
                 RETURN DISTINCT a.name AS alias ORDER BY alias } AS aliases,
       COLLECT { MATCH (k:Identifier)-[x WHERE type(x) = 'IDENTIFIES']->(:Organisation)-[y WHERE type(y) = 'MERGED_INTO']->{0,5}(o)
                 RETURN DISTINCT k.key AS key ORDER BY key } AS identifiers
ORDER BY matchedBy, id
