// name: lookup.names_as_of
// description: The names of many organisations on a day (what a tree as of a day shows): for each id, the NAME_OF spell active on $asOf by the rule of lookup.name_as_of; ids without a dated name that day are left out (their current name stands).
// mode: read
// param orgIds: list<string>  canonical organisation ids
// param asOf: date       the day asked about
// param mode: string     'certain' or 'possible'
// returns: id, name, claimId
UNWIND $orgIds AS orgId
MATCH (a:Alias)-[r:NAME_OF]->(o:Organisation {id: orgId})
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
WITH o, head(collect({name: a.name, claimId: r.claimId})) AS best
RETURN o.id AS id, best.name AS name, best.claimId AS claimId
