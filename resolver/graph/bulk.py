"""The bulk path: a first load written as the header CSVs ``neo4j-admin database import full`` reads.

``BulkWriter`` stands in for ``GraphWriter`` under ``resolver.ingest.ingest``, so names are resolved exactly
as an ingest resolves them (against an empty graph); instead of Bolt transactions it writes one CSV per
label and relationship type, with typed headers, holding the very nodes, relationships and properties the
Bolt path writes (``resolver.graph.writer``'s row builders make both). ``import_command`` is the admin
tool's command line; ``run_import`` runs it into a local runner's home while its server is stopped. The
import makes a new store: constraints and indexes are applied after it (``schema apply``), and the
IngestLock node is created then, as the first ingest would.
"""

from __future__ import annotations

import os
import shlex
import subprocess
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import IO, Any
from urllib.parse import urlsplit

from resolver.errors import ConfigError, GraphConnectionError, GraphWriteError, ServerError
from resolver.graph.connection import connect
from resolver.graph.schema import apply_schema
from resolver.graph.templates import TemplateRegistry
from resolver.graph.writer import (
    GraphOrganisation,
    GraphWriter,
    OrganisationWrite,
    Progress,
    WriteCounts,
    name_row,
    now,
    organisation_row,
    parent_row,
    succession_row,
)
from resolver.ingest import IngestOptions, IngestReport, StageFactory, ingest
from resolver.judgements import Judgement
from resolver.model import NameLink, ParentLink, Reject, SuccessionLink
from resolver.reconcile import Redirect
from resolver.server import LocalServer
from resolver.settings import Neo4jSettings, ServerSettings

# Arrays (sourceUrls, files, sha256) are joined with a character no URL or path holds in practice;
# a value that does hold it is refused (BulkWriter raises), never split silently.
ARRAY_DELIMITER = "\x1f"

# One file per label / relationship type: (file name, header). The ID columns are the unique keys,
# stored as the same properties the Bolt path writes (``id``, ``name``, ``key``).
ORGANISATIONS = (
    "organisations.csv",
    ["id:ID(Organisation)", "name", "normName", "createdAt:datetime", "updatedAt:datetime"],
)
ALIASES = ("aliases.csv", ["name:ID(Alias)", "normName"])
IDENTIFIERS = ("identifiers.csv", ["key:ID(Identifier)", "scheme", "value"])
RUNS = (
    "ingest_runs.csv",
    [
        "id:ID(IngestRun)",
        "source",
        "format",
        "files:string[]",
        "sha256:string[]",
        "startedAt:datetime",
        "finishedAt:datetime",
        "status",
        "rowsRead:long",
        "rowsWritten:long",
        "rowsRejected:long",
    ],
)
ALIAS_OF = ("alias_of.csv", [":START_ID(Alias)", ":END_ID(Organisation)", "score:double", "method", "runId"])
IDENTIFIES = ("identifies.csv", [":START_ID(Identifier)", ":END_ID(Organisation)"])
PARENT_OF_PROPS = (
    ("claimId", "string"),
    ("validFrom", "date"),
    ("validFromLatest", "date"),
    ("validFromPrecision", "string"),
    ("validFromText", "string"),
    ("validTo", "date"),
    ("validToLatest", "date"),
    ("validToPrecision", "string"),
    ("validToText", "string"),
    ("isCurrent", "boolean"),
    ("source", "string"),
    ("sourceId", "string"),
    ("sourceUrls", "string[]"),
    ("notes", "string"),
    ("description", "string"),
    ("runId", "string"),
)
PARENT_OF = (
    "parent_of.csv",
    [":START_ID(Organisation)", ":END_ID(Organisation)", *(f"{k}:{t}" for k, t in PARENT_OF_PROPS)],
)
# The dated spells of write.succeeded_by and write.name_of: the PARENT_OF properties they carry too.
SUCCEEDED_BY_PROPS = tuple(
    (k, t) for k, t in PARENT_OF_PROPS if k not in ("isCurrent", "sourceUrls", "description")
)
NAME_OF_PROPS = tuple((k, t) for k, t in PARENT_OF_PROPS if k not in ("sourceUrls", "description"))
SUCCEEDED_BY = (
    "succeeded_by.csv",
    [":START_ID(Organisation)", ":END_ID(Organisation)", *(f"{k}:{t}" for k, t in SUCCEEDED_BY_PROPS)],
)
NAME_OF = (
    "name_of.csv",
    [":START_ID(Alias)", ":END_ID(Organisation)", *(f"{k}:{t}" for k, t in NAME_OF_PROPS)],
)
NODE_FILES = {"Organisation": ORGANISATIONS, "Alias": ALIASES, "Identifier": IDENTIFIERS, "IngestRun": RUNS}
RELATIONSHIP_FILES = {
    "ALIAS_OF": ALIAS_OF,
    "IDENTIFIES": IDENTIFIES,
    "PARENT_OF": PARENT_OF,
    "SUCCEEDED_BY": SUCCEEDED_BY,
    "NAME_OF": NAME_OF,
}


