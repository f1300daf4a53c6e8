// name: bench.merge_edge_row
// description: The naive baseline of bench/bench_ingest.py: one row, one auto-commit transaction, MERGE both organisations and the edge. Not used by resolver itself.
// mode: write
// param parentId: string     parent organisation id
// param parentName: string   parent display name
// param childId: string      child organisation id
// param childName: string    child display name
// param claimId: string      the edge's claim id
// param validFrom: date      start of the spell (may be null)
MERGE (p:Organisation {id: $parentId})
  ON CREATE SET p.name = $parentName
MERGE (c:Organisation {id: $childId})
  ON CREATE SET c.name = $childName
MERGE (p)-[r:PARENT_OF {claimId: $claimId}]->(c)
SET r.validFrom = $validFrom
