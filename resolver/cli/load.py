"""`resolver load`: a first load into an empty database through `neo4j-admin database import full`."""

from __future__ import annotations

import json
import shutil
import sys
import tempfile
from dataclasses import replace
from pathlib import Path

import click

from resolver.graph.bulk import load, managed_server
from resolver.render import FORMATS as FORMATS_OUT
from resolver.settings import MatchSettings, Neo4jSettings, ServerSettings

from .base import cli, neo4j_options
from .ingest import _print_report, _stages, ingest_options, reading_options, reject_sink


@cli.command("load")
@click.argument("files", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False))
@reading_options
@click.option("--threshold", type=click.FloatRange(0, 1), help="Match threshold (default 0.88).")
@click.option(
    "--out",
    "out_dir",
    type=click.Path(file_okay=False, path_type=Path),
    help="Directory for the import files [default: a temporary one, removed after a managed import; "
    "kept when the server is not managed].",
)
@click.option(
    "--rejects",
    "rejects_path",
    type=click.Path(dir_okay=False, writable=True, path_type=Path),
    help="Write every rejected row here (CSV if the name ends in .csv, else JSON lines).",
)
@click.option("--progress/--no-progress", default=None, help="Progress bars [default: when on a terminal].")
@click.option(
    "--report",
    "fmt",
    type=click.Choice(FORMATS_OUT),
    default="table",
    show_default=True,
    help="Summary format: table, json, ndjson or csv.",
)
@neo4j_options
def load_command(
    files: tuple[str, ...],
    input_format: str,
    source: str | None,
    id_scheme: str | None,
    maps: tuple[str, ...],
    mapping_file: Path | None,
    no_header: bool,
    columns: str | None,
    delimiter: str | None,
    encoding: str | None,
    date_format: str | None,
    threshold: float | None,
    out_dir: Path | None,
    rejects_path: Path | None,
    progress: bool | None,
    fmt: str,
    settings: Neo4jSettings,
) -> None:
    """First load of files into an EMPTY database, through neo4j-admin's bulk import.

    Names are resolved exactly as `resolver ingest` resolves them; instead of
    writing through Bolt, the organisations, aliases, identifiers, dated PARENT_OF,
    SUCCEEDED_BY and NAME_OF spells and the IngestRun go to header CSVs for
    `neo4j-admin database import full`. With the local runner's server (`resolver
    server start`) it stops the server while it resolves, imports (replacing the
    empty database), restarts it and applies the schema. Against any other server
    it writes the files and prints the command to run there. Later files go in
    with `resolver ingest` as usual.

    Exit codes: 0 loaded (or files written), 1 loaded but some rows were rejected,
    2 usage, connection error, or the database is not empty.

    \b
    Example:
      resolver server start
      resolver load ../shared/data/nhs-ods-2016/edges.csv --format edges --id-scheme ods
      resolver load big.csv --format edges --out import/   # a server resolver does not run
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
    options = replace(options, match=match)
    server = managed_server(settings, ServerSettings.from_env())
    directory = out_dir or Path(tempfile.mkdtemp(prefix="resolver-load-"))
    show = sys.stderr.isatty() if progress is None else progress
    try:
        with reject_sink(rejects_path, files) as sink, _stages(show) as stage:
            result = load(
                list(files),
                options,
                directory=directory,
                settings=settings,
                server=server,
                on_reject=sink,
                stage=stage,
            )
    finally:
        if out_dir is None and server is not None:
            shutil.rmtree(directory, ignore_errors=True)
    report = result.ingest
    report.seconds.update(result.seconds)
    _print_report(report, sink, rejects_path, fmt)
    err = sys.stderr
    rows = json.dumps(result.files.rows)
    if result.imported:
        err.write(f"imported into {settings.uri} ({settings.database}): {rows}\n")
    else:
        err.write(
            f"wrote the import files to {directory} ({rows}). With the target server stopped, run on it:\n"
            f"  {result.command}\nthen start it and run `resolver schema apply`.\n"
        )
    if report.rejected:
        sys.exit(1)
