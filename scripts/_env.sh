# Sourced by the scripts: a project venv with resolver installed (idempotent, quiet when already there).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
PYTHON="${PYTHON:-$(command -v python3.11 || command -v python3)}"
"$PYTHON" -c 'import sys; sys.exit(sys.version_info < (3, 11))' \
  || { echo "resolver needs Python 3.11+; set PYTHON=/path/to/python3.11" >&2; exit 2; }
if [ ! -x .venv/bin/python ]; then
  "$PYTHON" -m venv .venv
fi
extras="${RESOLVER_EXTRAS:-test}"
stamp=".venv/.installed-$(sha256sum pyproject.toml | cut -c1-12)-$extras"
if [ ! -f "$stamp" ]; then
  .venv/bin/python -m pip install -q --upgrade pip
  .venv/bin/python -m pip install -q -e ".[$extras]"
  touch "$stamp"
fi
export PATH="$ROOT/.venv/bin:$PATH"
