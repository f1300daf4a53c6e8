// name: quality.bad_spells
// description: PARENT_OF spells whose end is before their start: 'certain' when even the latest end precedes the earliest start (validToLatest < validFrom), 'possible' when the end may precede the start (validTo < validFromLatest).
// mode: read
// returns: badness ('certain' or 'possible'), parentId, parentName, childId, childName, validFromText, validToText, validFrom, validTo, source, claimId
MATCH (p:Organisation)-[r:PARENT_OF]->(c:Organisation)
WHERE r.validFrom IS NOT NULL AND r.validTo IS NOT NULL
  AND r.validTo < coalesce(r.validFromLatest, r.validFrom)
RETURN CASE WHEN coalesce(r.validToLatest, r.validTo) < r.validFrom THEN 'certain' ELSE 'possible' END AS badness,
       p.id AS parentId, p.name AS parentName, c.id AS childId, c.name AS childName,
       r.validFromText AS validFromText, r.validToText AS validToText,
       r.validFrom AS validFrom, r.validTo AS validTo, r.source AS source, r.claimId AS claimId
ORDER BY badness, parentName, childName, claimId
