"""Command-line interface: a thin layer over the library (see ``resolver --help``).

Each submodule registers its commands on the group in ``base``; importing them here wires the CLI.
"""

from __future__ import annotations

from resolver.cli import admin as _admin  # noqa: F401  (registers commands)
from resolver.cli import curate as _curate  # noqa: F401
from resolver.cli import engine as _engine  # noqa: F401
from resolver.cli import ingest as _ingest  # noqa: F401
from resolver.cli import lineage as _lineage  # noqa: F401
from resolver.cli import load as _load  # noqa: F401
from resolver.cli import lookup as _lookup  # noqa: F401
from resolver.cli import match as _match  # noqa: F401
from resolver.cli.base import cli

__all__ = ["cli", "main"]


def main() -> None:
    """Console-script entry point."""
    cli(prog_name="resolver")
