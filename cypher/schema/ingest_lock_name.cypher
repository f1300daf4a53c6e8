// name: schema.ingest_lock_name
// description: One IngestLock node per name: ingests hold it (write lock in an open transaction) so that two runs never resolve against the same graph state at once.
// mode: schema
CREATE CONSTRAINT ingest_lock_name IF NOT EXISTS FOR (l:IngestLock) REQUIRE l.name IS UNIQUE
