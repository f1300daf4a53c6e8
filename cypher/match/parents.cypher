// name: match.parents
// description: The direct parents of a batch of organisations on one day (for the candidates' descriptions of the reconciliation service); no row for an organisation without one.
// mode: read
// param ids: list<string>   organisation ids
// param asOf: date          the day asked about (also a month or a year; see cypher/README.md)
// param mode: string        'certain' or 'possible' (anything else is an error)
// returns: id, parents (list of {id, name}, by name)
WITH CASE WHEN $mode IN ['certain', 'possible'] THEN $mode
            ELSE date("$mode must be 'certain' or 'possible', not " + coalesce(toString($mode), 'null')) END AS mode,
     CASE WHEN $asOf IS NULL THEN date('$asOf is missing: give a day, a month or a year, e.g. 2019-05-15')
          ELSE split(trim(toString($asOf)), 'T')[0] END AS asOfText
WITH mode, date(asOfText) AS asOfFrom,
     CASE size(replace(asOfText, '-', '')) WHEN 4 THEN duration('P1Y') WHEN 6 THEN duration('P1M')
                                           ELSE duration('P1D') END AS span
WITH mode, asOfFrom, asOfFrom + span - duration('P1D') AS asOfTo
UNWIND $ids AS orgId
MATCH (p:Organisation)-[r:PARENT_OF]->(o:Organisation {id: orgId})
WHERE CASE mode
  WHEN 'certain' THEN r.validFromLatest <= asOfFrom
                  AND CASE WHEN r.validTo IS NULL THEN coalesce(r.isCurrent, true) ELSE asOfTo <= r.validTo END
  ELSE (r.validFrom IS NULL OR r.validFrom <= asOfTo)
   AND (r.validToLatest IS NULL OR asOfFrom <= r.validToLatest)
END
WITH o.id AS id, p ORDER BY p.name, p.id
RETURN id, collect(DISTINCT {id: p.id, name: p.name}) AS parents
