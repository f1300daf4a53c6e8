#!/usr/bin/env bash
# Run the whole test suite from a fresh clone: venv + install, Neo4j jars (Maven), unit and integration tests.
# The integration tier starts its own throw-away Neo4j on a free port and stops it at the end.
# Extra arguments go to pytest, e.g. `scripts/test.sh tests/unit -q`.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/_env.sh
resolver server fetch
set +e
pytest "$@"
rc=$?
set -e
if [ "$rc" -eq 5 ]; then
  echo "pytest collected no tests: treating as a failure" >&2
  exit 1
fi
exit "$rc"
