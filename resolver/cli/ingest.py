"""`resolver ingest`: relationship and entity files into the graph (see ``resolver.ingest``)."""

from __future__ import annotations

import csv
import json
import os
import sys
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import replace
from itertools import islice
from pathlib import Path
from typing import IO, Any, TypeVar

import click
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TaskID, TextColumn, TimeElapsedColumn

from resolver.errors import ConfigError, ResolverError
from resolver.graph.connection import connect
from resolver.graph.schema import apply_schema
from resolver.graph.templates import TemplateRegistry
from resolver.graph.writer import DEFAULT_BATCH_SIZE, GraphWriter
from resolver.ingest import IngestOptions, IngestReport, ingest
from resolver.model import EntityClaim, Mention, ParentClaim, Reject
from resolver.render import FORMATS as FORMATS_OUT
from resolver.render import render_document, render_rows
from resolver.settings import MatchSettings, Neo4jSettings
from resolver.sources import (
    FORMATS,
    ReadOptions,
    load_mapping_file,
    parse_columns,
    parse_delimiter,
    parse_map,
    read_source,
)

from .base import cli, neo4j_options

REJECT_COLUMNS = ("path", "line", "field", "code", "reason", "raw")
PREVIEW_CLAIMS = 10  # --dry-run shows this many parsed claims per file


class RejectsError(ResolverError):
    """The rejects file cannot be written (missing folder, full disk, an input file named)."""


class RejectSink:
    """Writes rejects as they come: CSV when the file name ends in .csv, JSON lines otherwise.

    A write that fails (full disk) raises RejectsError naming the file and the cause.
    """

    def __init__(self, stream: IO[str] | None, as_csv: bool, name: str = "") -> None:
        self.count = 0
        self.first: list[Reject] = []  # kept for the summary on stderr
        self._stream = stream
        self._name = name
        self._csv = csv.writer(stream) if stream is not None and as_csv else None
        if self._csv is not None:
            self._guarded(self._csv.writerow, REJECT_COLUMNS)

    def __call__(self, r: Reject) -> None:
        self.count += 1
        if len(self.first) < 5:
            self.first.append(r)
        values = (r.path, r.line, r.field, r.code, r.reason, r.raw)
        if self._csv is not None:
            self._guarded(self._csv.writerow, ["" if v is None else v for v in values])
        elif self._stream is not None:
            line = json.dumps(dict(zip(REJECT_COLUMNS, values, strict=True)))
            self._guarded(self._stream.write, line + "\n")

    def flush(self) -> None:
        if self._stream is not None:
            self._guarded(self._stream.flush)

    def _guarded(self, write: Callable[..., Any], *args: Any) -> None:
        try:
            write(*args)
        except OSError as exc:
            raise RejectsError(
                f"{self._name}: cannot write the rejects file: {exc.strerror or exc}; free some space or "
                "point --rejects elsewhere, then run again (an older rejects file is left as it was)"
            ) from exc


class RejectsFile:
    """``--rejects PATH`` written to a temporary file beside it, renamed over PATH only when the run ends.

    Refused before anything is read: PATH naming one of the inputs, or a folder that does not exist. A run
    that fails leaves an older PATH as it was.
    """

    def __init__(self, path: Path, inputs: tuple[str, ...]) -> None:
        for name in inputs:
            if name != "-" and _same_file(Path(name), path):
                raise RejectsError(f"--rejects {path} is the input file {name}: choose another file name")
        folder = path.parent
        if not folder.is_dir():
            raise RejectsError(
                f"--rejects {path}: the folder {folder} does not exist; create it or choose another"
            )
        self.path = path
        try:
            handle, temp = tempfile.mkstemp(dir=folder, prefix=f".{path.name}.", suffix=".tmp")
        except OSError as exc:
            raise RejectsError(f"--rejects {path}: cannot create a file in {folder}: {exc.strerror}") from exc
        self._temp = Path(temp)
        self.stream: IO[str] = os.fdopen(handle, "w", encoding="utf-8", newline="")

    def commit(self) -> None:
        """Close and rename over the target (a close that fails on a full disk is a RejectsError)."""
        try:
            self.stream.close()
            os.replace(self._temp, self.path)
        except OSError as exc:
            self.discard()
            raise RejectsError(f"{self.path}: cannot write the rejects file: {exc.strerror or exc}") from exc

    def discard(self) -> None:
        with suppress(OSError):
            self.stream.close()
        self._temp.unlink(missing_ok=True)


@contextmanager
def reject_sink(path: Path | None, inputs: tuple[str, ...]) -> Iterator[RejectSink]:
    """The rejects of one run: to ``path`` (RejectsFile: refused when it names an input, renamed into place
    only when the run ends; an old file survives a failed run), or counted only when there is none."""
    rejects = RejectsFile(path, inputs) if path else None
    try:
        as_csv = bool(path and path.suffix.lower() == ".csv")
        sink = RejectSink(rejects.stream if rejects else None, as_csv=as_csv, name=str(path))
        yield sink
        sink.flush()
    except BaseException:
        if rejects is not None:
            rejects.discard()
        raise
    if rejects is not None:
        rejects.commit()


