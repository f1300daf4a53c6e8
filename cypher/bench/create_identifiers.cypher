// name: bench.create_identifiers
// description: The Bolt write ceiling of bench/bench_ingest.py: plain CREATE of Identifier nodes with the properties an ingest gave them (no MERGE, no resolution). Not used by resolver itself.
// mode: write
// param rows: list<map>   the nodes' properties
// param shared: map      the properties every row of the batch has with one value (sent once, as ingest sends its run id and time)
UNWIND $rows AS row
CREATE (n:Identifier)
SET n = row, n += $shared
