// name: hierarchy.path
// description: A shortest path between two organisations through PARENT_OF spells active on a date, in either direction (at most 20 hops); one row per step.
// mode: read
// param fromId: string   where the path starts: an organisation id (merged ids followed) or an identifier key
// param toId: string     where the path ends (likewise)
// param asOf: date       the day asked about; also a month ('2014-04') or a year ('2014'), as a date or text (see cypher/README.md)
// param mode: string     'certain' or 'possible' (anything else is an error)
// returns: step, id, name, relation ('start'; 'parent' = parent of the previous step; 'child' = child of it)
WITH CASE WHEN $mode IN ['certain', 'possible'] THEN $mode
            ELSE date("$mode must be 'certain' or 'possible', not " + coalesce(toString($mode), 'null')) END AS mode,
     CASE WHEN $asOf IS NULL THEN date('$asOf is missing: give a day, a month or a year, e.g. 2019-05-15')
          ELSE split(trim(toString($asOf)), 'T')[0] END AS asOfText
WITH mode, date(asOfText) AS asOfFrom,
     CASE size(replace(asOfText, '-', '')) WHEN 4 THEN duration('P1Y') WHEN 6 THEN duration('P1M')
                                           ELSE duration('P1D') END AS span
WITH mode, asOfFrom, asOfFrom + span - duration('P1D') AS asOfTo
CALL () {
  MATCH (a0:Organisation {id: $fromId}) RETURN a0
  UNION
  MATCH (:Identifier {key: $fromId})-[i WHERE type(i) = 'IDENTIFIES']->(a0:Organisation) RETURN a0
}
OPTIONAL MATCH (a0)-[m WHERE type(m) = 'MERGED_INTO']->{1,5}(a1:Organisation)
  WHERE NOT EXISTS { (a1)-[n WHERE type(n) = 'MERGED_INTO']->() }
WITH mode, asOfFrom, asOfTo, coalesce(a1, a0) AS a
LIMIT 1
CALL () {
  MATCH (b0:Organisation {id: $toId}) RETURN b0
  UNION
  MATCH (:Identifier {key: $toId})-[i WHERE type(i) = 'IDENTIFIES']->(b0:Organisation) RETURN b0
}
OPTIONAL MATCH (b0)-[m WHERE type(m) = 'MERGED_INTO']->{1,5}(b1:Organisation)
  WHERE NOT EXISTS { (b1)-[n WHERE type(n) = 'MERGED_INTO']->() }
WITH mode, asOfFrom, asOfTo, a, coalesce(b1, b0) AS b
LIMIT 1
MATCH p = SHORTEST 1 (a)-[r:PARENT_OF WHERE
    CASE mode
      WHEN 'certain' THEN r.validFromLatest <= asOfFrom
                      AND CASE WHEN r.validTo IS NULL THEN coalesce(r.isCurrent, true) ELSE asOfTo <= r.validTo END
      ELSE (r.validFrom IS NULL OR r.validFrom <= asOfTo)
       AND (r.validToLatest IS NULL OR asOfFrom <= r.validToLatest)
    END
  ]-{0,20}(b)
WITH nodes(p) AS ns, relationships(p) AS rs
UNWIND range(0, size(ns) - 1) AS step
RETURN step, ns[step].id AS id, ns[step].name AS name,
       CASE WHEN step = 0 THEN 'start'
            WHEN startNode(rs[step - 1]) = ns[step] THEN 'parent'
            ELSE 'child' END AS relation
ORDER BY step
