"""Scoring: how alike two normalised names are, in [0, 1], with named features (pure).

score = min(max(ratio, token_sort, squashed, subset), distinct, swapped) - penalties, clipped to [0, 1],
where
- ratio, token_sort: rapidfuzz on the cores (keys without legal forms);
- squashed: rapidfuzz ratio on the keys without spaces ("JPMorgan" / "J.P. Morgan", "SchummPLC");
- subset: one name is the other plus designators only ("Aberdeen City Council", "County Durham"),
  provided they share a word that is not generic; or one writes a run of the other's words as their
  initials ("GSE Profession" / "Government Science & Engineering Profession");
- distinct: the best of ratio, token_sort and squashed on the cores without the generic words both
  share, so shared generic words cannot carry a match ("London Borough of Brent" / "London Borough of
  Ealing", "South Ayrshire Council" / "North Ayrshire Council"); 1 when they share none;
- swapped: when two names differ in one word each, how alike those two words are, unless they are
  within DISTINCT_EDITS edits or one abbreviates the other ("Taro" / "Teva Pharmaceutical Industries";
  "St" / "Saint Mary's");
- penalties: different legal forms, different qualifiers, different tags
  ("Estates Office (DFAT)" / "Estates Office (DIA)"), different numbers ("Region 1" / "Region 2"),
  different compass words ("East Dorset" / "West Dorset"), and any difference between short names
  ("IESE" / "I-Tese": one letter in five is another acronym, not a typo).
A missing legal form or qualifier on one side is no evidence either way.

Inside blocks the same formula runs vectorised: rapidfuzz ``process.cdist`` on large buckets (one call
per bucket, ``workers=-1``, two distinct list objects) and ``process.cpdist`` on the deduplicated pairs of
small buckets (a cdist call costs ~0.14 ms of thread start-up, which dominates a 3-name bucket).
``score_pair`` is the scalar reference; tests check both agree. The word-level rules the features are
made of live in ``resolver.words``.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt
from rapidfuzz import fuzz, process
from rapidfuzz.distance import Levenshtein

from resolver.block import Blocks, IntArray, candidate_pairs
from resolver.digits import read_back
from resolver.normalise import DESIGNATORS, GENERIC_WORDS, MODIFIER_WORDS, NormalisedName
from resolver.words import (
    DIGIT_RE,
    DISTINCT_EDITS,
    LINK_WORDS,
    ROMAN,
    SUBSET_IGNORED,
    agreement,
    best_similarity,
    capitals_agreement,
    capitals_of,
    contracted,
    contractible,
    distinct_score,
    distinctive,
    extra_words,
    has_short_words,
    known_words,
    modifiers_of,
    numbers_of,
    script_agreement,
    singular,
    squash,
    subset_score,
    swapped_word,
    tag_agreement,
    typo_free,
)

FloatArray = npt.NDArray[np.float64]
ObjectArray = npt.NDArray[np.object_]


LEGAL_FORM_PENALTY = 0.15
QUALIFIER_PENALTY = 0.2
TAG_PENALTY = 0.2
NUMBER_PENALTY = 0.2
MODIFIER_PENALTY = 0.2
EXTRA_PENALTY = 0.2
CAPITALS_PENALTY = 0.2
KNOWN_PENALTY = 0.2
SCRIPT_PENALTY = 0.2
SHORT_PENALTY = 0.15
_DIGIT_RE = re.compile(r"[0-9]")
DIGIT_SLACK = 0.05  # a digit read back as a letter lifts a score this far at most (one edit)
SHORT_NAME = 5  # letters, spaces aside: names this short must match exactly
PREFILTER_SLACK = 0.05
CDIST_MIN_BUCKET = 64  # buckets this large go to cdist; smaller ones are pooled into one cpdist call


FEATURES = (
    "ratio",
    "token_sort",
    "squashed",
    "subset",
    "distinct",
    "swapped",
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


@dataclass(frozen=True, slots=True)
class PairScore:
    """A score in [0, 1] and the named features (each in [0, 1]) it came from."""

    score: float
    features: tuple[tuple[str, float], ...]

    def feature(self, name: str) -> float:
        """The value of one named feature."""
        return dict(self.features)[name]


@dataclass(frozen=True, slots=True)
class ScoredPairs:
    """Candidate pairs (lo < hi, unique) whose final score reached the cutoff."""

    lo: IntArray
    hi: IntArray
    score: FloatArray
    comparisons: int  # scorer evaluations of the prefilter (pairs or cdist cells)


def score_pair(
    a: NormalisedName,
    b: NormalisedName,
    common: frozenset[str] = frozenset(),
    freq: Mapping[str, int] | None = None,
) -> PairScore:
    """Score two normalised names (the scalar reference of the vectorised path).

    ``common`` holds words frequent in the corpus at hand ("normal", "university" in ROR); like the
    generic words, when both names share them they cannot carry a match. ``freq`` (names per token in
    the corpus) feeds the "known" feature; without it (a pair on its own) that feature is silent.

    Example:
        >>> from resolver.normalise import normalise_name as n
        >>> score_pair(n("Schumm PLC"), n("SchummPLC")).score
        1.0
        >>> score_pair(n("NHS"), n("NHS England")).score < 0.5
        True
    """
    if not a.key or not b.key:
        return PairScore(0.0, tuple((f, 0.0) for f in FEATURES))
    ca, cb = a.core, b.core
    ratio = fuzz.ratio(ca, cb) / 100
    token_sort = fuzz.token_sort_ratio(ca, cb) / 100
    if _DIGIT_RE.search(ca) or _DIGIT_RE.search(cb):  # "9akin-Schnvider": the digit read as its letter
        fixed_a, fixed_b = read_back(ca, cb), read_back(cb, ca)
        if fixed_a is not None or fixed_b is not None:
            ca, cb = fixed_a or ca, fixed_b or cb
            ratio = max(ratio, fuzz.ratio(ca, cb) / 100)
            token_sort = max(token_sort, fuzz.token_sort_ratio(ca, cb) / 100)
    squashed = fuzz.ratio(squash(a.key), squash(b.key)) / 100
    subset = subset_score(a.tokens, b.tokens, common)
    if not subset and (contractible(a) or contractible(b)):
        subset = contracted(a.tokens, b.tokens)
    distinct = 1.0 if subset else distinct_score(a.tokens, b.tokens, common)
    swapped = swapped_word(a.tokens, b.tokens, common)
    markers = (
        *_markers(a, b),
        extra_words(a.tokens, b.tokens, capitals_of(a.display), capitals_of(b.display)),
        capitals_agreement(a, b),
        known_words(a, b, freq),
        script_agreement(a, b),
    )
    similarity = min(max(ratio, token_sort, squashed, subset), distinct, swapped)
    score = _combine(similarity, *markers)
    values = (ratio, token_sort, squashed, subset, distinct, swapped, *markers)
    return PairScore(round(score, 6), tuple((f, round(v, 6)) for f, v in zip(FEATURES, values, strict=True)))


def _markers(a: NormalisedName, b: NormalisedName) -> tuple[float, float, float, float, float, float]:
    """Agreement of legal forms, qualifiers, tags, numbers, compass words (1, 0.5 one missing, 0
    differ) and whether two short names are equal (designators and legal forms aside). (The capitals
    marker is passed to ``_combine`` separately.)"""
    sa, sb = squash(distinctive(a)), squash(distinctive(b))
    return (
        agreement(a.legal_form, b.legal_form),
        agreement(a.qualifier, b.qualifier),
        tag_agreement(a.tag, b.tag),
        1.0 if numbers_of(a.tokens) == numbers_of(b.tokens) else 0.0,
        1.0 if modifiers_of(a.tokens) == modifiers_of(b.tokens) else 0.0,
        1.0 if sa == sb or min(len(sa), len(sb)) > SHORT_NAME else 0.0,
    )


def anchor_score(a: NormalisedName, b: NormalisedName) -> float:
    """Do two clusters' anchors name the same body? Similarity without any generic words, less penalties.

    It ignores designators on either side ("Derby City UA" / "Derby City Council"), so the chaining
    guard judges the distinctive words only.
    """
    if not a.key or not b.key:
        return 0.0
    return _combine(
        best_similarity(distinctive(a), distinctive(b)),
        *_markers(a, b),
        1.0,
        capitals_agreement(a, b),
        1.0,
        script_agreement(a, b),
    )


def _combine(
    similarity: float,
    legal: float,
    qualifier: float,
    tag: float,
    numbers: float,
    modifiers: float,
    short: float,
    extra: float,
    capitals: float,
    known: float,
    script: float,
) -> float:
    penalty = (
        LEGAL_FORM_PENALTY * (legal == 0.0)
        + QUALIFIER_PENALTY * (qualifier == 0.0)
        + TAG_PENALTY * (tag == 0.0)
        + NUMBER_PENALTY * (numbers == 0.0)
        + MODIFIER_PENALTY * (modifiers == 0.0)
        + SHORT_PENALTY * (short == 0.0)
        + EXTRA_PENALTY * (extra == 0.0)
        + CAPITALS_PENALTY * (capitals == 0.0)
        + KNOWN_PENALTY * (known == 0.0)
        + SCRIPT_PENALTY * (script == 0.0)
    )
    return min(1.0, max(0.0, similarity - penalty))


def _disagree(ids: IntArray, lo: IntArray, hi: IntArray) -> npt.NDArray[np.bool_]:
    x, y = ids[lo], ids[hi]
    result: npt.NDArray[np.bool_] = (x >= 0) & (y >= 0) & (x != y)
    return result


def score_blocks(
    names: Sequence[NormalisedName],
    blocks: Blocks,
    *,
    cutoff: float,
    common: frozenset[str] = frozenset(),
    freq: Mapping[str, int] | None = None,
) -> ScoredPairs:
    """Score every pair inside the buckets; keep those whose final score reaches ``cutoff``.

    The prefilter computes max(token_sort on cores, ratio on squashed keys), two of the three final
    similarities, and keeps pairs within PREFILTER_SLACK of the cutoff (the third, ratio on cores, is
    rarely more than 0.01 above them on generated variants) plus every pair with designators on a side,
    which the subset rule may lift.
    """
    cores = np.array([n.core for n in names], dtype=object)
    squashed = np.array([squash(n.key) for n in names], dtype=object)
    # Designators (the subset rule) or capitals that may contract words ("GSE Profession"): such pairs
    # pass the prefilter whatever their string similarity.
    designated = np.fromiter(
        (not DESIGNATORS.isdisjoint(n.tokens) or contractible(n) for n in names), dtype=bool, count=len(names)
    )
    small: list[list[int]] = []
    parts_lo: list[IntArray] = []
    parts_hi: list[IntArray] = []
    parts_pre: list[FloatArray] = []
    comparisons = 0
    cut = (cutoff - PREFILTER_SLACK) * 100
    for members in blocks.buckets:
        if len(members) < CDIST_MIN_BUCKET:
            small.append(members)
            continue
        ids = np.asarray(members, dtype=np.int64)
        m = np.maximum(
            _cdist(list(cores[ids]), fuzz.token_sort_ratio), _cdist(list(squashed[ids]), fuzz.ratio)
        )
        comparisons += len(members) * len(members)
        flags = designated[ids]
        i, j = np.nonzero(np.triu((m >= cut) | flags[:, None] | flags[None, :], k=1))
        parts_lo.append(ids[i])
        parts_hi.append(ids[j])
        parts_pre.append(m[i, j])
    lo, hi = candidate_pairs(small, len(names))
    comparisons += len(lo)
    if len(lo):
        pre = np.maximum(_cpdist(cores, lo, hi, fuzz.token_sort_ratio), _cpdist(squashed, lo, hi, fuzz.ratio))
        keep = (pre >= cut) | designated[lo] | designated[hi]
        parts_lo.append(lo[keep])
        parts_hi.append(hi[keep])
        parts_pre.append(pre[keep])
    if not parts_lo:
        empty = np.zeros(0, dtype=np.int64)
        return ScoredPairs(empty, empty.copy(), np.zeros(0), comparisons)
    n = len(names)
    # Deduplicate pairs found both in a large bucket and in small ones (their prefilter scores agree).
    code = np.concatenate(parts_lo) * n + np.concatenate(parts_hi)
    order = np.argsort(code)
    code = code[order]
    first = np.ones(len(code), dtype=bool)
    first[1:] = code[1:] != code[:-1]
    lo, hi = code[first] // n, code[first] % n
    pre_all = np.concatenate(parts_pre)[order][first]
    final = _final_scores(names, cores, squashed, designated, lo, hi, pre_all, cutoff, common, freq)
    keep = final >= cutoff
    return ScoredPairs(lo[keep], hi[keep], final[keep], comparisons)


def _final_scores(
    names: Sequence[NormalisedName],
    cores: ObjectArray,
    squashed: ObjectArray,
    designated: npt.NDArray[np.bool_],
    lo: IntArray,
    hi: IntArray,
    pre: FloatArray,
    cutoff: float,
    common: frozenset[str],
    freq: Mapping[str, int] | None = None,
) -> FloatArray:
    """Final scores of the pairs: exact for every pair scoring >= cutoff, 0 for the others."""
    similarity = np.maximum(pre, _cpdist(cores, lo, hi, fuzz.ratio)) / 100
    # The subset rule needs designators on the larger side.
    is_subset = np.zeros(len(lo), dtype=bool)
    for k in np.nonzero(designated[lo] | designated[hi])[0]:
        a, b = names[lo[k]], names[hi[k]]
        subset = subset_score(a.tokens, b.tokens, common)
        if not subset and (contractible(a) or contractible(b)):
            subset = contracted(a.tokens, b.tokens)
        if subset:
            similarity[k] = max(similarity[k], subset)
            is_subset[k] = True
    # A digit typed for a letter inside a word ("9akin-Schnvider") is read as the letter the other name
    # writes there: only pairs in reach of the cutoff with a digit in a core are looked at.
    for k in np.nonzero(similarity >= cutoff - DIGIT_SLACK)[0]:
        a, b = cores[lo[k]], cores[hi[k]]
        if _DIGIT_RE.search(a) is None and _DIGIT_RE.search(b) is None:
            continue
        fixed_a, fixed_b = read_back(a, b), read_back(b, a)
        if fixed_a is not None or fixed_b is not None:
            a, b = fixed_a or a, fixed_b or b
            similarity[k] = max(similarity[k], fuzz.ratio(a, b) / 100, fuzz.token_sort_ratio(a, b) / 100)
    # Penalties only lower a score: the rest is computed for the pairs still in reach of the cutoff.
    reach = np.nonzero(similarity >= cutoff)[0]
    lo, hi, similarity, is_subset = lo[reach], hi[reach], similarity[reach], is_subset[reach]
    used = np.zeros(len(names), dtype=bool)
    used[lo] = True
    used[hi] = True
    involved = np.nonzero(used)[0].tolist()
    short = np.full(len(names), "", dtype=object)  # squashed distinctive cores of the short names
    short[involved] = [_short_form(names[i]) for i in involved]
    stop = GENERIC_WORDS | common
    generic = _flags(names, involved, lambda n: not stop.isdisjoint(n.tokens))
    # "distinct" only matters where both names hold generic or common words.
    typo = _cpdist(cores, lo, hi, Levenshtein.distance, 1) <= 1
    for k in np.nonzero(~is_subset & ~typo & generic[lo] & generic[hi])[0]:
        distinct = distinct_score(names[lo[k]].tokens, names[hi[k]].tokens, common)
        similarity[k] = min(similarity[k], distinct)
    # "swapped" only matters between names with as many distinct words, two or more.
    words = np.zeros(len(names), dtype=np.int64)
    words[involved] = [
        len({singular(t) for t in names[i].tokens if t not in LINK_WORDS}) if len(names[i].tokens) > 1 else 0
        for i in involved
    ]
    edits = _cpdist(cores, lo, hi, Levenshtein.distance, DISTINCT_EDITS)
    # "known" can only fire between cores a typo apart: only those are read.
    known = np.zeros(len(lo), dtype=bool)
    if freq:
        for k in np.nonzero(edits <= DISTINCT_EDITS)[0]:
            known[k] = known_words(names[lo[k]], names[hi[k]], freq) == 0.0
    # Cores two edits apart hold no swapped word that is more than a typo: only the others are read
    # (unless a short word could be the one swapped: "Air" / "Rail Accident Investigation Branch").
    has_short = _flags(names, involved, _has_short_word)
    near = (edits <= DISTINCT_EDITS) & ~(has_short[lo] | has_short[hi])
    for k in np.nonzero(~near & (words[lo] == words[hi]) & (words[lo] > 1) & (similarity >= cutoff))[0]:
        similarity[k] = min(similarity[k], swapped_word(names[lo[k]].tokens, names[hi[k]].tokens, common))
    legal, qualifier, numbers, modifiers = _attribute_ids(names, involved)
    penalty = (
        LEGAL_FORM_PENALTY * _disagree(legal, lo, hi)
        + QUALIFIER_PENALTY * _disagree(qualifier, lo, hi)
        + TAG_PENALTY * _tag_flags(names, lo, hi)
        + NUMBER_PENALTY * (numbers[lo] != numbers[hi])
        + MODIFIER_PENALTY * (modifiers[lo] != modifiers[hi])
        + SHORT_PENALTY * (((short[lo] != "") | (short[hi] != "")) & (short[lo] != short[hi]))
        + EXTRA_PENALTY * _extra_flags(names, involved, lo, hi)
        + CAPITALS_PENALTY * _capitals_flags(names, involved, lo, hi)
        + KNOWN_PENALTY * known
        + SCRIPT_PENALTY * _script_flags(names, involved, squashed, lo, hi)
    )
    final = np.zeros(len(pre), dtype=np.float64)
    final[reach] = np.round(np.clip(similarity - penalty, 0.0, 1.0), 6)
    return final


def _extra_flags(
    names: Sequence[NormalisedName], involved: list[int], lo: IntArray, hi: IntArray
) -> npt.NDArray[np.bool_]:
    """extra_words() == 0 per pair, tested only where the word counts differ (nesting needs that)."""
    counts = np.zeros(len(names), dtype=np.int64)
    counts[involved] = [sum(t not in SUBSET_IGNORED for t in names[i].tokens) for i in involved]
    flags = np.zeros(len(lo), dtype=bool)
    for k in np.nonzero(counts[lo] != counts[hi])[0]:
        a, b = names[lo[k]], names[hi[k]]
        flags[k] = extra_words(a.tokens, b.tokens, capitals_of(a.display), capitals_of(b.display)) == 0.0
    return flags


def _capitals_flags(
    names: Sequence[NormalisedName], involved: list[int], lo: IntArray, hi: IntArray
) -> npt.NDArray[np.bool_]:
    """capitals_agreement() == 0 per pair, read only where both names write capitals."""
    caps = _flags(names, involved, lambda n: bool(capitals_of(n.display)))
    flags = np.zeros(len(lo), dtype=bool)
    for k in np.nonzero(caps[lo] & caps[hi])[0]:
        flags[k] = capitals_agreement(names[lo[k]], names[hi[k]]) == 0.0
    return flags


def _script_flags(
    names: Sequence[NormalisedName], involved: list[int], squashed: ObjectArray, lo: IntArray, hi: IntArray
) -> npt.NDArray[np.bool_]:
    """script_agreement() == 0 per pair: a side written in a script without typo allowance, keys unequal."""
    free = _flags(names, involved, lambda n: typo_free(n.display))
    flags: npt.NDArray[np.bool_] = (free[lo] | free[hi]) & (squashed[lo] != squashed[hi])
    return flags


def _tag_flags(names: Sequence[NormalisedName], lo: IntArray, hi: IntArray) -> npt.NDArray[np.bool_]:
    """tag_agreement() == 0 per pair (tags are rare: only pairs with a tag on both sides are read)."""
    flags = np.zeros(len(lo), dtype=bool)
    tagged = np.fromiter((n.tag is not None for n in names), dtype=bool, count=len(names))
    for k in np.nonzero(tagged[lo] & tagged[hi])[0]:
        flags[k] = tag_agreement(names[lo[k]].tag, names[hi[k]].tag) == 0.0
    return flags


def _has_short_word(name: NormalisedName) -> bool:
    return has_short_words(name.tokens)


def _short_form(name: NormalisedName) -> str:
    form = squash(distinctive(name))
    return form if len(form) <= SHORT_NAME else ""


def _flags(
    names: Sequence[NormalisedName], involved: list[int], test: Callable[[NormalisedName], bool]
) -> npt.NDArray[np.bool_]:
    flags = np.zeros(len(names), dtype=bool)
    flags[involved] = [test(names[i]) for i in involved]
    return flags


def _attribute_ids(
    names: Sequence[NormalisedName], involved: list[int]
) -> tuple[IntArray, IntArray, IntArray, IntArray]:
    """Small integer ids of legal form, qualifier, numbers and compass words (None -> -1), so the
    penalties compare as arrays."""
    tables: tuple[dict[object, int], ...] = ({}, {}, {}, {})
    columns: tuple[list[int], ...] = ([], [], [], [])
    for i in involved:
        n = names[i]
        values = (
            n.legal_form,
            n.qualifier,
            (numbers_of(n.tokens) or None)
            if DIGIT_RE.search(n.key) or not ROMAN.keys().isdisjoint(n.tokens)
            else None,
            None if MODIFIER_WORDS.isdisjoint(n.tokens) else modifiers_of(n.tokens),
        )
        for value, table, column in zip(values, tables, columns, strict=True):
            column.append(-1 if value is None else table.setdefault(value, len(table)))
    out = []
    for column in columns:
        ids = np.full(len(names), -1, dtype=np.int64)
        ids[involved] = column
        out.append(ids)
    return out[0], out[1], out[2], out[3]


Scorer = Callable[..., Any]


def _cdist(strings: list[str], scorer: Scorer) -> FloatArray:
    other = list(strings)  # a distinct object: cdist(x, x) takes a slower path
    return np.asarray(
        process.cdist(strings, other, scorer=scorer, processor=None, dtype=np.float64, workers=-1)
    )


def _cpdist(
    strings: ObjectArray, lo: IntArray, hi: IntArray, scorer: Scorer, cutoff: float | None = None
) -> FloatArray:
    return np.asarray(
        process.cpdist(
            strings[lo],
            strings[hi],
            scorer=scorer,
            processor=None,
            score_cutoff=cutoff,
            dtype=np.float64,
            workers=-1,
        )
    )
