"""Lookup ranking on the engine's 0-1 scale: exact forms first, acronyms, a no-good-match cut-off, ties."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from resolver.normalise import normalise_name
from resolver.ranking import NO_GOOD_MATCH, acronym_key, acronym_keys, ambiguous, rank


def test_acronyms_of_government_names() -> None:
    assert "dhsc" in acronym_keys(normalise_name("Department of Health and Social Care"))
    assert "hmrc" in acronym_keys(normalise_name("HM Revenue & Customs"))
    assert acronym_key("D.H.S.C.") == "dhsc" and acronym_key("Cabinet Office") is None


def test_rank_prefers_exact_then_acronym_and_drops_poor_names() -> None:
    found = rank(
        "DHSC",
        [
            ("x", ["Department for Health Service Commissioning Board Extra"]),
            ("dhsc", ["Department of Health and Social Care"]),
            ("e", ["DHSC"]),
        ],
    )
    assert [(s.id, s.method) for s in found][:2] == [("e", "normalised name"), ("dhsc", "acronym")]
    assert rank("Qwxzzy Holdings", [("dft", ["DfT OLR Holdings Limited"])]) == []


def test_ties_at_the_top_are_ambiguous() -> None:
    found = rank("The Surgery", [("s1", ["THE SURGERY"]), ("s2", ["The Surgery"]), ("s3", ["Surgery Lane"])])
    assert [s.id for s in ambiguous(found)] == ["s1", "s2"]
    assert ambiguous(rank("NHS Digital", [("a", ["NHS Digital"]), ("b", ["NHS England"])])) == []


@given(st.text(min_size=1, max_size=30), st.lists(st.text(max_size=30), min_size=1, max_size=4))
def test_scores_are_in_the_unit_range_and_above_the_cut_off(typed: str, names: list[str]) -> None:
    for s in rank(typed, [("o", names)]):
        assert NO_GOOD_MATCH <= s.score <= 1.0
