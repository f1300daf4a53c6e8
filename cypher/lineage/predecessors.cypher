// name: lineage.predecessors
// description: What an organisation absorbed, and when: the bodies it succeeded through SUCCEEDED_BY, transitively (their own predecessors too), with the date of each step; one row per succession, nearest first.
// mode: read
// param orgId: string    an organisation id (a merged id is followed through MERGED_INTO) or an identifier key such as 'govuk:public-health-england'
// returns: depth, id, name, intoId, intoName, validFrom, validFromLatest, validFromPrecision, validFromText, source, notes, claimId
CALL () {
  MATCH (o0:Organisation {id: $orgId}) RETURN o0
  UNION
  MATCH (:Identifier {key: $orgId})-[i WHERE type(i) = 'IDENTIFIES']->(o0:Organisation) RETURN o0
}
OPTIONAL MATCH (o0)-[m WHERE type(m) = 'MERGED_INTO']->{1,5}(o1:Organisation)
  WHERE NOT EXISTS { (o1)-[n WHERE type(n) = 'MERGED_INTO']->() }
WITH coalesce(o1, o0) AS o
LIMIT 1
MATCH path = (o)<-[r:SUCCEEDED_BY]-{1,20}(:Organisation)
WITH last(r) AS edge, min(length(path)) AS depth
WITH startNode(edge) AS a, edge, endNode(edge) AS b, depth
RETURN depth, a.id AS id, a.name AS name, b.id AS intoId, b.name AS intoName,
       edge.validFrom AS validFrom, edge.validFromLatest AS validFromLatest,
       edge.validFromPrecision AS validFromPrecision, edge.validFromText AS validFromText,
       edge.source AS source, edge.notes AS notes, edge.claimId AS claimId
ORDER BY depth, validFrom DESC, name, id
