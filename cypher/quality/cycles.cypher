// name: quality.cycles
// description: Cycles of PARENT_OF spells active on a date (an organisation above itself), each reported once, starting at its smallest id (at most 20 hops).
// mode: read
// param asOf: date       the day asked about; also a month ('2014-04') or a year ('2014'), as a date or text (see cypher/README.md)
// param mode: string     'certain' or 'possible' (anything else is an error)
// returns: ids, names, length, claimIds
WITH CASE WHEN $mode IN ['certain', 'possible'] THEN $mode
            ELSE date("$mode must be 'certain' or 'possible', not " + coalesce(toString($mode), 'null')) END AS mode,
     CASE WHEN $asOf IS NULL THEN date('$asOf is missing: give a day, a month or a year, e.g. 2019-05-15')
          ELSE split(trim(toString($asOf)), 'T')[0] END AS asOfText
WITH mode, date(asOfText) AS asOfFrom,
     CASE size(replace(asOfText, '-', '')) WHEN 4 THEN duration('P1Y') WHEN 6 THEN duration('P1M')
                                           ELSE duration('P1D') END AS span
WITH mode, asOfFrom, asOfFrom + span - duration('P1D') AS asOfTo
MATCH (a:Organisation)
WHERE EXISTS { (a)<-[:PARENT_OF]-(:Organisation) } AND EXISTS { (a)-[:PARENT_OF]->(:Organisation) }
MATCH path = (a) (()-[r:PARENT_OF WHERE
    CASE mode
      WHEN 'certain' THEN r.validFromLatest <= asOfFrom
                      AND CASE WHEN r.validTo IS NULL THEN coalesce(r.isCurrent, true) ELSE asOfTo <= r.validTo END
      ELSE (r.validFrom IS NULL OR r.validFrom <= asOfTo)
       AND (r.validToLatest IS NULL OR asOfFrom <= r.validToLatest)
    END
  ]->(n:Organisation WHERE n.id >= a.id)){1,20} (a)
WITH nodes(path) AS ns, r
RETURN [x IN ns | x.id] AS ids, [x IN ns | x.name] AS names, size(r) AS length,
       [x IN r | x.claimId] AS claimIds
ORDER BY length, ids
