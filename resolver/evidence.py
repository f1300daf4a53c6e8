"""Graph evidence: what the hierarchy says about two names, beyond the names themselves (pure).

At ingest every child mention has a parent (the other side of its edge row) and every organisation the
graph holds may have parents already. Two pieces of evidence follow, and each moves the bar a pair's
name score must reach (``MatchSettings.threshold``) by a named amount:

- **parent confirms** (``CONFIRM``, the bar is lowered): the two share a parent, or one carries a tag
  naming its own parent ("Australian Passport Office (DFAT)" under DFAT) and the other has no known
  parent. Tags that differ only because both name that shared parent ("(DFAT)" / "(Foreign Affairs)")
  do not count against the pair. It never overrides a hard rule: no confirm when the pair's legal forms,
  qualifiers, tags, numbers, compass words, short names, extra words, capitals or corpus words differ
  (a penalty fired), nor when the words that tell the names apart (``distinct``, ``swapped``) are below
  the threshold on their own ("Stafford" / "Trafford" Council under one county stay two).
  Cannot-links (a parent and its child, a "different" judgement, identifiers) are the cluster's and
  always win.
- **different parents** (``RAISE``, the bar is raised): both have parents, none shared and none an
  ancestor of another. Less likely one body; not forbidden: a body moved between departments keeps its
  name, and a pair scoring at or above the raised bar still joins.

``weigh`` judges one pair; ``graph_decisions`` finds, in a resolution, the pairs where the evidence
changes the name-only outcome (siblings kept apart that it confirms; records joined under different
parents that it keeps apart). Deterministic: pairs are taken in sorted order and the result is a set.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from functools import lru_cache
from itertools import combinations

from rapidfuzz import fuzz, process

from resolver.normalise import NormalisedName, normalise_name
from resolver.score import PairScore, score_pair
from resolver.words import LINK_WORDS, tag_agreement

CONFIRM = 0.05  # a shared parent (or a tag naming the own parent) lowers the bar by this much
RAISE = 0.04  # different, unrelated parents raise it by this much
# A penalty that fired for one of these is a hard "different": graph evidence never outweighs it.
HARD_FEATURES = (
    "legal_form",
    "qualifier",
    "tag",
    "numbers",
    "modifiers",
    "short",
    "extra",
    "capitals",
    "known",
    "script",
)
BIG_GROUP = 500  # siblings of larger groups are prefiltered on all cores
HUGE_GROUP = 2000  # and of groups larger still, by rapidfuzz ratio alone (typos, not word order)
# Siblings are scored when rapidfuzz ratio or token_sort_ratio of their keys (0-100) reaches the lowered
# bar less this slack (the score is at most the best of ratio, token_sort, squashed and subset; squashed,
# which ignores spaces, stays within a few points of ratio; subset pairs, one name plus designators,
# score 1.0 and are joined without evidence).
PREFILTER_SLACK = 3.0
MAX_MEMBERS = 64  # distinct names of one organisation checked for different parents
TYPO = 80.0  # rapidfuzz ratio (0-100) of two words one is a misspelling or plural of the other
MAX_DEPTH = 20  # ancestor walks stop here (hierarchies are shallower; cycles end too)
_WORD = re.compile(r"\w+")
# Words a tag may leave out of its parent's name: "(Foreign Affairs and Trade)" names "Department of
# Foreign Affairs and Trade".
BODY_WORDS = LINK_WORDS | frozenset(
    ["department", "ministry", "office", "agency", "government", "hm", "executive"]
)


@dataclass(frozen=True, slots=True)
class Parent:
    """A parent organisation: its id and its names (the first is shown)."""

    id: str
    names: tuple[str, ...]

    @property
    def label(self) -> str:
        return self.names[0] if self.names else self.id


@dataclass(frozen=True, slots=True)
class Weighing:
    """What the graph says of one pair.

    ``kind``: "same parent", "parent tag", "different parents" or "" (no graph evidence); ``detail`` says
    which parents; ``change`` is how much the bar moved (+ lowers it: confirms; - raises it); ``blocked``
    names the hard rule that kept a confirm from applying. ``score`` is the pair's name score, ``lift``
    what it regains when two different tags both name the shared parent (the tag penalty), ``bar`` what
    ``score + lift`` had to reach.
    """

    kind: str
    detail: str
    score: float
    threshold: float
    change: float = 0.0
    blocked: str = ""
    lift: float = 0.0

    @property
    def bar(self) -> float:
        return round(self.threshold - self.change, 6)

    @property
    def name_only(self) -> bool:
        """The decision on the names alone."""
        return self.score >= self.threshold

    @property
    def same(self) -> bool:
        """The decision with the graph evidence."""
        return round(self.score + self.lift, 6) >= self.bar

    @property
    def decided(self) -> bool:
        """The graph evidence changed the decision."""
        return self.same != self.name_only

    def line(self) -> str:
        """The waterfall line: "graph: same parent 'DFAT' confirms +0.050 (bar 0.830)"."""
        if not self.kind:
            return "graph: no parent evidence"
        if self.blocked:
            return f"graph: {self.detail}, but {self.blocked}: no change"
        verb = "confirms" if self.change > 0 else "counts against"
        lifted = f", tags name it: +{self.lift:.3f}" if self.lift else ""
        return f"graph: {self.detail} {verb} {self.change:+.3f}{lifted} (bar {self.bar:.3f})"

    def as_dict(self) -> dict[str, object]:
        return {
            "kind": self.kind,
            "detail": self.detail,
            "score": self.score,
            "lift": self.lift,
            "threshold": self.threshold,
            "change": self.change,
            "bar": self.bar,
            "blocked": self.blocked,
            "name_only": "same" if self.name_only else "different",
            "decision": "same" if self.same else "different",
            "decided": self.decided,
        }


def names_parent(tag: str | None, parent: Parent) -> bool:
    """Does a name's tag name this parent (its name, acronym, or an alias)?

    Example:
        >>> dfat = Parent("o1", ("Department of Foreign Affairs and Trade",))
        >>> [names_parent(tag, dfat) for tag in ("dfat", "foreign affairs and trade", "dia")]
        [True, True, False]
    """
    if tag is None:
        return False
    words = set(tag.split())
    for name in parent.names:
        norm = _normalised(name)
        if norm.key and (tag_agreement(tag, norm.key) == 1.0 or tag == norm.acronym):
            return True
        rest = set(norm.tokens) - words
        if words <= set(norm.tokens) and rest <= BODY_WORDS and not words <= BODY_WORDS:
            return True
    return False


@lru_cache(maxsize=4096)
def _normalised(name: str) -> NormalisedName:
    return normalise_name(name)


def words_covered(a: NormalisedName, b: NormalisedName) -> bool:
    """Is every word of the name with fewer words in the other, up to a typo or a plural (each word of
    the other used once)? A shared parent confirms spelling and a dropped word, not a different word:
    "Nuclear Research Advisory Committee" / "... Council" and "Regional Schools Commissioners" /
    "Schools Commissioners Group" are siblings, not one body.

    Example:
        >>> from resolver.normalise import normalise_name as n
        >>> words_covered(n("Rail Accidents Investigation"), n("Rail Accident Investigation Branch"))
        True
        >>> words_covered(n("Nuclear Research Advisory Committee"), n("Nuclear Research Advisory Council"))
        False
    """
    short, long = (a.tokens, b.tokens) if len(a.tokens) <= len(b.tokens) else (b.tokens, a.tokens)
    left = list(long)
    for word in short:
        match = next((w for w in left if w == word), None) or next(
            (w for w in left if fuzz.ratio(w, word) >= TYPO), None
        )
        if match is None:
            return False
        left.remove(match)
    return True


def weigh(
    a: NormalisedName,
    b: NormalisedName,
    parents_a: Sequence[Parent],
    parents_b: Sequence[Parent],
    threshold: float,
    related: Callable[[str, str], bool] | None = None,
    pair: PairScore | None = None,
) -> Weighing:
    """Weigh the graph evidence for two names with these parents (see the module docstring).

    ``related(p, q)``: is one parent an ancestor of the other (then "different parents" does not hold).

    Example:
        >>> from resolver.normalise import normalise_name as n
        >>> dfat = Parent("o1", ("DFAT", "Department of Foreign Affairs and Trade"))
        >>> w = weigh(n("Estates Office (DFAT)"), n("Estates Office (Foreign Affairs and Trade)"),
        ...           [dfat], [dfat], 0.88)
        >>> w.kind, w.name_only, w.same
        ('same parent', False, True)
        >>> w.line()
        "graph: same parent 'DFAT' confirms +0.050, tags name it: +0.200 (bar 0.830)"
    """
    pair = pair or score_pair(a, b)
    score = pair.score
    ids_a, ids_b = {p.id for p in parents_a}, {p.id for p in parents_b}
    shared = sorted(ids_a & ids_b)
    by_id = {p.id: p for p in (*parents_a, *parents_b)}
    if shared:
        named = [p for p in shared if names_parent(a.tag, by_id[p]) or names_parent(b.tag, by_id[p])]
        if pair.feature("tag") == 0.0 and all(
            t is None or any(names_parent(t, by_id[p]) for p in shared) for t in (a.tag, b.tag)
        ):  # both tags name the shared parent: not two different remarks
            pair = score_pair(replace(a, tag=None), replace(b, tag=None))
        detail = f"same parent {by_id[(named or shared)[0]].label!r}"
        return _confirm(score, pair, threshold, "same parent", detail, words_covered(a, b))
    for x, own, other in ((a, parents_a, parents_b), (b, parents_b, parents_a)):
        tagged = [p for p in own if names_parent(x.tag, p)]
        if tagged and not other:
            detail = f"tag {x.tag!r} names its own parent {tagged[0].label!r}"
            return _confirm(score, pair, threshold, "parent tag", detail, words_covered(a, b))
    kin = related or (lambda p, q: False)
    if ids_a and ids_b and not any(kin(p, q) for p in ids_a for q in ids_b):
        pa = by_id[min(ids_a)].label
        pb = by_id[min(ids_b)].label
        return Weighing(
            "different parents", f"different parents {pa!r} / {pb!r}", pair.score, threshold, -RAISE
        )
    return Weighing("", "", pair.score, threshold)


def _confirm(
    score: float, pair: PairScore, threshold: float, kind: str, detail: str, covered: bool
) -> Weighing:
    """A confirm, unless a hard rule holds in ``pair`` (the score with the tag penalty lifted, if so)."""
    features = dict(pair.features)
    hard = [f for f in HARD_FEATURES if features[f] == 0.0]
    if hard:
        return Weighing(kind, detail, score, threshold, blocked=f"{hard[0]} differ (a hard rule)")
    weak = [f for f in ("distinct", "swapped") if features[f] < threshold]
    if weak:
        blocked = f"the distinguishing words alone score {features[weak[0]]:.3f} ({weak[0]})"
        return Weighing(kind, detail, score, threshold, blocked=blocked)
    if not covered:
        blocked = "each name has a word the other lacks (a sibling, not a spelling)"
        return Weighing(kind, detail, score, threshold, blocked=blocked)
    return Weighing(kind, detail, score, threshold, CONFIRM, lift=round(max(0.0, pair.score - score), 6))


@dataclass(frozen=True, slots=True)
class Decision:
    """A pair of records whose outcome the graph evidence changes: joined (a must-link) or kept apart (a
    cannot-link)."""

    left_key: str
    right_key: str
    left: str
    right: str
    weighing: Weighing

    @property
    def joins(self) -> bool:
        return self.weighing.same

    def as_dict(self) -> dict[str, object]:
        return {"left": self.left, "right": self.right, **self.weighing.as_dict()}


class Ancestry:
    """Ancestors through a parent map (org id -> its parents), walked at most MAX_DEPTH levels."""

    def __init__(self, parents_of: Mapping[str, Iterable[str]]) -> None:
        self.parents_of = parents_of
        self._memo: dict[str, frozenset[str]] = {}

    def ancestors(self, org: str) -> frozenset[str]:
        found = self._memo.get(org)
        if found is None:
            seen: set[str] = set()
            level = set(self.parents_of.get(org, ()))
            for _ in range(MAX_DEPTH):
                level -= seen
                if not level:
                    break
                seen |= level
                level = {q for p in level for q in self.parents_of.get(p, ())}
            found = self._memo[org] = frozenset(seen)
        return found

    def related(self, p: str, q: str) -> bool:
        return p == q or q in self.ancestors(p) or p in self.ancestors(q)


def graph_decisions(
    names: Mapping[str, str],
    org_of: Mapping[str, str],
    record_parents: Mapping[str, frozenset[str]],
    parent_names: Mapping[str, tuple[str, ...]],
    parents_of: Mapping[str, Iterable[str]],
    threshold: float,
    fixed: Mapping[str, str] | None = None,
    norm_keys: Mapping[str, str] | None = None,
) -> list[Decision]:
    """The pairs of records whose outcome in this resolution the graph evidence changes.

    ``names``: record key -> name; ``org_of``: record key -> organisation; ``record_parents``: record
    key -> the organisations it sits under (this batch's claims and the graph's PARENT_OF);
    ``parent_names``: organisation -> its names; ``parents_of``: organisation -> parents (for ancestry);
    ``fixed``: record key -> the graph organisation it already is (two of those never merge: not weighed);
    ``norm_keys``: name -> its normalised key, where the caller has it (the rest are normalised here).
    Siblings in different organisations are candidates for a confirm; records of one organisation under
    different parents for keeping apart.

    Example:
        >>> names = {"a": "Estates Office (DFAT)", "b": "Estates Office (Foreign Affairs and Trade)"}
        >>> org_of = {"a": "o-a", "b": "o-b", "p": "o-p"}
        >>> parents = {"a": frozenset({"o-p"}), "b": frozenset({"o-p"})}
        >>> dfat = {"o-p": ("DFAT", "Department of Foreign Affairs and Trade")}
        >>> [(d.left, d.joins) for d in graph_decisions(names, org_of, parents, dfat, {}, 0.88)]
        [('Estates Office (DFAT)', True)]
    """
    fixed = fixed or {}
    known_keys = norm_keys or {}
    ancestry = Ancestry(parents_of)
    freq = _token_freq(names.values())
    cache: dict[str, NormalisedName] = {}

    def norm(name: str) -> NormalisedName:
        got = cache.get(name)
        if got is None:
            got = cache[name] = normalise_name(name)
        return got

    def parents(key: str) -> list[Parent]:
        return [Parent(p, parent_names.get(p, ())) for p in sorted(record_parents.get(key, ()))]

    decisions: dict[tuple[str, str], Decision] = {}

    def consider(x: str, y: str, want_join: bool) -> None:
        x, y = min(x, y), max(x, y)
        if (x, y) in decisions or names[x] == names[y]:
            return
        a, b = norm(names[x]), norm(names[y])
        if not a.key or not b.key:
            return
        w = weigh(a, b, parents(x), parents(y), threshold, ancestry.related, score_pair(a, b, freq=freq))
        if w.decided and w.same == want_join:
            decisions[(x, y)] = Decision(x, y, names[x], names[y], w)

    siblings: dict[str, list[str]] = {}
    for key in sorted(record_parents):
        if key in names:
            for p in record_parents[key]:
                siblings.setdefault(p, []).append(key)
    for p in sorted(siblings):
        members = _distinct_names(siblings[p], names)
        if len({org_of[k] for k in members}) < 2:
            continue
        for x, y in _similar_pairs(
            members, [known_keys.get(names[k]) or norm(names[k]).key for k in members], threshold - CONFIRM
        ):
            if org_of[x] != org_of[y] and not (x in fixed and y in fixed):
                consider(x, y, True)

    members_of: dict[str, list[str]] = {}
    for key in sorted(record_parents):
        if key in names and record_parents[key]:
            members_of.setdefault(org_of[key], []).append(key)
    for org in sorted(members_of):
        keys = members_of[org]
        if len({record_parents[k] for k in keys}) < 2:
            continue
        for x, y in combinations(_distinct_names(keys, names)[:MAX_MEMBERS], 2):
            if record_parents[x].isdisjoint(record_parents[y]):
                consider(x, y, False)
    return [decisions[k] for k in sorted(decisions)]


def _distinct_names(keys: Sequence[str], names: Mapping[str, str]) -> list[str]:
    """One record key per distinct name (the first in ``keys`` order)."""
    seen: dict[str, str] = {}
    for k in keys:
        seen.setdefault(names[k], k)
    return list(seen.values())


def _similar_pairs(keys: list[str], texts: list[str], bar: float) -> Iterable[tuple[str, str]]:
    """Pairs of ``keys`` whose normalised ``texts`` are alike enough to reach ``bar``: rapidfuzz ratio
    (typos, a dropped word) or token_sort_ratio (word order), in cdist over the group."""
    if len(keys) < 2:
        return
    cutoff = max(0.0, bar * 100 - PREFILTER_SLACK)
    workers = -1 if len(keys) > BIG_GROUP else 1
    found: set[tuple[int, int]] = set()
    for scorer in (fuzz.ratio, fuzz.token_sort_ratio) if len(keys) <= HUGE_GROUP else (fuzz.ratio,):
        matrix = process.cdist(texts, list(texts), scorer=scorer, score_cutoff=cutoff, workers=workers)
        found.update((int(i), int(j)) for i, j in zip(*matrix.nonzero(), strict=True) if i < j)
    for i, j in sorted(found):
        yield keys[i], keys[j]


def _token_freq(names: Iterable[str]) -> dict[str, int]:
    """Names per word (casefolded), for the corpus feature "known" of the pair scores."""
    freq: dict[str, int] = {}
    for name in names:
        for word in set(_WORD.findall(name.casefold())):
            freq[word] = freq.get(word, 0) + 1
    return freq
