"""Match mentions (a messy list of names, optionally with identifiers) against a snapshot of the graph.

Pure: no database. ``Matcher`` is built once from every organisation of the graph (its name, aliases,
identifiers, and where a merged organisation now lives) and the judgements people recorded, then answers
batches of mentions in memory with the resolution engine's own parts: ``normalise_name``, the blocking
keys of ``resolver.block`` (over the graph's token frequencies) and the vectorised ``score_blocks`` of
``resolver.score``. This is *link-only* matching: mentions are compared with the graph, never with one
another, and the graph is never changed.

For each mention, in this order:
1. an identifier (``scheme:value``) or organisation id the graph holds wins outright (merged ids are
   followed to the organisation they now are);
2. a judgement "same" between the mention's name and an organisation pins it; "different" removes that
   organisation from its candidates;
3. names and aliases that normalise to the mention's key score 1.0 ("exact" when the text is equal,
   "normalised" otherwise); for a mention whose name no organisation carries in that sense, fuzzy
   candidates come from the blocking keys and are scored by the engine;
   a one-word mention that spells a multi-word name's initials is an "acronym" candidate (0.97 when that
   name states the acronym, "(NHS)", else ACRONYM_GUESS, below the default threshold).
Candidates are ranked per organisation (best score, then name, then id). The decision: ``matched`` when
the best reaches the threshold and no other organisation is within AMBIGUITY_MARGIN of it, ``ambiguous``
when one is (two bodies a name cannot tell apart), ``none`` when nothing reaches the threshold.
"""

from __future__ import annotations

import bisect
import multiprocessing
import multiprocessing.pool
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field

from rapidfuzz import fuzz

from resolver.block import Blocks, blocking_keys
from resolver.gcpause import paused_gc
from resolver.match_index import IndexCache, NameIndex, build_index, index_digest, unit_key
from resolver.mentions import mention_forms
from resolver.normalise import NormalisedName, normalise_name
from resolver.score import score_blocks
from resolver.settings import MatchSettings

DECISIONS = ("matched", "ambiguous", "none")
AMBIGUITY_MARGIN = 0.03  # two organisations scoring within this of each other: the name cannot tell
CANDIDATE_FLOOR = 0.15  # candidates scoring this far below the threshold are not reported
ACRONYM_STATED = 0.97  # the full name states the acronym ("National Health Service (NHS)")
ACRONYM_GUESS = 0.8  # the initials spell it, nothing states it: a candidate for a person, never a match
TRANSPOSED_LETTERS = 6  # a swap of two letters is a typo only in a word this long or longer
MAX_CANDIDATE_UNITS = 2_000  # per mention: blocking buckets are capped, their union is too
SAME, DIFFERENT = "same", "different"
EXACT = frozenset({"exact", "normalised"})


@dataclass(frozen=True, slots=True)
class SnapshotOrganisation:
    """An organisation as the graph holds it; ``merged_into`` is the organisation it now is (or None)."""

    id: str
    name: str
    aliases: tuple[str, ...] = ()
    identifiers: tuple[str, ...] = ()
    merged_into: str | None = None


@dataclass(frozen=True, slots=True)
class Judgement:
    """A person's decision about two organisations or names: verdict 'same', 'different' or 'unsure'."""

    left: str
    right: str
    verdict: str


@dataclass(frozen=True, slots=True)
class MatchQuery:
    """One mention: a name and any identifiers or organisation ids given with it."""

    name: str
    identifiers: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class MatchCandidate:
    """An organisation a mention may denote, with the score in [0, 1] and how it was found."""

    id: str
    name: str
    score: float
    method: str  # identifier, id, judgement, exact, normalised, fuzzy, acronym
    matched_name: str  # the name or alias of the organisation that scored

    def row(self) -> dict[str, object]:
        return {
            "id": self.id,
            "name": self.name,
            "score": round(self.score, 4),
            "method": self.method,
            "matchedName": self.matched_name,
        }


@dataclass(frozen=True, slots=True)
class MatchResult:
    """The decision for one mention and its candidates, best first (at most ``top``)."""

    decision: str
    candidates: tuple[MatchCandidate, ...] = ()

    @property
    def best(self) -> MatchCandidate | None:
        return self.candidates[0] if self.candidates else None

    @property
    def runner_up(self) -> MatchCandidate | None:
        return self.candidates[1] if len(self.candidates) > 1 else None

    @property
    def match(self) -> MatchCandidate | None:
        """The organisation assigned: the best candidate unless the decision is ``none``."""
        return self.best if self.decision != "none" else None


