"""`source scripts/_env.sh` leaves the shell as it was: no options, same directory, alive on failure."""

from __future__ import annotations

import hashlib
import os
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
ENV_SH = ROOT / "scripts" / "_env.sh"


def _installed_extras() -> str:
    """Extras of an install matching today's pyproject.toml, so sourcing installs nothing."""
    digest = hashlib.sha256((ROOT / "pyproject.toml").read_bytes()).hexdigest()[:12]
    stamps = sorted((ROOT / ".venv").glob(f".installed-{digest}-*"))
    if not stamps:
        pytest.skip("no .venv installed from this pyproject.toml (run scripts/test.sh once)")
    return stamps[0].name.rsplit("-", 1)[1]


def _bash(script: str, tmp_path: Path, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["bash", "-c", script],
        cwd=tmp_path,
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )


def test_sourcing_sets_no_options_and_keeps_the_directory(tmp_path: Path) -> None:
    script = (
        f"source {ENV_SH}; echo rc=$?; echo opts=$-; pwd; "
        "set -o | grep -E '^(errexit|nounset|pipefail)' | tr -s ' \\t' ' '; "
        "false; echo still-alive; command -v resolver"
    )
    proc = _bash(script, tmp_path, RESOLVER_EXTRAS=_installed_extras())
    lines = proc.stdout.splitlines()
    assert lines[0] == "rc=0", proc.stderr
    assert not {"e", "u"} & set(lines[1].removeprefix("opts="))
    assert lines[2] == str(tmp_path)
    assert lines[3:6] == ["errexit off", "nounset off", "pipefail off"]
    assert lines[6] == "still-alive" and lines[7] == str(ROOT / ".venv" / "bin" / "resolver")


def test_a_failure_returns_instead_of_closing_the_shell(tmp_path: Path) -> None:
    proc = _bash(f"source {ENV_SH}; echo rc=$?; echo still-alive", tmp_path, PYTHON="/nonexistent/python")
    assert proc.stdout.splitlines() == ["rc=2", "still-alive"]
    assert "Python 3.11+" in proc.stderr


def test_the_scripts_set_strict_mode_themselves() -> None:
    for name in ("demo.sh", "test.sh"):
        text = (ROOT / "scripts" / name).read_text(encoding="utf-8")
        strict, cd, source = (
            text.index(s) for s in ("set -euo pipefail", 'cd "$(dirname', "source scripts/_env.sh")
        )
        assert strict < cd < source, name
    assert "set -" not in ENV_SH.read_text(encoding="utf-8").replace("unset -f", "")
