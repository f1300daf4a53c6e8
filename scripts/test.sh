#!/usr/bin/env bash
# Run the whole test suite from a fresh clone: venv + install, Neo4j jars (Maven), unit and integration tests.
# The integration tier starts its own throw-away Neo4j on a free port and stops it at the end.
# Extra arguments go to pytest, e.g. `scripts/test.sh tests/unit -q`.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/_env.sh
resolver server fetch
# The HTML picture is tested in a real headless Chromium (Debian's package); CI installs it when missing.
if [ "${CI:-}" = "true" ] && ! command -v chromium >/dev/null && ! command -v chromium-browser >/dev/null; then
  if [ "$(id -u)" = "0" ]; then
    apt-get update -qq && apt-get install -y -qq chromium >/dev/null
  else
    sudo -n apt-get update -qq && sudo -n apt-get install -y -qq chromium >/dev/null
  fi
fi
set +e
pytest "$@"
rc=$?
set -e
if [ "$rc" -eq 5 ]; then
  echo "pytest collected no tests: treating as a failure" >&2
  exit 1
fi
exit "$rc"
