"""Ingest: source files -> claims -> resolution against the graph -> organisations and dated PARENT_OF edges.

The run, step by step (design.md §1, §6):
1. read every file (``resolver.sources``); bad rows become ``Reject``s with file, line and field;
   duplicate claims (same claim id) are kept once;
2. every distinct mention (name + identifiers) becomes one ``EntityRecord``;
3. under the ingest lock (one ingest per database at a time, see ``IngestLock``) read the graph's
   organisations: a mention whose identifier, or (without identifiers) whose exact name, the graph already
   holds keeps that organisation; the rest are resolved with the engine together with the graph's
   organisations (each one record carrying its id, names and identifiers, so ids are stable and two
   existing organisations never merge), with the file's and the graph's PARENT_OF pairs as cannot-links;
4. claims become ``ParentLink``s; a claim whose two sides resolve to one organisation is rejected;
5. writes, only of what the graph lacks: organisations (new, or renamed), aliases with the score and
   method of their evidence, identifiers, then every claim's PARENT_OF (MERGE on claimId), inside an
   ``IngestRun`` whose id derives from the files' checksums and the options: re-running the same files
   changes nothing, and a run killed half way then re-run ends with the graph of one clean run.
"""

from __future__ import annotations

import hashlib
import json
import time
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeVar

from resolver.canonical import AliasEvidence
from resolver.dates import spell_problem
from resolver.graph.writer import GraphOrganisation, GraphWriter, OrganisationWrite
from resolver.model import (
    AliasLink,
    EntityClaim,
    EntityRecord,
    IdentifierLink,
    Mention,
    OrganisationNode,
    ParentClaim,
    ParentLink,
    Reject,
)
from resolver.normalise import normalise_name
from resolver.pipeline import resolve
from resolver.register import resolve_register
from resolver.settings import MatchSettings
from resolver.sources import read_source

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
    seconds: dict[str, float] = field(default_factory=dict)  # wall time per stage, in order

    @property
    def rows_written(self) -> int:
        return self.edges_written + self.entity_claims

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
            "seconds": {k: round(v, 2) for k, v in self.seconds.items()},
        }


def mention_key(m: Mention) -> str:
    """One record per distinct (name, identifiers): the same mention in many rows resolves once."""
    text = m.name + "\x1f" + "\x1e".join(sorted(set(m.identifiers)))
    return "m:" + hashlib.sha1(text.encode("utf-8", "surrogatepass")).hexdigest()[:20]


def graph_key(org_id: str) -> str:
    return "g:" + org_id


def run_id_for(fmt: str, source: str, id_scheme: str | None, digests: Sequence[str]) -> str:
    """Deterministic: the same files with the same options are the same run."""
    text = json.dumps([fmt, source, id_scheme, list(digests)])
    return "run-" + hashlib.sha256(text.encode()).hexdigest()[:20]


@dataclass(slots=True)
class _Claims:
    parents: dict[str, ParentClaim] = field(default_factory=dict)
    path_of: dict[str, str] = field(default_factory=dict)  # claim id -> the file it came from
    entities: list[EntityClaim] = field(default_factory=list)
    digests: list[str] = field(default_factory=list)
    formats: list[str] = field(default_factory=list)
    sources: list[str] = field(default_factory=list)


class _Records:
    """Distinct mentions as resolution records, with aliases merged across rows."""

    def __init__(self) -> None:
        self.names: dict[str, str] = {}
        self.ids: dict[str, tuple[str, ...]] = {}
        self.aliases: dict[str, set[str]] = {}

    def add(self, m: Mention) -> str:
        key = mention_key(m)
        if key not in self.names:
            self.names[key] = m.name
            self.ids[key] = tuple(sorted(set(m.identifiers)))
            self.aliases[key] = set()
        self.aliases[key].update(a for a in m.aliases if a != m.name)
        return key

    def __len__(self) -> int:
        return len(self.names)

    def record(self, key: str, org_id: str | None) -> EntityRecord:
        return EntityRecord(key, self.names[key], tuple(sorted(self.aliases[key])), self.ids[key], org_id)


