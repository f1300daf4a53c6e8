// name: admin.delete_all
// description: Delete every node and relationship (schema is kept), in batches. Used by the test suite; destroys data.
// mode: write
MATCH (n)
CALL (n) {
  DETACH DELETE n
} IN TRANSACTIONS OF 10000 ROWS
