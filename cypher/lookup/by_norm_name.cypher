// name: lookup.by_norm_name
// description: Organisations with a name or alias whose normalised form (what resolution compares: "The N.H.S." and "NHS" are both "nhs") equals normName; merged ids are followed, one row per organisation.
// mode: read
// param normName: string   the normalised key of the typed name (resolver.normalise.normalise_name(text).key)
// param limit: integer     the most organisations returned
// returns: id, name, matchedName, aliases, identifiers
CALL () {
  MATCH (a:Alias {normName: $normName})-[x WHERE type(x) = 'ALIAS_OF']->(hit:Organisation)
  RETURN hit, a.name AS matchedName
  UNION
  MATCH (hit:Organisation {normName: $normName})
  RETURN hit, hit.name AS matchedName
}
OPTIONAL MATCH (hit)-[m WHERE type(m) = 'MERGED_INTO']->{1,5}(merged:Organisation)
  WHERE NOT EXISTS { (merged)-[n WHERE type(n) = 'MERGED_INTO']->() }
WITH coalesce(merged, hit) AS o, min(matchedName) AS matchedName
ORDER BY o.name, o.id
LIMIT $limit
RETURN o.id AS id, o.name AS name, matchedName,
       COLLECT { MATCH (a:Alias)-[x WHERE type(x) = 'ALIAS_OF']->(:Organisation)-[y WHERE type(y) = 'MERGED_INTO']->{0,5}(o)
                 RETURN DISTINCT a.name AS alias ORDER BY alias } AS aliases,
       COLLECT { MATCH (k:Identifier)-[x WHERE type(x) = 'IDENTIFIES']->(:Organisation)-[y WHERE type(y) = 'MERGED_INTO']->{0,5}(o)
                 RETURN DISTINCT k.key AS key ORDER BY key } AS identifiers
