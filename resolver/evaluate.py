"""Quality of a clustering against a truth labelling: pairwise and B-cubed scores, worst errors (pure).

Pairwise: a pair of items is predicted same when both share a predicted cluster, truly same when both
share a truth label. When neither side has any pair (every item alone in truth and in the prediction)
precision and recall are 1 by convention; a prediction with false merges against an all-singleton truth
has precision 0 and (vacuous) recall 1. B-cubed averages per item, so it stays meaningful there.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Hashable, Sequence
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Scores:
    """Precision, recall and their harmonic mean."""

    precision: float
    recall: float
    f1: float


@dataclass(frozen=True, slots=True)
class ErrorGroup:
    """A false merge (one predicted cluster spanning truth groups) or a false split (the reverse).

    ``groups`` holds the item names, grouped by the other labelling; ``pairs`` is the number of wrong
    (false merge) or missed (false split) pairs it accounts for.
    """

    pairs: int
    groups: tuple[tuple[str, ...], ...]


@dataclass(frozen=True, slots=True)
class Evaluation:
    """Scores of a predicted clustering against the truth."""

    items: int
    true_clusters: int
    predicted_clusters: int
    true_pairs: int
    predicted_pairs: int
    correct_pairs: int
    pairwise: Scores
    bcubed: Scores
    false_merges: tuple[ErrorGroup, ...]
    false_splits: tuple[ErrorGroup, ...]


def _pairs(count: int) -> int:
    return count * (count - 1) // 2


def _scores(precision: float, recall: float) -> Scores:
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return Scores(round(precision, 6), round(recall, 6), round(f1, 6))


def evaluate(
    names: Sequence[str], predicted: Sequence[Hashable], truth: Sequence[Hashable], *, worst: int = 5
) -> Evaluation:
    """Compare ``predicted`` cluster labels with ``truth`` labels (parallel to ``names``).

    Example:
        >>> e = evaluate(["a", "b", "c"], [1, 1, 2], ["x", "x", "x"])
        >>> (e.pairwise.precision, e.pairwise.recall)
        (1.0, 0.333333)
    """
    if not len(names) == len(predicted) == len(truth):
        raise ValueError("names, predicted and truth must have the same length")
    joint = Counter(zip(predicted, truth, strict=True))
    pred_size = Counter(predicted)
    true_size = Counter(truth)
    correct = sum(_pairs(c) for c in joint.values())
    predicted_pairs = sum(_pairs(c) for c in pred_size.values())
    true_pairs = sum(_pairs(c) for c in true_size.values())
    precision = correct / predicted_pairs if predicted_pairs else (1.0 if not true_pairs else 0.0)
    recall = correct / true_pairs if true_pairs else 1.0
    n = len(names)
    b_precision = sum(c * c / pred_size[p] for (p, _), c in joint.items()) / n if n else 1.0
    b_recall = sum(c * c / true_size[t] for (_, t), c in joint.items()) / n if n else 1.0
    return Evaluation(
        items=n,
        true_clusters=len(true_size),
        predicted_clusters=len(pred_size),
        true_pairs=true_pairs,
        predicted_pairs=predicted_pairs,
        correct_pairs=correct,
        pairwise=_scores(precision, recall),
        bcubed=_scores(b_precision, b_recall),
        false_merges=_worst(names, predicted, truth, joint, pred_size, worst, by_first=True),
        false_splits=_worst(names, truth, predicted, joint, true_size, worst, by_first=False),
    )


def _worst(
    names: Sequence[str],
    outer: Sequence[Hashable],
    inner: Sequence[Hashable],
    joint: Counter[tuple[Hashable, Hashable]],
    outer_size: Counter[Hashable],
    limit: int,
    *,
    by_first: bool,
) -> tuple[ErrorGroup, ...]:
    """The ``limit`` outer groups holding the most pairs the inner labelling separates."""
    inner_pairs: Counter[Hashable] = Counter()
    for (p, t), c in joint.items():
        inner_pairs[p if by_first else t] += _pairs(c)
    wrong = {o: _pairs(s) - inner_pairs[o] for o, s in outer_size.items() if _pairs(s) > inner_pairs[o]}
    top = sorted(wrong, key=lambda o: (-wrong[o], str(o)))[:limit]
    members: dict[Hashable, dict[Hashable, list[str]]] = {o: {} for o in top}
    for name, o, i in zip(names, outer, inner, strict=True):
        if o in members:
            members[o].setdefault(i, []).append(name)
    return tuple(
        ErrorGroup(
            wrong[o], tuple(tuple(sorted(g)) for g in sorted(members[o].values(), key=lambda g: (-len(g), g)))
        )
        for o in top
    )


@dataclass(frozen=True, slots=True)
class NameOverlap:
    """What the names alone can show about the truth: the true pairs by how their names relate, and the
    pairs of different true organisations whose names normalise alike (no name matcher can part them).

    ``ceiling`` is the recall a name-only matcher could reach at most: the share of true pairs whose
    names are identical once normalised, share a word (besides "of", "and", "for", "the"; a word of
    four letters or more also counts when a typo apart, ``fuzz.ratio`` >= NEAR_WORD), or where one is
    the other's acronym. The rest (translations, former names, unrelated brand names) need evidence
    other than the names.
    """

    true_pairs: float
    identical: float
    shared_word: float
    acronym: float
    no_shared_word: float
    identical_false_pairs: int

    @property
    def ceiling(self) -> float:
        return round(1.0 - self.no_shared_word / self.true_pairs, 6) if self.true_pairs else 1.0


SAMPLE_ITEMS = 400  # a truth group larger than this is judged on an even sample of its items
NEAR_WORD = 75  # fuzz.ratio from which two words of 4+ letters count as one word with a typo


def _near_word(a: Sequence[str], b: Sequence[str]) -> bool:
    from rapidfuzz import fuzz

    return any(fuzz.ratio(x, y, score_cutoff=NEAR_WORD) for x in a if len(x) >= 4 for y in b if len(y) >= 4)


def name_overlap(names: Sequence[str], truth: Sequence[Hashable]) -> NameOverlap:
    """Classify the true pairs by how their names relate (see NameOverlap); large truth groups are
    sampled (SAMPLE_ITEMS items) and their counts scaled, so the cost stays linear in the items.

    Example:
        >>> o = name_overlap(["NHS", "National Health Service", "N.H.S.", "Acme"], ["a", "a", "a", "b"])
        >>> (o.true_pairs, o.identical, o.acronym, o.no_shared_word)
        (3.0, 1.0, 2.0, 0.0)
    """
    from itertools import combinations

    from resolver.normalise import ACRONYM_STOPWORDS, acronym_forms, normalise_name

    cache = {name: normalise_name(name) for name in set(names)}
    groups: dict[Hashable, list[str]] = {}
    for name, label in zip(names, truth, strict=True):
        groups.setdefault(label, []).append(name)
    counts = [0.0, 0.0, 0.0, 0.0]  # identical, shared word, acronym, none
    for members in groups.values():
        total = _pairs(len(members))
        if total == 0:
            continue
        sample = sorted(members)
        if len(sample) > SAMPLE_ITEMS:
            sample = sample[:: -(-len(sample) // SAMPLE_ITEMS)]
        weight = total / _pairs(len(sample))
        for x, y in combinations(sample, 2):
            a, b = cache[x], cache[y]
            if a.key == b.key:
                kind = 0
            elif not (set(a.tokens) & set(b.tokens)) <= ACRONYM_STOPWORDS or _near_word(a.tokens, b.tokens):
                kind = 1
            elif (len(a.tokens) == 1 and a.tokens[0] in acronym_forms(b)) or (
                len(b.tokens) == 1 and b.tokens[0] in acronym_forms(a)
            ):
                kind = 2
            else:
                kind = 3
            counts[kind] += weight
    by_key: dict[str, Counter[Hashable]] = {}
    for name, label in zip(names, truth, strict=True):
        key = cache[name].key
        if key:
            by_key.setdefault(key, Counter())[label] += 1
    identical_false = sum(
        _pairs(sum(c.values())) - sum(_pairs(v) for v in c.values()) for c in by_key.values() if len(c) > 1
    )
    identical, shared, acronym, none = (round(c, 1) for c in counts)
    return NameOverlap(round(sum(counts), 1), identical, shared, acronym, none, identical_false)
