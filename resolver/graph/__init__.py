"""Everything that talks to Neo4j. The only package that imports ``neo4j`` (a test enforces it)."""
