// name: quality.cycles
// description: Cycles of PARENT_OF spells active on a date (an organisation above itself), each reported once, starting at its smallest id (at most 20 hops).
// mode: read
// param asOf: date       the day asked about
// param mode: string     'certain' or 'possible'
// returns: ids, names, length, claimIds
MATCH (a:Organisation)
WHERE EXISTS { (a)<-[:PARENT_OF]-(:Organisation) } AND EXISTS { (a)-[:PARENT_OF]->(:Organisation) }
MATCH path = (a) (()-[r:PARENT_OF WHERE
    CASE $mode
      WHEN 'certain' THEN (r.validFromLatest IS NULL OR r.validFromLatest <= $asOf)
                      AND (CASE WHEN r.validTo IS NULL THEN coalesce(r.isCurrent, true) ELSE $asOf <= r.validTo END)
      ELSE (r.validFrom IS NULL OR r.validFrom <= $asOf)
       AND (r.validToLatest IS NULL OR $asOf <= r.validToLatest)
    END
  ]->(n:Organisation WHERE n.id >= a.id)){1,20} (a)
WITH nodes(path) AS ns, r
RETURN [x IN ns | x.id] AS ids, [x IN ns | x.name] AS names, size(r) AS length,
       [x IN r | x.claimId] AS claimIds
ORDER BY length, ids
