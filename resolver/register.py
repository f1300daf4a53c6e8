"""The register fast path: resolution without fuzzy matching when identifiers alone decide (pure).

When every mention carries exactly one identifier, all of one scheme (an ODS, GOV.UK or LEI register),
and every organisation already in the graph carries one of that scheme too, the engine's answer is fixed
before any name is compared: records sharing the identifier must merge, and two records with different
identifiers of one scheme never may (an exclusive tag). Blocking, scoring, acronyms and the chaining guard
can then change nothing, so ``resolve_register`` groups records by identifier and builds the same
organisations ``resolver.pipeline.resolve`` would (ids, display names, alias evidence), from the same
canonical functions. It returns None whenever that premise fails, and the caller runs the engine.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from itertools import groupby

from resolver.canonical import (
    AliasEvidence,
    ClusterIds,
    Organisation,
    assign_ids,
    build_organisation,
    display_name,
    identity,
)
from resolver.model import EntityRecord
from resolver.normalise import normalise_name
from resolver.pipeline import Resolution, ResolutionStats


def register_scheme(records: Sequence[EntityRecord]) -> str | None:
    """The scheme every record is keyed by, or None when fuzzy matching could still matter.

    A record without ``org_id`` (a mention) needs exactly one identifier; a graph organisation's record
    (``org_id`` set) needs exactly one identifier of that scheme (others may come with it).

    Example:
            >>> leeds = EntityRecord("a", "Leeds CCG", identifiers=("ods:02V",))
        >>> register_scheme([leeds, EntityRecord("b", "NHS England", identifiers=("ods:X24",))])
        'ods'
        >>> register_scheme([leeds, EntityRecord("b", "NHS England")]) is None
        True
    """
    scheme: str | None = None
    for rec in records:
        if rec.org_id is None:
            if len(rec.identifiers) != 1:
                return None
            own = rec.identifiers[0].split(":", 1)[0]
            if scheme is None:
                scheme = own
            elif own != scheme:
                return None
    if scheme is None:
        return None
    prefix = scheme + ":"
    for rec in records:
        if rec.org_id is not None and sum(1 for i in rec.identifiers if i.startswith(prefix)) != 1:
            return None
    return scheme


def resolve_register(
    records: Sequence[EntityRecord], cannot_link: Iterable[tuple[str, str]] = ()
) -> Resolution | None:
    """``resolve(records, cannot_link=...)`` for a register file (see the module docstring), or None if
    it is not one, or if a cannot-link pair shares an identifier (the engine then splits it)."""
    scheme = register_scheme(records)
    if scheme is None:
        return None
    prefix = scheme + ":"
    recs = sorted(records, key=lambda r: r.key)
    # (key, qualifier, display name) per name: a whole NormalisedName per name (~0.5 kB: its tokens and
    # acronym) would be held for every mention of the run at once, 600 MB at a million.
    # surface -> (key, qualifier, display name), held as the key alone in the common case of no qualifier
    # and a display that is the surface itself (a tuple per name cost ~65 MB at a million names)
    cache: dict[str, str | tuple[str, str | None, str]] = {}

    def norm(surface: str) -> tuple[str, str | None, str]:
        found = cache.get(surface)
        if found is None:
            n = normalise_name(surface)
            display = display_name(surface, n)
            if n.qualifier is None and display == surface:
                cache[surface] = n.key
                return n.key, None, surface
            found = cache[surface] = (n.key, n.qualifier, display)
        return (found, None, surface) if isinstance(found, str) else found

    def scheme_id(rec: EntityRecord) -> str:
        return next(i for i in rec.identifiers if i.startswith(prefix))

    # Groups are runs of one identifier in ``recs`` (by identifier, then by key: the sort is stable), walked
    # twice rather than held as a dict of lists (~0.2 kB a group, the peak of an ingest's memory at 1M).
    recs.sort(key=scheme_id)

    def groups() -> Iterator[list[EntityRecord]]:
        return (list(members) for _, members in groupby(recs, key=scheme_id))

    clusters: list[ClusterIds] = []
    for members in groups():
        kept = [m.org_id for m in members if m.org_id is not None]
        qualifiers = {q for m in members if (q := norm(m.name)[1]) is not None}
        if len(set(kept)) > 1 or len(qualifiers) > 1:
            return None  # a must-link the engine would refuse: let it decide
        ident = min(identity(norm(m.name)[0], m.identifiers) for m in members)
        clusters.append(ClusterIds(kept[0] if kept else None, ident, members[0].key))
    ids = assign_ids(clusters)
    del clusters

    organisations = []
    org_of: dict[str, str] = {}
    aliases_only: set[str] = set()  # forms normalised only as aliases (the engine counts them too)
    for org_id, members in zip(ids, groups(), strict=True):
        organisations.append(_organisation(org_id, members, norm))
        aliases_only.update(a for m in members for a in m.aliases if a not in cache)
        org_of.update((m.key, org_id) for m in members)
    for a, b in cannot_link:
        if a in org_of and b in org_of and a != b and org_of[a] == org_of[b]:
            return None
    organisations.sort(key=lambda o: o.id)
    stats = ResolutionStats(
        records=len(recs),
        distinct_names=len(cache) + len(aliases_only),
        units=0,
        empty_names=sum(1 for r in recs if not norm(r.name)[0]),
        blocking_keys=0,
        oversized_blocks=0,
        comparisons=0,
        pairs_accepted=0,
        acronym_candidates=0,
        acronym_accepted=0,
        ambiguous_acronyms=0,
        merges=len(recs) - len(organisations),
        guard_rejections=0,
        cannot_link_conflicts=0,
        must_link_conflicts=(),
    )
    return Resolution(organisations=tuple(organisations), org_of=org_of, stats=stats)


def _organisation(
    org_id: str, members: Sequence[EntityRecord], norm: Callable[[str], tuple[str, str | None, str]]
) -> Organisation:
    """One identifier group as the engine builds it: a lone plain record directly, else from its forms
    with 'identifier' evidence for every member (each joined through an identifier must-link)."""
    if len(members) == 1 and not members[0].aliases:
        rec = members[0]
        key, _, name = norm(rec.name)  # normalised in the first pass: read from the cache
        method = "existing" if rec.org_id == org_id else "exact"
        return Organisation(
            id=org_id,
            name=name,
            norm_name=key,
            record_keys=(rec.key,),
            identifiers=rec.identifiers if len(rec.identifiers) < 2 else tuple(sorted(set(rec.identifiers))),
            aliases=(AliasEvidence(rec.name, key, 1.0, method),),
        )
    uses: dict[str, int] = {}
    evidence: dict[str, tuple[str, float]] = {}
    identifiers: list[str] = []
    joined = len(members) > 1
    for rec in members:
        uses[rec.name] = uses.get(rec.name, 0) + 1
        via = ("existing", 1.0) if rec.org_id == org_id else ("identifier", 1.0) if joined else None
        if via is not None:
            known = evidence.get(rec.name)
            if known is None or known[1] < via[1]:
                evidence[rec.name] = via
        for alias in rec.aliases:
            uses[alias] = uses.get(alias, 0) + 1
            evidence[alias] = ("existing" if rec.org_id == org_id else "source-alias", 1.0)
        identifiers.extend(rec.identifiers)
    forms = [(s, normalise_name(s), c) for s, c in uses.items()]  # the few groups of several forms
    return build_organisation(org_id, [m.key for m in members], identifiers, forms, evidence)
