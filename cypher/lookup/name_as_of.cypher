// name: lookup.name_as_of
// description: The name of an organisation on a day: the NAME_OF spell active on $asOf by the as-of rule of PARENT_OF spells (a certainly active spell before a possibly active one, then the latest start); the organisation's current name when no dated name covers the day (dated = false).
// mode: read
// param orgId: string    canonical organisation id (a merged id is followed through MERGED_INTO)
// param asOf: date       the day asked about
// param mode: string     'certain' or 'possible'
// returns: id, name, currentName, dated, validFrom, validFromLatest, validTo, validToLatest, precisions {from, to}, texts {from, to}, source, claimId
MATCH (start:Organisation {id: $orgId})
OPTIONAL MATCH (start)-[:MERGED_INTO]->{1,5}(merged:Organisation)
  WHERE NOT EXISTS { (merged)-[:MERGED_INTO]->() }
WITH coalesce(merged, start) AS o
LIMIT 1
OPTIONAL MATCH (a:Alias)-[r:NAME_OF]->(o)
WHERE CASE $mode
  WHEN 'certain' THEN (r.validFromLatest IS NULL OR r.validFromLatest <= $asOf)
                  AND (CASE WHEN r.validTo IS NULL THEN coalesce(r.isCurrent, true) ELSE $asOf <= r.validTo END)
  ELSE (r.validFrom IS NULL OR r.validFrom <= $asOf)
   AND (r.validToLatest IS NULL OR $asOf <= r.validToLatest)
END
WITH o, a, r
ORDER BY CASE WHEN (r.validFromLatest IS NULL OR r.validFromLatest <= $asOf)
               AND (CASE WHEN r.validTo IS NULL THEN coalesce(r.isCurrent, true) ELSE $asOf <= r.validTo END)
         THEN 0 ELSE 1 END,
         coalesce(r.validFromLatest, r.validFrom, date('0001-01-01')) DESC, a.name
WITH o, head(collect({a: a, r: r})) AS best
RETURN o.id AS id, coalesce(best.a.name, o.name) AS name, o.name AS currentName, best.a IS NOT NULL AS dated,
       best.r.validFrom AS validFrom, best.r.validFromLatest AS validFromLatest,
       best.r.validTo AS validTo, best.r.validToLatest AS validToLatest,
       {from: best.r.validFromPrecision, to: best.r.validToPrecision} AS precisions,
       {from: best.r.validFromText, to: best.r.validToText} AS texts,
       best.r.source AS source, best.r.claimId AS claimId