def cell(value: Any, where: str) -> str:
    """One CSV field as the import tool reads it: None is an empty unquoted field (no property); text,
    booleans, temporals and arrays are quoted (so '' stays an empty string), quotes doubled."""
    if value is None:
        return ""
    if type(value) is str:  # most cells: straight to the quoting at the end
        return '"' + value.replace('"', '""') + '"'
    if isinstance(value, bool):
        return '"true"' if value else '"false"'
    if isinstance(value, int | float):
        return repr(value)  # the shortest text that reads back as the same double
    if isinstance(value, datetime | date):
        return '"' + value.isoformat() + '"'
    if isinstance(value, list | tuple):
        items = [str(v) for v in value]
        if any(ARRAY_DELIMITER in v for v in items):
            raise GraphWriteError(
                f"{where}: a value holds the character U+001F, which the bulk files put between array "
                "items; load this file with `resolver ingest` instead"
            )
        value = ARRAY_DELIMITER.join(items)
    return '"' + str(value).replace('"', '""') + '"'


class _Table:
    """One header CSV, opened on first use."""

    def __init__(self, directory: Path, spec: tuple[str, list[str]]) -> None:
        self.path = directory / spec[0]
        self.header = spec[1]
        self.rows = 0
        self._file: IO[str] | None = None

    def write(self, values: Sequence[Any], where: str) -> None:
        if self._file is None:
            self._file = self.path.open("w", encoding="utf-8", newline="")
            self._file.write(",".join(self.header) + "\n")
        self._file.write(",".join([cell(v, where) for v in values]) + "\n")
        self.rows += 1

    def close(self) -> None:
        if self._file is not None:
            self._file.close()
            self._file = None


@dataclass(slots=True)
class BulkFiles:
    """What ``BulkWriter`` wrote: the files per label / type, and their row counts."""

    directory: Path
    nodes: dict[str, Path] = field(default_factory=dict)
    relationships: dict[str, Path] = field(default_factory=dict)
    rows: dict[str, int] = field(default_factory=dict)


