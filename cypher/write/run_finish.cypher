// name: write.run_finish
// description: Record the end of an ingest run with its row counts ('finished' or 'finished-with-rejects').
// mode: write
// param runId: string          the run
// param status: string         final status
// param rowsRead: integer      data rows read from the files
// param rowsWritten: integer   rows whose claims are in the graph
// param rowsRejected: integer  rows refused (see the rejects file)
// param now: datetime          end time
// returns: id
MATCH (r:IngestRun {id: $runId})
SET r.status = $status,
    r.rowsRead = $rowsRead,
    r.rowsWritten = $rowsWritten,
    r.rowsRejected = $rowsRejected,
    r.finishedAt = $now
RETURN r.id AS id
