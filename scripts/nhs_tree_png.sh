#!/usr/bin/env bash
# docs/nhs-tree.png: the NHS tree of the shipped sample as `resolver tree --format html` draws it,
# photographed by headless Chromium (Debian: apt-get install chromium). Needs a Neo4j holding the sample:
# scripts/demo.sh starts one and ingests it. AS_OF picks the day (default 2020-01-01).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
resolver="${RESOLVER:-$root/.venv/bin/resolver}"
browser="$(command -v chromium || command -v chromium-browser || command -v google-chrome)"
page="$(mktemp --suffix=.html)"
trap 'rm -f "$page"' EXIT
"$resolver" tree "National Health Service" --as-of "${AS_OF:-2020-01-01}" --depth 6 --format html > "$page"
"$browser" --headless --no-sandbox --disable-gpu --hide-scrollbars --virtual-time-budget=3000 \
  --window-size=1000,330 --screenshot="$root/docs/nhs-tree.png" "file://$page#asOf=${AS_OF:-2020-01-01}" 2>/dev/null
echo "wrote $root/docs/nhs-tree.png"
