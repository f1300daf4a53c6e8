// name: curate.merge
// description: Merge organisation otherId into keepId: writes (other)-[:MERGED_INTO {at, by, reason}]->(keep) and moves other's PARENT_OF spells onto keep, each remembering its first endpoint (originalParentId / originalChildId) so curate.unmerge can put it back. Aliases and identifiers stay where they are (every read follows MERGED_INTO). Refused (refusal set, nothing written) when the two are one, either is already merged, or a PARENT_OF spell ties them.
// mode: write
// param keepId: string   the organisation that stays
// param otherId: string  the organisation merged into it (its id keeps resolving, as a redirect)
// param at: datetime     when
// param by: string       who merged
// param reason: string   why (may be null)
// returns: refusal (null when merged), keepId, otherId
MATCH (keep:Organisation {id: $keepId})
WITH keep
MATCH (other:Organisation {id: $otherId})
WITH keep, other,
     CASE WHEN keep = other THEN 'they are one organisation'
          WHEN EXISTS { (keep)-[:MERGED_INTO]->() } THEN $keepId + ' is itself merged into another organisation'
          WHEN EXISTS { (other)-[:MERGED_INTO]->() } THEN $otherId + ' is already merged into another organisation'
          WHEN EXISTS { (keep)-[:PARENT_OF]-(other) } THEN 'a PARENT_OF spell ties them (one is the parent of the other)'
     END AS refusal
CALL (keep, other, refusal) {
  WITH keep, other, refusal
  WHERE refusal IS NULL
  CREATE (other)-[:MERGED_INTO {at: $at, by: $by, reason: $reason}]->(keep)
  WITH keep, other
  CALL (keep, other) {
    MATCH (other)-[r:PARENT_OF]->(c:Organisation)
    WITH r, c, properties(r) AS props
    DELETE r
    CREATE (keep)-[n:PARENT_OF]->(c)
    SET n = props, n.originalParentId = coalesce(props.originalParentId, other.id)
  }
  CALL (keep, other) {
    MATCH (p:Organisation)-[r:PARENT_OF]->(other)
    WITH r, p, properties(r) AS props
    DELETE r
    CREATE (p)-[n:PARENT_OF]->(keep)
    SET n = props, n.originalChildId = coalesce(props.originalChildId, other.id)
  }
}
RETURN refusal, keep.id AS keepId, other.id AS otherId
