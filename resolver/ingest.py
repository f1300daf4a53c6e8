"""Ingest: source files -> claims -> resolution against the graph -> organisations and dated PARENT_OF edges.

The run, step by step:
1. read every file (``resolver.sources``); bad rows become ``Reject``s with file, line and field;
   duplicate claims (same claim id) are kept once;
2. every distinct mention (name + identifiers) becomes one ``EntityRecord``;
3. under the ingest lock (one ingest per database at a time, see ``IngestLock``) ``resolver.reconcile``
   decides what each mention denotes against the graph's organisations, merges (redirects), PARENT_OF
   pairs and judgements, and turns claims into ``ParentLink``s (a self-loop claim is rejected);
4. the decisions and rows to write come back as one ``Reconciliation``;
5. writes, only of what the graph lacks: organisations (new, or renamed), aliases with the score and
   method of their evidence, identifiers, then every claim's PARENT_OF (MERGE on claimId), inside an
   ``IngestRun`` whose id derives from the files' checksums and the options: re-running the same files
   changes nothing, and a run killed half way then re-run ends with the graph of one clean run.
"""

from __future__ import annotations

import contextlib
import gc
import hashlib
import json
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeVar

from resolver.gcpause import paused_gc
from resolver.graph.writer import GraphWriter
from resolver.held import HeldClaims, Records, RowSink, from_held_row, held_row
from resolver.model import (
    EntityClaim,
    Mention,
    NameClaim,
    NameLink,
    OrganisationChange,
    ParentClaim,
    ParentLink,
    Reject,
    SuccessionClaim,
    SuccessionLink,
)
from resolver.normalise import normalise_name
from resolver.reconcile import Reconciliation, link_claims, reconcile
from resolver.settings import MatchSettings
from resolver.sources import ReadOptions, read_source
from resolver.spill import SortedSpill, Spill

T = TypeVar("T")

# A stage of work with a known (or unknown: None) total; returns the function that advances it.
StageFactory = Callable[[str, int | None], Callable[[int], None]]


def _no_stage(description: str, total: int | None) -> Callable[[int], None]:
    return lambda n: None


def _counted(items: Iterable[T], advance: Callable[[int], None], step: int = 5_000) -> Iterator[T]:
    """Yield ``items``, advancing the progress every ``step`` items (a bar update per item costs more
    than most items do)."""
    n = 0
    for n, item in enumerate(items, 1):
        if n % step == 0:
            advance(step)
        yield item
    if n % step:
        advance(n % step)


class _Timed:
    """Wraps a StageFactory and records each stage's wall time (a stage ends when the next starts)."""

    def __init__(self, inner: StageFactory, seconds: dict[str, float]) -> None:
        self.inner = inner
        self.seconds = seconds
        self._current: str | None = None
        self._since = time.perf_counter()

    def __call__(self, description: str, total: int | None) -> Callable[[int], None]:
        self.close()
        self._current = description
        return self.inner(description, total)

    def close(self) -> None:
        now = time.perf_counter()
        if self._current is not None:
            self.seconds[self._current] = self.seconds.get(self._current, 0.0) + now - self._since
        self._current = None
        self._since = now


@dataclass(frozen=True, slots=True)
class IngestOptions:
    fmt: str = "auto"
    source: str | None = None
    id_scheme: str | None = None
    dry_run: bool = False
    match: MatchSettings = field(default_factory=MatchSettings)
    read: ReadOptions = field(default_factory=ReadOptions)  # column mapping, header-less, delimiter, dates
    graph_evidence: bool = True  # parents confirm or count against fuzzy matches (resolver.evidence)


