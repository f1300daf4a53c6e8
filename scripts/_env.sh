# The project venv with resolver installed, first on PATH (idempotent, quiet when already there).
# Sourced by the scripts and by people (`source scripts/_env.sh`), so it is safe to source: it sets no
# shell options, does not change directory, and a failure returns 2 instead of closing the shell.
_resolver_env() {
  local root python extras stamp
  root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)" || return 2
  python="${PYTHON:-$(command -v python3.11 || command -v python3)}"
  if [ -z "$python" ] || ! "$python" -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; then
    echo "resolver needs Python 3.11+; set PYTHON=/path/to/python3.11" >&2
    return 2
  fi
  if [ ! -x "$root/.venv/bin/python" ]; then
    "$python" -m venv "$root/.venv" || return 2
  fi
  extras="${RESOLVER_EXTRAS:-test}"
  stamp="$root/.venv/.installed-$(sha256sum "$root/pyproject.toml" | cut -c1-12)-$extras"
  if [ ! -f "$stamp" ]; then
    "$root/.venv/bin/python" -m pip install -q --upgrade pip || return 2
    "$root/.venv/bin/python" -m pip install -q -e "$root[$extras]" || return 2
    touch "$stamp"
  fi
  case ":$PATH:" in
    *":$root/.venv/bin:"*) ;;
    *) export PATH="$root/.venv/bin:$PATH" ;;
  esac
}
if _resolver_env; then
  unset -f _resolver_env
  true
else
  unset -f _resolver_env
  return 2 2>/dev/null || exit 2
fi
