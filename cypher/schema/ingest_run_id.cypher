// name: schema.ingest_run_id
// description: Ingest runs are unique by id.
// mode: schema
CREATE CONSTRAINT ingest_run_id IF NOT EXISTS FOR (r:IngestRun) REQUIRE r.id IS UNIQUE