def _same_file(a: Path, b: Path) -> bool:
    try:
        return a.resolve() == b.resolve() or (a.exists() and b.exists() and os.path.samefile(a, b))
    except OSError:
        return False


def read_options(
    mapping_file: Path | None,
    maps: tuple[str, ...],
    no_header: bool,
    columns: str | None,
    delimiter: str | None,
    date_format: str | None,
    encoding: str | None = None,
) -> tuple[ReadOptions, dict[str, Any]]:
    """The ReadOptions of the flags over the mapping file's; also the file's format/source/id_scheme."""
    settings = load_mapping_file(mapping_file) if mapping_file else {}
    mapped = {**settings.get("map", {}), **parse_map(maps)}
    header = parse_columns(columns) if columns else settings.get("columns")
    if no_header and header is None:
        raise ConfigError(
            "--no-header needs --columns naming the columns in order, e.g. --columns child_id,parent_id"
        )
    if columns and not no_header and mapping_file is None:
        raise ConfigError("--columns names the columns of a file without a header row: add --no-header")
    options = ReadOptions(
        columns=mapped,
        header=header,
        delimiter=parse_delimiter(delimiter) or parse_delimiter(settings.get("delimiter")),
        date_format=date_format or settings.get("date_format"),
        encoding=encoding or settings.get("encoding") or "utf-8",
    )
    return options, settings


def ingest_options(
    input_format: str,
    source: str | None,
    id_scheme: str | None,
    maps: tuple[str, ...],
    mapping_file: Path | None,
    no_header: bool,
    columns: str | None,
    delimiter: str | None,
    date_format: str | None,
    encoding: str | None = None,
) -> IngestOptions:
    """What the reading flags (over a --mapping file) ask for; ConfigError when they do not fit."""
    read, from_file = read_options(mapping_file, maps, no_header, columns, delimiter, date_format, encoding)
    options = IngestOptions(
        fmt=from_file.get("format", "auto") if input_format == "auto" else input_format,
        source=source or from_file.get("source"),
        id_scheme=id_scheme or from_file.get("id_scheme"),
        read=read,
    )
    if options.fmt not in FORMATS:
        raise ConfigError(f"{mapping_file}: format {options.fmt!r} is not one of {', '.join(FORMATS)}")
    return options


def _shown_mention(m: Mention) -> str:
    """'Name [scheme:id, ...]', or the identifiers alone when the name is only the first of them."""
    if m.identifiers and m.name == m.identifiers[0]:
        return ", ".join(m.identifiers)
    return f"{m.name} [{', '.join(m.identifiers)}]" if m.identifiers else m.name


def _preview(files: tuple[str, ...], options: IngestOptions, fmt: str) -> None:
    """The first parsed claims of each file, so a mapping can be checked before anything is written."""
    out = sys.stdout if fmt == "table" else sys.stderr
    for path in files:
        if path == "-":
            out.write("(stdin is read once: no preview)\n")
            continue
        reader = read_source(
            path, fmt=options.fmt, source=options.source, id_scheme=options.id_scheme, options=options.read
        )
        rows = []
        for item in islice((i for i in reader if not isinstance(i, Reject)), PREVIEW_CLAIMS):
            if isinstance(item, ParentClaim):
                rows.append(
                    {
                        "line": item.line,
                        "parent": _shown_mention(item.parent),
                        "child": _shown_mention(item.child),
                        "start": item.start.text if item.start else None,
                        "end": item.end.text if item.end else None,
                        "current": item.is_current,
                    }
                )
            elif isinstance(item, EntityClaim):
                m = item.mention
                rows.append({"line": item.line, "name": _shown_mention(m), "aliases": " | ".join(m.aliases)})
        title = f"first claims of {path} ({reader.format})"
        render_rows(rows, "table", columns=list(rows[0]) if rows else ["line"], title=title, out=out)


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


F = TypeVar("F", bound=Callable[..., Any])

