// name: lookup.by_id
// description: One organisation by its id (a merged id is followed through MERGED_INTO) or by an external identifier key such as 'ods:A81001'.
// mode: read
// param ref: string      an organisation id or an identifier key 'scheme:value'
// returns: id, name, matchedBy ('id' or 'identifier'), requested (the id the reference named, before redirects), aliases, identifiers
CALL () {
  MATCH (start:Organisation {id: $ref})
  RETURN start, 'id' AS matchedBy
  UNION
  MATCH (:Identifier {key: $ref})-[:IDENTIFIES]->(start:Organisation)
  RETURN start, 'identifier' AS matchedBy
}
OPTIONAL MATCH (start)-[:MERGED_INTO]->{1,5}(merged:Organisation)
  WHERE NOT EXISTS { (merged)-[:MERGED_INTO]->() }
WITH coalesce(merged, start) AS o, matchedBy, start.id AS requested
RETURN o.id AS id, o.name AS name, matchedBy, requested,
       COLLECT { MATCH (a:Alias)-[:ALIAS_OF]->(:Organisation)-[:MERGED_INTO]->{0,5}(o)
                 RETURN DISTINCT a.name AS alias ORDER BY alias } AS aliases,
       COLLECT { MATCH (x:Identifier)-[:IDENTIFIES]->(:Organisation)-[:MERGED_INTO]->{0,5}(o)
                 RETURN DISTINCT x.key AS key ORDER BY key } AS identifiers
ORDER BY matchedBy, id
