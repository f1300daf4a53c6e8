"""Place names with a river or sea element: "Newcastle upon Tyne" is called "Newcastle" (pure).

English towns carry an element that tells two of a name apart: "Newcastle upon Tyne", "Southend-on-Sea",
"Newcastle-under-Lyme", "Kingston upon Hull". Everyday names drop it and keep the head ("Newcastle City
Council", "Southend UA") or, for a few, the tail ("Hull City Council"). A name with such an element is
read without it, once without "upon Tyne" (the head) and once without "Kingston upon" (the tail); where
another name of the input is that reading word for word (legal form, qualifier, tag and scope too), the
two name one body, provided no other place element gives the same reading: "Kingston Council" is the
reading of "Kingston upon Hull Council" and of "Kingston upon Thames Council", so it names neither.
"upon" counts written as a word; "on" and "under" only between hyphens ("Stoke-on-Trent"), since
"Committee on Standards" is no place.

Invariant: pairs are (reading, full) unit indices, sorted, unique; the result depends only on the names
and their scopes.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from resolver.normalise import GENERIC_WORDS, NormalisedName

_HYPHENED_RE = re.compile(r"\w-(on|under|upon)-\w", re.IGNORECASE)
# A head or tail shorter than this ("St") is an abbreviation, not a place ("on Sea", "on Wye" count).
MIN_LETTERS = 3


def _element_at(name: NormalisedName) -> int:
    """Index of the element word ("upon", "on", "under") between two place words, or -1."""
    tokens = name.tokens
    hyphened = {m.lower() for m in _HYPHENED_RE.findall(name.display)}
    for k in range(1, len(tokens) - 1):
        word = tokens[k]
        if word == "upon" or word in hyphened:
            head, tail = tokens[k - 1], tokens[k + 1]
            if all(len(w) >= MIN_LETTERS and w.isalpha() and w not in GENERIC_WORDS for w in (head, tail)):
                return k
    return -1


def place_element_pairs(
    names: Sequence[NormalisedName], scope: Sequence[str | None]
) -> list[tuple[int, int]]:
    """(reading, full) pairs: ``full`` holds a place element and ``reading`` is ``full`` without it.

    Example:
        >>> from resolver.normalise import normalise_name as n
        >>> names = [n(x) for x in ("Newcastle upon Tyne City Council", "Newcastle City Council",
        ...                         "Kingston upon Hull Council", "Kingston upon Thames Council",
        ...                         "Kingston Council", "Hull Council")]
        >>> place_element_pairs(names, [None] * 6)
        [(1, 0), (5, 2)]
    """
    readings: dict[tuple[tuple[str, ...], str | None, str | None, str | None, str | None], set[int]] = {}
    phrases: dict[
        tuple[tuple[str, ...], str | None, str | None, str | None, str | None], set[tuple[str, ...]]
    ] = {}
    for j, name in enumerate(names):
        if "upon" not in name.tokens and "-" not in name.display:
            continue
        k = _element_at(name)
        if k < 0:
            continue
        tokens = name.tokens
        for reading in (tokens[:k] + tokens[k + 2 :], tokens[: k - 1] + tokens[k + 1 :]):
            key = (reading, name.legal_form, name.qualifier, name.tag, scope[j])
            readings.setdefault(key, set()).add(j)
            phrases.setdefault(key, set()).add(tokens[k - 1 : k + 2])
    pairs: set[tuple[int, int]] = set()
    if not readings:
        return []
    for i, name in enumerate(names):
        key = (name.tokens, name.legal_form, name.qualifier, name.tag, scope[i])
        fulls = readings.get(key)
        if fulls and len(phrases[key]) == 1:
            pairs.update((i, j) for j in fulls if j != i)
    return sorted(pairs)