@dataclass(slots=True)
class IngestReport:
    """What a run read, resolved and wrote. ``*_created`` count graph objects that did not exist before."""

    run_id: str = ""
    dry_run: bool = False
    files: list[str] = field(default_factory=list)
    rows_read: int = 0
    parent_claims: int = 0
    entity_claims: int = 0
    duplicate_claims: int = 0
    skipped: Counter[str] = field(default_factory=Counter)
    rejected: int = 0
    mentions: int = 0
    resolved_by_engine: int = 0  # mentions the graph did not already know
    resolved_by: str = ""  # "engine", or identifiers alone (resolver.register) when they decide
    organisations_created: int = 0
    organisations_reused: int = 0
    organisations_renamed: int = 0
    aliases_added: int = 0
    identifiers_added: int = 0
    edges_written: int = 0  # PARENT_OF claims sent (MERGE): created or already there
    edges_created: int = 0
    spell_warnings: int = 0  # spells whose end is before their start (kept; hierarchy.bad_spells finds them)
    succession_claims: int = 0
    name_claims: int = 0
    successions_created: int = 0  # SUCCEEDED_BY edges new to the graph
    names_created: int = 0  # NAME_OF spells new to the graph
    seconds: dict[str, float] = field(default_factory=dict)  # wall time per stage, in order
    peak_rss_mb: float = 0.0  # this process's peak resident memory when the run ended (0: not measured)
    warnings: list[str] = field(default_factory=list)  # e.g. columns no field reads, per file
    graph_evidence: list[dict[str, object]] = field(default_factory=list)  # pairs parents decided

    @property
    def rows_written(self) -> int:
        return self.edges_written + self.entity_claims + self.succession_claims + self.name_claims

    @property
    def status(self) -> str:
        if self.dry_run:
            return "dry-run"
        return "finished-with-rejects" if self.rejected else "finished"

    def as_dict(self) -> dict[str, object]:
        return {
            "run_id": self.run_id,
            "status": self.status,
            "files": self.files,
            "rows_read": self.rows_read,
            "parent_claims": self.parent_claims,
            "entity_claims": self.entity_claims,
            "duplicate_claims": self.duplicate_claims,
            "skipped": dict(self.skipped),
            "rejected": self.rejected,
            "mentions": self.mentions,
            "resolved_by_engine": self.resolved_by_engine,
            "resolved_by": self.resolved_by,
            "organisations_created": self.organisations_created,
            "organisations_reused": self.organisations_reused,
            "organisations_renamed": self.organisations_renamed,
            "aliases_added": self.aliases_added,
            "identifiers_added": self.identifiers_added,
            "edges_written": self.edges_written,
            "edges_created": self.edges_created,
            "spell_warnings": self.spell_warnings,
            "succession_claims": self.succession_claims,
            "name_claims": self.name_claims,
            "successions_created": self.successions_created,
            "names_created": self.names_created,
            "seconds": {k: round(v, 2) for k, v in self.seconds.items()},
            "peak_rss_mb": round(self.peak_rss_mb),
            "warnings": self.warnings,
            "graph_joined": sum(1 for d in self.graph_evidence if d["decision"] == "same"),
            "graph_kept_apart": sum(1 for d in self.graph_evidence if d["decision"] == "different"),
            "graph_evidence": self.graph_evidence,
        }


def run_id_for(fmt: str, source: str, id_scheme: str | None, digests: Sequence[str]) -> str:
    """Deterministic: the same files with the same options are the same run."""
    text = json.dumps([fmt, source, id_scheme, list(digests)])
    return "run-" + hashlib.sha256(text.encode()).hexdigest()[:20]


@dataclass(slots=True)
class _Claims:
    parents: HeldClaims
    entities: list[EntityClaim] = field(default_factory=list)
    dated: dict[str, SuccessionClaim | NameClaim] = field(default_factory=dict)  # by claim id
    extra_mentions: list[Mention] = field(default_factory=list)  # from duplicate dated claims
    digests: list[str] = field(default_factory=list)
    formats: list[str] = field(default_factory=list)
    sources: list[str] = field(default_factory=list)


