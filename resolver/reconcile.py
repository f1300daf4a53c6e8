"""Reconciliation: the incoming mentions against what the graph already holds -> decisions and rows to write.

Pure: the graph is read through the small ``GraphView`` protocol (``resolver.graph.writer.GraphWriter``
implements it; unit tests use an in-memory one), nothing is written here. The rules:
1. an organisation merged into another (``MERGED_INTO``) is a redirect: its aliases and identifiers denote
   the organisation at the end of its chain;
2. a mention whose identifier, or (without identifiers) whose exact name, the graph already holds for one
   organisation keeps it (*pinned*);
3. when some mention is not pinned, every mention is resolved together with the graph's organisations (one
   record each, carrying its id, names and identifiers: ids stay stable and two organisations never merge),
   with the file's and the graph's PARENT_OF pairs and the "different" judgements as cannot-links and the
   "same" judgements as must-links;
4. graph evidence (``resolver.evidence``): with the first resolution's parents (this batch's claims and
   the graph's PARENT_OF), siblings that a shared parent confirms become must-links and records joined
   under different, unrelated parents below the raised bar become cannot-links; when there are any, the
   records of the organisations they touch are resolved once more with them, and spliced in
   (``Reconciliation.evidence`` lists the pairs it decided);
5. claims become ``ParentLink``s; a claim whose two sides resolve to one organisation is rejected.
Judgements name organisations (followed through redirects) or exact names (the records carrying them).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from itertools import chain
from operator import attrgetter
from typing import Protocol, TypeVar, cast

from resolver.canonical import AliasEvidence, Organisation
from resolver.dates import spell_problem
from resolver.evidence import Decision, graph_decisions
from resolver.judgements import Judgement, record_links
from resolver.model import (
    AliasLink,
    EntityRecord,
    IdentifierLink,
    OrganisationChange,
    OrganisationNode,
    ParentClaim,
    ParentLink,
    Reject,
)
from resolver.normalise import normalise_name
from resolver.pipeline import Resolution, resolve
from resolver.register import resolve_register
from resolver.settings import MatchSettings
from resolver.spill import Sink

T = TypeVar("T")
StageFactory = Callable[[str, int | None], Callable[[int], None]]


class KnownOrganisation(Protocol):
    """An organisation as the graph holds it (``GraphOrganisation`` fits)."""

    @property
    def id(self) -> str: ...
    @property
    def name(self) -> str: ...
    @property
    def norm_name(self) -> str: ...
    @property
    def aliases(self) -> tuple[str, ...]: ...
    @property
    def identifiers(self) -> tuple[str, ...]: ...


@dataclass(frozen=True, slots=True)
class Redirect:
    """An organisation merged into another: ``target`` is the end of its MERGED_INTO chain."""

    id: str
    target: str
    aliases: tuple[str, ...] = ()
    identifiers: tuple[str, ...] = ()


class GraphView(Protocol):
    """What reconciliation reads of the graph (each call streams; called at most once per run)."""

    def organisations(self) -> Iterable[KnownOrganisation]: ...
    def parent_pairs(self) -> Iterable[tuple[str, str]]: ...
    def redirects(self) -> Iterable[Redirect]: ...
    def judgements(self) -> Iterable[Judgement]: ...


class MentionTable(Protocol):
    """Distinct incoming mentions by record key (``held.Records`` fits)."""

    names: dict[str, str]
    ids: dict[str, tuple[str, ...]]
    aliases: dict[str, set[str]]


# (claim, file it came from, record key of the parent, record key of the child)
ClaimKeys = Sequence[tuple[ParentClaim, str, str, str]]


def key_pairs(claims: ClaimKeys) -> Iterator[tuple[str, str]]:
    """(parent record key, child record key) of every claim. A sequence that holds the keys apart (ingest's
    held claims, which otherwise rebuild each claim and its two mentions) gives them by ``key_pairs()``.

    >>> list(key_pairs([(None, "f.csv", "k0", "k1")]))
    [('k0', 'k1')]
    """
    given = getattr(claims, "key_pairs", None)
    if callable(given):
        return cast(Iterator[tuple[str, str]], given())
    return ((p, c) for _, _, p, c in claims)


ChangeSink = Sink[OrganisationChange]  # a list, or a resolver.spill.Spill on disk until written

LinkSink = Sink[ParentLink]  # a list, or a resolver.spill.SortedSpill giving them in parent order


@dataclass(slots=True)
class Reconciliation:
    """The decisions (``org_of``) and the rows to write (``changes`` then ``links``)."""

    org_of: dict[str, str] = field(default_factory=dict)  # record key -> organisation id
    resolved_by: str = ""  # "engine", or identifiers alone (resolver.register) when they decide
    changes: ChangeSink = field(default_factory=lambda: list[OrganisationChange]())
    links: LinkSink = field(default_factory=lambda: list[ParentLink]())
    rejects: list[Reject] = field(default_factory=list)
    resolved_by_engine: int = 0
    organisations_created: int = 0
    organisations_reused: int = 0
    organisations_renamed: int = 0
    aliases_added: int = 0
    identifiers_added: int = 0
    spell_warnings: int = 0
    judgements_applied: int = 0  # judgements that named a record of this run
    judgement_conflicts: tuple[tuple[str, str], ...] = ()  # "same" judgements refused (record keys)
    evidence: tuple[Decision, ...] = ()  # pairs the graph evidence joined or kept apart (and that held)


def _no_stage(description: str, total: int | None) -> Callable[[int], None]:
    return lambda n: None


def _counted(items: Iterable[T], advance: Callable[[int], None], step: int = 5_000) -> Iterator[T]:
    n = 0
    for n, item in enumerate(items, 1):
        if n % step == 0:
            advance(step)
        yield item
    if n % step:
        advance(n % step)


def graph_key(org_id: str) -> str:
    return "g:" + org_id


@dataclass(slots=True)
class _Graph:
    orgs: dict[str, KnownOrganisation] = field(default_factory=dict)
    alias_orgs: dict[str, set[str]] = field(default_factory=dict)  # name -> organisations (redirected)
    ident_org: dict[str, str] = field(default_factory=dict)  # identifier key -> organisation (redirected)
    target: dict[str, str] = field(default_factory=dict)  # merged id -> the organisation it denotes

    def canonical(self, org_id: str) -> str:
        return self.target.get(org_id, org_id)


def _read_graph(view: GraphView, stage: StageFactory) -> _Graph:
    g = _Graph()
    advance = stage("reading the graph", None)
    for org in _counted(view.organisations(), advance):
        g.orgs[org.id] = org
        for name in org.aliases:
            g.alias_orgs.setdefault(name, set()).add(org.id)
        for key in org.identifiers:
            g.ident_org[key] = org.id
    for r in view.redirects():
        g.target[r.id] = r.target
        for name in r.aliases:
            g.alias_orgs.setdefault(name, set()).add(r.target)
        for key in r.identifiers:
            g.ident_org.setdefault(key, r.target)
    return g


def _judgement_links(
    judgements: Sequence[Judgement], records: MentionTable, graph: _Graph, pinned: Mapping[str, str]
) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    """Judgements as must/cannot-link pairs of the record keys of one resolve call."""
    wanted = {(j.left_kind, j.left) for j in judgements} | {(j.right_kind, j.right) for j in judgements}
    refs: dict[tuple[str, str], list[str]] = {ref: [] for ref in wanted}
    by_org: dict[str, list[str]] = {}
    for key, org_id in pinned.items():
        by_org.setdefault(org_id, []).append(key)
    for kind, value in wanted:
        if kind == "org":
            org_id = graph.canonical(value)
            if org_id in graph.orgs:
                refs[(kind, value)].append(graph_key(org_id))
            refs[(kind, value)].extend(by_org.get(org_id, ()))
        else:
            refs[(kind, value)].extend(graph_key(o) for o in sorted(graph.alias_orgs.get(value, ())))
    names = {("name", v) for k, v in wanted if k == "name"}
    if names:
        for key, name in records.names.items():
            for form in (name, *records.aliases[key]):
                if ("name", form) in names:
                    refs[("name", form)].append(key)
    return record_links(judgements, refs)


def reconcile(
    records: MentionTable,
    claims: ClaimKeys,
    view: GraphView,
    settings: MatchSettings | None = None,
    stage: StageFactory = _no_stage,
    cannot_link: Sequence[tuple[str, str]] = (),
    graph_evidence: bool = True,
    *,
    link: bool = True,
    changes: ChangeSink | None = None,
) -> Reconciliation:
    """Decide which organisation every mention denotes and what the graph lacks (see module docstring).

    ``link=False`` leaves ``links``, ``rejects`` and ``spell_warnings`` of the claims to a later
    ``link_claims(claims, out)`` (ingest links while the organisations are being written).
    ``changes``: where the organisations' changes go (default: a list in ``out.changes``).

    Example:
        >>> from types import SimpleNamespace as NS
        >>> class Empty:
        ...     def organisations(self): return []
        ...     def parent_pairs(self): return []
        ...     def redirects(self): return []
        ...     def judgements(self): return []
        >>> table = NS(names={"a": "NHS", "b": "The N.H.S."}, ids={"a": (), "b": ()},
        ...            aliases={"a": set(), "b": set()})
        >>> rec = reconcile(table, [], Empty())
        >>> rec.org_of["a"] == rec.org_of["b"], rec.organisations_created
        (True, 1)
    """
    out = Reconciliation() if changes is None else Reconciliation(changes=changes)
    graph = _read_graph(view, stage)
    judgements = list(view.judgements())

    pinned: dict[str, str] = {}  # record key -> the graph organisation it already denotes
    for key, name in records.names.items():
        ids = records.ids[key]
        if ids:
            known = {graph.ident_org[i] for i in ids if i in graph.ident_org}
        else:
            known = graph.alias_orgs.get(name, set())
        if len(known) == 1:
            pinned[key] = next(iter(known))

    unresolved = [k for k in records.names if k not in pinned]
    out.resolved_by_engine = len(unresolved)
    if unresolved:
        entity_records = [
            EntityRecord(k, name, tuple(sorted(records.aliases[k])), records.ids[k], pinned.get(k))
            for k, name in records.names.items()
        ]
        entity_records += [
            EntityRecord(graph_key(o.id), o.name, o.aliases, o.identifiers, o.id) for o in graph.orgs.values()
        ]
        graph_pairs = (
            [(graph.canonical(p), graph.canonical(c)) for p, c in view.parent_pairs()] if graph.orgs else []
        )
        graph_cannot = [(graph_key(p), graph_key(c)) for p, c in graph_pairs]
        must: list[tuple[str, str]] = []
        judged_cannot: list[tuple[str, str]] = []
        if judgements:
            must, judged_cannot = _judgement_links(judgements, records, graph, pinned)
            out.judgements_applied = len(must) + len(judged_cannot)

        def cannot_pairs() -> Iterator[tuple[str, str]]:  # e.g. a body and its successor (cannot_link)
            return chain(key_pairs(claims), cannot_link, graph_cannot, judged_cannot)

        advance = stage("resolving names", len(entity_records))
        # A register file (every mention has an identifier of one scheme) needs no fuzzy work, unless a
        # person's "same" judgement must join what identifiers keep apart. It reads the cannot-links once,
        # so they are not held as a list (a tuple per claim) beside its groups.
        fast = None if must else resolve_register(entity_records, cannot_pairs())
        cannot = [] if fast is not None else list(cannot_pairs())
        out.resolved_by = "engine" if fast is None else "identifiers (register fast path)"
        resolution = fast or resolve(
            entity_records, cannot_link=cannot, must_link=must, settings=settings, progress=advance
        )
        judged_same = set(must)
        if fast is None and graph_evidence and (claims or graph_pairs):
            resolution, out.evidence = _with_graph_evidence(
                resolution, entity_records, claims, graph_pairs, cannot, must, settings, stage
            )
        out.judgement_conflicts = tuple(p for p in resolution.stats.must_link_conflicts if p in judged_same)
        joined_by_graph = _joined_names(out.evidence, judged_same, entity_records)
        del entity_records, cannot  # freed before the rows to write are built (memory at 1M)
        # the resolution's own dict when it is one: a copy costs ~100 MB at a million mentions
        org_of = resolution.org_of
        out.org_of = org_of if isinstance(org_of, dict) else dict(org_of)
        # A list, not the resolution's tuple: each organisation is dropped once its change is built, so
        # the two are never all held at once (at a million they were the peak of an ingest's memory).
        organisations: list[Organisation | None] = sorted(resolution.organisations, key=attrgetter("id"))
        del fast, resolution
        _resolved_changes(
            organisations, graph, joined_by_graph, _new_identifiers(records, graph, out.org_of), out
        )
        out.organisations_reused = len({o for k in records.names if (o := out.org_of[k]) in graph.orgs})
    else:
        out.org_of = dict(pinned)
        evidence: list[tuple[str, AliasEvidence]] = []  # (org id, alias) the graph lacks
        for key, org_id in pinned.items():
            method = "identifier" if records.ids[key] else "existing"
            for form in (records.names[key], *records.aliases[key]):
                if org_id not in graph.alias_orgs.get(form, ()):  # normalise only the forms the graph lacks
                    evidence.append((org_id, AliasEvidence(form, normalise_name(form).key, 1.0, method)))
        out.organisations_reused = len(set(pinned.values()))
        aliases: dict[tuple[str, str], AliasLink] = {}
        for org_id, ev in evidence:
            pair = (ev.name, org_id)
            if pair not in aliases and ev.name.strip():
                aliases[pair] = AliasLink(ev.name, ev.norm_name, org_id, ev.score, ev.method)
        identifiers = _new_identifiers(records, graph, out.org_of)
        out.aliases_added = len(aliases)
        out.identifiers_added = len(identifiers)
        for change in _pinned_changes(graph.orgs, aliases.values(), identifiers):
            out.changes.append(change)
    if link:
        link_claims(claims, out, stage)
    return out


def _with_graph_evidence(
    first: Resolution,
    entity_records: Sequence[EntityRecord],
    claims: ClaimKeys,
    graph_pairs: Sequence[tuple[str, str]],
    cannot: list[tuple[str, str]],
    must: list[tuple[str, str]],
    settings: MatchSettings | None,
    stage: StageFactory,
) -> tuple[Resolution, tuple[Decision, ...]]:
    """Weigh the parents of the first resolution; resolve again when the evidence changes a pair.

    Returns the resolution to keep and the decisions that held in it (a must-link can still lose to a
    cannot-link, which is then not reported as decided)."""
    stage("weighing graph evidence", None)
    org_of = first.org_of
    record_parents: dict[str, set[str]] = {}
    parents_of: dict[str, set[str]] = {}
    for pkey, ckey in key_pairs(claims):
        record_parents.setdefault(ckey, set()).add(org_of[pkey])
        parents_of.setdefault(org_of[ckey], set()).add(org_of[pkey])
    for p, c in graph_pairs:
        record_parents.setdefault(graph_key(c), set()).add(p)
        parents_of.setdefault(c, set()).add(p)
    wanted = set().union(*record_parents.values()) if record_parents else set()
    parent_names = {
        o.id: (o.name, *sorted({a.name for a in o.aliases} - {o.name}))
        for o in first.organisations
        if o.id in wanted
    }
    names = {r.key: r.name for r in entity_records}
    decisions = graph_decisions(
        names,
        org_of,
        {k: frozenset(v) for k, v in record_parents.items() if k in names},
        parent_names,
        parents_of,
        (settings or MatchSettings()).threshold,
        {r.key: r.org_id for r in entity_records if r.org_id},
        {a.name: a.norm_name for o in first.organisations for a in o.aliases},
    )
    if not decisions:
        return first, ()
    cannot = cannot + [(d.left_key, d.right_key) for d in decisions if not d.joins]
    must = must + [(d.left_key, d.right_key) for d in decisions if d.joins]
    again = _resolve_touched(first, entity_records, decisions, cannot, must, settings)
    if again is None:  # an id of the partial resolution is taken elsewhere: resolve everything again
        advance = stage("resolving names with graph evidence", len(entity_records))
        again = resolve(
            entity_records, cannot_link=cannot, must_link=must, settings=settings, progress=advance
        )
    held = tuple(d for d in decisions if (again.org_of[d.left_key] == again.org_of[d.right_key]) == d.joins)
    return again, held


def _resolve_touched(
    first: Resolution,
    entity_records: Sequence[EntityRecord],
    decisions: Sequence[Decision],
    cannot: Sequence[tuple[str, str]],
    must: Sequence[tuple[str, str]],
    settings: MatchSettings | None,
) -> Resolution | None:
    """Resolve again only the records of the organisations the decisions touch, with their links, and
    splice the result into ``first`` (every other organisation stays as it was). None when an id of the
    partial result is one some untouched organisation has (then the caller resolves everything)."""
    touched = {first.org_of[k] for d in decisions for k in (d.left_key, d.right_key)}
    keys = {k for k, o in first.org_of.items() if o in touched}
    part = resolve(
        [r for r in entity_records if r.key in keys],
        cannot_link=[(a, b) for a, b in cannot if a in keys and b in keys],
        must_link=[(a, b) for a, b in must if a in keys and b in keys],
        settings=settings,
    )
    kept = [o for o in first.organisations if o.id not in touched]
    if not {o.id for o in kept}.isdisjoint(o.id for o in part.organisations):
        return None
    conflicts = {p for p in first.stats.must_link_conflicts if not (p[0] in keys or p[1] in keys)}
    conflicts.update(part.stats.must_link_conflicts)
    return Resolution(
        organisations=tuple(sorted([*kept, *part.organisations], key=lambda o: o.id)),
        org_of={**first.org_of, **part.org_of},
        stats=replace(first.stats, must_link_conflicts=tuple(sorted(conflicts))),
    )


def _joined_names(
    decisions: Sequence[Decision], judged: set[tuple[str, str]], entity_records: Sequence[EntityRecord]
) -> dict[str, float]:
    """Names the graph evidence joined (not also named by a "same" judgement) -> the pair's score."""
    if not decisions:
        return {}
    in_judgement = {k for pair in judged for k in pair}
    name_of = {r.key: r.name for r in entity_records}
    out: dict[str, float] = {}
    for d in decisions:
        if d.joins:
            for key in (d.left_key, d.right_key):
                if key not in in_judgement:
                    out[name_of[key]] = max(out.get(name_of[key], 0.0), d.weighing.score)
    return out


