"""The development-set registry reads every set in place, parallel and non-empty; eval --set and
--sweep run on them."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from resolver.cli import cli
from resolver.evalsets import SETS, load_set
from tests.conftest import shared_file


@pytest.mark.parametrize("name", [n for n in SETS if n != "ror"])
def test_every_set_loads_in_place(name: str) -> None:
    root = shared_file(SETS[name].path).parents[len(Path(SETS[name].path).parts) - 1]
    loaded = load_set(name, root)
    assert len(loaded.names) == len(loaded.truth) == len(loaded.scopes) > 100
    assert all(n.strip() for n in loaded.names)
    if name != "cleanco":  # cleanco: distinct companies only, no true pairs
        assert len(set(loaded.truth)) < len(loaded.truth)  # some organisations have several names


def test_govuk_names_one_body_each() -> None:
    root = shared_file("govuk-hierarchy-2021-2026").parent
    loaded = load_set("govuk", root)
    owners: dict[str, set[str]] = {}
    for n, t in zip(loaded.names, loaded.truth, strict=True):
        owners.setdefault(" ".join(n.casefold().split()), set()).add(t)
    assert all(len(v) == 1 for v in owners.values())
    assert "HMRC" in loaded.names and "HM Revenue & Customs" in loaded.names


def test_eval_set_and_sweep(tmp_path: Path) -> None:
    root = shared_file("govuk-hierarchy-2021-2026").parent
    plot = tmp_path / "sweep.png"
    args = [
        "eval",
        "--set",
        "govuk-abbreviations",
        "--data",
        str(root),
        "--sweep",
        "--thresholds",
        "0.85,0.95",
    ]
    out = CliRunner().invoke(cli, [*args, "--plot", str(plot), "--format", "json"])
    assert out.exit_code == 0, out.output
    assert plot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    plain = CliRunner().invoke(
        cli, ["eval", "--set", "govuk-abbreviations", "--data", str(root), "--format", "json"]
    )
    assert plain.exit_code == 0 and '"pairwise_precision"' in plain.stdout
    assert CliRunner().invoke(cli, ["eval"]).exit_code == 2  # neither INPUT nor --set