def read_claims(
    paths: Sequence[str],
    records: Records,
    options: IngestOptions,
    report: IngestReport,
    on_reject: Callable[[Reject], None],
    stage: StageFactory,
    held: RowSink | None = None,
) -> _Claims:
    """Every file's claims; the parent claims into ``held`` (a list unless given, see HeldClaims)."""
    claims = _Claims(HeldClaims(records, held))
    for path in paths:
        reader = read_source(
            path, fmt=options.fmt, source=options.source, id_scheme=options.id_scheme, options=options.read
        )
        for item in _counted(reader, stage(f"reading {Path(path).name}", None)):
            if isinstance(item, Reject):
                report.rejected += 1
                on_reject(item)
            elif isinstance(item, ParentClaim):
                if not claims.parents.add(item, path):  # its mentions become records as it is read
                    report.duplicate_claims += 1
            elif isinstance(item, SuccessionClaim | NameClaim):
                if item.claim_id in claims.dated:
                    report.duplicate_claims += 1
                    # the same fact from another file may name what the first left nameless ("ods:5N1")
                    claims.extra_mentions.extend(_mentions(item))
                else:
                    claims.dated[item.claim_id] = item
            else:
                claims.entities.append(item)
        report.files.append(path)
        report.warnings.extend(unread_warning(path, c) for c in reader.unread_columns())
        report.rows_read += reader.stats.rows
        report.skipped.update(reader.stats.skipped)
        claims.digests.append(reader.sha256)
        claims.formats.append(reader.format)
        claims.sources.append(reader.source)
    report.parent_claims = len(claims.parents)
    report.entity_claims = len(claims.entities)
    report.succession_claims = sum(isinstance(c, SuccessionClaim) for c in claims.dated.values())
    report.name_claims = len(claims.dated) - report.succession_claims
    return claims


def unread_warning(path: str, column: str) -> str:
    return (
        f"{path}: column {column!r} is not read (give it a field with --map FIELD={column}, or ignore this)"
    )


def ingest(
    paths: Sequence[str],
    writer: GraphWriter,
    options: IngestOptions | None = None,
    *,
    on_reject: Callable[[Reject], None] = lambda r: None,
    stage: StageFactory = _no_stage,
) -> IngestReport:
    """Ingest ``paths`` into the graph behind ``writer`` (see the module docstring).

    Raises SourceError for an unreadable file or header (nothing is written then), GraphConnectionError /
    GraphWriteError when the database fails; re-running after such a failure is always safe.
    """
    options = options or IngestOptions()
    report = IngestReport(dry_run=options.dry_run)
    timed = _Timed(stage, report.seconds)
    # The cyclic collector would rescan the millions of claim and record objects again and again as
    # they are built; they hold no cycles (reference counting frees them), so it pauses until the end.
    try:
        with paused_gc(), _Spills() as spills:
            _ingest(paths, writer, options, report, on_reject, timed, spills)
    finally:
        timed.close()
        report.peak_rss_mb = _peak_rss_mb()
    return report


def _peak_rss_mb() -> float:
    """This process's peak RSS (not its children's: `resolver load`'s import JVM runs after), or 0.

    On Linux it is the kernel's high-water mark of this process's own memory (``VmHWM``): ``ru_maxrss``
    survives ``exec``, so a process started by a large parent reports the parent's size (a benchmark that
    had read a 1M graph back saw `resolver load` "peak" at 7.6 GB).
    """
    with contextlib.suppress(OSError, ValueError, IndexError), open("/proc/self/status", "rb") as status:
        for line in status:
            if line.startswith(b"VmHWM:"):
                return int(line.split()[1]) / 1024  # kB
    try:
        import resource
    except ImportError:  # not on Windows
        return 0.0
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / (1 << 20) if sys.platform == "darwin" else peak / 1024  # bytes there, KiB on Linux


class _Spills:
    """What a run keeps on disk, not in memory, between the steps that make and use it (resolver.spill):
    the parent claims until they are linked, the organisations' changes until they are written, and the
    links, which come back in the order they are written in, by parent."""

    def __init__(self) -> None:
        self.held = Spill(held_row, from_held_row)
        self.changes = Spill(OrganisationChange.as_row, OrganisationChange.from_row)
        self.links = SortedSpill(ParentLink.as_row, ParentLink.from_row, key=_parent_order)

    def __enter__(self) -> _Spills:
        return self

    def __exit__(self, *exc: object) -> None:
        self.held.close()
        self.changes.close()
        self.links.close()


