"""A word that is a typo of a legal form, generic or compass word: "Hand Imc" is "Hand Inc" (pure).

The scores cannot see it: a legal form or generic word outside the vocabulary is a word of the core,
and a short name with one more word in its core is another name ("Emard Hnc" / "Emard Inc" score
0.725); a compass word misspelt is no compass word ("ease dunbartonshire" / "East Dunbartonshire"
0.747). Read as a pair it is plain: the two names agree word for word but in the last, where one
writes a legal form or generic word of three letters or more ("inc", "ltd", "group"), or but in the
first, where one writes a compass word ("east", "mid"), and the other a word one edit from it that no
other name of the input uses ("imc", "ltz", "grout", "ease": a typo is rarer than the word it
damages; "Red Lion Inn" and "Red Lion Inc" differ when "inn" is a word the corpus repeats), and one
only: "O'Kon YLC" is a typo of "O'Kon LLC" or of "O'Kon PLC", so of neither. Only names whose first
or last word is such a rare near-miss are looked at, and the other name is found by its key in the
sorted unit keys, so nothing is held per name.

Invariant: pairs are (typo, exact) unit indices, sorted, unique; the result depends only on the units.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Mapping, Sequence

from rapidfuzz.distance import Levenshtein

from resolver.normalise import GENERIC_WORDS, MODIFIER_WORDS, NormalisedName
from resolver.vocabulary import _SUFFIX_TABLE

MIN_WORD = 3  # vocabulary words this short ("co", "ag") are too often another word's typo
# Legal forms as keys write them (canonical, one word) and the generic words.
ENDINGS = frozenset(
    w for w in {*_SUFFIX_TABLE.values(), *GENERIC_WORDS} if len(w) >= MIN_WORD and w.isalpha()
)
# Compass and position words, which open names ("East Dunbartonshire", "Mid Sussex").
OPENINGS = frozenset(w for w in MODIFIER_WORDS if len(w) >= MIN_WORD)


def _deletions(word: str) -> set[str]:
    return {word, *(word[:i] + word[i + 1 :] for i in range(len(word)))}


def _traces(words: frozenset[str]) -> dict[str, set[str]]:
    """Each word and its one-letter deletions -> the words (SymSpell: one edit apart, they share one)."""
    traces: dict[str, set[str]] = {}
    for word in sorted(words):
        for trace in _deletions(word):
            traces.setdefault(trace, set()).add(word)
    return traces


_TRACES = {ENDINGS: _traces(ENDINGS), OPENINGS: _traces(OPENINGS)}
_LONGEST = max(map(len, ENDINGS | OPENINGS))


def near_words(word: str, vocabulary: frozenset[str] = ENDINGS) -> list[str]:
    """The words of ``vocabulary`` (ENDINGS or OPENINGS) one edit (Levenshtein) from ``word``, which is
    none of them.

    Example:
        >>> near_words("imc"), near_words("grout"), near_words("inc"), near_words("ease", OPENINGS)
        (['inc'], ['group'], [], ['east'])
    """
    if word in vocabulary or not MIN_WORD - 1 <= len(word) <= _LONGEST + 1:
        return []
    traces = _TRACES[vocabulary]
    found = set().union(*(traces.get(t, set()) for t in _deletions(word)))
    return sorted(w for w in found if Levenshtein.distance(word, w, score_cutoff=1) <= 1)


def ending_typo_pairs(
    units: Sequence[NormalisedName], unit_keys: Sequence[str], freq: Mapping[str, int]
) -> list[tuple[int, int]]:
    """(typo, exact) pairs: ``units[typo]`` ends (opens) with a rare word one edit from the legal form or
    generic word that ends (compass word that opens) ``units[exact]``, all their other words equal.
    ``unit_keys`` are the units' sorted keys (a unit's key opens with its name's key, then its
    qualifier, tag and scope); ``freq`` counts the units using each token.

    Example:
        >>> from resolver.normalise import normalise_name as n
        >>> names = ["Emard Hnc", "Emard Inc", "Koepp Group", "Koepp Grout", "Red Lion Inc", "Red Lion Inn",
        ...          "O'Kon YLC", "O'Kon LLC", "O'Kon PLC", "ease dunbartonshire", "East Dunbartonshire"]
        >>> units = sorted((n(x) for x in names), key=lambda u: u.key)
        >>> keys = [u.key for u in units]
        >>> freq = {"hnc": 1, "grout": 1, "red": 2, "lion": 2, "inn": 2, "ylc": 1, "ease": 1}
        >>> for a, b in ending_typo_pairs(units, keys, freq):
        ...     print(units[a].display, "/", units[b].display)
        ease dunbartonshire / East Dunbartonshire
        Emard Hnc / Emard Inc
        Koepp Grout / Koepp Group
    """
    pairs: set[tuple[int, int]] = set()
    for i, name in enumerate(units):
        tokens = name.tokens
        if len(tokens) < 2:
            continue
        first, last = tokens[0], tokens[-1]
        heads = near_words(first, OPENINGS) if freq.get(first, 0) <= 1 else []
        ends = near_words(last, ENDINGS) if name.legal_form is None and freq.get(last, 0) <= 1 else []
        if not heads and not ends:
            continue
        suffix = unit_keys[i][len(name.key) :]  # qualifier, tag and scope: the other must share them
        wanted = [w + name.key[len(first) :] + suffix for w in heads]
        wanted += [name.key[: -len(last)] + w + suffix for w in ends]
        found = set()
        for key in wanted:
            j = bisect_left(unit_keys, key)
            if j < len(unit_keys) and unit_keys[j] == key:  # unit keys are unique
                found.add(j)
        if len(found) == 1:  # "O'Kon YLC" is one edit from "O'Kon LLC" and from "O'Kon PLC": neither
            pairs.add((i, found.pop()))
    return sorted(pairs)
