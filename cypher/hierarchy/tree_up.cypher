// name: hierarchy.tree_up
// description: Every PARENT_OF spell active on a date above an organisation, up to $maxDepth levels: one row per edge (depth = level of the parent), to build a nested tree upwards.
// mode: read
// param orgId: string    canonical organisation id (a merged id is followed through MERGED_INTO)
// param asOf: date       the day asked about
// param mode: string     'certain' or 'possible'
// param maxDepth: integer  deepest level (1 = one level; the text bounds it at 20)
// returns: parentId, parentName, childId, childName, depth, validFrom, validFromLatest, validTo, validToLatest, isCurrent, precisions {from, to}, texts {from, to}, source, claimId
MATCH (start:Organisation {id: $orgId})
OPTIONAL MATCH (start)-[:MERGED_INTO]->{1,5}(merged:Organisation)
  WHERE NOT EXISTS { (merged)-[:MERGED_INTO]->() }
WITH coalesce(merged, start) AS o
LIMIT 1
MATCH path = (o)<-[r:PARENT_OF WHERE
    CASE $mode
      WHEN 'certain' THEN (r.validFromLatest IS NULL OR r.validFromLatest <= $asOf)
                      AND (CASE WHEN r.validTo IS NULL THEN coalesce(r.isCurrent, true) ELSE $asOf <= r.validTo END)
      ELSE (r.validFrom IS NULL OR r.validFrom <= $asOf)
       AND (r.validToLatest IS NULL OR $asOf <= r.validToLatest)
    END
  ]-{1,20}(:Organisation)
WHERE length(path) <= $maxDepth
WITH last(r) AS edge, min(length(path)) AS depth
WITH startNode(edge) AS p, edge, endNode(edge) AS c, depth
RETURN p.id AS parentId, p.name AS parentName, c.id AS childId, c.name AS childName, depth,
       edge.validFrom AS validFrom, edge.validFromLatest AS validFromLatest,
       edge.validTo AS validTo, edge.validToLatest AS validToLatest, edge.isCurrent AS isCurrent,
       {from: edge.validFromPrecision, to: edge.validToPrecision} AS precisions,
       {from: edge.validFromText, to: edge.validToText} AS texts,
       edge.source AS source, edge.claimId AS claimId
ORDER BY depth, childName, parentName, validFrom
