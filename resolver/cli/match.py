"""`resolver match` (a file of names against the graph) and `resolver serve` (the HTTP service)."""

from __future__ import annotations

import hashlib
import os
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import IO

import click
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from resolver.cli.base import cli, neo4j_options
from resolver.graph.connection import connect
from resolver.graph.snapshot import Rollup, SnapshotReader
from resolver.graph.templates import TemplateRegistry
from resolver.match import Matcher
from resolver.match_index import IndexCache
from resolver.match_io import MatchOptions, match_file, open_source
from resolver.settings import MatchSettings, Neo4jSettings

_THRESHOLD_HELP = "Score in (0, 1] from which a name is matched [env RESOLVER_MATCH_THRESHOLD; default 0.88]."


def _date(ctx: click.Context, param: click.Parameter, value: str | None) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(
            f"{value!r} is not a date; write it as YYYY-MM-DD, e.g. 2024-03-31"
        ) from None


@contextmanager
def _stages(enabled: bool) -> Iterator[Callable[[str, int | None], Callable[[int], None]]]:
    """Progress on stderr, one line per stage (off when stderr is not a terminal)."""
    console = Console(stderr=True)
    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
    with Progress(*columns, console=console, transient=True, disable=not enabled) as progress:

        def stage(description: str, total: int | None) -> Callable[[int], None]:
            task = progress.add_task(description, total=total)
            return lambda n: progress.advance(task, n)

        yield stage


def index_cache(settings: Neo4jSettings, directory: str | None) -> IndexCache | None:
    """The index cache file of this database in ``directory`` (None: no cache; "" : the default place,
    $XDG_CACHE_HOME/resolver or ~/.cache/resolver)."""
    if directory is None:
        return None
    if not directory:
        base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
        directory = str(Path(base) / "resolver")
    slot = hashlib.sha256(f"{settings.uri}\n{settings.database}".encode()).hexdigest()[:16]
    return IndexCache(Path(directory) / f"match-index-{slot}.marshal")


def load_matcher(
    reader: SnapshotReader,
    settings: MatchSettings,
    stage: Callable[[str, int | None], Callable[[int], None]] | None = None,
    cache: IndexCache | None = None,
) -> Matcher:
    """One read of the graph (organisations, aliases, identifiers, merges, judgements), then the index
    (from ``cache`` when it holds the index of exactly these names)."""
    advance = stage("reading the graph", None) if stage else None
    started = time.perf_counter()
    organisations = reader.organisations(advance)
    judgements = reader.judgements()
    read = time.perf_counter() - started
    if stage:
        stage(f"indexing {len(organisations):,} organisations", None)
    matcher = Matcher(organisations, judgements, settings, cache=cache)
    matcher.timings = {"read": read, "index": time.perf_counter() - started - read}
    return matcher


_CACHE_HELP = (
    "Directory of the index cache [env RESOLVER_INDEX_CACHE; default ~/.cache/resolver]: the index of "
    "the graph's names is kept there and reused while the names are the same."
)


def cache_options(func: Callable[..., None]) -> Callable[..., None]:
    """--index-cache DIR / --no-index-cache (the command receives ``cache_dir``: None when off)."""
    func = click.option(
        "--no-index-cache", "no_cache", is_flag=True, help="Build the index afresh and keep no file."
    )(func)
    return click.option(
        "--index-cache", "cache_dir", envvar="RESOLVER_INDEX_CACHE", default="", help=_CACHE_HELP
    )(func)


