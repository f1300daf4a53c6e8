"""Acronym links between names of one resolve call: which short name stands for which full name, and
on what evidence (attested, shared qualifier, shared relative, unique in its scope and no likely
coincidence); and which repeated bare acronyms stay apart because several bodies spell them.

Pure: indices into the call's records and units; ``resolver.pipeline`` turns the links into clusters.
"""

from __future__ import annotations

from collections.abc import Mapping, MutableMapping, Sequence

from resolver.block import AcronymIndex, acronym_candidates
from resolver.cluster import TIER_EVIDENCE
from resolver.coincidence import COINCIDENCE_LIMIT, coincidence
from resolver.model import EntityRecord
from resolver.normalise import NormalisedName, acronym_forms, looks_like_acronym
from resolver.settings import MatchSettings
from resolver.words import keeps_acronym

ACRONYM_SCORES = {"attested": 0.97, "qualifier": 0.93, "relative": 0.9, "unique": 0.89}


def _find(parent: MutableMapping[int, int] | list[int], x: int) -> int:
    """The root of ``x`` in a union-find forest, halving the path on the way."""
    while parent[x] != x:
        parent[x] = parent[parent[x]]
        x = parent[x]
    return x


class Links:
    """Parallel lists of links between records (lo, hi, score, tier) and why each was made."""

    def __init__(self) -> None:
        self.lo: list[int] = []
        self.hi: list[int] = []
        self.score: list[float] = []
        self.tier: list[int] = []
        self.method: list[str] = []

    def add(self, lo: int, hi: int, score: float, tier: int, method: str) -> None:
        self.lo.append(lo)
        self.hi.append(hi)
        self.score.append(score)
        self.tier.append(tier)
        self.method.append(method)


def acronym_links(
    recs: Sequence[EntityRecord],
    units: Sequence[NormalisedName],
    unit_records: Sequence[list[int]],
    cache: Mapping[str, NormalisedName],
    cannot: Sequence[tuple[int, int]],
    settings: MatchSettings,
    links: Links,
    acronyms: AcronymIndex,
    scored_lo: Sequence[int],
    scored_hi: Sequence[int],
    refused: dict[tuple[int, int], str] | None = None,
) -> tuple[int, int]:
    """Add acronym links that carry evidence; return (candidates, accepted).

    Evidence: the pair is attested (an explicit "(NHS)" or a source alias), shares a qualifier or a
    relative, or is *unique*: every full name of the corpus the short one spells is one body (they
    score together), the short one is written as an acronym or is no word of a longer name, and the
    spelling is no likely coincidence (resolver.coincidence)."""
    # Every surface form counts: a unit is represented by one form, which may lack the "(NHS)".
    attested = {(u.acronym, u.core) for u in cache.values() if u.acronym_explicit and u.acronym}
    for rec in recs:  # a source giving "NHS" and "National Health Service" for one body attests the pair
        if rec.aliases:
            forms = [cache[s] for s in (rec.name, *rec.aliases)]
            shorts = {f.tokens[0] for f in forms if len(f.tokens) == 1}
            attested.update(
                (a, f.core) for f in forms if len(f.tokens) > 1 for a in acronym_forms(f) if a in shorts
            )
    relatives: dict[int, set[int]] = {}
    for a, b in cannot:
        relatives.setdefault(a, set()).add(b)
        relatives.setdefault(b, set()).add(a)
    pairs = acronym_candidates(units, max_bucket=settings.max_bucket, attested=attested, index=acronyms)
    spelled_by: dict[int, set[int]] = {}
    for short, full in pairs:
        spelled_by.setdefault(short, set()).add(full)
    scope = [recs[m[0]].scope for m in unit_records]
    for short, fulls in spelled_by.items():  # the fulls of the short one's scope and tag, if any
        kept = {f for f in fulls if scope[f] == scope[short]} or fulls
        spelled_by[short] = {f for f in kept if units[f].tag == units[short].tag} or kept
    component = _components(len(units), scored_lo, scored_hi, {f for _, f in pairs}, scope)
    chance = coincidence(units, scope, acronyms)
    words = _words_of_long_names(units, {units[short].tokens[0] for short in spelled_by})
    accepted = 0
    for short, full in pairs:
        s, f = units[short], units[full]
        if full not in spelled_by[short]:  # "DfE (NI)" is not "Department for Education"
            if refused is not None:
                refused[(short, full)] = f"acronym: {s.display!r} has another tag or scope than {f.display!r}"
            continue
        bodies = len({component[j] for j in spelled_by[short]})
        if (s.tokens[0], f.core) in attested:
            evidence = "attested"
        elif s.qualifier is not None and s.qualifier == f.qualifier:
            evidence = "qualifier"
        elif _share_relative(unit_records[short], unit_records[full], relatives):
            evidence = "relative"
        elif (
            bodies == 1
            and chance.get(short, 0.0) <= COINCIDENCE_LIMIT
            and looks_like_acronym(s, f, words)
            and _acronym_forms_agree(s, f)
            and keeps_acronym(s, f)
        ):
            evidence = "unique"
        else:
            if refused is not None:
                others = sorted(units[j].display for j in spelled_by[short] if j != full)[:3]
                refused[(short, full)] = (
                    f"ambiguous acronym: {s.core!r} also spells {', '.join(map(repr, others))} in this input"
                    if bodies > 1
                    else f"acronym: {s.core!r} spells {f.display!r} alone in its scope, but more likely by "
                    f"coincidence (p={chance[short]:.2f}): names elsewhere spell it too, and most one-word "
                    "names of this scope spell none of its names"
                    if chance.get(short, 0.0) > COINCIDENCE_LIMIT
                    else f"acronym: {s.display!r} is a company of its own name ({s.legal_form})"
                    if not _acronym_forms_agree(s, f)
                    else f"acronym: {f.display!r} opens with an acronym of its own, which {s.display!r} lacks"
                    if not keeps_acronym(s, f)
                    else f"acronym: {s.display!r} reads as a word here (one of longer names), not an acronym"
                )
            continue
        accepted += 1
        links.add(
            unit_records[short][0], unit_records[full][0], ACRONYM_SCORES[evidence], TIER_EVIDENCE, "acronym"
        )
    return len(pairs), accepted


