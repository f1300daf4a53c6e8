// name: hierarchy.history
// description: Every PARENT_OF spell of one organisation, as child (its parents) and as parent (its children), whatever the dates; oldest first.
// mode: read
// param orgId: string    an organisation id (a merged id is followed through MERGED_INTO) or an identifier key such as 'ods:00M'
// returns: role ('child' = the organisation is the child), otherId, otherName, validFrom, validFromLatest, validTo, validToLatest, validFromPrecision, validToPrecision, validFromText, validToText, isCurrent, source, sourceId, claimId
CALL () {
  MATCH (o0:Organisation {id: $orgId}) RETURN o0
  UNION
  MATCH (:Identifier {key: $orgId})-[i WHERE type(i) = 'IDENTIFIES']->(o0:Organisation) RETURN o0
}
OPTIONAL MATCH (o0)-[m WHERE type(m) = 'MERGED_INTO']->{1,5}(o1:Organisation)
  WHERE NOT EXISTS { (o1)-[n WHERE type(n) = 'MERGED_INTO']->() }
WITH coalesce(o1, o0) AS o
LIMIT 1
MATCH (o)-[edge:PARENT_OF]-(other:Organisation)
RETURN CASE WHEN startNode(edge) = o THEN 'parent' ELSE 'child' END AS role,
       other.id AS otherId, other.name AS otherName,
       edge.validFrom AS validFrom, edge.validFromLatest AS validFromLatest,
       edge.validTo AS validTo, edge.validToLatest AS validToLatest,
       edge.validFromPrecision AS validFromPrecision, edge.validToPrecision AS validToPrecision,
       edge.validFromText AS validFromText, edge.validToText AS validToText,
       edge.isCurrent AS isCurrent, edge.source AS source, edge.sourceId AS sourceId, edge.claimId AS claimId
ORDER BY validFrom, role, otherName, claimId