@cli.command("match")
@click.argument("input_path", metavar="INPUT", type=click.Path(dir_okay=False, allow_dash=True))
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, allow_dash=True),
    default="-",
    help="File to write [stdout].",
)
@click.option(
    "--name-column",
    help="Column (JSON key) with the names [first of name, organisation, ... else the first].",
)
@click.option(
    "--id-column", help="Column with identifiers (scheme:value) or organisation ids; they win over names."
)
@click.option("--id-scheme", help="Scheme for bare values of --id-column, e.g. ods.")
@click.option(
    "--top",
    default=2,
    show_default=True,
    type=click.IntRange(1, 50),
    help="Candidates kept; above 2 a match_candidates column lists them.",
)
@click.option("--threshold", type=float, envvar="RESOLVER_MATCH_THRESHOLD", help=_THRESHOLD_HELP)
@click.option(
    "--rollup",
    type=click.Choice(["parent", "ultimate"]),
    help="Add the parent(s) or the ultimate parent(s) on the day.",
)
@click.option("--as-of", callback=_date, help="Day of the rollup [today].")
@click.option(
    "--as-of-column", help="Column with each row's day (YYYY-MM-DD) for the rollup; empty cells take --as-of."
)
@click.option(
    "--mode",
    type=click.Choice(["possible", "certain"]),
    default="possible",
    show_default=True,
    help="Which partially dated spells count on the day.",
)
@click.option(
    "--output-format",
    type=click.Choice(["auto", "csv", "jsonl"]),
    default="auto",
    show_default=True,
    help="auto: from the -o suffix, else like the input.",
)
@click.option(
    "--workers",
    type=click.IntRange(1, 64),
    help="Processes matching in parallel [the CPUs available; 1 for a list under 5,000 rows].",
)
@cache_options
@neo4j_options
def match_command(
    input_path: str,
    output: str,
    name_column: str | None,
    id_column: str | None,
    id_scheme: str | None,
    top: int,
    threshold: float | None,
    rollup: str | None,
    as_of: date | None,
    as_of_column: str | None,
    mode: str,
    output_format: str,
    workers: int | None,
    cache_dir: str,
    no_cache: bool,
    settings: Neo4jSettings,
) -> None:
    """Match every row of INPUT (CSV or JSON lines) against the organisations in the graph.

    One read of the graph, then matching in memory with the engine `ingest` uses: no query per row, and
    the graph is never changed. Every input column is kept, in input order, and these are added:
    match_id, match_name, match_score (0-1), match_decision (matched / ambiguous / none),
    match_method, runner_up_id, runner_up_name, runner_up_score. Identifiers in --id-column win over
    names; merged organisations lead to the one they were merged into; judgements are honoured.
    With --rollup, the parent or ultimate parent as of --as-of (or each row's --as-of-column day) is
    added, from one batched query; several on one day are joined with "|". Unreadable rows are listed
    on stderr with their line and left out, a row whose day is not a date is written without a
    rollup and listed; the exit code is then 1.

    \b
    Example:
      resolver match suppliers.csv -o matched.csv --name-column supplier
      resolver match payments.csv --rollup ultimate --as-of-column paid_on -o by-department.csv
      resolver match names.jsonl --id-column ods_code --id-scheme ods --top 5 -o matched.jsonl
    """
    match_settings = MatchSettings() if threshold is None else MatchSettings(threshold=threshold)
    options = MatchOptions(
        name_column=name_column,
        id_column=id_column,
        id_scheme=id_scheme,
        top=top,
        rollup=rollup,
        as_of=as_of,
        as_of_column=as_of_column,
    )
    source = open_source(input_path)
    if output_format == "auto":
        suffix = output.removesuffix(".gz").lower()
        as_json = suffix.endswith((".jsonl", ".ndjson", ".json")) if output != "-" else source.json
    else:
        as_json = output_format == "jsonl"
    with connect(settings) as driver, _stages(sys.stderr.isatty()) as stage:
        reader = SnapshotReader(driver, TemplateRegistry(), database=settings.database)
        cache = index_cache(settings, None if no_cache else cache_dir)
        matcher = load_matcher(reader, match_settings, stage, cache)
        loaded = time.perf_counter()

        def rolled(pairs: Sequence[tuple[str, date]]) -> dict[tuple[str, date], Rollup]:
            return reader.rollups(pairs, mode)

        sink: IO[str] = sys.stdout if output == "-" else open(output, "w", encoding="utf-8", newline="")  # noqa: SIM115
        try:
            summary = match_file(
                source,
                sink,
                matcher,
                options,
                as_json=as_json,
                rollup=rolled if rollup else None,
                progress=stage("matching", None),
                workers=workers,
            )
        except BrokenPipeError:
            sys.stderr.close()
            return
        finally:
            if sink is not sys.stdout:
                sink.close()
    for problem in summary.problems:
        click.echo(problem, err=True)
    d = summary.decisions
    click.echo(
        f"{summary.rows:,} rows against {len(matcher):,} organisations: {d['matched']:,} matched, "
        f"{d['ambiguous']:,} ambiguous, {d['none']:,} none; {summary.rejected} rejected "
        f"(graph read {matcher.timings['read']:.1f} s, index {matcher.timings['index']:.1f} s"
        f"{' from the cache' if matcher.index_cached else ''}, "
        f"matching {time.perf_counter() - loaded:.1f} s)",
        err=True,
    )
    if summary.rejected:
        click.get_current_context().exit(1)


