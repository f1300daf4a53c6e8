"""A last word one edit from the legal form or generic word another name ends with ("Emard Hnc")."""

from __future__ import annotations

import doctest
from collections import Counter

import resolver.endings
from resolver.endings import ending_typo_pairs, near_words
from resolver.model import EntityRecord as R
from resolver.normalise import normalise_name
from resolver.pipeline import resolve


def _pairs(names: list[str]) -> set[tuple[str, str]]:
    units = sorted((normalise_name(n) for n in names), key=lambda u: u.key)
    keys = [u.key for u in units]
    freq = Counter(t for u in units for t in u.tokens)
    return {(units[a].display, units[b].display) for a, b in ending_typo_pairs(units, keys, freq)}


def test_doctests() -> None:
    assert doctest.testmod(resolver.endings).failed == 0


def test_a_typo_in_the_legal_form_or_generic_word_is_that_word() -> None:
    # Real dnb pairs: the rest of the name agrees word for word.
    names = ["Hand Imc", "Hand Inc", "Mayer LtZ", "Mayer Ltd", "Hettinger 7LC", "Hettinger LLC"]
    names += ["Koepp Grout", "Koepp Group", "aberdeen cuty", "Aberdeen City"]
    names += ["ease dunbartonshire", "East Dunbartonshire"]  # councils: a compass word opens the name
    assert _pairs(names) == {
        ("Hand Imc", "Hand Inc"),
        ("Mayer LtZ", "Mayer Ltd"),
        ("Hettinger 7LC", "Hettinger LLC"),
        ("Koepp Grout", "Koepp Group"),
        ("aberdeen cuty", "Aberdeen City"),
        ("ease dunbartonshire", "East Dunbartonshire"),
    }


def test_what_stays_apart() -> None:
    # A word the corpus repeats is a word, not a typo.
    assert _pairs(["Red Lion Inn", "Red Lion Inc", "Blue Lion Inn"]) == set()
    # One edit from two legal forms the input holds: a typo of either, so of neither.
    assert _pairs(["O'Kon YLC", "O'Kon LLC", "O'Kon PLC"]) == set()
    # Two edits, or another word before it, is not this rule's.
    assert _pairs(["Willms Lr", "Willms Ltd", "Mitzhell 6nc", "Mitchell Inc"]) == set()
    # A compass word is read at the opening only, and a word the input repeats is a word.
    assert _pairs(["Dunbartonshire Ease", "Dunbartonshire East"]) == set()
    assert _pairs(["Wess Borough Council", "West Borough Council", "Wess Trust"]) == set()
    # Short vocabulary words ("co", "ag") are too often a typo of something else.
    assert near_words("cp") == [] and near_words("ah") == []


def test_resolve_joins_a_typo_in_the_legal_form() -> None:
    names = ["Emard Inc", "Emard Hnc", "Kling Inc", "Kling Inx", "Emard LLC"]
    res = resolve([R(str(i), n) for i, n in enumerate(names)])
    org = [res.org_of[str(i)] for i in range(len(names))]
    assert org[0] == org[1] and org[2] == org[3]
    assert len({org[0], org[2], org[4]}) == 3


def test_explain_says_what_resolve_does_with_the_two_names() -> None:
    from resolver.explain import explain

    assert (explain("Emard Hnc", "Emard Inc").decision, explain("Emard Hnc", "Emard Inc").rule) == (
        "same",
        "vocabulary typo",
    )
    assert explain("Emard Hnc", "Emerd Inc").decision == "different"
    assert explain("Stafford Council", "Trafford Council").decision == "different"
