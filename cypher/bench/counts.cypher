// name: bench.counts
// description: How many organisations, aliases and identifiers, and relationships between them, the database holds: bench/bench_ingest.py checks that the ceiling and the bulk load wrote as much as ingest. Not used by resolver itself.
// mode: read
// returns: nodes, rels
RETURN COUNT { MATCH (n) WHERE n:Organisation OR n:Alias OR n:Identifier RETURN n } AS nodes,
       COUNT { MATCH ()-[r:ALIAS_OF|IDENTIFIES|PARENT_OF]->() RETURN r } AS rels
