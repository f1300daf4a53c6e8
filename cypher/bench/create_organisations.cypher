// name: bench.create_organisations
// description: The Bolt write ceiling of bench/bench_ingest.py: plain CREATE of Organisation nodes with the properties an ingest gave them (no MERGE, no resolution). Not used by resolver itself.
// mode: write
// param rows: list<map>   the nodes' properties
UNWIND $rows AS row
CREATE (n:Organisation)
SET n = row