def _graph_method(alias: AliasEvidence, joined: Mapping[str, float]) -> AliasEvidence:
    """An alias that joined through a graph-evidence must-link says so (not "judgement")."""
    if alias.method == "judgement" and alias.name in joined:
        return AliasEvidence(alias.name, alias.norm_name, joined[alias.name], "graph")
    return alias


def _pinned_changes(
    graph: Mapping[str, KnownOrganisation],
    aliases: Iterable[AliasLink],
    identifiers: Iterable[IdentifierLink],
) -> list[OrganisationChange]:
    """When every mention is pinned: one change per graph organisation that gains an alias or identifier
    (in id order); the organisations themselves are unchanged."""
    new_aliases: dict[str, list[AliasLink]] = {}
    for a in aliases:
        new_aliases.setdefault(a.org_id, []).append(a)
    new_ids: dict[str, list[IdentifierLink]] = {}
    for i in identifiers:
        new_ids.setdefault(i.org_id, []).append(i)
    items = []
    for org_id in sorted(new_aliases.keys() | new_ids.keys()):
        old = graph[org_id]
        node = OrganisationNode(old.id, old.name, old.norm_name)
        items.append(
            OrganisationChange(node, tuple(new_aliases.get(org_id, ())), tuple(new_ids.get(org_id, ())))
        )
    return items