@dataclass(slots=True)
class _Rules:
    """Judgements about one normalised name: organisations it is, and organisations it is not."""

    same: set[int] = field(default_factory=set)
    different: set[int] = field(default_factory=set)


class Matcher:
    """An in-memory index of the graph's names, identifiers and ids (see the module docstring).

    Example:
        >>> m = Matcher([SnapshotOrganisation("o1", "Department for Education", ("DfE",)),
        ...              SnapshotOrganisation("o2", "Ministry of Justice")])
        >>> [(r.decision, r.best.id if r.best else None) for r in m.match(
        ...     [MatchQuery("DEPT FOR EDUCATON"), MatchQuery("dfe"), MatchQuery("Ministry of Magic")])]
        [('matched', 'o1'), ('matched', 'o1'), ('none', None)]
    """

    def __init__(
        self,
        organisations: Iterable[SnapshotOrganisation],
        judgements: Iterable[Judgement] = (),
        settings: MatchSettings | None = None,
        cache: IndexCache | None = None,
    ) -> None:
        self.settings = settings or MatchSettings()
        self.timings: dict[str, float] = {}  # seconds per stage, as the caller measured them
        everything = list(organisations)
        known = {o.id for o in everything}
        live = {o.id: o for o in everything if o.merged_into is None or o.merged_into not in known}
        for o in everything:  # a merged organisation's names and identifiers are the survivor's too
            target = live.get(o.merged_into or "")
            if target is not None and o.id not in live:
                live[target.id] = SnapshotOrganisation(
                    target.id,
                    target.name,
                    tuple(dict.fromkeys((*target.aliases, o.name, *o.aliases))),
                    tuple(dict.fromkeys((*target.identifiers, *o.identifiers))),
                )
        self.orgs: list[SnapshotOrganisation] = sorted(live.values(), key=lambda o: o.id)
        self.position: dict[str, int] = {o.id: i for i, o in enumerate(self.orgs)}
        for o in everything:  # a merged id leads to the organisation it now is
            if o.id not in self.position and o.merged_into in self.position:
                self.position[o.id] = self.position[o.merged_into]
        self.identifier: dict[str, int] = {}
        forms: list[tuple[str, int]] = []
        for i, o in enumerate(self.orgs):
            for key in o.identifiers:
                self.identifier.setdefault(key, i)
            forms.extend((s, i) for s in (o.name, *o.aliases) if s)
        max_bucket = self.settings.max_bucket
        index = None
        if cache is not None:
            digest = index_digest(forms, max_bucket)
            index = cache.load(digest)
        self.index_cached = index is not None
        if index is None:
            index = build_index(forms, max_bucket)
            if cache is not None:
                cache.save(digest, index)
        self._install(index)
        self.rules = self._rules(judgements)

    # -- index ----------------------------------------------------------------------------------------

    def _install(self, index: NameIndex) -> None:
        self.units = index.units
        self.unit_orgs = index.unit_orgs
        self.unit_form = index.unit_form
        self.unit_of = index.unit_of
        self.freq = index.freq
        self.common = index.common
        self.blocks = index.blocks
        self.acronyms = index.acronyms
        self._prefix_keys = index.prefix_keys
        self._prefix_orgs = index.prefix_orgs

    def _rules(self, judgements: Iterable[Judgement]) -> dict[str, _Rules]:
        """Judgements between a name and an organisation (an id, or a name the graph gives one body)."""
        rules: dict[str, _Rules] = {}
        for j in judgements:
            if j.verdict not in (SAME, DIFFERENT):
                continue
            for name, other in ((j.left, j.right), (j.right, j.left)):
                org = self._organisation_of(other)
                key = _judged_key(name) if name not in self.position else ""
                if org is None or not key:
                    continue
                if self.position.get(name) == org:
                    continue
                rule = rules.setdefault(key, _Rules())
                (rule.same if j.verdict == SAME else rule.different).add(org)
        return rules

    def _organisation_of(self, ref: str) -> int | None:
        if ref in self.position:
            return self.position[ref]
        norm = normalise_name(ref)
        u = self.unit_of.get(unit_key(norm)) if norm.key else None
        if u is not None and len(self.unit_orgs[u]) == 1:
            return self.unit_orgs[u][0]
        return None

    # -- lookups --------------------------------------------------------------------------------------

    def __len__(self) -> int:
        return len(self.orgs)

    def get(self, ref: str) -> SnapshotOrganisation | None:
        """The organisation an id (merged ids followed) or identifier key names, else None."""
        i = self.position.get(ref)
        if i is None:
            i = self.identifier.get(ref)
        return None if i is None else self.orgs[i]

    def suggest(self, prefix: str, limit: int = 10) -> list[SnapshotOrganisation]:
        """Organisations with a name or alias starting with ``prefix`` (case-insensitive), shortest first."""
        key = prefix.casefold().strip()
        if not key:
            return []
        start = bisect.bisect_left(self._prefix_keys, key)
        seen: dict[int, int] = {}
        for k in range(start, len(self._prefix_keys)):
            form = self._prefix_keys[k]
            if not form.startswith(key) or len(seen) >= limit * 20:
                break
            org = self._prefix_orgs[k]
            seen[org] = min(seen.get(org, len(form)), len(form))
        ranked = sorted(seen, key=lambda o: (seen[o], self.orgs[o].name, self.orgs[o].id))
        return [self.orgs[o] for o in ranked[:limit]]

    def _verbatim(self, text: str) -> set[int]:
        """Organisations with a name or alias equal to ``text`` but for case, "&" for "and" and a
        leading "The".

        >>> m = Matcher([SnapshotOrganisation("o1", "Tax and Chancery Chamber")])
        >>> m._verbatim("The Tax & Chancery Chamber"), m._verbatim("Tax Chancery Chamber")
        ({0}, set())
        """
        key = " ".join(text.casefold().split())
        bare = key.removeprefix("the ")
        variants = {key, bare, "the " + bare}
        variants |= {v.replace(" & ", " and ") for v in variants}
        variants |= {v.replace(" and ", " & ") for v in variants}
        keys = self._prefix_keys
        found: set[int] = set()
        for variant in variants:
            k = bisect.bisect_left(keys, variant)
            while k < len(keys) and keys[k] == variant:
                found.add(self._prefix_orgs[k])
                k += 1
        return found

    # -- matching -------------------------------------------------------------------------------------

    def match(
        self,
        queries: Sequence[MatchQuery],
        *,
        top: int = 3,
        progress: Callable[[int], None] | None = None,
    ) -> list[MatchResult]:
        """Match every query (see the module docstring); results in query order, ``top`` candidates each
        (at least two are kept internally to tell ``ambiguous`` apart)."""
        with paused_gc():
            return self._match(queries, top, progress)

    def _match(
        self, queries: Sequence[MatchQuery], top: int, progress: Callable[[int], None] | None
    ) -> list[MatchResult]:
        threshold = self.settings.threshold
        floor = max(0.0, threshold - CANDIDATE_FLOOR)
        cache: dict[str, NormalisedName] = {}
        forms: list[list[tuple[str, NormalisedName, float]]] = []
        for q in queries:
            mine = []
            for text, penalty in mention_forms(q.name):
                norm = cache.get(text)
                if norm is None:
                    norm = cache[text] = normalise_name(text)
                mine.append((text, norm, penalty))
            forms.append(mine)
        # A mention whose own name the graph holds is decided by that (an exact name beats a near one):
        # the fuzzy work, most of the cost, is for the others.
        wanted: dict[str, NormalisedName] = {}
        for mine in forms:
            if mine and mine[0][1].key and unit_key(mine[0][1]) in self.unit_of:
                continue
            wanted.update((unit_key(n), n) for _, n, _ in mine if n.key)
        fuzzy = self._fuzzy(wanted, floor)
        results: list[MatchResult] = []
        for q, mine in zip(queries, forms, strict=True):
            results.append(self._decide(q, mine, fuzzy, top, threshold, floor))
            if progress is not None:
                progress(1)
        return results

    def _fuzzy(self, distinct: dict[str, NormalisedName], floor: float) -> dict[str, list[tuple[int, float]]]:
        """(unit, score) per distinct query unit key: blocking candidates scored by the engine."""
        keys = list(distinct)
        local: dict[int, int] = {}  # graph unit -> its position after the queries in ``names``
        names: list[NormalisedName] = [distinct[k] for k in keys]
        buckets: list[list[int]] = []
        max_bucket = self.settings.max_bucket
        for q, key in enumerate(keys):
            norm = distinct[key]
            seen: set[int] = set()
            for k in blocking_keys(norm, self.freq, max_bucket):
                bucket = self.blocks.get(k)
                if bucket is not None:
                    seen.update(bucket)
                    if len(seen) >= MAX_CANDIDATE_UNITS:
                        break
            exact = self.unit_of.get(key)
            seen.discard(-1 if exact is None else exact)
            for u in seen:
                pos = local.get(u)
                if pos is None:
                    pos = local[u] = len(keys) + len(local)
                    names.append(self.units[u])
                buckets.append([q, pos])
        out: dict[str, list[tuple[int, float]]] = {k: [] for k in keys}
        if buckets:
            unit_at = {pos: u for u, pos in local.items()}
            scored = score_blocks(
                names, Blocks(tuple(buckets), self.common, 0, 0), cutoff=floor, common=self.common
            )
            for lo, hi, s in zip(scored.lo.tolist(), scored.hi.tolist(), scored.score.tolist(), strict=True):
                out[keys[lo]].append((unit_at[hi], s))
        return out

    def _transposed(self, norm: NormalisedName) -> list[tuple[int, float]]:
        """Units one swap of adjacent letters away, in a word of TRANSPOSED_LETTERS letters or more that
        no name of the graph uses ("Educaiton"), with rapidfuzz's ratio of the two keys (to which the
        swap is one edit, as a dropped letter is; the engine's typo rules count it as two).

        >>> m = Matcher([SnapshotOrganisation("o1", "Department for Education")])
        >>> m._transposed(normalise_name("Department for Educaiton"))
        [(0, 0.958333)]
        """
        out: list[tuple[int, float]] = []
        tokens = norm.tokens
        for i, word in enumerate(tokens):
            if len(word) < TRANSPOSED_LETTERS or word in self.freq:
                continue
            for k in range(len(word) - 1):
                if word[k] == word[k + 1]:
                    continue
                fixed = word[:k] + word[k + 1] + word[k] + word[k + 2 :]
                if fixed not in self.freq:
                    continue
                words = (*tokens[:i], fixed, *tokens[i + 1 :])
                key = " ".join(words if norm.legal_form is None else (*words, norm.legal_form))
                u = self.unit_of.get(key if norm.qualifier is None else key + "\x1f" + norm.qualifier)
                if u is not None:
                    out.append((u, round(fuzz.ratio(norm.key, key) / 100, 6)))
        return out

    def _decide(
        self,
        q: MatchQuery,
        forms: list[tuple[str, NormalisedName, float]],
        fuzzy: dict[str, list[tuple[int, float]]],
        top: int,
        threshold: float,
        floor: float,
    ) -> MatchResult:
        for ref in q.identifiers:  # an identifier or id the graph holds wins over any name
            i = self.identifier.get(ref)
            method = "identifier"
            if i is None:
                i, method = self.position.get(ref), "id"
            if i is not None:
                o = self.orgs[i]
                return MatchResult("matched", (MatchCandidate(o.id, o.name, 1.0, method, o.name),))
        best: dict[int, tuple[float, str, str]] = {}  # org -> (score, method, matched form)

        def offer(org: int, score: float, method: str, form: str) -> None:
            known = best.get(org)
            if known is None or score > known[0]:
                best[org] = (score, method, form)

        rule = self.rules.get(_judged_key(forms[0][0])) if forms else None
        if rule is not None:
            for org in rule.same:
                offer(org, 1.0, "judgement", self.orgs[org].name)
        for k, (text, norm, penalty) in enumerate(forms):
            if not norm.key:
                continue
            key = unit_key(norm)
            exact = self.unit_of.get(key)
            if exact is not None:
                form = self.unit_form[exact]
                orgs = self.unit_orgs[exact]
                # Several bodies share the normalised name ("First-tier Tribunal (Care Standards)" and
                # "(Asylum Support)" lose their tag alike): those carrying it as written are "exact".
                verbatim = self._verbatim(text) if len(orgs) > 1 else set()
                if verbatim.isdisjoint(orgs) or verbatim.issuperset(orgs):
                    # "exact": the mention as written, case aside
                    method = "exact" if k == 0 and form.casefold() == text.casefold() else "normalised"
                    for org in orgs:
                        offer(org, 1.0 - penalty, method, form)
                else:
                    for org in orgs:
                        written = org in verbatim
                        offer(
                            org,
                            1.0 - penalty,
                            "exact" if written else "normalised",
                            text if written else form,
                        )
            for u, s in fuzzy.get(key, ()):
                for org in self.unit_orgs[u]:
                    offer(org, s - penalty, "fuzzy", self.unit_form[u])
            if exact is None:
                for u, s in self._transposed(norm):
                    for org in self.unit_orgs[u]:
                        offer(org, s - penalty, "fuzzy", self.unit_form[u])
            if len(norm.tokens) == 1 and exact is None:
                for u in self.acronyms.get(norm.tokens[0], ())[: self.settings.max_bucket]:
                    unit = self.units[u]
                    score = (
                        ACRONYM_STATED
                        if unit.acronym_explicit and unit.acronym == norm.tokens[0]
                        else ACRONYM_GUESS
                    )
                    for org in self.unit_orgs[u]:
                        offer(org, score - penalty, "acronym", self.unit_form[u])
        if rule is not None:
            for org in rule.different - rule.same:
                best.pop(org, None)
        # A person's "same" comes first; then score, name, id.
        ranked = sorted(
            best.items(),
            key=lambda kv: (
                kv[1][1] != "judgement",
                -kv[1][0],
                kv[1][1] != "exact",
                self.orgs[kv[0]].name,
                self.orgs[kv[0]].id,
            ),
        )
        candidates = tuple(
            MatchCandidate(self.orgs[org].id, self.orgs[org].name, round(max(0.0, score), 6), method, form)
            for org, (score, method, form) in ranked[: max(top, 2)]
            if score >= floor
        )
        if not candidates or candidates[0].score < threshold:
            decision = "none"
        elif candidates[0].method == "judgement" and (rule is None or len(rule.same) == 1):
            decision = "matched"
        elif candidates[0].method in EXACT and (
            len(candidates) == 1
            or candidates[1].method not in EXACT
            or (candidates[0].method == "exact" and candidates[1].method != "exact")
        ):
            # one organisation carries the name itself (or as written): a near spelling is another body
            decision = "matched"
        elif len(candidates) > 1 and candidates[1].score >= candidates[0].score - AMBIGUITY_MARGIN:
            decision = "ambiguous"
        else:
            decision = "matched"
        return MatchResult(decision, candidates[:top])


