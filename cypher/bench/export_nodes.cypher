// name: bench.export_nodes
// description: Every organisation, alias and identifier with its properties: bench/bench_ingest.py reads the graph an ingest made, to write the very same nodes again with plain CREATE (the Bolt write ceiling). Not used by resolver itself.
// mode: read
// returns: label, props
MATCH (n)
WHERE n:Organisation OR n:Alias OR n:Identifier
RETURN labels(n)[0] AS label, properties(n) AS props
