"""resolver.match and resolver.match_io without a database: a snapshot built in memory."""

from __future__ import annotations

import io
import json
from collections.abc import Iterable
from datetime import date
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from resolver.errors import ConfigError
from resolver.match import (
    Judgement,
    Matcher,
    MatchQuery,
    SnapshotOrganisation,
)
from resolver.match_io import MATCH_COLUMNS, MatchOptions, match_file, open_source
from resolver.mentions import mention_forms
from resolver.settings import MatchSettings

ORGS = [
    SnapshotOrganisation("o-dfe", "Department for Education", ("DfE",), ("govuk:department-for-education",)),
    SnapshotOrganisation("o-dft", "Department for Transport", ("DfT",), ("govuk:department-for-transport",)),
    SnapshotOrganisation("o-ate", "Active Travel England", ("ATE",)),
    SnapshotOrganisation("o-nhs", "National Health Service (NHS)", (), ("ods:X24",)),
    SnapshotOrganisation("o-nhs-old", "NHS Old Name", (), ("ods:OLD",), merged_into="o-nhs"),
    SnapshotOrganisation("o-surgery-a", "The Surgery", (), ("ods:A1",)),
    SnapshotOrganisation("o-surgery-b", "The Surgery", (), ("ods:B2",)),
    SnapshotOrganisation("o-hra", "Health Research Authority", ("HRA",)),
    SnapshotOrganisation("o-mhra", "Medicines and Healthcare products Regulatory Agency", ("MHRA",)),
    SnapshotOrganisation("o-dhsc", "Department of Health and Social Care", ("DHSC",)),
]


@pytest.fixture(scope="module")
def matcher() -> Matcher:
    return Matcher(ORGS)


def decide(m: Matcher, name: str, *ids: str) -> tuple[str, str | None, str | None]:
    (r,) = m.match([MatchQuery(name, ids)])
    return r.decision, r.match.id if r.match else None, r.best.method if r.best else None


@pytest.mark.parametrize(
    ("name", "expected", "method"),
    [
        ("Department for Education", "o-dfe", "exact"),
        ("DEPARTMENT FOR EDUCATION", "o-dfe", "exact"),  # exact: the same text but for case
        ("the department for education", "o-dfe", "normalised"),
        ("Departmnet for Education", "o-dfe", "fuzzy"),
        ("Dept for Transport", "o-dft", "normalised"),
        ("dft", "o-dft", "exact"),
        ("DfT - Active Travel England", "o-ate", "normalised"),
        ("DHSC: Medicines & Healthcare Products Regulatory Agency", "o-mhra", "normalised"),
        ("NHS", "o-nhs", "acronym"),  # the full name states "(NHS)"
        ("NHS Old Name", "o-nhs", "exact"),  # a merged organisation's name leads to the survivor
    ],
)
def test_messy_names_find_their_organisation(matcher: Matcher, name: str, expected: str, method: str) -> None:
    assert decide(matcher, name) == ("matched", expected, method)


def test_absent_names_are_none(matcher: Matcher) -> None:
    for name in ("Ministry of Magic", "Department for Lunar Affairs", "", "   ", "!!!"):
        decision, org, _ = decide(matcher, name)
        assert (decision, org) == ("none", None), name


def test_identifiers_and_ids_win_over_names(matcher: Matcher) -> None:
    assert decide(matcher, "Department for Transport", "ods:X24") == ("matched", "o-nhs", "identifier")
    assert decide(matcher, "garbage", "o-dfe") == ("matched", "o-dfe", "id")
    assert decide(matcher, "garbage", "o-nhs-old") == ("matched", "o-nhs", "id")  # merged id followed
    assert decide(matcher, "garbage", "ods:OLD") == ("matched", "o-nhs", "identifier")
    assert decide(matcher, "Department for Transport", "ods:UNKNOWN")[1] == "o-dft"  # unknown: the name


def test_one_name_two_bodies_is_ambiguous(matcher: Matcher) -> None:
    (r,) = matcher.match([MatchQuery("The Surgery")])
    assert r.decision == "ambiguous"
    assert {r.best.id, r.runner_up.id} == {"o-surgery-a", "o-surgery-b"}  # type: ignore[union-attr]
    assert r.match is not None  # the best candidate is still named, for a person to check


def test_judgements_pin_and_forbid() -> None:
    judged = Matcher(
        ORGS,
        [
            Judgement("The Surgery", "o-surgery-b", "same"),
            Judgement("Dept for Transport", "o-dft", "different"),
            Judgement("Whatever", "o-dfe", "unsure"),
        ],
    )
    assert decide(judged, "the surgery") == ("matched", "o-surgery-b", "judgement")
    assert decide(judged, "Dept for Transport")[1] != "o-dft"
    assert decide(judged, "Department for Transport") == ("matched", "o-dft", "exact")  # another name


def test_runner_up_and_top(matcher: Matcher) -> None:
    (r,) = matcher.match([MatchQuery("Department for Transport")], top=5)
    assert r.best is not None and r.best.id == "o-dft"
    assert all(0.0 <= c.score <= 1.0 for c in r.candidates)
    assert [c.score for c in r.candidates] == sorted((c.score for c in r.candidates), reverse=True)


def test_threshold_is_respected() -> None:
    strict = Matcher(ORGS, settings=MatchSettings(threshold=0.99))
    assert decide(strict, "Departmnet for Education")[0] == "none"


def test_suggest_by_prefix(matcher: Matcher) -> None:
    assert [o.id for o in matcher.suggest("depart", 2)] == ["o-dft", "o-dfe"][:2] or len(
        matcher.suggest("depart", 2)
    ) == 2
    assert [o.id for o in matcher.suggest("dfe")] == ["o-dfe"]
    assert matcher.suggest("") == []


