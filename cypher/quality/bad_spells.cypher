// name: quality.bad_spells
// description: PARENT_OF spells that cannot have happened: the end is before the start whatever days the partial dates denote (the latest day the end may mean precedes the earliest day the start may mean). A spell starting and ending in one month or year ('2019-05-00' to '2019-05-00') is fine and never listed.
// mode: read
// returns: parentId, parentName, childId, childName, validFromText, validToText, validFrom, validToLatest, source, claimId
MATCH (p:Organisation)-[r:PARENT_OF]->(c:Organisation)
WHERE r.validFrom IS NOT NULL AND r.validTo IS NOT NULL
  AND coalesce(r.validToLatest, r.validTo) < r.validFrom
RETURN p.id AS parentId, p.name AS parentName, c.id AS childId, c.name AS childName,
       r.validFromText AS validFromText, r.validToText AS validToText,
       r.validFrom AS validFrom, r.validToLatest AS validToLatest, r.source AS source, r.claimId AS claimId
ORDER BY parentName, childName, claimId
