"""resolver.match_index: the cached index answers exactly as a fresh one, and is rebuilt whenever what
it depends on changes; parallel matching answers exactly as serial."""

from __future__ import annotations

import doctest
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import resolver.match as match_module
from resolver import match_index
from resolver.match import Judgement, Matcher, MatchQuery, SnapshotOrganisation, parallel_matching
from resolver.match_index import IndexCache, _parse_unit, _unit_row
from resolver.normalise import normalise_name
from resolver.settings import MatchSettings
from tests.unit.test_match import ORGS

QUERIES = [
    "Department for Education",
    "DEPT FOR EDUCATON",
    "dfe",
    "NHS",
    "nhs old name",
    "The Surgery",
    "DHSC - Medicines and Healthcare products Regulatory Agency",
    "Health Research Authorty",
    "Active Travel",
    "Ministry of Magic",
    "",
]
JUDGEMENTS = [Judgement("Dept of Edu", "o-dfe", "same"), Judgement("DHSC", "o-dhsc", "different")]


def answers(m: Matcher) -> list[object]:
    results = m.match([MatchQuery(q) for q in [*QUERIES, "Dept of Edu", "DHSC"]], top=5)
    return [(r.decision, r.candidates) for r in results] + [m.suggest("de"), m.suggest("n")]


def test_doctests() -> None:
    assert doctest.testmod(match_index).failed == 0
    assert doctest.testmod(match_module).failed == 0


def test_a_cached_index_answers_as_a_fresh_one(tmp_path: Path) -> None:
    cache = IndexCache(tmp_path / "idx")
    fresh = Matcher(ORGS, JUDGEMENTS)
    first = Matcher(ORGS, JUDGEMENTS, cache=cache)
    second = Matcher(ORGS, JUDGEMENTS, cache=cache)
    assert (first.index_cached, second.index_cached) == (False, True)
    assert answers(second) == answers(first) == answers(fresh)


def test_any_change_of_names_or_settings_rebuilds(tmp_path: Path) -> None:
    cache = IndexCache(tmp_path / "idx")
    Matcher(ORGS, cache=cache)
    renamed = [*ORGS[:-1], SnapshotOrganisation("o-dhsc", "Department of Health", ("DHSC",))]
    again = Matcher(renamed, cache=cache)
    assert not again.index_cached
    assert again.match([MatchQuery("Department of Health")])[0].best.method == "exact"  # type: ignore[union-attr]
    assert Matcher(renamed, cache=cache).index_cached
    other = Matcher(renamed, settings=MatchSettings(max_bucket=50), cache=cache)
    assert not other.index_cached


def test_a_damaged_file_is_ignored_and_replaced(tmp_path: Path) -> None:
    path = tmp_path / "idx"
    Matcher(ORGS, cache=IndexCache(path))
    path.write_bytes(path.read_bytes()[:200])
    damaged = Matcher(ORGS, cache=IndexCache(path))
    assert not damaged.index_cached
    assert answers(damaged) == answers(Matcher(ORGS))
    assert Matcher(ORGS, cache=IndexCache(path)).index_cached


def test_an_unwritable_cache_only_costs_time(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a directory")
    m = Matcher(ORGS, cache=IndexCache(blocker / "idx"))
    assert not m.index_cached and answers(m) == answers(Matcher(ORGS))


@settings(max_examples=200, deadline=None)
@given(st.text(min_size=1, max_size=60))
def test_stored_units_round_trip(text: str) -> None:
    norm = normalise_name(text)
    assert _parse_unit(_unit_row(norm)) == norm


def test_parallel_matching_answers_as_serial(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(match_module, "PARALLEL_FROM", 10)
    monkeypatch.setattr(match_module, "_PART", 7)
    m = Matcher(ORGS, JUDGEMENTS)
    queries = [MatchQuery(q) for q in QUERIES * 5]
    seen: list[int] = []
    with parallel_matching(m, 2) as match:
        parallel = match(queries, 3, seen.append)
    assert parallel == m.match(queries, top=3)
    assert sum(seen) == len(queries)
