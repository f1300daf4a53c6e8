// name: write.run_start
// description: Record the start of an ingest run. The run id is derived from the files' checksums and options, so re-running the same files updates the same node.
// mode: write
// param runId: string          deterministic run id
// param source: string         source name given to the claims
// param format: string         reader format of the files
// param files: list<string>    file paths as given
// param sha256: list<string>   SHA-256 of each file, in the order of files
// param now: datetime          start time
// returns: id
MERGE (r:IngestRun {id: $runId})
SET r.source = $source,
    r.format = $format,
    r.files = $files,
    r.sha256 = $sha256,
    r.startedAt = $now,
    r.finishedAt = null,
    r.status = 'running'
RETURN r.id AS id
