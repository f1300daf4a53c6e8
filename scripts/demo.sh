#!/usr/bin/env bash
# The main job on the shipped sample, from a fresh clone: start a local Neo4j (no Docker), apply the schema,
# ingest samples/relationships.jsonl, and show the hierarchy. The server keeps running afterwards
# (`resolver server stop` stops it). With Docker instead: `docker compose up -d --wait` then RESOLVER_SERVER=none.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/_env.sh
if [ "${RESOLVER_SERVER:-local}" = "local" ]; then
  resolver server start
fi
resolver schema apply
resolver ingest samples/relationships.jsonl || [ $? -eq 1 ]   # 1 = finished with rejected rows
resolver tree "National Health Service"
resolver lookup "The N.H.S."