_READING = (
    click.option(
        "--format",
        "input_format",
        type=click.Choice(FORMATS),
        default="auto",
        show_default=True,
        help="Reader: littlesis (relationship records, JSON lines or CSV), littlesis-export (bulk "
        "entities.json / relationships.json), edges (parent,child,start,end CSV), entities (names), "
        "govuk (GOV.UK API dump and snapshot files), ror (ROR records and relationships), ods-succ "
        "(ODS successions).",
    ),
    click.option("--source", help="Source name stored on every edge [default: the file's stem]."),
    click.option(
        "--id-scheme",
        help="Scheme for bare parent_id/child_id values, e.g. 'ods' makes A81001 into ods:A81001 "
        "(required when a file holds codes without a scheme).",
    ),
    click.option(
        "--map",
        "maps",
        multiple=True,
        metavar="FIELD=COLUMN,...",
        help="Read FIELD from COLUMN, e.g. --map start=first_seen,end=last_seen (repeatable). Fields: "
        "parent, child, parent_id, child_id, start, end, last_seen, is_current, source, source_id, notes, "
        "url, description (edges); name, aliases, id, identifiers (entities).",
    ),
    click.option(
        "--mapping",
        "mapping_file",
        type=click.Path(exists=True, dir_okay=False, path_type=Path),
        help="A TOML mapping file for repeat jobs: format, source, id_scheme, delimiter, columns, "
        "date_format and a [map] table; flags override it.",
    ),
    click.option(
        "--no-header", is_flag=True, help="The file has no header row: name its columns with --columns."
    ),
    click.option("--columns", help="Column names of a header-less file, in order; '-' skips a column."),
    click.option(
        "--delimiter", help="CSV delimiter: ',' or 'tab' [default: tab for .tsv/.tab or tab-separated lines]."
    ),
    click.option("--encoding", help="Text encoding of a CSV/TSV file, e.g. cp1252 [default: utf-8]."),
    click.option(
        "--date-format", help="strptime shape of the dates, e.g. %Y%m%d [default: ISO partial dates]."
    ),
)


def reading_options(command: F) -> F:
    """The reading flags `ingest` and `load` share: reader, identity, column mapping and layout."""
    for option in reversed(_READING):
        command = option(command)
    return command


@cli.command("ingest")
@click.argument("files", nargs=-1, required=True, type=click.Path(allow_dash=True, dir_okay=False))
@reading_options
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
@click.option(
    "--dry-run",
    is_flag=True,
    help="Show the first parsed claims of each file, then read and resolve against the graph, report, "
    "write nothing.",
)
@click.option("--no-schema", is_flag=True, help="Skip `schema apply` before writing.")
@click.option(
    "--no-graph-evidence",
    is_flag=True,
    help="Resolve on names alone: parents neither confirm nor count against a fuzzy match.",
)
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
    maps: tuple[str, ...],
    mapping_file: Path | None,
    no_header: bool,
    columns: str | None,
    delimiter: str | None,
    date_format: str | None,
    encoding: str | None,
    rejects_path: Path | None,
    batch_size: int,
    threshold: float | None,
    dry_run: bool,
    no_schema: bool,
    no_graph_evidence: bool,
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

    Columns outside the built-in spellings are mapped with --map (or a --mapping
    file); every column left unread is named in a warning. Codes without a scheme
    need --id-scheme: a file's name never enters an identifier or a claim id.

    Exit codes: 0 all rows written, 1 finished but some rows were rejected (see
    --rejects), 2 usage, file or connection error (nothing half-written is lost:
    re-run), 3 internal error.

    \b
    Example:
      resolver ingest samples/relationships.jsonl
      resolver ingest edges.csv --format edges --id-scheme ods --source nhs-ods --rejects bad.csv
      resolver ingest epcmem.csv --no-header --columns child_id,parent_id,-,start,end,- \\
          --date-format %Y%m%d --id-scheme ods --dry-run
      resolver ingest parent_of_edges_observed.csv --id-scheme govuk \\
          --map start=first_seen_snapshot,last_seen=last_seen_snapshot,is_current=present_in_latest_snapshot
      resolver ingest govuk/org_titles_observed.csv govuk/superseded_by_edges_observed.csv
    """
    match = MatchSettings() if threshold is None else MatchSettings(threshold=threshold)
    options = ingest_options(
        input_format,
        source,
        id_scheme,
        maps,
        mapping_file,
        no_header,
        columns,
        delimiter,
        date_format,
        encoding,
    )
    options = replace(options, dry_run=dry_run, match=match, graph_evidence=not no_graph_evidence)
    show = sys.stderr.isatty() if progress is None else progress
    registry = TemplateRegistry()
    with reject_sink(rejects_path, files) as sink:
        if dry_run:
            _preview(files, options, fmt)
        with connect(settings) as driver:
            if not dry_run and not no_schema:
                apply_schema(driver, registry, database=settings.database)
            writer = GraphWriter(driver, registry, database=settings.database, batch_size=batch_size)
            with _stages(show) as stage:
                report = ingest(list(files), writer, options, on_reject=sink, stage=stage)
    _print_report(report, sink, rejects_path, fmt)
    if report.rejected:
        sys.exit(1)


def _print_report(report: IngestReport, sink: RejectSink, rejects_path: Path | None, fmt: str) -> None:
    doc = report.as_dict()
    if fmt == "json":
        render_document(doc)
    else:
        # maps print as "key=value; ..."; each pair the graph evidence decided gets a row of its own
        rows = [{"item": k, "value": v} for k, v in doc.items() if k != "graph_evidence"]
        rows += [
            {
                "item": "graph evidence",
                "value": f"{d['left']} ~ {d['right']}: {d['decision']} ({d['detail']})",
            }
            for d in report.graph_evidence
        ]
        render_rows(rows, fmt, columns=["item", "value"], title="ingest")
    for warning in report.warnings:
        sys.stderr.write(f"warning: {warning}\n")
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
