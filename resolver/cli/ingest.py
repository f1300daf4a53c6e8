"""`resolver ingest`: relationship and entity files into the graph (see ``resolver.ingest``)."""

from __future__ import annotations

import csv
import json
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO

import click
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TaskID, TextColumn, TimeElapsedColumn

from resolver.graph.connection import connect
from resolver.graph.schema import apply_schema
from resolver.graph.templates import TemplateRegistry
from resolver.graph.writer import DEFAULT_BATCH_SIZE, GraphWriter
from resolver.ingest import IngestOptions, IngestReport, ingest
from resolver.model import Reject
from resolver.render import FORMATS as FORMATS_OUT
from resolver.render import render_document, render_rows
from resolver.settings import MatchSettings, Neo4jSettings
from resolver.sources import FORMATS

from .base import cli, neo4j_options

REJECT_COLUMNS = ("path", "line", "field", "code", "reason", "raw")


class RejectSink:
    """Writes rejects as they come: CSV when the file name ends in .csv, JSON lines otherwise."""

    def __init__(self, stream: IO[str] | None, as_csv: bool) -> None:
        self.count = 0
        self.first: list[Reject] = []  # kept for the summary on stderr
        self._stream = stream
        self._csv = csv.writer(stream) if stream is not None and as_csv else None
        if self._csv is not None:
            self._csv.writerow(REJECT_COLUMNS)

    def __call__(self, r: Reject) -> None:
        self.count += 1
        if len(self.first) < 5:
            self.first.append(r)
        values = (r.path, r.line, r.field, r.code, r.reason, r.raw)
        if self._csv is not None:
            self._csv.writerow(["" if v is None else v for v in values])
        elif self._stream is not None:
            self._stream.write(json.dumps(dict(zip(REJECT_COLUMNS, values, strict=True))) + "\n")


@contextmanager
def _stages(show: bool) -> Iterator[Callable[[str, int | None], Callable[[int], None]]]:
    """A rich progress bar per stage on stderr (off when stderr is not a terminal)."""
    if not show:
        yield lambda description, total: lambda n: None
        return
    columns = (
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
    )
    with Progress(*columns, console=Console(stderr=True), transient=False) as progress:
        current: list[TaskID] = []

        def stage(description: str, total: int | None) -> Callable[[int], None]:
            if current:
                task = current[-1]
                progress.update(task, total=progress.tasks[task].completed)
            task_id = progress.add_task(description, total=total)
            current.append(task_id)
            return lambda n: progress.advance(task_id, n)

        yield stage
        if current:
            progress.update(current[-1], total=progress.tasks[current[-1]].completed)


@cli.command("ingest")
@click.argument("files", nargs=-1, required=True, type=click.Path(allow_dash=True, dir_okay=False))
@click.option(
    "--format",
    "input_format",
    type=click.Choice(FORMATS),
    default="auto",
    show_default=True,
    help="Reader: littlesis (relationship records, JSON lines or CSV), littlesis-export (bulk "
    "entities.json / relationships.json), edges (parent,child,start,end CSV), entities (names), govuk "
    "(GOV.UK API dump and snapshot files), ror (ROR records and relationships), ods-succ (ODS successions).",
)
@click.option("--source", help="Source name stored on every edge [default: the file's stem].")
@click.option(
    "--id-scheme",
    help="Scheme for bare parent_id/child_id values, e.g. 'ods' makes A81001 into ods:A81001.",
)
@click.option(
    "--rejects",
    "rejects_path",
    type=click.Path(dir_okay=False, writable=True, path_type=Path),
    help="Write every rejected row (file, line, field, reason) here: CSV if the name ends in .csv, "
    "else JSON lines.",
)
@click.option(
    "--batch-size",
    type=click.IntRange(min=1),
    default=DEFAULT_BATCH_SIZE,
    show_default=True,
    help="Rows per write transaction.",
)
@click.option("--threshold", type=click.FloatRange(0, 1), help="Match threshold (default 0.88).")
@click.option("--dry-run", is_flag=True, help="Read and resolve against the graph, report, write nothing.")
@click.option("--no-schema", is_flag=True, help="Skip `schema apply` before writing.")
@click.option("--progress/--no-progress", default=None, help="Progress bars [default: when on a terminal].")
@click.option(
    "--report",
    "fmt",
    type=click.Choice(FORMATS_OUT),
    default="table",
    show_default=True,
    help="Summary format (--format names the input): table, json, ndjson or csv.",
)
@neo4j_options
def ingest_command(
    files: tuple[str, ...],
    input_format: str,
    source: str | None,
    id_scheme: str | None,
    rejects_path: Path | None,
    batch_size: int,
    threshold: float | None,
    dry_run: bool,
    no_schema: bool,
    progress: bool | None,
    fmt: str,
    settings: Neo4jSettings,
) -> None:
    """Ingest relationship or entity files into Neo4j: resolve names, write dated PARENT_OF edges.

    Names are resolved into canonical organisations against what the graph already
    holds (known names keep their organisation); every dated claim becomes one
    PARENT_OF edge keyed by its claim id. Re-running the same files changes nothing;
    a run that failed half way is finished by running it again. Two ingests into one
    database run one after the other.

    Exit codes: 0 all rows written, 1 finished but some rows were rejected (see
    --rejects), 2 usage, file or connection error (nothing half-written is lost:
    re-run).

    \b
    Example:
      resolver ingest samples/relationships.jsonl
      resolver ingest edges.csv --format edges --id-scheme ods --source nhs-ods --rejects bad.csv
      resolver ingest data/*.jsonl --dry-run --report json
      resolver ingest govuk/org_titles_observed.csv govuk/superseded_by_edges_observed.csv
    """
    match = MatchSettings() if threshold is None else MatchSettings(threshold=threshold)
    options = IngestOptions(
        fmt=input_format, source=source, id_scheme=id_scheme, dry_run=dry_run, match=match
    )
    show = sys.stderr.isatty() if progress is None else progress
    registry = TemplateRegistry()
    rejects_file = rejects_path.open("w", encoding="utf-8", newline="") if rejects_path else None
    try:
        sink = RejectSink(rejects_file, as_csv=bool(rejects_path and rejects_path.suffix.lower() == ".csv"))
        with connect(settings) as driver:
            if not dry_run and not no_schema:
                apply_schema(driver, registry, database=settings.database)
            writer = GraphWriter(driver, registry, database=settings.database, batch_size=batch_size)
            with _stages(show) as stage:
                report = ingest(list(files), writer, options, on_reject=sink, stage=stage)
    finally:
        if rejects_file is not None:
            rejects_file.close()
    _print_report(report, sink, rejects_path, fmt)
    if report.rejected:
        sys.exit(1)


def _print_report(report: IngestReport, sink: RejectSink, rejects_path: Path | None, fmt: str) -> None:
    doc = report.as_dict()
    if fmt == "json":
        render_document(doc)
    else:
        rows = [
            {"item": k, "value": json.dumps(v) if isinstance(v, dict | list) else v} for k, v in doc.items()
        ]
        render_rows(rows, fmt, columns=["item", "value"], title="ingest")
    if sink.count:
        err = sys.stderr
        where = (
            f"; all of them in {rejects_path}" if rejects_path else "; use --rejects FILE to keep them all"
        )
        err.write(f"{sink.count} rows rejected{where}. First ones:\n")
        for r in sink.first:
            loc = f"{r.path}:{r.line}" if r.line is not None else r.path
            field = f" [{r.field}]" if r.field else ""
            err.write(f"  {loc}{field}: {r.reason}\n")