class BulkWriter(GraphWriter):
    """A ``GraphWriter`` into header CSVs, for a first load: the graph it resolves against is empty.

    Example:
        >>> writer = BulkWriter(Path("load"))                                    # doctest: +SKIP
        >>> report = ingest(["edges.csv"], writer, IngestOptions(id_scheme="ods"))  # doctest: +SKIP
        >>> files = writer.close()                                              # doctest: +SKIP
    """

    def __init__(self, directory: Path) -> None:  # no driver: nothing is read from or sent to a server
        directory.mkdir(parents=True, exist_ok=True)
        self.directory = directory
        self.tables = {
            name: _Table(directory, spec) for name, spec in {**NODE_FILES, **RELATIONSHIP_FILES}.items()
        }
        self._aliases: set[str] = set()
        self._run: dict[str, Any] = {}

    def organisations(self) -> Iterator[GraphOrganisation]:
        return iter(())

    def parent_pairs(self) -> Iterator[tuple[str, str]]:
        return iter(())

    def redirects(self) -> Iterator[Redirect]:
        return iter(())  # an empty database has no merges

    def judgements(self) -> Iterator[Judgement]:
        return iter(())  # ... and no judgements

    def is_empty(self) -> bool:
        return True

    def write_succession_links(
        self, links: Iterable[SuccessionLink], run_id: str, progress: Progress | None = None
    ) -> WriteCounts:
        table = self.tables["SUCCEEDED_BY"]
        rows = (
            (succession_row(link), link.predecessor_id, link.successor_id, link.claim_id) for link in links
        )
        return self._spells(table, rows, SUCCEEDED_BY_PROPS, run_id, progress)

    def write_name_links(
        self, links: Iterable[NameLink], run_id: str, progress: Progress | None = None
    ) -> WriteCounts:
        table = self.tables["NAME_OF"]

        def rows() -> Iterator[tuple[dict[str, Any], str, str, str]]:
            for link in links:
                if link.name not in self._aliases:  # created when missing, as write.name_of's MERGE does
                    self._aliases.add(link.name)
                    self.tables["Alias"].write([link.name, link.norm_name], f"claim {link.claim_id}")
                yield name_row(link), link.name, link.org_id, link.claim_id

        return self._spells(table, rows(), NAME_OF_PROPS, run_id, progress)

    @staticmethod
    def _spells(
        table: _Table,
        rows: Iterable[tuple[dict[str, Any], str, str, str]],
        columns: Sequence[tuple[str, str]],
        run_id: str,
        progress: Progress | None,
    ) -> WriteCounts:
        """Dated relationships (row builders' ``props`` plus claimId and runId) between two ids."""
        counts = WriteCounts()
        for row, start, end, claim_id in rows:
            props = {**row["props"], "claimId": claim_id, "runId": run_id}
            table.write([start, end, *(props[k] for k, _ in columns)], f"claim {claim_id}")
            counts.rows += 1
            counts.relationships_created += 1
            if progress is not None and counts.rows % 5000 == 0:
                progress(5000)
        if progress is not None and counts.rows % 5000:
            progress(counts.rows % 5000)
        return counts

    def lock(self, run_id: str) -> AbstractContextManager[None]:  # type: ignore[override]
        return nullcontext()

    def write_organisations(
        self,
        items: Iterable[OrganisationWrite],
        run_id: str,
        progress: Progress | None = None,
        *,
        fresh: bool = False,
    ) -> WriteCounts:
        counts = WriteCounts()
        stamp = now()
        t = self.tables
        for n, item in enumerate(items, 1):
            row = organisation_row(item)
            where = f"organisation {row['id']}"
            t["Organisation"].write([row["id"], row["name"], row["normName"], stamp, stamp], where)
            for i in row["identifiers"]:
                t["Identifier"].write([i["key"], i["scheme"], i["value"]], where)
                t["IDENTIFIES"].write([i["key"], row["id"]], where)
            for a in row["aliases"]:
                if a["name"] not in self._aliases:  # one node per name; first evidence wins, as MERGE does
                    self._aliases.add(a["name"])
                    t["Alias"].write([a["name"], a["normName"]], where)
                t["ALIAS_OF"].write([a["name"], row["id"], a["score"], a["method"], run_id], where)
            counts.rows += 1
            if progress is not None and n % 5000 == 0:
                progress(5000)
        if progress is not None and counts.rows % 5000:
            progress(counts.rows % 5000)
        return counts

    def write_parent_links(
        self,
        links: Iterable[ParentLink],
        run_id: str,
        progress: Progress | None = None,
        *,
        fresh: bool = False,
        in_order: bool = False,  # any order will do: the import tool reads the file whole
    ) -> WriteCounts:
        rows = ((parent_row(link), link.parent_id, link.child_id, link.claim_id) for link in links)
        return self._spells(self.tables["PARENT_OF"], rows, PARENT_OF_PROPS, run_id, progress)

    def start_run(
        self, run_id: str, *, source: str, fmt: str, files: Sequence[str], sha256: Sequence[str]
    ) -> None:
        self._run = {
            "id": run_id,
            "source": source,
            "format": fmt,
            "files": list(files),
            "sha256": list(sha256),
            "startedAt": now(),
        }

    def finish_run(
        self, run_id: str, *, status: str, rows_read: int, rows_written: int, rows_rejected: int
    ) -> None:
        r = self._run
        values = [
            r["id"],
            r["source"],
            r["format"],
            r["files"],
            r["sha256"],
            r["startedAt"],
            now(),
            status,
            rows_read,
            rows_written,
            rows_rejected,
        ]
        self.tables["IngestRun"].write(values, f"run {run_id}")

    def close(self) -> BulkFiles:
        """Close the files; the result names those with rows (a label with none has no file)."""
        files = BulkFiles(self.directory)
        for name, table in self.tables.items():
            table.close()
            if table.rows:
                (files.nodes if name in NODE_FILES else files.relationships)[name] = table.path
                files.rows[name] = table.rows
        return files


def import_command(files: BulkFiles, *, database: str = "neo4j") -> list[str]:
    """The arguments after ``neo4j-admin`` that import ``files`` as a new ``database`` (replacing it)."""
    args = [
        "database",
        "import",
        "full",
        database,
        "--overwrite-destination=true",
        "--id-type=string",
        "--multiline-fields=true",
        f"--array-delimiter={ARRAY_DELIMITER}",
        "--skip-duplicate-nodes=false",
        "--skip-bad-relationships=false",
    ]
    args += [f"--nodes={label}={path}" for label, path in files.nodes.items()]
    args += [f"--relationships={rtype}={path}" for rtype, path in files.relationships.items()]
    return args


def printable_command(files: BulkFiles, *, database: str = "neo4j") -> str:
    """The command a user runs against a server resolver does not manage (with that server stopped)."""
    args = import_command(files, database=database)
    args = [a.replace(ARRAY_DELIMITER, "\\x1f") if a.startswith("--array-delimiter") else a for a in args]
    return "neo4j-admin " + " ".join(shlex.quote(a) for a in args).replace(
        "'--array-delimiter=\\x1f'", "--array-delimiter=$'\\x1f'"
    )


