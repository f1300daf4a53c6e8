"""A last word that is a typo of a legal form or generic word: "Hand Imc" is "Hand Inc" (pure).

The scores cannot see it: a legal form or generic word outside the vocabulary is a word of the core,
and a short name with one more word in its core is another name ("Emard Hnc" / "Emard Inc" score
0.725). Read as a pair it is plain: the two names agree word for word but in the last, where one
writes a legal form or generic word of three letters or more ("inc", "ltd", "group") and the other a
word one edit from it that no other name of the input uses ("imc", "ltz", "grout": a typo is rarer
than the word it damages; "Red Lion Inn" and "Red Lion Inc" differ when "inn" is a word the corpus
repeats), and one only: "O'Kon YLC" is a typo of "O'Kon LLC" or of "O'Kon PLC", so of neither.
Only names whose last word is such a rare near-miss are looked at, and the other name is
found by its key in the sorted unit keys, so nothing is held per name.

Invariant: pairs are (typo, exact) unit indices, sorted, unique; the result depends only on the units.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Mapping, Sequence

from rapidfuzz.distance import Levenshtein

from resolver.normalise import GENERIC_WORDS, NormalisedName
from resolver.vocabulary import _SUFFIX_TABLE

MIN_WORD = 3  # vocabulary words this short ("co", "ag") are too often another word's typo
# Legal forms as keys write them (canonical, one word) and the generic words.
ENDINGS = frozenset(
    w for w in {*_SUFFIX_TABLE.values(), *GENERIC_WORDS} if len(w) >= MIN_WORD and w.isalpha()
)


def _deletions(word: str) -> set[str]:
    return {word, *(word[:i] + word[i + 1 :] for i in range(len(word)))}


_NEAR: dict[str, set[str]] = {}
for _word in sorted(ENDINGS):
    for _trace in _deletions(_word):
        _NEAR.setdefault(_trace, set()).add(_word)


def near_endings(word: str) -> list[str]:
    """The vocabulary words one edit (Levenshtein) from ``word``, which is none of them.

    Example:
        >>> near_endings("imc"), near_endings("grout"), near_endings("inc")
        (['inc'], ['group'], [])
    """
    if word in ENDINGS or not MIN_WORD - 1 <= len(word) <= max(map(len, ENDINGS)) + 1:
        return []
    found = set().union(*(_NEAR.get(t, set()) for t in _deletions(word)))
    return sorted(w for w in found if Levenshtein.distance(word, w, score_cutoff=1) <= 1)


def ending_typo_pairs(
    units: Sequence[NormalisedName], unit_keys: Sequence[str], freq: Mapping[str, int]
) -> list[tuple[int, int]]:
    """(typo, exact) pairs: ``units[typo]`` ends in a rare word one edit from the vocabulary word that
    ends ``units[exact]``, all their other words equal. ``unit_keys`` are the units' sorted keys (a
    unit's key opens with its name's key, then its qualifier, tag and scope); ``freq`` counts the units
    using each token.

    Example:
        >>> from resolver.normalise import normalise_name as n
        >>> names = ["Emard Hnc", "Emard Inc", "Koepp Group", "Koepp Grout", "Red Lion Inc", "Red Lion Inn",
        ...          "O'Kon YLC", "O'Kon LLC", "O'Kon PLC"]
        >>> units = sorted((n(x) for x in names), key=lambda u: u.key)
        >>> keys = [u.key for u in units]
        >>> freq = {"emard": 2, "hnc": 1, "koepp": 2, "grout": 1, "red": 2, "lion": 2, "inn": 2, "ylc": 1}
        >>> [(units[a].display, units[b].display) for a, b in ending_typo_pairs(units, keys, freq)]
        [('Emard Hnc', 'Emard Inc'), ('Koepp Grout', 'Koepp Group')]
    """
    pairs: set[tuple[int, int]] = set()
    for i, name in enumerate(units):
        if name.legal_form is not None or len(name.tokens) < 2:
            continue
        last = name.tokens[-1]
        if freq.get(last, 0) > 1:
            continue
        suffix = unit_keys[i][len(name.key) :]  # qualifier, tag and scope: the other must share them
        head = name.key[: -len(last)]
        found: dict[str, int] = {}
        for word in near_endings(last):
            wanted = head + word + suffix
            j = bisect_left(unit_keys, wanted)
            if j < len(unit_keys) and unit_keys[j] == wanted:  # unit keys are unique
                found[word] = j
        if len(found) == 1:  # "O'Kon YLC" is one edit from "O'Kon LLC" and from "O'Kon PLC": neither
            (j,) = found.values()
            pairs.add((i, j))
    return sorted(pairs)
