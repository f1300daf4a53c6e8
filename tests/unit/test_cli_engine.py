"""`resolver cluster`, `eval`, `explain` through click's CliRunner: outputs, bad input, help."""

from __future__ import annotations

import csv
import gzip
import io
import json
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from resolver.cli import cli
from tests.conftest import shared_file


def _run(*args: str, stdin: bytes | None = None) -> Result:
    return CliRunner().invoke(cli, list(args), input=stdin, catch_exceptions=False)


def _rows(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))


def test_cluster_csv_keeps_rows_and_order(tmp_path: Path) -> None:
    src = tmp_path / "in.csv"
    src.write_text(
        "id,name\n1,NHS\n2,The N.H.S.\n3,National Health Service (NHS)\n4,NHS England\n", encoding="utf-8"
    )
    result = _run("cluster", str(src))
    assert result.exit_code == 0, result.output
    rows = _rows(result.stdout)
    assert [r["id"] for r in rows] == ["1", "2", "3", "4"]
    assert list(rows[0]) == ["id", "name", "cluster_id", "canonical_name"]
    assert rows[0]["cluster_id"] == rows[1]["cluster_id"] == rows[2]["cluster_id"] != rows[3]["cluster_id"]
    assert rows[0]["canonical_name"] == "National Health Service (NHS)"


def test_cluster_jsonl_gz_to_file(tmp_path: Path) -> None:
    src = tmp_path / "in.jsonl.gz"
    with gzip.open(src, "wt", encoding="utf-8") as f:
        f.write('{"org": "Acme Widgets Ltd", "n": 1}\n{"org": "ACME WIDGETS LIMITED", "n": 2}\n')
    out = tmp_path / "out.csv"
    result = _run("cluster", str(src), "--name-column", "org", "-o", str(out))
    assert result.exit_code == 0
    rows = _rows(out.read_text(encoding="utf-8"))
    assert [r["n"] for r in rows] == ["1", "2"] and rows[0]["cluster_id"] == rows[1]["cluster_id"]


def test_cluster_reports_bad_rows_with_lines_and_exits_1(tmp_path: Path) -> None:
    src = tmp_path / "bad.csv"
    lines = [
        b"name,note",
        b"Acme Ltd,ok",
        b",empty",
        b"   ,blank",
        b'"' + b"A" * 10_000 + b'",long',
        b"Bad \xff\xfe bytes,utf8",
        b"Acme\x07 Ltd,bell",
        b"!!!,punctuation",
        b'"Multi',
        b'line Ltd",quoted',
    ]
    src.write_bytes(b"\n".join(lines) + b"\n")
    result = _run("cluster", str(src))
    assert result.exit_code == 1
    err = result.stderr
    for line, reason in [
        (3, "empty name"),
        (4, "empty name"),
        (5, "name longer than 1000"),
        (6, "invalid UTF-8"),
        (8, "name has no letters"),
    ]:
        assert f"bad.csv:{line}: rejected: {reason}" in err
    assert "control characters" in err and "Traceback" not in err
    rows = _rows(result.stdout)
    assert len(rows) == 8
    assert [bool(r["cluster_id"]) for r in rows] == [True, False, False, False, False, True, False, True]
    assert rows[0]["cluster_id"] == rows[5]["cluster_id"]  # "Acme\x07 Ltd" is Acme Ltd
    assert "\ufffd" in rows[4]["name"]


@pytest.mark.parametrize(
    "args,message",
    [
        (["cluster", "missing.csv"], "cannot open"),
        (["cluster", "{src}", "--name-column", "title"], "no column 'title'"),
        (["cluster", "{src}", "--threshold", "88"], "did you mean 0.88"),
        (["eval", "{src}", "--truth-column", "nope"], "no column 'nope'"),
    ],
)
def test_usage_errors_exit_2_without_traceback(tmp_path: Path, args: list[str], message: str) -> None:
    src = tmp_path / "in.csv"
    src.write_text("name\nAcme\n", encoding="utf-8")
    result = CliRunner().invoke(cli, [a.format(src=src) for a in args])
    assert result.exit_code == 2
    assert message in result.output and "Traceback" not in result.output


