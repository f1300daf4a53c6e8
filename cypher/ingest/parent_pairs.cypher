// name: ingest.parent_pairs
// description: Distinct (parent, child) organisation pairs of the graph's PARENT_OF edges: cannot-links for resolution.
// mode: read
// returns: parentId, childId
MATCH (p:Organisation)-[:PARENT_OF]->(c:Organisation)
RETURN DISTINCT p.id AS parentId, c.id AS childId
