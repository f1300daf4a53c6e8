"""Short names that are the head of one long name: "Horniman" / "Horniman Museum" (pure).

A body is often called by the distinctive words its full name opens with ("Chevening" for the
"Chevening Scholarship Programme", "Exmoor" for the "Exmoor National Park Authority"). The pair is
evidence when nothing else in the input could be meant: the short name's words are used by no other
name of the input (corpus term frequency 2: the short name and the long one), the words the long
name adds are vocabulary that other names use too ("Museum", "National Park Authority"), not a name
of their own ("Google DeepMind" is a unit of Google, not Google) nor open with a link word
("Ordnance Survey of Northern Ireland" is a branch), and neither name has a legal form,
tag or qualifier that the other lacks. A short name written in capitals is an acronym and left to
the acronym rules ("NHS" / "NHS England" are two bodies), and so is one with capitals inside a word
("PhRMA" / "PhRMA Foundation", "SingHealth").

Invariant: pairs are (short, long) unit indices, sorted, each short in at most one pair; the result
depends only on the names, their scopes and the frequencies.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from resolver.normalise import GENERIC_WORDS, NormalisedName

MIN_LETTERS = 4  # a head word shorter than this is too often an abbreviation or a common word
MAX_HEAD = 2  # words of the short name
_LINK_WORDS = frozenset({"of", "for", "in", "at", "on"})  # "Ordnance Survey of Northern Ireland": a branch


def _short(name: NormalisedName, freq: Mapping[str, int]) -> bool:
    tokens = name.tokens
    return (
        1 <= len(tokens) <= MAX_HEAD
        and name.tag is None
        and name.qualifier is None
        and name.legal_form is None
        and not name.acronym_explicit
        and not name.display.isupper()
        and name.segments is None  # "PhRMA", "SingHealth": capitals inside a word make an acronym
        and any(len(t) >= MIN_LETTERS and t.isalpha() for t in tokens)
        and all(t not in GENERIC_WORDS and freq.get(t, 0) == 2 for t in tokens)
    )


def head_pairs(
    names: Sequence[NormalisedName], scope: Sequence[str | None], freq: Mapping[str, int]
) -> list[tuple[int, int]]:
    """(short, long) pairs: ``long`` opens with every word of ``short`` and adds words other names
    use too; ``freq`` counts the names (of ``names``) using each token.

    Example:
        >>> from resolver.normalise import normalise_name as n
        >>> names = [n(x) for x in ("Horniman", "Horniman Museum", "Science Museum", "Acme", "Acme Robotics")]
        >>> freq = {"horniman": 2, "museum": 2, "science": 1, "acme": 2, "robotics": 1}
        >>> head_pairs(names, [None] * 5, freq)
        [(0, 1)]
    """
    shorts: dict[tuple[str, str | None], list[int]] = {}
    for i, name in enumerate(names):
        if _short(name, freq):
            shorts.setdefault((name.tokens[0], scope[i]), []).append(i)
    pairs: list[tuple[int, int]] = []
    if not shorts:
        return pairs
    for j, name in enumerate(names):
        tokens = name.tokens
        if len(tokens) < 2:
            continue
        for i in shorts.get((tokens[0], scope[j]), ()):
            head = names[i].tokens
            added = tokens[len(head) :]
            if (
                i != j
                and tokens[: len(head)] == head
                and added
                and added[0] not in _LINK_WORDS
                and all(freq.get(t, 0) >= 2 for t in added)
                and name.tag is None
                and name.qualifier is None
                and name.legal_form is None
            ):
                pairs.append((i, j))
    return sorted(pairs)
