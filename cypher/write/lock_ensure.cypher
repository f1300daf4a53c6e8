// name: write.lock_ensure
// description: Create the ingest lock node once (idempotent; the constraint ingest_lock_name keeps it single).
// mode: write
MERGE (:IngestLock {name: 'ingest'})
