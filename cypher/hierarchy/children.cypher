// name: hierarchy.children
// description: Direct children of an organisation through PARENT_OF spells active on a date; one row per active spell.
// mode: read
// param orgId: string    canonical organisation id (a merged id is followed through MERGED_INTO)
// param asOf: date       the day asked about
// param mode: string     'certain' or 'possible'
// returns: id, name, validFrom, validTo, validFromText, validToText, isCurrent, source, claimId
MATCH (start:Organisation {id: $orgId})
OPTIONAL MATCH (start)-[:MERGED_INTO]->{1,5}(merged:Organisation)
  WHERE NOT EXISTS { (merged)-[:MERGED_INTO]->() }
WITH coalesce(merged, start) AS o
LIMIT 1
MATCH (o)-[r:PARENT_OF]->(c:Organisation)
WHERE CASE $mode
  WHEN 'certain' THEN (r.validFromLatest IS NULL OR r.validFromLatest <= $asOf)
                  AND (CASE WHEN r.validTo IS NULL THEN coalesce(r.isCurrent, true) ELSE $asOf <= r.validTo END)
  ELSE (r.validFrom IS NULL OR r.validFrom <= $asOf)
   AND (r.validToLatest IS NULL OR $asOf <= r.validToLatest)
END
RETURN c.id AS id, c.name AS name,
       r.validFrom AS validFrom, r.validTo AS validTo,
       r.validFromText AS validFromText, r.validToText AS validToText,
       r.isCurrent AS isCurrent, r.source AS source, r.claimId AS claimId
ORDER BY name, id, validFrom
