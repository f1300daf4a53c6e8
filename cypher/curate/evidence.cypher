// name: curate.evidence
// description: The graph's evidence about organisations under review: names, identifiers and parents (any date), counting ids merged into each; a merged id is followed to the organisation it now is.
// mode: read
// param ids: list<string>   organisation ids
// returns: requested, id, name, aliases, identifiers, parents (names), children (how many)
UNWIND $ids AS requested
MATCH (start:Organisation {id: requested})
OPTIONAL MATCH (start)-[:MERGED_INTO]->{1,5}(merged:Organisation)
  WHERE NOT EXISTS { (merged)-[:MERGED_INTO]->() }
WITH requested, coalesce(merged, start) AS o
RETURN requested, o.id AS id, o.name AS name,
       COLLECT { MATCH (a:Alias)-[:ALIAS_OF]->(:Organisation)-[:MERGED_INTO]->{0,5}(o)
                 RETURN DISTINCT a.name AS alias ORDER BY alias } AS aliases,
       COLLECT { MATCH (x:Identifier)-[:IDENTIFIES]->(:Organisation)-[:MERGED_INTO]->{0,5}(o)
                 RETURN DISTINCT x.key AS key ORDER BY key } AS identifiers,
       COLLECT { MATCH (p:Organisation)-[:PARENT_OF]->(o) RETURN DISTINCT p.name AS parent ORDER BY parent } AS parents,
       COUNT { MATCH (o)-[:PARENT_OF]->(c:Organisation) RETURN DISTINCT c } AS children
