// name: hierarchy.changes
// description: Spells that started or ended between two dates. A partial bound counts when the days it may denote overlap the period: '2019-05-00' started between 2019-05-20 and 2019-06-30. Unknown bounds and 'on or before' bounds never count. One row per spell and change.
// mode: read
// param fromDate: date   first day of the period, inclusive (a day, or a month or year: its first day; date or text)
// param toDate: date     last day of the period, inclusive (a day, or a month or year: its last day; date or text)
// returns: change ('started' or 'ended'), date (first day the bound may denote), dateText, precision, parentId, parentName, childId, childName, source, claimId
WITH [t IN [$fromDate, $toDate] |
       CASE WHEN t IS NULL THEN date('$fromDate and $toDate are both needed, e.g. 2019-01-01 and 2019-12-31')
            ELSE split(trim(toString(t)), 'T')[0] END] AS texts
WITH date(texts[0]) AS fromDate,
     date(texts[1]) + CASE size(replace(texts[1], '-', '')) WHEN 4 THEN duration('P1Y') WHEN 6 THEN duration('P1M')
                                                           ELSE duration('P1D') END - duration('P1D') AS toDate
MATCH (p:Organisation)-[edge:PARENT_OF]->(c:Organisation)
WITH p, edge, c,
     edge.validFrom IS NOT NULL AND edge.validFrom <= toDate
       AND coalesce(edge.validFromLatest, edge.validFrom) >= fromDate AS started,
     edge.validTo IS NOT NULL AND edge.validToLatest IS NOT NULL AND edge.validTo <= toDate
       AND edge.validToLatest >= fromDate AS ended
WHERE started OR ended
UNWIND [x IN [CASE WHEN started THEN 'started' END, CASE WHEN ended THEN 'ended' END] WHERE x IS NOT NULL] AS change
RETURN change,
       CASE change WHEN 'started' THEN edge.validFrom ELSE edge.validTo END AS date,
       CASE change WHEN 'started' THEN edge.validFromText ELSE edge.validToText END AS dateText,
       CASE change WHEN 'started' THEN edge.validFromPrecision ELSE edge.validToPrecision END AS precision,
       p.id AS parentId, p.name AS parentName, c.id AS childId, c.name AS childName,
       edge.source AS source, edge.claimId AS claimId
ORDER BY date, change DESC, parentName, childName
