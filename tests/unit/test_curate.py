"""The review queue's pure parts and `cluster --judgements` (no database)."""

from __future__ import annotations

import csv
import io
from pathlib import Path

from click.testing import CliRunner

from resolver.cli import cli
from resolver.curate import Candidate, band_candidates, chain_candidates, duplicate_candidates, review_rows
from resolver.judgements import judgement_key
from resolver.settings import MatchSettings


def test_duplicate_candidates_pair_the_first_id_with_each_other() -> None:
    names = [{"normName": "nhs england", "ids": ["a", "b", "c"], "names": ["NHS England"] * 3}]
    conflicts = [{"kind": "shared", "keys": ["ods:X1"], "ids": ["d", "e"], "names": ["D", "E"]}]
    got = duplicate_candidates(names, conflicts)
    assert [(c.left, c.right) for c in got] == [("a", "b"), ("a", "c"), ("d", "e")]
    assert got[2].reason == "identifier shared: ods:X1"


def test_band_candidates_are_near_the_threshold_only() -> None:
    orgs = [("1", "Surrey Police"), ("2", "Surrey Police Authority"), ("3", "Surrey Heath Borough Council")]
    got = band_candidates(orgs, MatchSettings(), 0.1)
    assert [(c.left, c.right) for c in got] == [("1", "2")]
    assert "above the threshold" in got[0].reason
    assert band_candidates(orgs, MatchSettings(), 0.0) == []


def evidence(org_id: str, name: str, target: str | None = None) -> dict[str, object]:
    return {
        "id": target or org_id,
        "name": name,
        "aliases": [name],
        "parents": ["P"],
        "identifiers": [f"x:{org_id}"],
    }


def test_review_rows_skip_judged_merged_and_repeated_pairs() -> None:
    cands = [
        Candidate("a", "b", "one normalised name: nhs"),
        Candidate("b", "a", "score 0.9 above"),  # the same pair again
        Candidate("a", "c", "one normalised name: nhs"),  # c is merged into a now
        Candidate("a", "d", "one normalised name: nhs"),  # judged already
    ]
    ev = {
        "a": evidence("a", "NHS"),
        "b": evidence("b", "The N.H.S."),
        "c": evidence("c", "NHS", target="a"),
        "d": evidence("d", "N.H.S."),
    }
    judged = [judgement_key(("org", "d"), ("org", "a"))]
    rows = review_rows(cands, ev, judged, MatchSettings(), limit=10)
    assert [(r["left"], r["right"], r["decision"]) for r in rows] == [("a", "b", "same")]
    assert rows[0]["leftParents"] == ["P"] and rows[0]["verdict"] == "" and "=" in rows[0]["features"]
    assert review_rows(cands, ev, [], MatchSettings(), limit=1)[0]["right"] == "b"


def test_chain_candidates_become_name_rows_until_judged_or_split() -> None:
    names = ["Herefordshire Council", "Hertfordshire Council", "Hertfordshire County Council"]
    [cand] = chain_candidates([("o1", names[1], names)], MatchSettings(), most=10)
    ev = {"o1": {**evidence("o1", names[1]), "aliases": names}}
    [row] = review_rows([cand], ev, [], MatchSettings(), limit=10)
    assert (row["leftKind"], row["left"], row["right"], row["decision"]) == (
        "name",
        "Herefordshire Council",
        "Hertfordshire County Council",
        "different",
    )
    assert row["leftParents"] == row["rightParents"] == ["P"]
    judged = [judgement_key(("name", names[2]), ("name", names[0]))]
    assert review_rows([cand], ev, judged, MatchSettings(), limit=10) == []
    split = {"o1": {**ev["o1"], "aliases": names[:2]}}
    assert review_rows([cand], split, [], MatchSettings(), limit=10) == []
    assert chain_candidates([("o1", names[1], names[:2])], MatchSettings(), most=10) == []


def test_cluster_honours_a_judgements_file(tmp_path: Path) -> None:
    names = tmp_path / "names.csv"
    names.write_text("name\nSurrey Police\nSurrey Police Authority\nKent Police\nKent Constabulary\n")
    plain = CliRunner().invoke(cli, ["cluster", str(names)], catch_exceptions=False)
    ids = [r["cluster_id"] for r in csv.DictReader(io.StringIO(plain.stdout))]
    assert ids[0] == ids[1] and ids[2] != ids[3]
    judged = tmp_path / "judgements.csv"
    judged.write_text(
        "left,right,verdict\n"
        "Surrey Police,Surrey Police Authority,different\n"
        "Kent Police,Kent Constabulary,same\n"
    )
    result = CliRunner().invoke(
        cli, ["cluster", str(names), "--judgements", str(judged)], catch_exceptions=False
    )
    assert result.exit_code == 0, result.output
    ids = [r["cluster_id"] for r in csv.DictReader(io.StringIO(result.stdout))]
    assert ids[0] != ids[1] and ids[2] == ids[3]


def test_cluster_names_a_bad_judgements_row(tmp_path: Path) -> None:
    names = tmp_path / "names.csv"
    names.write_text("name\nA\nB\n")
    judged = tmp_path / "j.csv"
    judged.write_text("left,right,verdict\nA,B,perhaps\n")
    result = CliRunner().invoke(cli, ["cluster", str(names), "--judgements", str(judged)])
    assert result.exit_code == 2
    assert "j.csv:2" in result.output and "'perhaps'" in result.output
