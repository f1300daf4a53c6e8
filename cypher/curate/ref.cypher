// name: curate.ref
// description: What a reference given to judge / merge / split names: an organisation id (merged ids followed), an identifier key 'scheme:value', or an exact alias name; one row per organisation it reaches.
// mode: read
// param ref: string      an organisation id, an identifier key or an exact name
// returns: matchedBy ('id', 'identifier' or 'name'), requested (the id reached before redirects), id, name
CALL () {
  MATCH (start:Organisation {id: $ref})
  RETURN start, 'id' AS matchedBy
  UNION
  MATCH (:Identifier {key: $ref})-[:IDENTIFIES]->(start:Organisation)
  RETURN start, 'identifier' AS matchedBy
  UNION
  MATCH (:Alias {name: $ref})-[:ALIAS_OF]->(start:Organisation)
  RETURN start, 'name' AS matchedBy
}
OPTIONAL MATCH (start)-[:MERGED_INTO]->{1,5}(merged:Organisation)
  WHERE NOT EXISTS { (merged)-[:MERGED_INTO]->() }
WITH coalesce(merged, start) AS o, start, matchedBy
RETURN DISTINCT matchedBy, start.id AS requested, o.id AS id, o.name AS name
ORDER BY matchedBy, id, requested
