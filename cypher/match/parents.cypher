// name: match.parents
// description: The direct parents of a batch of organisations on one day (for the candidates' descriptions of the reconciliation service); no row for an organisation without one.
// mode: read
// param ids: list<string>   organisation ids
// param asOf: date          the day asked about
// param mode: string        'certain' or 'possible'
// returns: id, parents (list of {id, name}, by name)
UNWIND $ids AS orgId
MATCH (p:Organisation)-[r:PARENT_OF]->(o:Organisation {id: orgId})
WHERE CASE $mode
  WHEN 'certain' THEN (r.validFromLatest IS NULL OR r.validFromLatest <= $asOf)
                  AND (CASE WHEN r.validTo IS NULL THEN coalesce(r.isCurrent, true) ELSE $asOf <= r.validTo END)
  ELSE (r.validFrom IS NULL OR r.validFrom <= $asOf)
   AND (r.validToLatest IS NULL OR $asOf <= r.validToLatest)
END
WITH o.id AS id, p ORDER BY p.name, p.id
RETURN id, collect(DISTINCT {id: p.id, name: p.name}) AS parents