def _parent_order(link: ParentLink) -> tuple[str, str]:
    return link.parent_id, link.child_id


def _ingest(
    paths: Sequence[str],
    writer: GraphWriter,
    options: IngestOptions,
    report: IngestReport,
    on_reject: Callable[[Reject], None],
    stage: StageFactory,
    spills: _Spills,
) -> None:
    records = Records()  # parent claims' mentions first, in claim order, then the others'
    claims = read_claims(paths, records, options, report, on_reject, stage, spills.held)
    fmt = ",".join(sorted(set(claims.formats)))
    source = ",".join(sorted(set(claims.sources)))
    report.run_id = run_id_for(fmt, source, options.id_scheme, claims.digests)

    claim_keys = claims.parents  # held until they are linked (see _resolve_and_write)
    for entity in claims.entities:
        records.add(entity.mention)
    claims.entities.clear()  # their mentions are records now
    for mention in claims.extra_mentions:
        records.add(mention)
    dated = _DatedKeys(claims.dated.values(), records)
    report.mentions = len(records)

    def resolve_and_write(*, write: bool) -> dict[str, str]:
        args = (records, claim_keys, writer, options, report, on_reject, stage, spills)
        return _resolve_and_write(*args, write=write, cannot=dated.pairs)

    if options.dry_run:
        resolve_and_write(write=False)
        return
    with writer.lock(report.run_id):
        writer.start_run(report.run_id, source=source, fmt=fmt, files=list(paths), sha256=claims.digests)
        try:
            org_of = resolve_and_write(write=True)
            with _collecting():
                dated.write(org_of, writer, report, stage)
        except Exception:
            _mark_failed(writer, report)
            raise
        writer.finish_run(
            report.run_id,
            status=report.status,
            rows_read=report.rows_read,
            rows_written=report.rows_written,
            rows_rejected=report.rejected,
        )


@contextlib.contextmanager
def _collecting() -> Iterator[None]:
    """The collector, running again (inside ``paused_gc``) while batches are written: the driver keeps
    each batch's parameters in a cycle (a transaction and its results), so with the collector paused
    every row written stayed in memory to the end (a Bolt ingest of 1M edges grew past 3 GB while
    writing). What exists so far is frozen: the collector never walks the millions of records again."""
    gc.freeze()
    gc.enable()
    try:
        yield
    finally:
        gc.disable()
        gc.unfreeze()


def _mark_failed(writer: GraphWriter, report: IngestReport) -> None:
    """Best effort: a run that raised is recorded 'failed', not left 'running' (a re-run finishes it)."""
    with contextlib.suppress(Exception):  # the graph may be what failed; the first error is the one to show
        writer.finish_run(
            report.run_id,
            status="failed",
            rows_read=report.rows_read,
            rows_written=0,
            rows_rejected=report.rejected,
        )


