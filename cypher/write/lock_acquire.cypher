// name: write.lock_acquire
// description: Take the ingest lock: run inside a transaction kept open for the whole ingest and rolled back at its end (a killed client's transaction is rolled back by the server, releasing the lock). Blocks while another ingest holds it.
// mode: write
// param runId: string   the run taking the lock
// returns: name
MATCH (l:IngestLock {name: 'ingest'})
SET l.holder = $runId
RETURN l.name AS name