def test_mention_forms_spell_out_and_split() -> None:
    assert ("department for Education", 0.0) in mention_forms("Dept. for Education")
    forms = dict(mention_forms("Home Office: Border Force"))
    assert forms["Border Force"] < forms["Home Office"]


@settings(max_examples=200, deadline=None)
@given(st.lists(st.text(max_size=60), min_size=1, max_size=8))
def test_any_text_gets_a_decision_and_a_score_in_range(names: list[str]) -> None:
    m = Matcher(ORGS)
    results = m.match([MatchQuery(n) for n in names])
    assert len(results) == len(names)
    for r in results:
        assert r.decision in ("matched", "ambiguous", "none")
        assert all(0.0 <= c.score <= 1.0 for c in r.candidates)
        assert (r.match is None) == (r.decision == "none")


def test_match_file_keeps_rows_in_order_with_their_columns(matcher: Matcher, tmp_path: Path) -> None:
    path = tmp_path / "in.csv"
    path.write_text("amount,supplier\n1,DfE\n2,Ministry of Magic\n3,Dept for Transport\n", encoding="utf-8")
    out = io.StringIO()
    summary = match_file(open_source(str(path)), out, matcher, MatchOptions(), as_json=False)
    lines = out.getvalue().splitlines()
    assert lines[0] == "amount,supplier," + ",".join(MATCH_COLUMNS)
    assert [line.split(",")[0] for line in lines[1:]] == ["1", "2", "3"]
    assert summary.rows == 3 and summary.decisions == {"matched": 2, "ambiguous": 0, "none": 1}


def test_match_file_jsonl_with_rollup_function(matcher: Matcher, tmp_path: Path) -> None:
    path = tmp_path / "in.jsonl"
    path.write_text('{"name": "ATE", "day": "2020-02-02"}\n{"name": "x"}\n{bad json\n', encoding="utf-8")

    class Up:
        parents = (("o-dft", "Department for Transport"),)
        tops = (("o-dft", "Department for Transport"),)

    asked: list[tuple[str, date]] = []

    def rollup(pairs: Iterable[tuple[str, date]]) -> dict[tuple[str, date], Up]:
        asked.extend(pairs)
        return {p: Up() for p in asked}

    out = io.StringIO()
    options = MatchOptions(rollup="ultimate", as_of=date(2024, 1, 1), as_of_column="day")
    summary = match_file(open_source(str(path)), out, matcher, options, as_json=True, rollup=rollup)
    rows = [json.loads(line) for line in out.getvalue().splitlines()]
    assert [r["name"] for r in rows] == ["ATE", "x"]
    assert rows[0]["ultimate_id"] == "o-dft" and rows[0]["rollup_as_of"] == "2020-02-02"
    assert rows[1]["ultimate_id"] == "" and rows[1]["rollup_as_of"] == "2024-01-01"
    assert asked == [("o-ate", date(2020, 2, 2))]  # one call for the chunk, matched rows only
    assert summary.rejected == 1 and ":3: malformed JSON" in summary.problems[0]


def test_missing_or_clashing_columns_are_config_errors(matcher: Matcher, tmp_path: Path) -> None:
    path = tmp_path / "in.csv"
    path.write_text("supplier,match_id\nDfE,x\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="no column 'org'"):
        match_file(
            open_source(str(path)), io.StringIO(), matcher, MatchOptions(name_column="org"), as_json=False
        )
    with pytest.raises(ConfigError, match="already has column"):
        match_file(open_source(str(path)), io.StringIO(), matcher, MatchOptions(), as_json=False)


def test_a_swap_of_two_letters_in_a_long_word_is_one_typo() -> None:
    m = Matcher(ORGS)
    for name, expected in (
        ("Health Reserach Authority", "o-hra"),
        ("Departmetn for Transport", "o-dft"),
        ("Medicines and Healthcare products Regualtory Agency", "o-mhra"),
    ):
        (r,) = m.match([MatchQuery(name)])
        assert (r.decision, r.match.id if r.match else None) == ("matched", expected), name
    # a swap that leaves no word of the graph, or in a short word, stays what it was
    assert m.match([MatchQuery("Dpeartment for Ecudation")])[0].decision == "none"


def test_the_body_carrying_a_shared_normalised_name_as_written_is_matched() -> None:
    tribunals = [
        SnapshotOrganisation("o-care", "First-tier Tribunal (Care Standards)"),
        SnapshotOrganisation("o-asylum", "First-tier Tribunal (Asylum Support)"),
    ]
    m = Matcher(tribunals)
    (r,) = m.match([MatchQuery("FIRST-TIER TRIBUNAL (CARE STANDARDS)")])
    assert (r.decision, r.best.id, r.best.method) == ("matched", "o-care", "exact")  # type: ignore[union-attr]
    assert (r.runner_up.id, r.runner_up.method) == ("o-asylum", "normalised")  # type: ignore[union-attr]
    # "&" for "and" and a leading "The" are still as written; a hyphen dropped is not
    upper = Matcher(
        [
            SnapshotOrganisation("o-tax", "Upper Tribunal (Tax and Chancery Chamber)"),
            SnapshotOrganisation("o-lands", "Upper Tribunal (Lands Chamber)"),
        ]
    )
    (r,) = upper.match([MatchQuery("The Upper Tribunal (Tax & Chancery Chamber)")])
    assert (r.decision, r.best.id) == ("matched", "o-tax")  # type: ignore[union-attr]
    assert m.match([MatchQuery("First Tier Tribunal (Care Standards)")])[0].decision == "ambiguous"
