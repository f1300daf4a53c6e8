// name: hierarchy.changes
// description: Spells that started or ended between two dates. A partial bound counts when the days it may denote overlap [$fromDate, $toDate]: '2019-05-00' started between 2019-05-20 and 2019-06-30. Unknown bounds never count. One row per spell and change.
// mode: read
// param fromDate: date   first day of the period (inclusive)
// param toDate: date     last day of the period (inclusive)
// returns: change ('started' or 'ended'), date (first day the bound may denote), dateText, precision, parentId, parentName, childId, childName, source, claimId
MATCH (p:Organisation)-[edge:PARENT_OF]->(c:Organisation)
WITH p, edge, c,
     edge.validFrom IS NOT NULL AND edge.validFrom <= $toDate
       AND coalesce(edge.validFromLatest, edge.validFrom) >= $fromDate AS started,
     edge.validTo IS NOT NULL AND edge.validTo <= $toDate
       AND coalesce(edge.validToLatest, edge.validTo) >= $fromDate AS ended
WHERE started OR ended
UNWIND [x IN [CASE WHEN started THEN 'started' END, CASE WHEN ended THEN 'ended' END] WHERE x IS NOT NULL] AS change
RETURN change,
       CASE change WHEN 'started' THEN edge.validFrom ELSE edge.validTo END AS date,
       CASE change WHEN 'started' THEN edge.validFromText ELSE edge.validToText END AS dateText,
       CASE change WHEN 'started' THEN edge.validFromPrecision ELSE edge.validToPrecision END AS precision,
       p.id AS parentId, p.name AS parentName, c.id AS childId, c.name AS childName,
       edge.source AS source, edge.claimId AS claimId
ORDER BY date, change DESC, parentName, childName
