"""`resolver ingest` before it reaches the graph: the rejects file rules, mapping flags, --dry-run's
preview, and the exit codes (2 usage/connection, 3 internal error with the trace only under --debug).
The server is unreachable on purpose (port 1): everything here happens before or at the connection."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

import resolver.cli.ingest as cli_ingest
from resolver.cli import cli
from resolver.cli.ingest import RejectsError, RejectSink
from resolver.model import Reject

NOWHERE = {"NEO4J_URI": "bolt://127.0.0.1:1", "NEO4J_PASSWORD": "x", "COLUMNS": "200"}


def _run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, list(args), env=NOWHERE)
    return result.exit_code, result.output


@pytest.fixture
def edges(tmp_path: Path) -> Path:
    path = tmp_path / "e.csv"
    path.write_text("parent,child\nA,B\n", encoding="utf-8")
    return path


def test_rejects_naming_the_input_is_refused_before_reading(edges: Path) -> None:
    before = edges.read_bytes()
    code, output = _run("ingest", str(edges), "--rejects", str(edges))
    assert code == 2 and "is the input file" in output
    assert edges.read_bytes() == before
    code, output = _run("ingest", str(edges), "--rejects", str(edges.parent / "." / edges.name))
    assert code == 2 and edges.read_bytes() == before


def test_rejects_in_a_missing_folder_is_a_clear_error(edges: Path, tmp_path: Path) -> None:
    code, output = _run("ingest", str(edges), "--rejects", str(tmp_path / "no" / "such" / "r.csv"))
    assert code == 2 and "does not exist; create it" in output and "Traceback" not in output


def test_old_rejects_file_survives_a_run_that_fails_first(edges: Path, tmp_path: Path) -> None:
    old = tmp_path / "rejects.csv"
    old.write_text("path,line\nold.csv,7\n", encoding="utf-8")
    code, output = _run("ingest", str(edges), "--rejects", str(old))
    assert code == 2 and "cannot reach Neo4j" in output
    assert old.read_text(encoding="utf-8") == "path,line\nold.csv,7\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["e.csv", "rejects.csv"]  # no temporary file left


def test_full_rejects_disk_is_a_clear_error() -> None:
    with open("/dev/full", "w", encoding="utf-8") as stream:  # every write fails with ENOSPC
        sink = RejectSink(stream, as_csv=True, name="r.csv")
        with pytest.raises(
            RejectsError, match="r.csv: cannot write the rejects file: No space left on device"
        ):
            for n in range(10_000):
                sink(Reject("e.csv", n, "bad", "child", "invalid", "x" * 100))
            sink.flush()


def test_bare_codes_without_id_scheme_exit_2(tmp_path: Path) -> None:
    path = tmp_path / "codes.csv"
    path.write_text("parent_code,child_code\nX1,Y1\n", encoding="utf-8")
    code, output = _run("ingest", str(path), "--dry-run")
    assert (
        code == 2 and "codes.csv:2: parent_code 'X1' is a code without a scheme: pass --id-scheme" in output
    )


def test_dry_run_previews_the_mapping_before_connecting(tmp_path: Path) -> None:
    path = tmp_path / "epcmem.csv"
    path.write_text('"A81001","5E1","W","20010401","20130331","0"\n', encoding="utf-8")
    args = ["ingest", str(path), "--no-header", "--columns", "child_id,parent_id,-,start,end,-"]
    code, output = _run(*args, "--date-format", "%Y%m%d", "--id-scheme", "ods", "--dry-run")
    assert code == 2 and "first claims of" in output and "ods:5E1" in output and "2013-03-31" in output
    code, output = _run("ingest", str(path), "--no-header")
    assert code == 2 and "--no-header needs --columns" in output
    code, output = _run("ingest", str(path), "--map", "parent")
    assert code == 2 and "is not FIELD=COLUMN" in output


def test_mapping_file_gives_the_options(tmp_path: Path) -> None:
    path = tmp_path / "epcmem.csv"
    path.write_text('"A81001","5E1","W","20010401","20130331","0"\n', encoding="utf-8")
    mapping = tmp_path / "epcmem.toml"
    mapping.write_text(
        'id_scheme = "ods"\ndate_format = "%Y%m%d"\n'
        'columns = ["child_id", "parent_id", "-", "start", "end", "-"]\n',
        encoding="utf-8",
    )
    code, output = _run("ingest", str(path), "--mapping", str(mapping), "--dry-run")
    assert code == 2 and "ods:A81001" in output and "2001-04-01" in output


def test_internal_error_is_one_line_and_exit_3_with_the_trace_under_debug(
    edges: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*args: object) -> None:
        raise ValueError("boom\nsecond line")

    monkeypatch.setattr(cli_ingest, "ingest_options", broken)
    code, output = _run("ingest", str(edges))
    assert code == 3 and "internal error (ValueError: boom); run again as `resolver --debug" in output
    assert "Traceback" not in output and "second line" not in output
    code, output = _run("--debug", "ingest", str(edges))
    assert code == 3 and "Traceback" in output
