// name: hierarchy.path
// description: A shortest path between two organisations through PARENT_OF spells active on a date, in either direction (at most 20 hops); one row per step.
// mode: read
// param fromId: string   organisation id where the path starts (a merged id is followed through MERGED_INTO)
// param toId: string     organisation id where the path ends (likewise)
// param asOf: date       the day asked about
// param mode: string     'certain' or 'possible'
// returns: step, id, name, relation ('start'; 'parent' = parent of the previous step; 'child' = child of it)
MATCH (s1:Organisation {id: $fromId})
OPTIONAL MATCH (s1)-[:MERGED_INTO]->{1,5}(m1:Organisation)
  WHERE NOT EXISTS { (m1)-[:MERGED_INTO]->() }
WITH coalesce(m1, s1) AS a
LIMIT 1
MATCH (s2:Organisation {id: $toId})
OPTIONAL MATCH (s2)-[:MERGED_INTO]->{1,5}(m2:Organisation)
  WHERE NOT EXISTS { (m2)-[:MERGED_INTO]->() }
WITH a, coalesce(m2, s2) AS b
LIMIT 1
MATCH p = SHORTEST 1 (a)-[r:PARENT_OF WHERE
    CASE $mode
      WHEN 'certain' THEN (r.validFromLatest IS NULL OR r.validFromLatest <= $asOf)
                      AND (CASE WHEN r.validTo IS NULL THEN coalesce(r.isCurrent, true) ELSE $asOf <= r.validTo END)
      ELSE (r.validFrom IS NULL OR r.validFrom <= $asOf)
       AND (r.validToLatest IS NULL OR $asOf <= r.validToLatest)
    END
  ]-{0,20}(b)
WITH nodes(p) AS ns, relationships(p) AS rs
UNWIND range(0, size(ns) - 1) AS step
RETURN step, ns[step].id AS id, ns[step].name AS name,
       CASE WHEN step = 0 THEN 'start'
            WHEN startNode(rs[step - 1]) = ns[step] THEN 'parent'
            ELSE 'child' END AS relation
ORDER BY step
