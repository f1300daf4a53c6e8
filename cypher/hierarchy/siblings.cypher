// name: hierarchy.siblings
// description: Other children of an organisation's parents, both spells active on a date; one row per sibling and shared parent.
// mode: read
// param orgId: string    canonical organisation id (a merged id is followed through MERGED_INTO)
// param asOf: date       the day asked about
// param mode: string     'certain' or 'possible'
// returns: id, name, parentId, parentName
MATCH (start:Organisation {id: $orgId})
OPTIONAL MATCH (start)-[:MERGED_INTO]->{1,5}(merged:Organisation)
  WHERE NOT EXISTS { (merged)-[:MERGED_INTO]->() }
WITH coalesce(merged, start) AS o
LIMIT 1
MATCH (o)<-[rp:PARENT_OF]-(p:Organisation)
WHERE CASE $mode
  WHEN 'certain' THEN (rp.validFromLatest IS NULL OR rp.validFromLatest <= $asOf)
                  AND (CASE WHEN rp.validTo IS NULL THEN coalesce(rp.isCurrent, true) ELSE $asOf <= rp.validTo END)
  ELSE (rp.validFrom IS NULL OR rp.validFrom <= $asOf)
   AND (rp.validToLatest IS NULL OR $asOf <= rp.validToLatest)
END
MATCH (p)-[r:PARENT_OF]->(s:Organisation)
WHERE s <> o
  AND CASE $mode
  WHEN 'certain' THEN (r.validFromLatest IS NULL OR r.validFromLatest <= $asOf)
                  AND (CASE WHEN r.validTo IS NULL THEN coalesce(r.isCurrent, true) ELSE $asOf <= r.validTo END)
  ELSE (r.validFrom IS NULL OR r.validFrom <= $asOf)
   AND (r.validToLatest IS NULL OR $asOf <= r.validToLatest)
END
RETURN DISTINCT s.id AS id, s.name AS name, p.id AS parentId, p.name AS parentName
ORDER BY name, id, parentName