MatchFn = Callable[[Sequence[MatchQuery], int, Callable[[int], None] | None], list[MatchResult]]
PARALLEL_FROM = 5_000  # fewer queries than this are matched in this process: forking costs more
_PART = 2_500  # queries per task handed to a worker
_FORKED: Matcher | None = None  # the matcher a forked worker inherited


def _match_part(part: tuple[Sequence[MatchQuery], int]) -> list[MatchResult]:
    assert _FORKED is not None, "a matching worker runs only in a process forked by parallel_matching"
    return _FORKED.match(part[0], top=part[1])


@contextmanager
def parallel_matching(matcher: Matcher, workers: int) -> Iterator[MatchFn]:
    """A function matching like ``matcher.match`` (same results, same order) with ``workers`` processes
    forked from this one, which inherit the index instead of rebuilding it; batches under PARALLEL_FROM
    queries, one worker, or a platform without fork run in this process.

    Example:
        >>> m = Matcher([SnapshotOrganisation("o1", "Department for Education")])
        >>> with parallel_matching(m, 2) as match:
        ...     [r.decision for r in match([MatchQuery("Dept for Education")], 2, None)]
        ['matched']
    """
    global _FORKED

    def serial(
        queries: Sequence[MatchQuery], top: int, progress: Callable[[int], None] | None
    ) -> list[MatchResult]:
        return matcher.match(queries, top=top, progress=progress)

    if workers < 2 or "fork" not in multiprocessing.get_all_start_methods():
        yield serial
        return
    pool: multiprocessing.pool.Pool | None = None

    def parallel(
        queries: Sequence[MatchQuery], top: int, progress: Callable[[int], None] | None
    ) -> list[MatchResult]:
        nonlocal pool
        global _FORKED
        if len(queries) < PARALLEL_FROM:
            return serial(queries, top, progress)
        if pool is None:
            _FORKED = matcher
            pool = multiprocessing.get_context("fork").Pool(workers)
        parts = [(queries[i : i + _PART], top) for i in range(0, len(queries), _PART)]
        out: list[MatchResult] = []
        for done in pool.imap(_match_part, parts):
            out.extend(done)
            if progress is not None:
                progress(len(done))
        return out

    try:
        yield parallel
    finally:
        if pool is not None:
            pool.terminate()
            pool.join()
        _FORKED = None


def _judged_key(name: str) -> str:
    """A judged name as people wrote it, up to case and spacing: a judgement about "Dept for Transport"
    says nothing about "Department for Transport", though the two normalise alike.

    >>> _judged_key("  The   SURGERY ")
    'the surgery'
    """
    return " ".join(name.casefold().split())
