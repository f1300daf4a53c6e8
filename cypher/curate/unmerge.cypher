// name: curate.unmerge
// description: Undo the merge of otherId: deletes its MERGED_INTO edge and moves back every PARENT_OF spell whose original endpoint (originalParentId / originalChildId) now resolves to otherId again (its own, and those of organisations merged into it), dropping the marker when a spell is back where it began. A merge followed by its unmerge leaves the graph as it was.
// mode: write
// param otherId: string  the merged organisation to restore
// returns: otherId, keepId (the organisation it was merged into), at, by, reason
MATCH (other:Organisation {id: $otherId})-[m:MERGED_INTO]->(keep:Organisation)
WITH other, keep, m, m.at AS at, m.by AS by, m.reason AS reason
DELETE m
WITH other, keep, at, by, reason
OPTIONAL MATCH (keep)-[:MERGED_INTO]->{1,5}(up:Organisation)
  WHERE NOT EXISTS { (up)-[:MERGED_INTO]->() }
WITH other, keep, coalesce(up, keep) AS top, at, by, reason
CALL (other, top) {
  MATCH (src:Organisation)-[:MERGED_INTO]->{0,5}(other)
  WITH other, top, collect(DISTINCT src.id) AS ids
  CALL (other, top, ids) {
    MATCH (top)-[r:PARENT_OF]->(c:Organisation)
    WHERE r.originalParentId IN ids
    WITH r, c, properties(r) AS props
    DELETE r
    CREATE (other)-[n:PARENT_OF]->(c)
    SET n = props, n.originalParentId = CASE WHEN props.originalParentId = other.id THEN null ELSE props.originalParentId END
  }
  CALL (other, top, ids) {
    MATCH (p:Organisation)-[r:PARENT_OF]->(top)
    WHERE r.originalChildId IN ids
    WITH r, p, properties(r) AS props
    DELETE r
    CREATE (p)-[n:PARENT_OF]->(other)
    SET n = props, n.originalChildId = CASE WHEN props.originalChildId = other.id THEN null ELSE props.originalChildId END
  }
}
RETURN other.id AS otherId, keep.id AS keepId, toString(at) AS at, by, reason
