// name: hierarchy.spells_below
// description: Every PARENT_OF spell below an organisation whatever the dates, down to $maxDepth levels (at most 20): one row per spell, to draw a tree that is filtered by date later (the HTML picture).
// mode: read
// param orgId: string    an organisation id (a merged id is followed through MERGED_INTO) or an identifier key such as 'ods:00M'
// param maxDepth: integer  deepest level (1 = its children; the text bounds it at 20)
// returns: parentId, parentName, childId, childName, depth, validFrom, validFromLatest, validTo, validToLatest, isCurrent, validFromPrecision, validToPrecision, validFromText, validToText, source, claimId
CALL () {
  MATCH (o0:Organisation {id: $orgId}) RETURN o0
  UNION
  MATCH (:Identifier {key: $orgId})-[i WHERE type(i) = 'IDENTIFIES']->(o0:Organisation) RETURN o0
}
OPTIONAL MATCH (o0)-[m WHERE type(m) = 'MERGED_INTO']->{1,5}(o1:Organisation)
  WHERE NOT EXISTS { (o1)-[n WHERE type(n) = 'MERGED_INTO']->() }
WITH coalesce(o1, o0) AS o
LIMIT 1
MATCH path = (o)-[r:PARENT_OF]->{1,20}(:Organisation)
WHERE length(path) <= $maxDepth
WITH last(r) AS edge, min(length(path)) AS depth
WITH startNode(edge) AS p, edge, endNode(edge) AS c, depth
RETURN p.id AS parentId, p.name AS parentName, c.id AS childId, c.name AS childName, depth,
       edge.validFrom AS validFrom, edge.validFromLatest AS validFromLatest,
       edge.validTo AS validTo, edge.validToLatest AS validToLatest, edge.isCurrent AS isCurrent,
       edge.validFromPrecision AS validFromPrecision, edge.validToPrecision AS validToPrecision,
       edge.validFromText AS validFromText, edge.validToText AS validToText,
       edge.source AS source, edge.claimId AS claimId
ORDER BY depth, parentName, childName, validFrom
