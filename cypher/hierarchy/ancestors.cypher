// name: hierarchy.ancestors
// description: Ancestors of an organisation through PARENT_OF spells active on a date, nearest first (depth = fewest hops; at most 20).
// mode: read
// param orgId: string    canonical organisation id (a merged id is followed through MERGED_INTO)
// param asOf: date       the day asked about
// param mode: string     'certain' or 'possible'
// returns: id, name, depth
MATCH (start:Organisation {id: $orgId})
OPTIONAL MATCH (start)-[:MERGED_INTO]->{1,5}(merged:Organisation)
  WHERE NOT EXISTS { (merged)-[:MERGED_INTO]->() }
WITH coalesce(merged, start) AS o
LIMIT 1
MATCH (o)<-[r:PARENT_OF WHERE
    CASE $mode
      WHEN 'certain' THEN (r.validFromLatest IS NULL OR r.validFromLatest <= $asOf)
                      AND (CASE WHEN r.validTo IS NULL THEN coalesce(r.isCurrent, true) ELSE $asOf <= r.validTo END)
      ELSE (r.validFrom IS NULL OR r.validFrom <= $asOf)
       AND (r.validToLatest IS NULL OR $asOf <= r.validToLatest)
    END
  ]-{1,20}(a:Organisation)
RETURN a.id AS id, a.name AS name, min(size(r)) AS depth
ORDER BY depth, name, id
