"""Scoring: how alike two normalised names are, in [0, 1], with named features (pure).

score = min(max(ratio, token_sort, squashed, subset), distinct) - penalties, clipped to [0, 1], where
- ratio, token_sort: rapidfuzz on the cores (keys without legal forms);
- squashed: rapidfuzz ratio on the keys without spaces ("JPMorgan" / "J.P. Morgan", "SchummPLC");
- subset: one name is the other plus organisation-type words only ("Goldman Sachs Group",
  "Aberdeen City Council"), provided they share a word that is not such a word;
- distinct: the best of ratio, token_sort and squashed on the cores without organisation-type words, so
  shared generic words cannot carry a match ("London Borough of Brent" / "London Borough of Ealing",
  "South Ayrshire Council" / "North Ayrshire Council");
- penalties: different legal forms, different qualifiers, different numbers ("Region 1" / "Region 2").
A missing legal form or qualifier on one side is no evidence either way.

Inside blocks the same formula runs vectorised: rapidfuzz ``process.cdist`` on large buckets (one call
per bucket, ``workers=-1``, two distinct list objects) and ``process.cpdist`` on the deduplicated pairs of
small buckets (a cdist call costs ~0.14 ms of thread start-up, which dominates a 3-name bucket).
``score_pair`` is the scalar reference; tests check both agree.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt
from rapidfuzz import fuzz, process

from resolver.block import Blocks, IntArray, candidate_pairs
from resolver.normalise import GENERIC_WORDS, NormalisedName

FloatArray = npt.NDArray[np.float64]

LEGAL_FORM_PENALTY = 0.15
QUALIFIER_PENALTY = 0.2
NUMBER_PENALTY = 0.2
SUBSET_BASE = 0.96
SUBSET_STEP = 0.02
CDIST_MIN_BUCKET = 64  # buckets this large go to cdist; smaller ones are pooled into one cpdist call
_SUBSET_IGNORED = frozenset({"of", "and", "the", "for"})

FEATURES = ("ratio", "token_sort", "squashed", "subset", "distinct", "legal_form", "qualifier", "numbers")


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
    """Candidate pairs (lo < hi, unique) whose prefilter passed, with final scores."""

    lo: IntArray
    hi: IntArray
    score: FloatArray
    comparisons: int  # scorer evaluations of the prefilter (pairs or cdist cells)


def squash(key: str) -> str:
    """The key without spaces."""
    return key.replace(" ", "")


def distinctive(name: NormalisedName) -> str:
    """The core without organisation-type words (the whole core when nothing else is left)."""
    kept = [t for t in name.tokens if t not in GENERIC_WORDS]
    return " ".join(kept) if kept else name.core


def _best(a: str, b: str) -> float:
    return max(fuzz.ratio(a, b), fuzz.token_sort_ratio(a, b), fuzz.ratio(squash(a), squash(b))) / 100


def numbers_of(tokens: Sequence[str]) -> tuple[str, ...]:
    """The tokens that contain a digit, sorted: two names with different numbers are different bodies."""
    return tuple(sorted(t for t in tokens if any(c.isdigit() for c in t)))


def subset_score(a: Sequence[str], b: Sequence[str]) -> float:
    """SUBSET_BASE - SUBSET_STEP per extra word when one token set is the other's plus generic words only.

    Example:
        >>> subset_score(("goldman", "sachs"), ("goldman", "sachs", "group"))
        0.94
        >>> subset_score(("nhs",), ("nhs", "england"))
        0.0
    """
    sa, sb = set(a) - _SUBSET_IGNORED, set(b) - _SUBSET_IGNORED
    small, big = (sa, sb) if len(sa) <= len(sb) else (sb, sa)
    if not small or not small < big or not (small - GENERIC_WORDS):
        return 0.0
    extra = big - small
    if extra - GENERIC_WORDS:
        return 0.0
    return round(SUBSET_BASE - SUBSET_STEP * len(extra), 6)


def _agreement(x: str | None, y: str | None) -> float:
    """1 equal, 0.5 one side missing, 0 both present and different."""
    if x == y:
        return 1.0
    return 0.5 if x is None or y is None else 0.0


def score_pair(a: NormalisedName, b: NormalisedName) -> PairScore:
    """Score two normalised names (the scalar reference of the vectorised path).

    Example:
        >>> from resolver.normalise import normalise_name as n
        >>> score_pair(n("Schumm PLC"), n("SchummPLC")).score
        0.947368
        >>> score_pair(n("NHS"), n("NHS England")).score < 0.5
        True
    """
    if not a.key or not b.key:
        return PairScore(0.0, tuple((f, 0.0) for f in FEATURES))
    ca, cb = a.core, b.core
    ratio = fuzz.ratio(ca, cb) / 100
    token_sort = fuzz.token_sort_ratio(ca, cb) / 100
    squashed = fuzz.ratio(squash(a.key), squash(b.key)) / 100
    subset = subset_score(a.tokens, b.tokens)
    da, db = distinctive(a), distinctive(b)
    distinct = 1.0 if subset else _best(da, db)
    legal = _agreement(a.legal_form, b.legal_form)
    qualifier = _agreement(a.qualifier, b.qualifier)
    numbers = 1.0 if numbers_of(a.tokens) == numbers_of(b.tokens) else 0.0
    score = _combine(min(max(ratio, token_sort, squashed, subset), distinct), legal, qualifier, numbers)
    values = (ratio, token_sort, squashed, subset, distinct, legal, qualifier, numbers)
    return PairScore(round(score, 6), tuple((f, round(v, 6)) for f, v in zip(FEATURES, values, strict=True)))


def _combine(similarity: float, legal: float, qualifier: float, numbers: float) -> float:
    penalty = (
        LEGAL_FORM_PENALTY * (legal == 0.0)
        + QUALIFIER_PENALTY * (qualifier == 0.0)
        + NUMBER_PENALTY * (numbers == 0.0)
    )
    return min(1.0, max(0.0, similarity - penalty))


def _ids(values: Sequence[object]) -> IntArray:
    """Small integer ids for hashable values (None -> -1), so penalties compare as arrays."""
    table: dict[object, int] = {}
    return np.fromiter(
        (-1 if v is None else table.setdefault(v, len(table)) for v in values),
        dtype=np.int64,
        count=len(values),
    )


def _disagree(ids: IntArray, lo: IntArray, hi: IntArray) -> npt.NDArray[np.bool_]:
    x, y = ids[lo], ids[hi]
    result: npt.NDArray[np.bool_] = (x >= 0) & (y >= 0) & (x != y)
    return result


def score_blocks(names: Sequence[NormalisedName], blocks: Blocks, *, cutoff: float) -> ScoredPairs:
    """Score every pair inside the buckets; keep those whose prefilter reaches ``cutoff``.

    The prefilter is max(token_set_ratio on cores, ratio on squashed keys), an upper bound of the final
    score for all but the subset rule, which token_set also scores 1 (sets that contain one another).
    """
    cores = [n.core for n in names]
    squashed = [squash(n.key) for n in names]
    small: list[list[int]] = []
    parts_lo: list[IntArray] = []
    parts_hi: list[IntArray] = []
    parts_pre: list[npt.NDArray[np.uint8]] = []
    comparisons = 0
    cut = int(np.floor(cutoff * 100))
    for members in blocks.buckets:
        if len(members) < CDIST_MIN_BUCKET:
            small.append(members)
            continue
        sub_a = [cores[i] for i in members]
        sub_b = [squashed[i] for i in members]
        m = np.maximum(_cdist(sub_a, fuzz.token_set_ratio, cut), _cdist(sub_b, fuzz.ratio, cut))
        comparisons += len(members) * len(members)
        i, j = np.nonzero(np.triu(m, k=1))
        ids = np.asarray(members, dtype=np.int64)
        parts_lo.append(ids[i])
        parts_hi.append(ids[j])
        parts_pre.append(m[i, j])
    lo, hi = candidate_pairs(small, len(names))
    comparisons += len(lo)
    if len(lo):
        pre = np.maximum(
            _cpdist(cores, lo, hi, fuzz.token_set_ratio, cut), _cpdist(squashed, lo, hi, fuzz.ratio, cut)
        )
        keep = pre > 0
        parts_lo.append(lo[keep])
        parts_hi.append(hi[keep])
        parts_pre.append(pre[keep])
    if not parts_lo:
        empty = np.zeros(0, dtype=np.int64)
        return ScoredPairs(empty, empty.copy(), np.zeros(0), comparisons)
    n = len(names)
    code, first = np.unique(np.concatenate(parts_lo) * n + np.concatenate(parts_hi), return_index=True)
    lo, hi = code // n, code % n
    pre_all = np.concatenate(parts_pre)[first]
    return ScoredPairs(lo, hi, _final_scores(names, cores, squashed, lo, hi, pre_all), comparisons)


def _final_scores(
    names: Sequence[NormalisedName],
    cores: list[str],
    squashed: list[str],
    lo: IntArray,
    hi: IntArray,
    pre: npt.NDArray[np.uint8],
) -> FloatArray:
    similarity = (
        np.maximum.reduce(
            [
                _cpdist(cores, lo, hi, fuzz.ratio, 0, np.float64),
                _cpdist(cores, lo, hi, fuzz.token_sort_ratio, 0, np.float64),
                _cpdist(squashed, lo, hi, fuzz.ratio, 0, np.float64),
            ]
        )
        / 100
    )
    distinct_strings = [distinctive(n) for n in names]
    distinct_squashed = [squash(d) for d in distinct_strings]
    distinct = (
        np.maximum.reduce(
            [
                _cpdist(distinct_strings, lo, hi, fuzz.ratio, 0, np.float64),
                _cpdist(distinct_strings, lo, hi, fuzz.token_sort_ratio, 0, np.float64),
                _cpdist(distinct_squashed, lo, hi, fuzz.ratio, 0, np.float64),
            ]
        )
        / 100
    )
    # token_set == 100 with unequal cores: one token set holds the other; the subset rule decides.
    for k in np.nonzero(pre >= 100)[0]:
        subset = subset_score(names[lo[k]].tokens, names[hi[k]].tokens)
        if subset:
            similarity[k] = max(similarity[k], subset)
            distinct[k] = 1.0
    similarity = np.minimum(similarity, distinct)
    legal = _ids([n.legal_form for n in names])
    qualifier = _ids([n.qualifier for n in names])
    numbers = _ids([numbers_of(n.tokens) or None for n in names])
    penalty = (
        LEGAL_FORM_PENALTY * _disagree(legal, lo, hi)
        + QUALIFIER_PENALTY * _disagree(qualifier, lo, hi)
        + NUMBER_PENALTY * (numbers[lo] != numbers[hi])
    )
    scores: FloatArray = np.round(np.clip(similarity - penalty, 0.0, 1.0), 6)
    return scores


Scorer = Callable[..., Any]


def _cdist(strings: list[str], scorer: Scorer, cut: int) -> npt.NDArray[np.uint8]:
    other = list(strings)  # a distinct object: cdist(x, x) takes a slower path
    return np.asarray(
        process.cdist(
            strings, other, scorer=scorer, processor=None, score_cutoff=cut, dtype=np.uint8, workers=-1
        )
    )


def _cpdist(
    strings: list[str], lo: IntArray, hi: IntArray, scorer: Scorer, cut: int, dtype: type = np.uint8
) -> npt.NDArray[np.generic]:
    arr = np.asarray(strings, dtype=object)
    return np.asarray(
        process.cpdist(
            list(arr[lo]),
            list(arr[hi]),
            scorer=scorer,
            processor=None,
            score_cutoff=cut,
            dtype=dtype,
            workers=-1,
        )
    )
