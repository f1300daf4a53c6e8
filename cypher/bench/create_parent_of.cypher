// name: bench.create_parent_of
// description: The Bolt write ceiling of bench/bench_ingest.py: plain CREATE of PARENT_OF relationships between nodes found by their unique keys, with the properties an ingest gave them. Not used by resolver itself.
// mode: write
// param rows: list<map>   {start: the Organisation's id, end: the organisation's id, props}
// param shared: map      the properties every row of the batch has with one value (sent once, as ingest sends its run id and time)
UNWIND $rows AS row
MATCH (a:Organisation {id: row.start})
MATCH (o:Organisation {id: row.end})
CREATE (a)-[r:PARENT_OF]->(o)
SET r = row.props, r += $shared
