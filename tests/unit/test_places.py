"""Place names read without their river or sea element ("Newcastle upon Tyne" / "Newcastle")."""

from __future__ import annotations

import doctest

import resolver.places
from resolver.model import EntityRecord as R
from resolver.normalise import normalise_name
from resolver.pipeline import resolve
from resolver.places import place_element_pairs


def _pairs(names: list[str], scopes: list[str | None] | None = None) -> set[tuple[str, str]]:
    norms = [normalise_name(n) for n in names]
    found = place_element_pairs(norms, scopes or [None] * len(names))
    return {(names[a], names[b]) for a, b in found}


def test_doctests() -> None:
    assert doctest.testmod(resolver.places).failed == 0


def test_the_head_or_the_tail_names_the_place_when_the_rest_agrees() -> None:
    # Real pairs of the councils set.
    names = [
        "newcastle-upon-tyne city council",
        "Newcastle City Council",
        "Southend-on-Sea UA",
        "Southend UA",
        "kingston-upon-hull city council",
        "Hull City Council",
    ]
    assert _pairs(names) == {
        ("Newcastle City Council", "newcastle-upon-tyne city council"),
        ("Southend UA", "Southend-on-Sea UA"),
        ("Hull City Council", "kingston-upon-hull city council"),
    }


def test_the_rest_of_the_name_must_agree() -> None:
    # A borough council is not the city council; a reading is the whole name, not a part of it.
    assert _pairs(["Newcastle upon Tyne City Council", "Newcastle Borough Council"]) == set()
    assert _pairs(["Southend-on-Sea Borough Council", "Southend UA"]) == set()


def test_a_reading_two_places_share_names_neither() -> None:
    names = ["Kingston upon Hull Council", "Kingston upon Thames Council", "Kingston Council"]
    assert _pairs(names) == set()
    names = ["Newcastle upon Tyne Council", "Newcastle-under-Lyme Council", "Newcastle Council"]
    assert _pairs(names) == set()


def test_on_and_under_count_between_hyphens_only() -> None:
    # "Committee on Standards" is no place: "Committee Standards" is not its reading.
    assert _pairs(["Committee on Standards in Public Life", "Committee in Public Life"]) == set()
    assert _pairs(["Council on Foreign Relations", "Council Relations"]) == set()
    assert _pairs(["Stoke-on-Trent City Council", "Stoke City Council"]) == {
        ("Stoke City Council", "Stoke-on-Trent City Council")
    }


def test_scopes_and_legal_forms_must_agree() -> None:
    assert _pairs(["Southend-on-Sea UA", "Southend UA"], ["gb", "ie"]) == set()
    assert _pairs(["Burton upon Trent Ltd", "Burton PLC"]) == set()


def test_resolve_joins_the_short_forms_and_keeps_neighbours_apart() -> None:
    names = [
        "Newcastle upon Tyne City Council",
        "Newcastle City Council",
        "Newcastle-under-Lyme Borough Council",
        "Kingston upon Hull City Council",
        "Hull City Council",
        "Royal Borough of Kingston upon Thames",
        "Stafford Borough Council",
        "Trafford Council",
    ]
    res = resolve([R(str(i), n) for i, n in enumerate(names)])
    org = [res.org_of[str(i)] for i in range(len(names))]
    assert org[0] == org[1]
    assert org[3] == org[4]
    assert len({org[0], org[2], org[3], org[5], org[6], org[7]}) == 6


def test_explain_says_what_resolve_does_with_the_two_names() -> None:
    from resolver.explain import explain

    ex = explain("Newcastle City Council", "Newcastle upon Tyne City Council")
    assert (ex.decision, ex.rule) == ("same", "place element")
    assert explain("Newcastle Borough Council", "Newcastle upon Tyne City Council").decision == "different"
