// name: quality.multiple_parents
// description: Organisations with more than one distinct parent through PARENT_OF spells active on the same date.
// mode: read
// param asOf: date       the day asked about
// param mode: string     'certain' or 'possible'
// returns: id, name, parentIds, parentNames, claimIds
MATCH (p:Organisation)-[r:PARENT_OF]->(c:Organisation)
WHERE CASE $mode
  WHEN 'certain' THEN (r.validFromLatest IS NULL OR r.validFromLatest <= $asOf)
                  AND (CASE WHEN r.validTo IS NULL THEN coalesce(r.isCurrent, true) ELSE $asOf <= r.validTo END)
  ELSE (r.validFrom IS NULL OR r.validFrom <= $asOf)
   AND (r.validToLatest IS NULL OR $asOf <= r.validToLatest)
END
WITH c, p, collect(r.claimId) AS claims
ORDER BY p.name, p.id
WITH c, collect(p) AS parents, collect(claims) AS claimLists
WHERE size(parents) > 1
RETURN c.id AS id, c.name AS name, [x IN parents | x.id] AS parentIds, [x IN parents | x.name] AS parentNames,
       reduce(acc = [], l IN claimLists | acc + l) AS claimIds
ORDER BY name, id
