// name: hierarchy.history
// description: Every PARENT_OF spell of one organisation, as child (its parents) and as parent (its children), whatever the dates; oldest first.
// mode: read
// param orgId: string    canonical organisation id (a merged id is followed through MERGED_INTO)
// returns: role ('child' = the organisation is the child), otherId, otherName, validFrom, validFromLatest, validTo, validToLatest, precisions {from, to}, texts {from, to}, isCurrent, source, sourceId, claimId
MATCH (start:Organisation {id: $orgId})
OPTIONAL MATCH (start)-[:MERGED_INTO]->{1,5}(merged:Organisation)
  WHERE NOT EXISTS { (merged)-[:MERGED_INTO]->() }
WITH coalesce(merged, start) AS o
LIMIT 1
MATCH (o)-[edge:PARENT_OF]-(other:Organisation)
RETURN CASE WHEN startNode(edge) = o THEN 'parent' ELSE 'child' END AS role,
       other.id AS otherId, other.name AS otherName,
       edge.validFrom AS validFrom, edge.validFromLatest AS validFromLatest,
       edge.validTo AS validTo, edge.validToLatest AS validToLatest,
       {from: edge.validFromPrecision, to: edge.validToPrecision} AS precisions,
       {from: edge.validFromText, to: edge.validToText} AS texts,
       edge.isCurrent AS isCurrent, edge.source AS source, edge.sourceId AS sourceId, edge.claimId AS claimId
ORDER BY validFrom, role, otherName, claimId
