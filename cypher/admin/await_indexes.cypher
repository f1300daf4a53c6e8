// name: admin.await_indexes
// description: Wait until every index is online (after schema apply), up to a timeout.
// mode: read
// param timeoutSeconds: integer   seconds to wait at most
CALL db.awaitIndexes($timeoutSeconds)
