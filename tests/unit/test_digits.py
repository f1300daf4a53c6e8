"""A digit typed for a letter (or a space) inside a word ("0rady PLC" is "Grady PLC")."""

from __future__ import annotations

import doctest

import resolver.digits
from resolver.digits import damage_digits, digit_typo_pairs, read_back
from resolver.explain import explain
from resolver.model import EntityRecord as R
from resolver.normalise import normalise_name
from resolver.pipeline import resolve


def _pairs(names: list[str]) -> set[tuple[str, str]]:
    units = sorted((normalise_name(n) for n in names), key=lambda u: u.key)
    keys = [u.key for u in units]
    return {(units[a].display, units[b].display) for a, b in digit_typo_pairs(units, keys)}


def test_doctests() -> None:
    assert doctest.testmod(resolver.digits).failed == 0


def test_a_digit_inside_a_word_is_a_letter_or_space_lost_in_typing() -> None:
    # Real dnb pairs: the digit replaces a letter at the start or inside a word, or the space (hyphen)
    # between two words.
    names = ["0rady PLC", "Grady PLC", "4eatty Inc", "Beatty Inc", "Mc8lure, Cole and Kunze"]
    names += ["McClure, Cole and Kunze", "Kihn5PLC", "Kihn PLC", "Grimes4Sawayn", "Grimes-Sawayn"]
    assert _pairs(names) == {
        ("0rady PLC", "Grady PLC"),
        ("4eatty Inc", "Beatty Inc"),
        ("Mc8lure, Cole and Kunze", "McClure, Cole and Kunze"),
        ("Kihn5PLC", "Kihn PLC"),
        ("Grimes4Sawayn", "Grimes-Sawayn"),
    }


def test_numbers_codes_and_acronyms_keep_their_digits() -> None:
    # A standalone number, a code ending in digits, a short word and an acronym in capitals are meant.
    names = ["Roma 2", "Roma Group", "UMR8025", "UMR8026", "Web3 Foundation", "Webb Foundation"]
    names += ["L5C Ltd", "LLC Ltd", "G3SC", "GLSC", "CH2M", "CHNM", "i2CAT", "ICCAT"]
    assert _pairs(names) == set()
    assert damage_digits("level 3") == [] and damage_digits("umr8025") == []


def test_two_readings_are_neither() -> None:
    assert _pairs(["B4ll Inc", "Ball Inc", "Bell Inc"]) == set()


def test_resolve_and_explain_join_them() -> None:
    res = resolve([R("a", "0rady PLC"), R("b", "Grady PLC"), R("c", "Brady Inc")])
    assert res.org_of["a"] == res.org_of["b"] != res.org_of["c"]
    assert explain("0rady PLC", "Grady PLC").rule == "digit typo"
    assert explain("0rady PLC", "Brady Inc").decision == "different"


def test_a_digit_read_as_the_letter_lifts_the_score_of_a_typo_pair() -> None:
    # Real dnb pairs: the digit and one more typo; each scored under the threshold before.
    for damaged, clean in [
        ("9akin-Schnvider", "Lakin-Schneider"),
        ("Yundt-8arquarLt", "Yundt-Marquardt"),
        ("Kessler-4fsco", "Kessler-Bosco"),
    ]:
        res = resolve([R("a", damaged), R("b", clean)])
        assert res.org_of["a"] == res.org_of["b"], damaged
        assert explain(damaged, clean).decision == "same", damaged


def test_codes_stay_apart() -> None:
    for a, b in [("UMR8025 Lab", "UMR8026 Lab"), ("Roma 2 Group", "Roma 3 Group"), ("G3SC", "GLSC")]:
        res = resolve([R("a", a), R("b", b)])
        assert res.org_of["a"] != res.org_of["b"], a
    assert read_back("umr8025", "umr8026") is None and read_back("roma 2", "roma b") is None


def test_a_digit_for_the_space_between_two_words_still_blocks_them_together() -> None:
    # Real dnb pair: the digit joins the two words and a letter of the first is damaged too; the halves
    # of the core without the digit meet the clean name's.
    from collections import Counter

    from resolver.block import blocking_keys

    a, b = normalise_name("TreutMl1Doyle"), normalise_name("Treutel-Doyle")
    freq = Counter([*a.tokens, *b.tokens])
    assert set(blocking_keys(a, freq, 200)) & set(blocking_keys(b, freq, 200))
    res = resolve([R("a", "TreutMl1Doyle"), R("b", "Treutel-Doyle"), R("c", "Treutel Group")])
    assert res.org_of["a"] == res.org_of["b"] != res.org_of["c"]
