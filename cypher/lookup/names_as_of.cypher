// name: lookup.names_as_of
// description: The names of many organisations on a day (what a tree as of a day shows): for each id, the NAME_OF spell active on the day asked about by the rule of lookup.name_as_of; ids without a dated name that day are left out (their current name stands).
// mode: read
// param orgIds: list<string>  canonical organisation ids
// param asOf: date       the day asked about; also a month ('2014-04') or a year ('2014'), as a date or text (see cypher/README.md)
// param mode: string     'certain' or 'possible' (anything else is an error)
// returns: id, name, claimId
WITH CASE WHEN $mode IN ['certain', 'possible'] THEN $mode
            ELSE date("$mode must be 'certain' or 'possible', not " + coalesce(toString($mode), 'null')) END AS mode,
     CASE WHEN $asOf IS NULL THEN date('$asOf is missing: give a day, a month or a year, e.g. 2019-05-15')
          ELSE split(trim(toString($asOf)), 'T')[0] END AS asOfText
WITH mode, date(asOfText) AS asOfFrom,
     CASE size(replace(asOfText, '-', '')) WHEN 4 THEN duration('P1Y') WHEN 6 THEN duration('P1M')
                                           ELSE duration('P1D') END AS span
WITH mode, asOfFrom, asOfFrom + span - duration('P1D') AS asOfTo
UNWIND $orgIds AS orgId
MATCH (o:Organisation {id: orgId})<-[r WHERE type(r) = 'NAME_OF']-(a:Alias)
WHERE CASE mode
  WHEN 'certain' THEN r.validFromLatest <= asOfFrom
                  AND CASE WHEN r.validTo IS NULL THEN coalesce(r.isCurrent, true) ELSE asOfTo <= r.validTo END
  ELSE (r.validFrom IS NULL OR r.validFrom <= asOfTo)
   AND (r.validToLatest IS NULL OR asOfFrom <= r.validToLatest)
END
WITH o, a, r, asOfFrom, asOfTo
ORDER BY CASE WHEN r.validFromLatest <= asOfFrom
               AND CASE WHEN r.validTo IS NULL THEN coalesce(r.isCurrent, true) ELSE asOfTo <= r.validTo END
         THEN 0 ELSE 1 END,
         coalesce(r.validFromLatest, r.validFrom, date('0001-01-01')) DESC, a.name
WITH o, head(collect({name: a.name, claimId: r.claimId})) AS best
RETURN o.id AS id, best.name AS name, best.claimId AS claimId
