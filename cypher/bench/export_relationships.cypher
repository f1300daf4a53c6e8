// name: bench.export_relationships
// description: Every ALIAS_OF, IDENTIFIES and PARENT_OF relationship with its properties and the unique keys of its ends (alias name, identifier key, organisation id), for the Bolt write ceiling of bench/bench_ingest.py. Not used by resolver itself.
// mode: read
// returns: type, start, end, props
MATCH (a)-[r:ALIAS_OF|IDENTIFIES|PARENT_OF]->(b:Organisation)
RETURN type(r) AS type, coalesce(a.id, a.name, a.key) AS start, b.id AS end, properties(r) AS props