def _acronym_forms_agree(short: NormalisedName, full: NormalisedName) -> bool:
    """A short name with a legal form of its own ("KGK Company") is a company of that name, not the
    initials of another ("Koatsu Gas Kogyo"), unless the full name has the same form ("IBM Corp" /
    "International Business Machines Corp")."""
    return short.legal_form is None or short.legal_form == full.legal_form


def _components(
    n: int, lo: Sequence[int], hi: Sequence[int], wanted: set[int], scope: Sequence[str | None]
) -> dict[int, int]:
    """Connected component (a root unit) of each ``wanted`` unit under the scored pairs of one scope
    (pairs across scopes never merge, so they cannot make two bodies of one scope one)."""
    parent = list(range(n))

    for u, v in zip(lo, hi, strict=True):
        if scope[u] == scope[v]:
            parent[_find(parent, u)] = _find(parent, v)
    return {u: _find(parent, u) for u in wanted}


def _words_of_long_names(units: Sequence[NormalisedName], wanted: set[str]) -> set[str]:
    """Which ``wanted`` words occur as a word of some name of two or more words."""
    found: set[str] = set()
    if wanted:
        for u in units:
            if len(u.tokens) > 1 and not wanted.isdisjoint(u.tokens):
                found.update(wanted.intersection(u.tokens))
    return found


def ambiguous_acronyms(
    acronyms: AcronymIndex,
    unit_records: Sequence[list[int]],
    scope: Sequence[str | None],
    lo: list[int],
    hi: list[int],
) -> set[int]:
    """Units that are a bare acronym carried by several records and spelled by two or more full names
    of this corpus that do not match one another ("AU": Aarhus University, American University, ...).

    Such a string does not say which body a record means, so its records are not joined for sharing
    it (each keeps only its own evidence); a repeated acronym that spells one body ("NHS" beside
    "National Health Service") is joined as usual. Only pairs within one scope make two full names one
    body: "Michigan State University" and "Montana State University" stay two even when a chain of
    same-named bodies of other countries links them.
    """
    candidates = {
        a: f
        for a, f in acronyms.fulls.items()
        if len(f) > 1 and any(len(unit_records[u]) > 1 for u in acronyms.shorts[a])
    }
    if not candidates:
        return set()
    parent: dict[int, int] = {u: u for f in candidates.values() for u in f}

    for u, v in zip(lo, hi, strict=True):
        if u in parent and v in parent and scope[u] == scope[v]:
            parent[_find(parent, u)] = _find(parent, v)
    return {
        u
        for a, f in candidates.items()
        if len({_find(parent, v) for v in f}) > 1
        for u in acronyms.shorts[a]
        if len(unit_records[u]) > 1
    }


def _share_relative(a: Sequence[int], b: Sequence[int], relatives: Mapping[int, set[int]]) -> bool:
    if not relatives:
        return False
    near_a = set().union(*(relatives.get(i, set()) for i in a))
    return any(not near_a.isdisjoint(relatives.get(j, set())) for j in b)