def _new_identifiers(records: MentionTable, graph: _Graph, org_of: Mapping[str, str]) -> list[IdentifierLink]:
    """The identifiers the graph lacks, each to the organisation of the first record carrying it."""
    found: dict[str, IdentifierLink] = {}
    for key, ids in records.ids.items():
        for ident in ids:
            if ident not in graph.ident_org and ident not in found:
                found[ident] = IdentifierLink(ident, org_of[key])
    return list(found.values())


def _resolved_changes(
    organisations: list[Organisation | None],
    graph: _Graph,
    joined: Mapping[str, float],
    identifiers: list[IdentifierLink],
    out: Reconciliation,
) -> None:
    """One change per resolved organisation that is new, renamed or gains an alias or identifier, in id
    order (``organisations`` is sorted by id and emptied as it goes), into ``out.changes``; counts them
    into ``out``.

    Every identifier's organisation is one of ``organisations`` (a resolution maps every record to one of
    its own), so a walk of both in id order pairs them.
    """
    identifiers.sort(key=attrgetter("org_id"))  # stable: in record order within an organisation
    out.identifiers_added = len(identifiers)
    changes = out.changes
    k = 0
    for i, resolved in enumerate(organisations):
        assert resolved is not None
        organisations[i] = None
        first = k
        while k < len(identifiers) and identifiers[k].org_id == resolved.id:
            k += 1
        old = graph.orgs.get(resolved.id)
        node = OrganisationNode(resolved.id, resolved.name, resolved.norm_name)
        changed = old is None or (old.name, old.norm_name) != (node.name, node.norm_name)
        if old is None:
            out.organisations_created += 1
        elif changed:
            out.organisations_renamed += 1
        aliases: list[AliasLink] = []
        seen: set[str] = set()
        for a in resolved.aliases:
            ev = _graph_method(a, joined)
            if (
                ev.name not in seen
                and ev.name.strip()
                and resolved.id not in graph.alias_orgs.get(ev.name, ())
            ):
                seen.add(ev.name)
                aliases.append(AliasLink(ev.name, ev.norm_name, resolved.id, ev.score, ev.method))
        out.aliases_added += len(aliases)
        if changed or aliases or k > first:
            changes.append(OrganisationChange(node, tuple(aliases), tuple(identifiers[first:k])))
    if k != len(identifiers):
        raise RuntimeError(f"identifier {identifiers[k].key} names an organisation the resolution lacks")


def link_claims(claims: ClaimKeys, out: Reconciliation, stage: StageFactory = _no_stage) -> None:
    """Every claim as a ParentLink between the organisations of its mentions, or a self-loop reject."""
    advance = stage("linking claims", len(claims))
    for claim, path, pkey, ckey in _counted(claims, advance):
        parent_id, child_id = out.org_of[pkey], out.org_of[ckey]
        if parent_id == child_id:
            out.rejects.append(
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
            out.spell_warnings += 1
        out.links.append(
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