@cli.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True, help="Interface to listen on (0.0.0.0: all).")
@click.option("--port", default=8000, show_default=True, type=click.IntRange(1, 65535), help="TCP port.")
@click.option("--threshold", type=float, envvar="RESOLVER_MATCH_THRESHOLD", help=_THRESHOLD_HELP)
@click.option(
    "--max-batch", default=100, show_default=True, type=click.IntRange(1, 10_000), help="Queries per batch."
)
@click.option(
    "--max-body", default=1_000_000, show_default=True, type=click.IntRange(1_000), help="Request body bytes."
)
@click.option(
    "--name", "service_name", default="resolver organisations", show_default=True, help="Service name."
)
@cache_options
@neo4j_options
def serve_command(
    host: str,
    port: int,
    threshold: float | None,
    max_batch: int,
    max_body: int,
    service_name: str,
    cache_dir: str,
    no_cache: bool,
    settings: Neo4jSettings,
) -> None:
    """Serve the graph over HTTP, read-only: a reconciliation service for OpenRefine, and JSON endpoints.

    The organisations are read once at start and matched in memory (restart to see new data); every
    other read runs in a read transaction. Endpoints: /reconcile (Reconciliation Service API 0.2:
    manifest, batched queries, preview, suggest), /lookup?q=, /tree/{id}?asOf=&mode=, POST /match,
    /health. Listens on 127.0.0.1 unless --host says otherwise; bodies over --max-body bytes and
    batches over --max-batch queries are refused; errors are JSON.

    \b
    Example:
      resolver serve --port 8000
      curl 'http://127.0.0.1:8000/lookup?q=Home%20Office'
      (OpenRefine: Reconcile > Add standard service > http://127.0.0.1:8000/reconcile)
    """
    import uvicorn

    from resolver.graph.reader import GraphReader
    from resolver.service import Backend, create_app

    match_settings = MatchSettings() if threshold is None else MatchSettings(threshold=threshold)
    with connect(settings) as driver:
        registry = TemplateRegistry()
        snapshot = SnapshotReader(driver, registry, database=settings.database)
        with _stages(sys.stderr.isatty()) as stage:
            cache = index_cache(settings, None if no_cache else cache_dir)
            matcher = load_matcher(snapshot, match_settings, stage, cache)
        backend = Backend(
            matcher=matcher,
            reader=GraphReader(driver, registry, database=settings.database),
            snapshot=snapshot,
            name=service_name,
            max_body=max_body,
            max_batch=max_batch,
        )
        click.echo(
            f"{len(matcher):,} organisations; serving http://{host}:{port}/reconcile (Ctrl-C stops)", err=True
        )
        uvicorn.run(create_app(backend), host=host, port=port, log_level="warning")
