// name: quality.multiple_parents
// description: Organisations with more than one distinct parent through PARENT_OF spells active on the same date.
// mode: read
// param asOf: date       the day asked about; also a month ('2014-04') or a year ('2014'), as a date or text (see cypher/README.md)
// param mode: string     'certain' or 'possible' (anything else is an error)
// returns: id, name, parentIds, parentNames, claimIds
WITH CASE WHEN $mode IN ['certain', 'possible'] THEN $mode
            ELSE date("$mode must be 'certain' or 'possible', not " + coalesce(toString($mode), 'null')) END AS mode,
     CASE WHEN $asOf IS NULL THEN date('$asOf is missing: give a day, a month or a year, e.g. 2019-05-15')
          ELSE split(trim(toString($asOf)), 'T')[0] END AS asOfText
WITH mode, date(asOfText) AS asOfFrom,
     CASE size(replace(asOfText, '-', '')) WHEN 4 THEN duration('P1Y') WHEN 6 THEN duration('P1M')
                                           ELSE duration('P1D') END AS span
WITH mode, asOfFrom, asOfFrom + span - duration('P1D') AS asOfTo
MATCH (p:Organisation)-[r:PARENT_OF]->(c:Organisation)
WHERE CASE mode
  WHEN 'certain' THEN r.validFromLatest <= asOfFrom
                  AND CASE WHEN r.validTo IS NULL THEN coalesce(r.isCurrent, true) ELSE asOfTo <= r.validTo END
  ELSE (r.validFrom IS NULL OR r.validFrom <= asOfTo)
   AND (r.validToLatest IS NULL OR asOfFrom <= r.validToLatest)
END
WITH c, p, collect(r.claimId) AS claims
ORDER BY p.name, p.id
WITH c, collect(p) AS parents, collect(claims) AS claimLists
WHERE size(parents) > 1
RETURN c.id AS id, c.name AS name, [x IN parents | x.id] AS parentIds, [x IN parents | x.name] AS parentNames,
       reduce(acc = [], l IN claimLists | acc + l) AS claimIds
ORDER BY name, id
