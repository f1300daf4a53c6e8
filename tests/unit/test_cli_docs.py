"""Every CLI command documents itself: `--help` works, shows an example, and the README lists it."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from resolver.cli import cli

README = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")


def commands(group: click.Group, path: tuple[str, ...] = ()) -> Iterator[tuple[str, ...]]:
    for name, cmd in sorted(group.commands.items()):
        if isinstance(cmd, click.Group):
            yield from commands(cmd, (*path, name))
        else:
            yield (*path, name)


ALL = list(commands(cli))


def test_the_cli_has_the_documented_commands() -> None:
    names = {" ".join(c) for c in ALL}
    assert {"ingest", "lookup", "tree", "query run", "cluster", "eval", "explain", "doctor"} <= names


@pytest.mark.parametrize("path", ALL, ids=[" ".join(p) for p in ALL])
def test_help_has_an_example_and_the_readme_lists_it(path: tuple[str, ...]) -> None:
    result = CliRunner().invoke(cli, [*path, "--help"])
    assert result.exit_code == 0, result.output
    assert "Example" in result.output
    assert f"resolver {path[0]}" in README, f"README.md does not mention `resolver {path[0]}`"