@dataclass(frozen=True, slots=True)
class ImportResult:
    seconds: float
    output: str


def run_import(
    files: BulkFiles, *, java: str, lib_dir: Path, home: Path, database: str = "neo4j"
) -> ImportResult:
    """Run the admin tool from the runner's jars into ``home`` (its server must be stopped)."""
    env = {**os.environ, "NEO4J_HOME": str(home), "NEO4J_CONF": str(home / "conf")}
    cmd = [java, "-cp", f"{lib_dir}/*", "org.neo4j.cli.AdminTool", *import_command(files, database=database)]
    started = time.perf_counter()
    # cwd: the tool leaves its import.report in the working directory; keep it with the files
    proc = subprocess.run(cmd, env=env, cwd=files.directory, capture_output=True, text=True, check=False)
    seconds = time.perf_counter() - started
    if proc.returncode != 0:
        tail = (proc.stdout + proc.stderr).strip()[-1500:]
        raise ServerError(
            f"neo4j-admin database import failed (exit {proc.returncode}); nothing was loaded:\n{tail}"
        )
    return ImportResult(seconds, proc.stdout)


def _timed_stop(server: LocalServer) -> float:
    started = time.perf_counter()
    server.stop()
    return time.perf_counter() - started


@dataclass(slots=True)
class LoadReport:
    """What ``load`` did: the ingest report of the resolution, the files, and the import if it ran."""

    ingest: IngestReport
    files: BulkFiles
    imported: bool = False
    command: str = ""  # for a server resolver does not manage: what to run
    seconds: dict[str, float] = field(default_factory=dict)


def managed_server(settings: Neo4jSettings, server_settings: ServerSettings) -> LocalServer | None:
    """The local runner's server when it is running and is the one ``settings`` points at."""
    server = LocalServer(server_settings)
    if server.pid() is None:
        return None
    target = urlsplit(settings.uri)
    same_host = target.hostname in ("127.0.0.1", "localhost")
    return server if same_host and target.port == server_settings.bolt_port else None


def load(
    paths: Sequence[str],
    options: IngestOptions,
    *,
    directory: Path,
    settings: Neo4jSettings,
    server: LocalServer | None,
    on_reject: Callable[[Reject], None] = lambda r: None,
    stage: StageFactory | None = None,
) -> LoadReport:
    """Resolve ``paths`` as ingest does and write the bulk files into ``directory``; with a managed
    ``server``, also stop it, import (replacing its database), restart it and apply the schema.

    The database must be empty (a first load): a reachable database that holds anything is refused,
    since the import replaces it.
    """
    seconds: dict[str, float] = {}
    stage = stage or (lambda description, total: lambda n: None)
    registry = TemplateRegistry()
    try:
        with connect(settings) as driver:
            if not GraphWriter(driver, registry, database=settings.database).is_empty():
                raise ConfigError(
                    f"database {settings.database!r} at {settings.uri} already holds organisations or "
                    "edges; `resolver load` makes a first load into an empty database (the import "
                    "replaces it): use `resolver ingest` to add to it"
                )
    except GraphConnectionError:
        if server is not None:
            raise
    started = time.perf_counter()
    writer = BulkWriter(directory)
    # The managed server is stopped while names are resolved (resolution reads nothing from it): its
    # shutdown overlaps the client's work. If resolution fails, it is started again, as it was found.
    with ThreadPoolExecutor(1, thread_name_prefix="resolver-stop") as pool:
        stopping = pool.submit(_timed_stop, server) if server is not None else None
        try:
            report = ingest(paths, writer, options, on_reject=on_reject, stage=stage)
        except BaseException:
            if server is not None and stopping is not None:
                stopping.result()
                server.start(settings, timeout=600)
            raise
        finally:
            files = writer.close()
        seconds["resolving and writing files"] = time.perf_counter() - started
        stop_seconds = stopping.result() if stopping is not None else 0.0
    result = LoadReport(report, files, seconds=seconds)
    if server is None:
        result.command = printable_command(files, database=settings.database)
        return result
    seconds["stopping the server (while resolving)"] = stop_seconds
    stage("importing, restarting", None)
    imported = run_import(
        files, java=server.settings.java, lib_dir=server.lib_dir, home=server.home, database=settings.database
    )
    seconds["neo4j-admin import"] = imported.seconds
    t = time.perf_counter()
    server.start(settings, timeout=600)
    seconds["starting the server"] = time.perf_counter() - t
    t = time.perf_counter()
    with connect(settings) as driver:
        apply_schema(driver, registry, database=settings.database)
        driver.execute_query(registry["write.lock_ensure"].query(), database_=settings.database)
    seconds["applying the schema"] = time.perf_counter() - t
    result.imported = True
    return result
