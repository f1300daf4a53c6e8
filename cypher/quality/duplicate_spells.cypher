// name: quality.duplicate_spells
// description: The same parent, child and dates (as written) from two or more claims: usually one fact loaded twice (two sources, or two ids folded by a merge).
// mode: read
// param limit: integer   the most rows returned
// returns: parentId, parentName, childId, childName, validFrom, validTo, isCurrent, claimIds, sources
MATCH (p:Organisation)-[r:PARENT_OF]->(c:Organisation)
WITH p, c, r.validFromText AS validFrom, r.validToText AS validTo, r.isCurrent AS isCurrent,
     collect(r.claimId) AS claimIds, collect(DISTINCT r.source) AS sources
WHERE size(claimIds) > 1
RETURN p.id AS parentId, p.name AS parentName, c.id AS childId, c.name AS childName, validFrom, validTo,
       isCurrent, claimIds, sources
ORDER BY parentName, childName, validFrom
LIMIT $limit