def read_claims(
    paths: Sequence[str],
    options: IngestOptions,
    report: IngestReport,
    on_reject: Callable[[Reject], None],
    stage: StageFactory,
) -> _Claims:
    claims = _Claims()
    for path in paths:
        reader = read_source(path, fmt=options.fmt, source=options.source, id_scheme=options.id_scheme)
        for item in _counted(reader, stage(f"reading {Path(path).name}", None)):
            if isinstance(item, Reject):
                report.rejected += 1
                on_reject(item)
            elif isinstance(item, ParentClaim):
                if item.claim_id in claims.parents:
                    report.duplicate_claims += 1
                else:
                    claims.parents[item.claim_id] = item
                    claims.path_of[item.claim_id] = path
            else:
                claims.entities.append(item)
        report.files.append(path)
        report.rows_read += reader.stats.rows
        report.skipped.update(reader.stats.skipped)
        claims.digests.append(reader.sha256)
        claims.formats.append(reader.format)
        claims.sources.append(reader.source)
    report.parent_claims = len(claims.parents)
    report.entity_claims = len(claims.entities)
    return claims


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
    try:
        _ingest(paths, writer, options, report, on_reject, timed)
    finally:
        timed.close()
    return report


def _ingest(
    paths: Sequence[str],
    writer: GraphWriter,
    options: IngestOptions,
    report: IngestReport,
    on_reject: Callable[[Reject], None],
    stage: StageFactory,
) -> None:
    claims = read_claims(paths, options, report, on_reject, stage)
    fmt = ",".join(sorted(set(claims.formats)))
    source = ",".join(sorted(set(claims.sources)))
    report.run_id = run_id_for(fmt, source, options.id_scheme, claims.digests)

    records = _Records()
    claim_keys: list[tuple[ParentClaim, str, str, str]] = []
    for claim in claims.parents.values():
        path = claims.path_of[claim.claim_id]
        claim_keys.append((claim, path, records.add(claim.parent), records.add(claim.child)))
    for entity in claims.entities:
        records.add(entity.mention)
    report.mentions = len(records)

    if options.dry_run:
        _resolve_and_write(records, claim_keys, writer, options, report, on_reject, stage, write=False)
        return
    with writer.lock(report.run_id):
        writer.start_run(report.run_id, source=source, fmt=fmt, files=list(paths), sha256=claims.digests)
        _resolve_and_write(records, claim_keys, writer, options, report, on_reject, stage, write=True)
        writer.finish_run(
            report.run_id,
            status=report.status,
            rows_read=report.rows_read,
            rows_written=report.rows_written,
            rows_rejected=report.rejected,
        )


def _organisation_writes(
    changed: list[OrganisationNode],
    graph: dict[str, GraphOrganisation],
    aliases: Iterable[AliasLink],
    identifiers: Iterable[IdentifierLink],
) -> list[OrganisationWrite]:
    """One write per organisation that is new, renamed or gains an alias or identifier (in id order)."""
    nodes = {n.id: n for n in changed}
    new_aliases: dict[str, list[AliasLink]] = {}
    for a in aliases:
        new_aliases.setdefault(a.org_id, []).append(a)
    new_ids: dict[str, list[IdentifierLink]] = {}
    for i in identifiers:
        new_ids.setdefault(i.org_id, []).append(i)
    items = []
    for org_id in sorted(nodes.keys() | new_aliases.keys() | new_ids.keys()):
        node = nodes.get(org_id)
        if node is None:  # an unchanged graph organisation that gains names or identifiers
            old = graph[org_id]
            node = OrganisationNode(old.id, old.name, old.norm_name)
        items.append(
            OrganisationWrite(node, tuple(new_aliases.get(org_id, ())), tuple(new_ids.get(org_id, ())))
        )
    return items


