// name: hierarchy.ancestors
// description: Ancestors of an organisation through PARENT_OF spells active on a date, nearest first (depth = fewest hops; at most 20).
// mode: read
// param orgId: string    an organisation id (a merged id is followed through MERGED_INTO) or an identifier key such as 'ods:00M'
// param asOf: date       the day asked about; also a month ('2014-04') or a year ('2014'), as a date or text (see cypher/README.md)
// param mode: string     'certain' or 'possible' (anything else is an error)
// returns: id, name, depth
WITH CASE WHEN $mode IN ['certain', 'possible'] THEN $mode
            ELSE date("$mode must be 'certain' or 'possible', not " + coalesce(toString($mode), 'null')) END AS mode,
     CASE WHEN $asOf IS NULL THEN date('$asOf is missing: give a day, a month or a year, e.g. 2019-05-15')
          ELSE split(trim(toString($asOf)), 'T')[0] END AS asOfText
WITH mode, date(asOfText) AS asOfFrom,
     CASE size(replace(asOfText, '-', '')) WHEN 4 THEN duration('P1Y') WHEN 6 THEN duration('P1M')
                                           ELSE duration('P1D') END AS span
WITH mode, asOfFrom, asOfFrom + span - duration('P1D') AS asOfTo
CALL () {
  MATCH (o0:Organisation {id: $orgId}) RETURN o0
  UNION
  MATCH (:Identifier {key: $orgId})-[i WHERE type(i) = 'IDENTIFIES']->(o0:Organisation) RETURN o0
}
OPTIONAL MATCH (o0)-[m WHERE type(m) = 'MERGED_INTO']->{1,5}(o1:Organisation)
  WHERE NOT EXISTS { (o1)-[n WHERE type(n) = 'MERGED_INTO']->() }
WITH mode, asOfFrom, asOfTo, coalesce(o1, o0) AS o
LIMIT 1
MATCH ANY SHORTEST (o)<-[r:PARENT_OF WHERE
    CASE mode
      WHEN 'certain' THEN r.validFromLatest <= asOfFrom
                      AND CASE WHEN r.validTo IS NULL THEN coalesce(r.isCurrent, true) ELSE asOfTo <= r.validTo END
      ELSE (r.validFrom IS NULL OR r.validFrom <= asOfTo)
       AND (r.validToLatest IS NULL OR asOfFrom <= r.validToLatest)
    END
  ]-{1,20}(a:Organisation)
RETURN a.id AS id, a.name AS name, size(r) AS depth
ORDER BY depth, name, id