def _resolve_and_write(
    records: Records,
    claim_keys: HeldClaims,
    writer: GraphWriter,
    options: IngestOptions,
    report: IngestReport,
    on_reject: Callable[[Reject], None],
    stage: StageFactory,
    spills: _Spills,
    *,
    write: bool,
    cannot: Sequence[tuple[str, str]],
) -> dict[str, str]:
    """Resolve, then (``write``) write organisations and PARENT_OF; returns record key -> organisation id."""
    rec = reconcile(
        records,
        claim_keys,
        writer,
        options.match,
        stage,
        cannot_link=cannot,
        graph_evidence=options.graph_evidence,
        link=False,
        changes=spills.changes,
    )
    rec.links = spills.links
    report.graph_evidence = [d.as_dict() for d in rec.evidence]
    org_of = rec.org_of
    report.resolved_by_engine = rec.resolved_by_engine
    report.resolved_by = rec.resolved_by
    report.organisations_created = rec.organisations_created
    report.organisations_reused = rec.organisations_reused
    report.organisations_renamed = rec.organisations_renamed
    report.aliases_added = rec.aliases_added
    report.identifiers_added = rec.identifiers_added
    if not write:
        _link(claim_keys, records, rec, report, on_reject, stage)
        return org_of
    # Nodes before the edges that need them; every step is idempotent, so a re-run resumes safely.
    # A first load (the graph held nothing when the lock was taken) CREATEs instead of MERGEing.
    fresh = writer.is_empty()
    items, rec.changes = rec.changes, []  # the writer reads them back from the spill
    with _collecting():
        advance = stage("writing organisations", len(items))
        # The claims are linked here, while the server writes the organisations (it needs no client
        # CPU then): linking reads only org_of, and the edges go once every organisation is written.
        with ThreadPoolExecutor(1, thread_name_prefix="resolver-organisations") as pool:
            written = pool.submit(writer.write_organisations, items, report.run_id, advance, fresh=fresh)
            try:
                _link(claim_keys, records, rec, report, on_reject, _no_stage)
            finally:
                written.result()  # its error first: the organisations failed, the edges were never sent
        del items, written  # written: their memory goes to the edges' rows
        links = rec.links
        advance = stage("writing PARENT_OF edges", len(links))
        counts = writer.write_parent_links(links, report.run_id, advance, fresh=fresh, in_order=True)
    report.edges_created = counts.relationships_created
    return org_of


def _link(
    claim_keys: HeldClaims,
    records: Records,
    rec: Reconciliation,
    report: IngestReport,
    on_reject: Callable[[Reject], None],
    stage: StageFactory,
) -> None:
    """Claims -> ParentLinks (``reconcile.link_claims``), then the claims and mentions are freed."""
    link_claims(claim_keys, rec, stage)
    report.spell_warnings = rec.spell_warnings
    for reject in rec.rejects:
        report.rejected += 1
        on_reject(reject)
    claim_keys.clear()  # every claim is a link or a reject now; the links are all the writes need
    records.clear()  # and org_of is all that is left to read of the mentions
    report.edges_written = len(rec.links)


def _mentions(claim: SuccessionClaim | NameClaim) -> tuple[Mention, ...]:
    if isinstance(claim, SuccessionClaim):
        return (claim.predecessor, claim.successor)
    return (claim.mention,)


class _DatedKeys:
    """Succession and name claims with the record keys of their mentions; written once resolved."""

    def __init__(self, claims: Iterable[SuccessionClaim | NameClaim], records: Records) -> None:
        self.successions: list[tuple[SuccessionClaim, str, str]] = []
        self.names: list[tuple[NameClaim, str]] = []
        for claim in claims:
            if isinstance(claim, SuccessionClaim):
                pair = (claim, records.add(claim.predecessor), records.add(claim.successor))
                self.successions.append(pair)
            else:
                self.names.append((claim, records.add(claim.mention)))
        # a body and its successor are two organisations: never merged by resolution
        self.pairs = [(p, s) for _, p, s in self.successions]

    def write(
        self, org_of: dict[str, str], writer: GraphWriter, report: IngestReport, stage: StageFactory
    ) -> None:
        successions = [
            SuccessionLink(c.claim_id, org_of[p], org_of[s], c.start, c.end, c.source, c.source_id, c.notes)
            for c, p, s in self.successions
            if org_of[p] != org_of[s]
        ]
        report.skipped["succession within one organisation"] += len(self.successions) - len(successions)
        if not report.skipped["succession within one organisation"]:
            del report.skipped["succession within one organisation"]
        names = [
            NameLink(
                c.claim_id,
                c.mention.name,
                normalise_name(c.mention.name).key,
                org_of[key],
                c.start,
                c.end,
                c.is_current,
                c.source,
                c.source_id,
                c.notes,
            )
            for c, key in self.names
        ]
        if successions:
            counts = writer.write_succession_links(
                successions, report.run_id, stage("writing SUCCEEDED_BY edges", len(successions))
            )
            report.successions_created = counts.relationships_created
        if names:
            counts = writer.write_name_links(
                names, report.run_id, stage("writing NAME_OF spells", len(names))
            )
            report.names_created = counts.relationships_created
