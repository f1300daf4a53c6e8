// name: write.parent_of_new
// description: Create PARENT_OF edges into a graph that held none when the ingest took its lock (a first load): CREATE between organisations already written, every property from the row (nulls are not stored). The parent_of_claim constraint still refuses a duplicate claimId.
// mode: write
// param rows: list<map>   {parentId, childId, props: {claimId, runId, validFrom, ..., description}}
UNWIND $rows AS row
MATCH (p:Organisation {id: row.parentId})
MATCH (c:Organisation {id: row.childId})
CREATE (p)-[r:PARENT_OF]->(c)
SET r = row.props
