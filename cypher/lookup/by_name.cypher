// name: lookup.by_name
// description: Organisations whose name or alias matches a full-text query (index names_fulltext), best first; alias hits count for their organisation, merged ids are followed, one row per organisation with its best score.
// mode: read
// param query: string    a Lucene query string, e.g. 'nhs~1 digital' (resolver escapes typed text for you: special characters + - && || ! ( ) { } [ ] ^ " ~ * ? : \ / need a backslash)
// param limit: integer   the most organisations returned
// returns: rank, id, name, matchedName, score, aliases, identifiers
CALL db.index.fulltext.queryNodes('names_fulltext', $query, {limit: 20 * $limit}) YIELD node, score
OPTIONAL MATCH (node)-[x WHERE type(x) = 'ALIAS_OF']->(aliased:Organisation)
WITH CASE WHEN node:Organisation THEN node ELSE aliased END AS hit, node.name AS matchedName, score
WHERE hit IS NOT NULL
OPTIONAL MATCH (hit)-[m WHERE type(m) = 'MERGED_INTO']->{1,5}(merged:Organisation)
  WHERE NOT EXISTS { (merged)-[n WHERE type(n) = 'MERGED_INTO']->() }
WITH coalesce(merged, hit) AS o, matchedName, score
ORDER BY score DESC, matchedName
WITH o, collect(matchedName)[0] AS matchedName, max(score) AS score
ORDER BY score DESC, o.name, o.id
LIMIT $limit
WITH collect({o: o, matchedName: matchedName, score: score}) AS found
UNWIND range(0, size(found) - 1) AS i
WITH i + 1 AS rank, found[i].o AS o, found[i].matchedName AS matchedName, found[i].score AS score
RETURN rank, o.id AS id, o.name AS name, matchedName, score,
       COLLECT { MATCH (a:Alias)-[x WHERE type(x) = 'ALIAS_OF']->(:Organisation)-[y WHERE type(y) = 'MERGED_INTO']->{0,5}(o)
                 RETURN DISTINCT a.name AS alias ORDER BY alias } AS aliases,
       COLLECT { MATCH (k:Identifier)-[x WHERE type(x) = 'IDENTIFIES']->(:Organisation)-[y WHERE type(y) = 'MERGED_INTO']->{0,5}(o)
                 RETURN DISTINCT k.key AS key ORDER BY key } AS identifiers
ORDER BY rank
