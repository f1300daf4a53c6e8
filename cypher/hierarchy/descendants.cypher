// name: hierarchy.descendants
// description: Descendants of an organisation through PARENT_OF spells active on a date, up to $maxDepth hops (at most 20), nearest first.
// mode: read
// param orgId: string    canonical organisation id (a merged id is followed through MERGED_INTO)
// param asOf: date       the day asked about
// param mode: string     'certain' or 'possible'
// param maxDepth: integer  deepest level returned (1 = children only; the text bounds it at 20)
// returns: id, name, depth
MATCH (start:Organisation {id: $orgId})
OPTIONAL MATCH (start)-[:MERGED_INTO]->{1,5}(merged:Organisation)
  WHERE NOT EXISTS { (merged)-[:MERGED_INTO]->() }
WITH coalesce(merged, start) AS o
LIMIT 1
MATCH (o)-[r:PARENT_OF WHERE
    CASE $mode
      WHEN 'certain' THEN (r.validFromLatest IS NULL OR r.validFromLatest <= $asOf)
                      AND (CASE WHEN r.validTo IS NULL THEN coalesce(r.isCurrent, true) ELSE $asOf <= r.validTo END)
      ELSE (r.validFrom IS NULL OR r.validFrom <= $asOf)
       AND (r.validToLatest IS NULL OR $asOf <= r.validToLatest)
    END
  ]->{1,20}(d:Organisation)
WITH d, min(size(r)) AS depth
WHERE depth <= $maxDepth
RETURN d.id AS id, d.name AS name, depth
ORDER BY depth, name, id