def test_empty_file_is_a_clear_error(tmp_path: Path) -> None:
    src = tmp_path / "empty.csv"
    src.write_bytes(b"")
    result = CliRunner().invoke(cli, ["cluster", str(src)])
    assert result.exit_code == 2 and "empty file" in result.output


def test_cluster_keeps_earlier_ids(tmp_path: Path) -> None:
    first = tmp_path / "first.csv"
    first.write_text("name\nAcme Widgets Ltd\nZenith Ltd\n", encoding="utf-8")
    earlier = tmp_path / "earlier.csv"
    assert _run("cluster", str(first), "-o", str(earlier)).exit_code == 0
    old = {r["name"]: r["cluster_id"] for r in _rows(earlier.read_text(encoding="utf-8"))}
    more = tmp_path / "more.csv"
    more.write_text("name\nACME WIDGETS LIMITED\nZenith Ltd\nAcme Widgets Ltd\n", encoding="utf-8")
    rows = _rows(_run("cluster", str(more), "--ids", str(earlier)).stdout)
    assert rows[0]["cluster_id"] == rows[2]["cluster_id"] == old["Acme Widgets Ltd"]
    assert rows[1]["cluster_id"] == old["Zenith Ltd"]
    assert _rows(_run("cluster", str(more)).stdout) == _rows(
        _run("cluster", str(more)).stdout
    )  # deterministic


def test_cluster_reads_stdin() -> None:
    result = _run("cluster", "-", stdin=b"name\nZenith Ltd\nZenith Limited\n")
    rows = _rows(result.stdout)
    assert rows[0]["cluster_id"] == rows[1]["cluster_id"]


def test_eval_on_development_data() -> None:
    path = shared_file("littlesis-sample/derived_alias_truth.csv")
    result = _run(
        "eval",
        str(path),
        "--name-column",
        "alias",
        "--truth-column",
        "littlesis_entity_id",
        "--where",
        "is_identifier_alias=False",
        "--format",
        "json",
    )
    assert result.exit_code == 0
    doc = json.loads(result.stdout)
    assert doc["items"] == 362 and doc["pairwise_precision"] > 0.95
    assert {"pairwise_f1", "bcubed_f1", "false_merges", "false_splits"} <= set(doc)
    # Why names alone fall short here: 40% of the true pairs are former or brand names sharing no word.
    assert 0.35 < doc["true_pairs_sharing_no_word"] < 0.45
    assert doc["name_only_recall_ceiling"] == round(1 - doc["true_pairs_sharing_no_word"], 6)
    table = _run("eval", str(path), "--name-column", "alias", "--truth-column", "littlesis_entity_id")
    assert "pairwise_f1" in table.stdout and "Worst false splits" in table.stdout
    assert "share no word" in table.stdout and "recall from names is at most" in table.stdout


def test_eval_where_and_exclude(tmp_path: Path) -> None:
    src = tmp_path / "truth.csv"
    src.write_text("name,org,kind\nAcme Ltd,1,label\nACME LIMITED,1,label\nAL,1,acronym\n", encoding="utf-8")
    doc = json.loads(
        _run(
            "eval", str(src), "--truth-column", "org", "--exclude", "kind=acronym", "--format", "json"
        ).stdout
    )
    assert (doc["items"], doc["pairwise_f1"]) == (2, 1.0)
    doc = json.loads(
        _run("eval", str(src), "--truth-column", "org", "--where", "kind=acronym", "--format", "json").stdout
    )
    assert doc["items"] == 1
    bad = CliRunner().invoke(cli, ["eval", str(src), "--truth-column", "org", "--exclude", "nope"])
    assert bad.exit_code == 2 and "COL=VALUE" in bad.output


def test_explain_table_and_json() -> None:
    table = _run("explain", "NHS", "National Health Service (NHS)")
    assert table.exit_code == 0 and "same" in table.stdout and "national health service" in table.stdout
    doc = json.loads(_run("explain", "East Dorset", "West Dorset", "--format", "json").stdout)
    items = {row["item"]: row for row in doc}
    assert items["decision"]["left"] == "different" and items["feature modifiers"]["left"] == 0.0


@pytest.mark.parametrize("command", ["cluster", "eval", "explain"])
def test_help_has_an_example(command: str) -> None:
    result = _run(command, "--help")
    assert result.exit_code == 0 and "Example:" in result.stdout