def _resolve_and_write(
    records: _Records,
    claim_keys: list[tuple[ParentClaim, str, str, str]],
    writer: GraphWriter,
    options: IngestOptions,
    report: IngestReport,
    on_reject: Callable[[Reject], None],
    stage: StageFactory,
    *,
    write: bool,
) -> None:
    advance = stage("reading the graph", None)
    graph: dict[str, GraphOrganisation] = {}
    alias_orgs: dict[str, set[str]] = {}
    ident_org: dict[str, str] = {}
    for org in _counted(writer.organisations(), advance):
        graph[org.id] = org
        for name in org.aliases:
            alias_orgs.setdefault(name, set()).add(org.id)
        for key in org.identifiers:
            ident_org[key] = org.id

    pinned: dict[str, str] = {}  # record key -> the graph organisation it already denotes
    for key, name in records.names.items():
        ids = records.ids[key]
        known = {ident_org[i] for i in ids if i in ident_org} if ids else alias_orgs.get(name, set())
        if len(known) == 1:
            pinned[key] = next(iter(known))

    unresolved = [k for k in records.names if k not in pinned]
    report.resolved_by_engine = len(unresolved)
    org_of: dict[str, str]
    new_orgs: list[OrganisationNode] = []
    renamed: list[OrganisationNode] = []
    evidence: list[tuple[str, AliasEvidence]] = []  # (org id, alias) for every form of every organisation
    if unresolved:
        entity_records = [records.record(k, pinned.get(k)) for k in records.names]
        entity_records += [
            EntityRecord(graph_key(o.id), o.name, o.aliases, o.identifiers, o.id) for o in graph.values()
        ]
        cannot = [(p, c) for _, _, p, c in claim_keys]
        if graph:
            cannot += [(graph_key(p), graph_key(c)) for p, c in writer.parent_pairs()]
        advance = stage("resolving names", len(entity_records))
        fast = resolve_register(entity_records, cannot)  # identifiers alone decide: no fuzzy work
        report.resolved_by = "engine" if fast is None else "identifiers (register fast path)"
        resolution = fast or resolve(
            entity_records, cannot_link=cannot, settings=options.match, progress=advance
        )
        org_of = dict(resolution.org_of)
        for resolved in resolution.organisations:
            node = OrganisationNode(resolved.id, resolved.name, resolved.norm_name)
            old = graph.get(resolved.id)
            if old is None:
                new_orgs.append(node)
            elif (old.name, old.norm_name) != (node.name, node.norm_name):
                renamed.append(node)
            evidence.extend((resolved.id, a) for a in resolved.aliases)
    else:
        org_of = dict(pinned)
        for key, org_id in pinned.items():
            method = "identifier" if records.ids[key] else "existing"
            for form in (records.names[key], *records.aliases[key]):
                if org_id not in alias_orgs.get(form, ()):  # normalise only the forms the graph lacks
                    evidence.append((org_id, AliasEvidence(form, normalise_name(form).key, 1.0, method)))

    file_orgs = {org_of[k] for k in records.names}
    report.organisations_created = len(new_orgs)
    report.organisations_reused = len(file_orgs - {o.id for o in new_orgs})
    report.organisations_renamed = len(renamed)

    aliases: dict[tuple[str, str], AliasLink] = {}
    for org_id, ev in evidence:
        pair = (ev.name, org_id)
        if org_id not in alias_orgs.get(ev.name, ()) and pair not in aliases and ev.name.strip():
            aliases[pair] = AliasLink(ev.name, ev.norm_name, org_id, ev.score, ev.method)
    identifiers: dict[str, IdentifierLink] = {}
    for key in records.names:
        for ident in records.ids[key]:
            if ident not in ident_org and ident not in identifiers:
                identifiers[ident] = IdentifierLink(ident, org_of[key])
    report.aliases_added = len(aliases)
    report.identifiers_added = len(identifiers)

    advance = stage("linking claims", len(claim_keys))
    links: list[ParentLink] = []
    for claim, path, pkey, ckey in _counted(claim_keys, advance):
        parent_id, child_id = org_of[pkey], org_of[ckey]
        if parent_id == child_id:
            report.rejected += 1
            on_reject(
                Reject(
                    path,
                    claim.line,
                    f"self-loop: parent {claim.parent.name!r} and child {claim.child.name!r} resolve to "
                    f"one organisation ({parent_id})",
                    field="parent",
                    code="self-loop",
                )
            )
            continue
        if spell_problem(claim.start, claim.end):
            report.spell_warnings += 1
        links.append(
            ParentLink(
                claim.claim_id,
                parent_id,
                child_id,
                claim.start,
                claim.end,
                claim.is_current,
                claim.source,
                claim.source_id,
                claim.source_urls,
                claim.notes,
                claim.description,
            )
        )
    report.edges_written = len(links)
    if not write:
        return
    # Nodes before the edges that need them; every step is idempotent, so a re-run resumes safely.
    # A first load (the graph held nothing when the lock was taken) CREATEs instead of MERGEing.
    fresh = not graph and writer.is_empty()
    items = _organisation_writes(new_orgs + renamed, graph, aliases.values(), identifiers.values())
    advance = stage("writing organisations", len(items))
    writer.write_organisations(items, report.run_id, advance, fresh=fresh)
    advance = stage("writing PARENT_OF edges", len(links))
    counts = writer.write_parent_links(links, report.run_id, advance, fresh=fresh)
    report.edges_created = counts.relationships_created
