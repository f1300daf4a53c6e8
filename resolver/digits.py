"""A digit typed for a letter inside a word: "0rady PLC" is "Grady PLC", "Kihn5PLC" is "Kihn PLC".

Typing and OCR damage puts digits where letters (or the space between two words) were, and the digit
resembles nothing it replaced ("0" for "G", "5" for a space), so look-alike folding restores none. A
digit that stands alone ("Roma 2", "Level 3") or ends a code ("UMR8025", "Web3") is part of the name and
keeps bodies apart; a single digit INSIDE a word of letters, or opening one with three letters after it,
is damage. Read as a pair it is plain: a name with such a digit whose key, with the digit read as one
letter (or as a space between two words), is the key of exactly one other name of the input, is that
name (in capitals a digit is meant: "G3SC", "CH2M" are acronyms); when two letters fit ("B4ll" is
"Ball" and "Bell") it is neither. The other name is found by its key in the sorted unit keys, so
nothing is held per name.

Invariant: pairs are (damaged, exact) unit indices, sorted, unique; the result depends only on the units.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from collections.abc import Sequence
from string import ascii_lowercase

from rapidfuzz.distance import Levenshtein

from resolver.normalise import NormalisedName

# One digit between two letters, or opening a word with three letters after it; digits next to digits
# are numbers or codes.
_DAMAGE_DIGIT_RE = re.compile(r"(?<=[a-z])[0-9](?=[a-z])|(?<![a-z0-9])[0-9](?=[a-z]{3})")
MIN_LETTERS = 3  # the damaged word keeps this many letters: "L5C", "P4C" are too short to read back
# Words as written that hold a digit. In capitals a digit is meant ("G3SC", "LP2M", "CH2M": acronyms
# say "cubed" or "two" with one), so the damaged word must be written with lower-case letters.
_WRITTEN_DIGIT_WORD_RE = re.compile(r"[A-Za-z0-9]*[0-9][A-Za-z0-9]*")


def _written_in_lower_case(display: str) -> bool:
    """Some word of ``display`` with a digit has MIN_LETTERS lower-case letters: "0rady", "Kihn5PLC",
    not "G3SC" or "i2CAT"."""
    return any(
        sum(c.islower() for c in word) >= MIN_LETTERS for word in _WRITTEN_DIGIT_WORD_RE.findall(display)
    )


def damage_digits(key: str) -> list[int]:
    """Positions in ``key`` of digits typed for a letter or a space inside a word of letters.

    Example:
        >>> damage_digits("0rady plc"), damage_digits("kihn5plc"), damage_digits("umr8025 lab")
        ([0], [4], [])
        >>> damage_digits("roma 2"), damage_digits("web3 foundation"), damage_digits("l5c ltd")
        ([], [], [])
    """
    found = []
    for match in _DAMAGE_DIGIT_RE.finditer(key):
        start = key.rfind(" ", 0, match.start()) + 1
        end = key.find(" ", match.end())
        word = key[start : len(key) if end < 0 else end]
        if sum(c.isalpha() for c in word) >= MIN_LETTERS and sum(c.isdigit() for c in word) == 1:
            found.append(match.start())
    return found


def digit_typo_pairs(units: Sequence[NormalisedName], unit_keys: Sequence[str]) -> list[tuple[int, int]]:
    """(damaged, exact) pairs: ``units[damaged]`` has one damage digit (``damage_digits``) and its key,
    the digit read as one letter or a space, is the key of ``units[exact]`` and of no other unit.
    ``unit_keys`` are the units' sorted keys (a unit's key opens with its name's key, then its
    qualifier, tag and scope).

    Example:
        >>> from resolver.normalise import normalise_name as n
        >>> names = ["0rady PLC", "Grady PLC", "Kihn5PLC", "Kihn PLC", "B4ll Inc", "Ball Inc", "Bell Inc",
        ...          "UMR8025", "UMR8026", "Roma 2", "Roma Group", "G3SC", "GLSC"]
        >>> units = sorted((n(x) for x in names), key=lambda u: u.key)
        >>> keys = [u.key for u in units]
        >>> for a, b in digit_typo_pairs(units, keys):
        ...     print(units[a].display, "/", units[b].display)
        0rady PLC / Grady PLC
        Kihn5PLC / Kihn PLC
    """
    pairs: set[tuple[int, int]] = set()
    for i, name in enumerate(units):
        key = name.key
        if not any(c.isdigit() for c in key):
            continue
        spots = damage_digits(key)
        if len(spots) != 1 or not _written_in_lower_case(name.display):  # two leave too little to read
            continue
        (at,) = spots
        suffix = unit_keys[i][len(key) :]  # qualifier, tag and scope: the other must share them
        inside = 0 < at < len(key) - 1 and key[at - 1].isalpha() and key[at + 1].isalpha()
        fills = list(ascii_lowercase) + ([" "] if inside else [])
        found = set()
        for fill in fills:
            wanted = key[:at] + fill + key[at + 1 :] + suffix
            j = bisect_left(unit_keys, wanted)
            if j < len(unit_keys) and unit_keys[j] == wanted and j != i:
                found.add(j)
        if len(found) == 1:  # "B4ll" reads "Ball" and "Bell": neither
            pairs.add((i, found.pop()))
    return sorted(pairs)


def read_back(damaged: str, other: str) -> str | None:
    """``damaged`` with its one damage digit read as the letter or space ``other`` writes in its place
    (aligned by Levenshtein edits), or None when it has no such digit or ``other`` writes none there.

    Example:
        >>> read_back("9akin schnvider", "lakin schneider"), read_back("umr8025", "umr8026")
        ('lakin schnvider', None)
    """
    spots = damage_digits(damaged)
    if len(spots) != 1:
        return None
    (at,) = spots
    for op in Levenshtein.editops(damaged, other):
        if op.src_pos == at and op.tag == "replace" and not other[op.dest_pos].isdigit():
            return damaged[:at] + other[op.dest_pos] + damaged[at + 1 :]
    return None
