"""The click group, shared options and error mapping. Only resolver/cli/ imports click.

Exit codes (documented in README): 0 ok; 1 finished but some rows were rejected; 2 usage,
configuration or connection error; 3 internal error. Commands raise ResolverError, which the group maps
to a one-line message and exit 2; any other exception is an internal error: one line and exit 3, with
the full trace only under the global ``--debug`` flag.
"""

from __future__ import annotations

import functools
import sys
import traceback
from collections.abc import Callable
from typing import Any, TypeVar

import click

from resolver.errors import ResolverError
from resolver.render import FORMATS
from resolver.settings import Neo4jSettings

F = TypeVar("F", bound=Callable[..., Any])

CONTEXT_SETTINGS = {"help_option_names": ["-h", "--help"], "max_content_width": 100}


class ResolverFailure(click.ClickException):
    """A ResolverError shown as 'Error: ...' with exit code 2 (usage, config, connection; no traceback)."""

    exit_code = 2

    def __init__(self, error: ResolverError) -> None:
        super().__init__(str(error))


class InternalFailure(click.ClickException):
    """An unexpected exception: one line naming it, exit 3 (the trace is shown under --debug)."""

    exit_code = 3

    def __init__(self, error: BaseException) -> None:
        text = str(error).splitlines()[0] if str(error) else ""
        where = f"{type(error).__name__}: {text}" if text else type(error).__name__
        super().__init__(f"internal error ({where}); run again as `resolver --debug ...` for the trace")


class ResolverGroup(click.Group):
    """Maps ResolverError raised by any subcommand to a clean message and exit 2, anything else to 3."""

    def invoke(self, ctx: click.Context) -> Any:
        debug = bool(ctx.params.get("debug"))
        try:
            return super().invoke(ctx)
        except ResolverError as exc:
            if debug:
                traceback.print_exc(file=sys.stderr)
            raise ResolverFailure(exc) from exc
        except (click.exceptions.Exit, click.ClickException, click.Abort, KeyboardInterrupt, SystemExit):
            raise
        except Exception as exc:
            if debug:
                traceback.print_exc(file=sys.stderr)
            raise InternalFailure(exc) from exc


@click.group(cls=ResolverGroup, context_settings=CONTEXT_SETTINGS)
@click.version_option(package_name="resolver")
@click.option("--debug", is_flag=True, help="Show the full trace of an error (for bug reports).")
def cli(debug: bool) -> None:
    """resolver: resolve messy organisation names into canonical organisations and
    load their dated hierarchy into Neo4j.

    \b
    Quick start (no Docker needed; Java 17 and Maven fetch a real Neo4j Community):
      resolver server start
      resolver schema apply
      resolver ingest samples/relationships.jsonl
      resolver tree "NHS"

    Connection settings come from flags, then NEO4J_URI, NEO4J_USERNAME,
    NEO4J_PASSWORD, NEO4J_DATABASE, then defaults (bolt://127.0.0.1:7687).

    Exit codes: 0 ok, 1 finished with rejected rows, 2 usage, configuration,
    file or connection error, 3 internal error (add --debug before the command
    for the trace: resolver --debug ingest FILE).
    """


def neo4j_options(func: F) -> F:
    """Add --uri/--username/--password/--database; the command receives ``settings: Neo4jSettings``."""

    @click.option(
        "--uri", envvar="NEO4J_URI", help="Bolt URI [env NEO4J_URI; default bolt://127.0.0.1:7687]."
    )
    @click.option("--username", envvar="NEO4J_USERNAME", help="User [env NEO4J_USERNAME; default neo4j].")
    @click.option(
        "--password",
        envvar="NEO4J_PASSWORD",
        help="Password [env NEO4J_PASSWORD]; prefer the environment variable.",
        show_envvar=False,
    )
    @click.option("--database", envvar="NEO4J_DATABASE", help="Database [env NEO4J_DATABASE; default neo4j].")
    @functools.wraps(func)
    def wrapper(
        *args: Any,
        uri: str | None,
        username: str | None,
        password: str | None,
        database: str | None,
        **kwargs: Any,
    ) -> Any:
        settings = Neo4jSettings.from_env(uri=uri, username=username, password=password, database=database)
        return func(*args, settings=settings, **kwargs)

    return wrapper  # type: ignore[return-value]


def format_option(default: str = "auto") -> Callable[[F], F]:
    """Add ``--format auto|table|csv|tsv|json|ndjson`` (``fmt`` in the command); auto is a table on a
    terminal and CSV in a pipe or file."""
    return click.option(
        "--format",
        "fmt",
        type=click.Choice(FORMATS),
        default=default,
        show_default=True,
        help="Output: auto (a table on a terminal, CSV in a pipe), table, csv, tsv, json or ndjson.",
    )
