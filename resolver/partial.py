"""Partial acronyms: a name that abbreviates some of another's words and keeps the rest (pure).

"HR Profession" is "Human Resources Profession", "UK NSC" the "UK National Screening Committee",
"Invest NI" is "Invest Northern Ireland": one word written in capitals stands for a run of two or more
words of the longer name (their initials, small words such as "of" and "and" with or without their
letter), and the words before or after it are the longer name's words in order. Such a pair is
evidence only when the pattern fits exactly one longer name of the scope, and a legal form of the
short name is the longer one's too ("BT Group plc" is not "Brocker Technology Group Ltd").

Invariant: pairs are (short, full) unit indices, sorted, each short in at most one pair; the result
depends only on the names and their scopes.
"""

from __future__ import annotations

from collections.abc import Sequence

from resolver.normalise import ACRONYM_STOPWORDS, COUNTRY_CODES, NormalisedName
from resolver.words import capitals_of

MIN_LETTERS = 2
MAX_LETTERS = 6
MAX_KEPT = 3  # words kept beside the acronym


def _pattern(name: NormalisedName) -> tuple[str, tuple[str, ...], bool] | None:
    """(acronym, kept words, acronym first?) of a name of a capitals word plus kept words, else None."""
    tokens = name.tokens
    if not 2 <= len(tokens) <= MAX_KEPT + 1 or name.tag is not None or name.qualifier is not None:
        return None
    if tokens[0].upper() not in name.display and tokens[-1].upper() not in name.display:
        return None  # cheap test first: no end word is written in capitals
    caps = capitals_of(name.display)
    if not caps and name.display.isupper() and tokens[0] in COUNTRY_CODES:
        caps = frozenset(tokens)  # "UK NSC": in capitals throughout, behind a country code
    for at in (0, len(tokens) - 1):
        word = tokens[at]
        kept = tokens[1:] if at == 0 else tokens[:-1]
        # "UK NSC": two capitals words, the acronym is the last one
        if (
            MIN_LETTERS <= len(word) <= MAX_LETTERS
            and word.isalpha()
            and word in caps
            and (at or caps.isdisjoint(kept))
        ):
            return word, kept, at == 0
    return None


def _spells(word: str, run: Sequence[str]) -> bool:
    if len(run) < 2 or run[0] in ACRONYM_STOPWORDS or run[-1] in ACRONYM_STOPWORDS:
        return False
    plain = "".join(t[0] for t in run if t not in ACRONYM_STOPWORDS)
    return word == plain or word == "".join(t[0] for t in run)


def partial_acronym_pairs(
    names: Sequence[NormalisedName], scope: Sequence[str | None]
) -> list[tuple[int, int]]:
    """(short, full) pairs where ``short`` abbreviates a run of ``full``'s words and keeps the others,
    and fits no other name of its scope.

    Example:
        >>> from resolver.normalise import normalise_name as n
        >>> names = [n("HR Profession"), n("Human Resources Profession"), n("Policy Profession")]
        >>> partial_acronym_pairs(names, [None] * 3)
        [(0, 1)]
        >>> names.append(n("Health Research Profession"))  # two fit: which one?
        >>> partial_acronym_pairs(names, [None] * 4)
        []
    """
    patterns: dict[tuple[tuple[str, ...], bool, str | None], list[int]] = {}
    for i, name in enumerate(names):
        found = _pattern(name)
        if found is not None:
            _, kept, first = found
            patterns.setdefault((kept, first, scope[i]), []).append(i)
    if not patterns:
        return []
    longest = max(len(kept) for kept, _, _ in patterns)
    openers = {kept[0] for kept, first, _ in patterns if not first}  # kept words before the acronym
    closers = {kept[-1] for kept, first, _ in patterns if first}  # kept words after it
    fits: dict[int, set[int]] = {}
    for j, name in enumerate(names):
        tokens = name.tokens
        if len(tokens) < 3 or (tokens[0] not in openers and tokens[-1] not in closers):
            continue
        for m in range(1, min(longest, len(tokens) - 2) + 1):
            for first, kept, run in ((True, tokens[-m:], tokens[:-m]), (False, tokens[:m], tokens[m:])):
                for i in patterns.get((kept, first, scope[j]), ()):
                    short = names[i]
                    if (
                        i != j
                        and (short.legal_form is None or short.legal_form == name.legal_form)
                        and _spells(short.tokens[0 if first else -1], run)
                    ):
                        fits.setdefault(i, set()).add(j)
    return sorted((i, next(iter(js))) for i, js in fits.items() if len(js) == 1)
