"""resolve(): records -> canonical organisations. Wires normalise, block, score, cluster, canonical.

Pure (no I/O, no database). The steps:
1. records are taken in key order (so the result does not depend on input order) and every distinct
   surface form (name or alias) is normalised once;
2. forms with the same key and qualifier form one *unit*; fuzzy work runs on units, never on records;
3. links: tier 0 must-links (shared identifiers, ``must_link`` judgements), tier 1 records sharing a unit
   (which also ties a record to its own aliases), tier 2 unit pairs that score >= threshold inside blocks,
   and acronym pairs that carry evidence: an explicit "(NHS)" or a source alias pairing the two forms,
   a shared qualifier, or a shared relative (both sides cannot-linked to the same record);
4. union-find with cannot-links: ``cannot_link`` pairs, different ``org_id``s, different identifiers
   of one scheme and different qualifiers never share a cluster; must-links they refuse are reported
   in ``stats``;
5. canonical ids, display names and alias evidence.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from operator import attrgetter

from resolver.acronym_links import ACRONYM_SCORES, Links, acronym_links, ambiguous_acronyms
from resolver.block import acronym_index, block
from resolver.canonical import (
    AliasEvidence,
    ClusterIds,
    Organisation,
    assign_ids,
    build_organisation,
    display_name,
    identity,
)
from resolver.cluster import TIER_EVIDENCE, TIER_MUST, TIER_SCORED, Clustering, cluster
from resolver.digits import digit_typo_pairs
from resolver.endings import ending_typo_pairs
from resolver.explain import Explanation, explain
from resolver.gcpause import paused_gc
from resolver.heads import head_pairs
from resolver.model import EntityRecord
from resolver.normalise import (
    NormalisedName,
    is_acronym_of,
    normalise_name,
)
from resolver.partial import partial_acronym_pairs
from resolver.places import place_element_pairs
from resolver.score import anchor_score, score_blocks
from resolver.settings import MatchSettings

__all__ = [
    "AliasEvidence",
    "Explanation",
    "NormalisedName",
    "Organisation",
    "Resolution",
    "ResolutionStats",
    "explain",
    "normalise_name",
    "resolve",
]

GUARD_SLACK = 0.1  # two clusters' anchors must score >= threshold - slack to merge
ORG_SCHEME = "\x00org"  # tag scheme of existing organisation ids: two different ones never merge
QUALIFIER_SCHEME = "\x00qualifier"  # likewise for two different LittleSis-style qualifiers
SCOPE_SCHEME = "\x00scope"  # and for two different scopes (countries, registers)


@dataclass(frozen=True, slots=True)
class ResolutionStats:
    """Counts that say how much work was done and what was refused."""

    records: int
    distinct_names: int  # distinct surface forms (names and aliases)
    units: int  # distinct normalised forms, the unit of fuzzy work
    empty_names: int  # records whose name normalises to nothing: never fuzzy-matched
    blocking_keys: int
    oversized_blocks: int
    comparisons: int  # rapidfuzz evaluations in the prefilter
    pairs_accepted: int  # unit pairs scoring >= threshold
    acronym_candidates: int
    acronym_accepted: int
    ambiguous_acronyms: (
        int  # repeated bare acronyms whose records stay apart (see acronym_links.ambiguous_acronyms)
    )
    merges: int  # links that joined two clusters
    guard_rejections: int
    cannot_link_conflicts: int  # links refused by a cannot-link, identifier or org id clash
    must_link_conflicts: tuple[tuple[str, str], ...]  # must-links refused that way (record keys)


@dataclass(frozen=True, slots=True)
class Resolution:
    """The organisations, which one each record key belongs to, and the stats."""

    organisations: tuple[Organisation, ...]
    org_of: Mapping[str, str]
    stats: ResolutionStats


def resolve(
    records: Sequence[EntityRecord],
    *,
    cannot_link: Iterable[tuple[str, str]] = (),
    must_link: Iterable[tuple[str, str]] = (),
    settings: MatchSettings | None = None,
    progress: Callable[[int], None] | None = None,
) -> Resolution:
    """Resolve records into canonical organisations.

    ``cannot_link``/``must_link`` are pairs of record keys (parent/child facts and judgements); unknown
    keys are ignored. ``progress`` receives increments that add up to ``len(records)``.

    Example:
        >>> from resolver.model import EntityRecord as R
        >>> res = resolve([R("1", "NHS"), R("2", "The N.H.S."), R("3", "NHS England")])
        >>> res.org_of["1"] == res.org_of["2"] != res.org_of["3"]
        True
    """
    with paused_gc():
        return _resolve(records, cannot_link, must_link, settings or MatchSettings(), progress)


def _resolve(
    records: Sequence[EntityRecord],
    cannot_link: Iterable[tuple[str, str]],
    must_link: Iterable[tuple[str, str]],
    settings: MatchSettings,
    progress: Callable[[int], None] | None,
    trace: list[Trace] | None = None,
) -> Resolution:
    done = 0

    def report(upto: int) -> None:  # progress in records: normalising is ~60% of the time
        nonlocal done
        if progress is not None and upto > done:
            progress(upto - done)
            done = upto

    recs = sorted(records, key=attrgetter("key"))
    index = {r.key: i for i, r in enumerate(recs)}
    if len(index) != len(recs):
        raise ValueError("record keys must be unique within one resolve() call")
    n = len(recs)

    cache: dict[str, NormalisedName] = {}
    name_norm: list[NormalisedName] = []
    unit_of_key: dict[str, list[int]] = {}  # unit key -> records carrying a form of it
    unit_form: dict[str, str] = {}  # unit key -> its smallest surface form
    step = max(1, n // 20)
    for i, rec in enumerate(recs):
        for j, surface in enumerate((rec.name, *rec.aliases) if rec.aliases else (rec.name,)):
            norm = cache.get(surface)
            if norm is None:
                norm = cache[surface] = normalise_name(surface)
            if not j:
                name_norm.append(norm)
            if not norm.key:
                continue
            ukey = norm.key
            if norm.qualifier is not None or norm.tag is not None:
                ukey += f"\x1f{norm.qualifier or ''}\x1e{norm.tag or ''}"
            if rec.scope is not None:
                ukey += f"\x1d{rec.scope}"
            members = unit_of_key.get(ukey)
            if members is None:
                unit_of_key[ukey] = [i]
                unit_form[ukey] = surface
            elif members[-1] != i:
                members.append(i)
                # The form that states an acronym ("... (ComReg)") stands for the unit, then one with its
                # article ("The McKay Commission" is "TMC"), else the smallest.
                known = cache[unit_form[ukey]]
                if (not norm.acronym_explicit, not _article(surface), surface) < (
                    not known.acronym_explicit,
                    not _article(unit_form[ukey]),
                    unit_form[ukey],
                ):
                    unit_form[ukey] = surface
        if (i + 1) % step == 0:
            report((i + 1) * 3 // 5)
    unit_keys = sorted(unit_of_key)
    units = [cache[unit_form[k]] for k in unit_keys]
    unit_records = [unit_of_key[k] for k in unit_keys]
    del unit_of_key

    links = Links()
    _identifier_links(recs, links)
    for a, b in sorted(must_link):
        if a in index and b in index and a != b:
            links.add(index[a], index[b], 1.0, TIER_MUST, "judgement")

    blocks = block(units, max_bucket=settings.max_bucket)
    scored = score_blocks(units, blocks, cutoff=settings.threshold, common=blocks.common, freq=blocks.freq)
    pairs = zip(scored.lo.tolist(), scored.hi.tolist(), scored.score.tolist(), strict=True)
    for u, v, s in pairs:  # same key, one qualifier missing: "NHS" and "NHS, UK Health Agency"
        method = "normalised" if units[u].key == units[v].key else "fuzzy"
        links.add(unit_records[u][0], unit_records[v][0], s, TIER_SCORED, method)
    report(n * 4 // 5)

    cannot = [(index[a], index[b]) for a, b in cannot_link if a in index and b in index]
    acronyms = acronym_index(units)
    refused: dict[tuple[int, int], str] | None = {} if trace is not None else None
    candidates, accepted_acronyms = acronym_links(
        recs,
        units,
        unit_records,
        cache,
        cannot,
        settings,
        links,
        acronyms,
        scored.lo.tolist(),
        scored.hi.tolist(),
        refused,
    )
    unit_scope = [recs[m[0]].scope for m in unit_records]
    for method, found in (
        ("acronym", partial_acronym_pairs(units, unit_scope)),  # "HR Profession"
        ("head", head_pairs(units, unit_scope, blocks.freq)),  # "Horniman" / "Horniman Museum"
        ("head", place_element_pairs(units, unit_scope)),  # "Newcastle" / "Newcastle upon Tyne"
        ("fuzzy", ending_typo_pairs(units, unit_keys, blocks.freq)),  # "Emard Hnc" / "Emard Inc"
        ("fuzzy", digit_typo_pairs(units, unit_keys)),  # "0rady PLC" / "Grady PLC"
        ("normalised", _tag_written_out(units, unit_scope)),  # "ISD (Scotland)" / "ISD Scotland"
    ):
        for short, full in found:
            links.add(
                unit_records[short][0], unit_records[full][0], ACRONYM_SCORES["unique"], TIER_EVIDENCE, method
            )
    ambiguous = ambiguous_acronyms(acronyms, unit_records, unit_scope, scored.lo.tolist(), scored.hi.tolist())

    def guard(a: int, b: int) -> bool:
        return _compatible(name_norm[a], name_norm[b], settings.threshold - GUARD_SLACK)

    # Anchors: the member with the most words, then the longest key (ties: the smaller record key).
    ranks = [-(len(x.tokens) << 12 | min(len(x.key), 4095)) for x in name_norm]
    # Exclusive tags: identifiers, existing org ids, and qualifiers ("Apple, Fruit company" and "Apple,
    # Technology company" are LittleSis homonyms told apart; they never meet, not even through "Apple").
    tags = {
        i: (
            *r.identifiers,
            *((f"{ORG_SCHEME}:{r.org_id}",) if r.org_id else ()),
            *((f"{QUALIFIER_SCHEME}:{name_norm[i].qualifier}",) if name_norm[i].qualifier else ()),
            *((f"{SCOPE_SCHEME}:{r.scope}",) if r.scope is not None else ()),
        )
        for i, r in enumerate(recs)
        if r.identifiers or r.org_id or name_norm[i].qualifier or r.scope is not None
    }
    result = cluster(
        n,
        links.lo,
        links.hi,
        links.score,
        tier=links.tier,
        cannot_link=cannot,
        tags=tags,
        guard=guard,
        rank=ranks,
        groups=[m for u, m in enumerate(unit_records) if len(m) > 1 and u not in ambiguous],
    )
    organisations, org_of = _organisations(recs, name_norm, result.labels, result.accepted, links, cache)
    report(n)
    stats = ResolutionStats(
        records=n,
        distinct_names=len(cache),
        units=len(units),
        empty_names=sum(1 for x in name_norm if not x.key),
        blocking_keys=blocks.keys,
        oversized_blocks=blocks.oversized,
        comparisons=scored.comparisons,
        pairs_accepted=len(scored.lo),
        acronym_candidates=candidates,
        acronym_accepted=accepted_acronyms,
        ambiguous_acronyms=len(ambiguous),
        merges=len(result.accepted),
        guard_rejections=len(result.guarded),
        cannot_link_conflicts=len(result.conflicts) + result.group_conflicts,
        must_link_conflicts=tuple(
            sorted(
                (recs[links.lo[k]].key, recs[links.hi[k]].key)
                for k in result.conflicts
                if links.tier[k] == TIER_MUST
            )
        ),
    )
    resolution = Resolution(organisations=organisations, org_of=org_of, stats=stats)
    if trace is not None:
        trace.append(
            Trace(
                resolution,
                recs,
                name_norm,
                units,
                unit_records,
                links,
                result,
                refused or {},
                ambiguous,
                blocks.common,
                blocks.freq,
            )
        )
    return resolution


@dataclass(frozen=True, slots=True)
class Trace:
    """What resolve() decided and why, for ``resolver explain --in`` (see resolver.explain)."""

    resolution: Resolution
    records: Sequence[EntityRecord]  # in key order: the indices below refer to it
    names: Sequence[NormalisedName]  # of each record's name
    units: Sequence[NormalisedName]
    unit_records: Sequence[list[int]]
    links: Links
    clustering: Clustering
    refused_acronyms: Mapping[tuple[int, int], str]  # (short unit, full unit) -> the rule
    ambiguous_units: set[int]  # repeated bare acronyms whose records were not joined for it
    common: frozenset[str] = frozenset()  # the corpus's common words (block.common_words)
    freq: Mapping[str, int] = field(default_factory=dict)  # names per token in the corpus


def resolve_traced(
    records: Sequence[EntityRecord],
    *,
    cannot_link: Iterable[tuple[str, str]] = (),
    settings: MatchSettings | None = None,
) -> Trace:
    """resolve(), keeping the links, the clustering and the refused acronym pairs."""
    out: list[Trace] = []
    with paused_gc():
        _resolve(records, cannot_link, (), settings or MatchSettings(), None, out)
    return out[0]


def _tag_written_out(units: Sequence[NormalisedName], scope: Sequence[str | None]) -> list[tuple[int, int]]:
    """Pairs (tagged, plain): a name with a tag ("Information Services Division (Scotland)") and the
    same words with the tag written after them ("Information Services Division Scotland"), one scope."""
    wanted = {  # few names carry a tag: index those, not every name
        (f"{x.key} {x.tag}", scope[u]): u
        for u, x in enumerate(units)
        if x.tag is not None and x.qualifier is None and not x.legal_form
    }
    if not wanted:
        return []
    found = []
    for v, y in enumerate(units):
        if y.tag is None and y.qualifier is None:
            u = wanted.get((y.key, scope[v]))
            if u is not None:
                found.append((u, v))
    return sorted(found)


def _article(surface: str) -> bool:
    return surface[:4].lower() == "the "


def _identifier_links(recs: Sequence[EntityRecord], links: Links) -> None:
    """Records sharing an identifier must merge: chain each identifier's records (in key order)."""
    holders: dict[str, list[int]] = {}
    for i, rec in enumerate(recs):
        for ident in rec.identifiers:
            holders.setdefault(ident, []).append(i)
    for ident in sorted(holders):
        members = holders[ident]
        for other in members[1:]:
            links.add(members[0], other, 1.0, TIER_MUST, "identifier")


