// name: match.rollup
// description: Direct and ultimate parents of a batch of organisations, each on its own day (one query for a whole file of matches); an ultimate parent is an ancestor (or the organisation itself) with no active parent.
// mode: read
// param rows: list<map>   one {id, asOf} per distinct organisation id and day (asOf a date)
// param mode: string      'certain' or 'possible'
// returns: id, asOf, parents (list of {id, name}), tops (list of {id, name}, nearest first)
UNWIND $rows AS row
MATCH (o:Organisation {id: row.id})
WITH row, o, row.asOf AS asOf
CALL (o, asOf) {
  OPTIONAL MATCH (p:Organisation)-[r:PARENT_OF]->(o)
  WHERE CASE $mode
    WHEN 'certain' THEN (r.validFromLatest IS NULL OR r.validFromLatest <= asOf)
                    AND (CASE WHEN r.validTo IS NULL THEN coalesce(r.isCurrent, true) ELSE asOf <= r.validTo END)
    ELSE (r.validFrom IS NULL OR r.validFrom <= asOf)
     AND (r.validToLatest IS NULL OR asOf <= r.validToLatest)
  END
  WITH DISTINCT p ORDER BY p.name, p.id
  RETURN collect(CASE WHEN p IS NOT NULL THEN {id: p.id, name: p.name} END) AS parents
}
CALL (o, asOf) {
  OPTIONAL MATCH (o)<-[rs:PARENT_OF*0..20]-(top:Organisation)
  WHERE all(r IN rs WHERE CASE $mode
      WHEN 'certain' THEN (r.validFromLatest IS NULL OR r.validFromLatest <= asOf)
                      AND (CASE WHEN r.validTo IS NULL THEN coalesce(r.isCurrent, true) ELSE asOf <= r.validTo END)
      ELSE (r.validFrom IS NULL OR r.validFrom <= asOf)
       AND (r.validToLatest IS NULL OR asOf <= r.validToLatest)
    END)
    AND NOT EXISTS {
      MATCH (top)<-[r2:PARENT_OF]-(:Organisation)
      WHERE CASE $mode
        WHEN 'certain' THEN (r2.validFromLatest IS NULL OR r2.validFromLatest <= asOf)
                        AND (CASE WHEN r2.validTo IS NULL THEN coalesce(r2.isCurrent, true) ELSE asOf <= r2.validTo END)
        ELSE (r2.validFrom IS NULL OR r2.validFrom <= asOf)
         AND (r2.validToLatest IS NULL OR asOf <= r2.validToLatest)
      END
    }
  WITH top, min(size(rs)) AS depth ORDER BY depth, top.name, top.id
  RETURN collect(CASE WHEN top IS NOT NULL THEN {id: top.id, name: top.name} END) AS tops
}
RETURN row.id AS id, row.asOf AS asOf, parents, tops
