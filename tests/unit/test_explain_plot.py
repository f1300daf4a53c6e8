"""`resolver explain --plot` writes a real PNG of the two waterfalls."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from resolver.cli import cli


def test_explain_plot_writes_a_png(tmp_path: Path) -> None:
    out = tmp_path / "why.png"
    result = CliRunner().invoke(
        cli, ["explain", "NHS", "National Health Service (NHS)", "--plot", str(out), "--format", "json"]
    )
    assert result.exit_code == 0, result.output
    data = out.read_bytes()
    assert data.startswith(b"\x89PNG\r\n\x1a\n") and len(data) > 5_000
