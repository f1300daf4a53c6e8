// name: hierarchy.ultimate_parent
// description: The top of an organisation's hierarchy on a date: ancestors (or itself, depth 0) with no active parent. Several rows when it has several tops; none inside a pure cycle.
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
  ]-{0,20}(top:Organisation)
WHERE NOT EXISTS {
  MATCH (top)<-[r2:PARENT_OF]-(:Organisation)
  WHERE
    CASE $mode
      WHEN 'certain' THEN (r2.validFromLatest IS NULL OR r2.validFromLatest <= $asOf)
                      AND (CASE WHEN r2.validTo IS NULL THEN coalesce(r2.isCurrent, true) ELSE $asOf <= r2.validTo END)
      ELSE (r2.validFrom IS NULL OR r2.validFrom <= $asOf)
       AND (r2.validToLatest IS NULL OR $asOf <= r2.validToLatest)
    END
}
RETURN top.id AS id, top.name AS name, min(size(r)) AS depth
ORDER BY depth, name, id