def _compatible(a: NormalisedName, b: NormalisedName, floor: float) -> bool:
    """May two clusters with these anchors merge? Acronym of one another, or alike enough."""
    if is_acronym_of(a, b) or is_acronym_of(b, a):
        return True
    return anchor_score(a, b) >= floor


def _organisations(
    recs: Sequence[EntityRecord],
    name_norm: Sequence[NormalisedName],
    labels: Sequence[int],
    accepted: Sequence[int],
    links: Links,
    cache: Mapping[str, NormalisedName],
) -> tuple[tuple[Organisation, ...], dict[str, str]]:
    # How each record joined: the first accepted link touching it, strongest first (cluster's order).
    joined: dict[int, tuple[str, float]] = {}
    for k in accepted:
        for i in (links.lo[k], links.hi[k]):
            joined.setdefault(i, (links.method[k], links.score[k]))
    groups: dict[int, list[int]] = {}
    for i, label in enumerate(labels):
        groups.setdefault(label, []).append(i)
    members_of = list(groups.values())
    ids = assign_ids([_cluster_ids(recs, members, name_norm) for members in members_of])
    organisations = []
    org_of: dict[str, str] = {}
    for org_id, members in zip(ids, members_of, strict=True):
        if len(members) == 1 and not recs[members[0]].aliases:  # most organisations: one plain record
            rec = recs[members[0]]
            norm = name_norm[members[0]]
            org_of[rec.key] = org_id
            method = "existing" if rec.org_id == org_id else "exact"
            organisations.append(
                Organisation(
                    id=org_id,
                    name=display_name(rec.name, norm),
                    norm_name=norm.key,
                    record_keys=(rec.key,),
                    identifiers=tuple(sorted(set(rec.identifiers))) if rec.identifiers else (),
                    aliases=(AliasEvidence(rec.name, norm.key, 1.0, method),),
                )
            )
            continue
        uses: dict[str, int] = {}
        evidence: dict[str, tuple[str, float]] = {}
        identifiers: list[str] = []
        for i in members:
            rec = recs[i]
            org_of[rec.key] = org_id
            name = rec.name
            uses[name] = uses.get(name, 0) + 1
            via = joined.get(i)
            if rec.org_id == org_id:
                via = ("existing", 1.0)
            if via is not None and via[0] != "normalised":
                known = evidence.get(name)
                if known is None or known[1] < via[1]:
                    evidence[name] = via
            if rec.aliases:
                for alias in rec.aliases:
                    uses[alias] = uses.get(alias, 0) + 1
                    evidence[alias] = ("existing" if rec.org_id == org_id else "source-alias", 1.0)
            if rec.identifiers:
                identifiers.extend(rec.identifiers)
        forms = [(s, cache[s], c) for s, c in uses.items()]
        keys = [recs[i].key for i in members]  # members ascend, and records are in key order
        organisations.append(build_organisation(org_id, keys, identifiers, forms, evidence))
    organisations.sort(key=lambda o: o.id)
    return tuple(organisations), org_of


def _cluster_ids(
    recs: Sequence[EntityRecord], members: Sequence[int], name_norm: Sequence[NormalisedName]
) -> ClusterIds:
    plain = True
    existing = None
    for i in members:
        rec = recs[i]
        if rec.identifiers or rec.org_id:
            plain = False
            existing = existing or rec.org_id
    if plain:  # no identifiers: the identity is the smallest normalised name
        return ClusterIds(None, min(name_norm[i].key for i in members) + "|", recs[members[0]].key)
    ident = min(identity(name_norm[i].key, recs[i].identifiers) for i in members)
    return ClusterIds(existing, ident, recs[members[0]].key)
