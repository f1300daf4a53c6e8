"""Output conventions: auto is a table only on a terminal; flat CSV/TSV with a header even when empty; ids
never folded in a table; the driver's log lines never reach the user's output."""

from __future__ import annotations

import io
import logging
from datetime import date

import pytest

from resolver.render import render_rows, resolve_format


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_auto_is_a_table_on_a_terminal_and_csv_in_a_pipe() -> None:
    assert resolve_format("auto", Terminal()) == "table"
    assert resolve_format("auto", io.StringIO()) == "csv"
    assert resolve_format("json", Terminal()) == "json"
    piped = io.StringIO()
    render_rows([{"id": "a", "n": 1}], "auto", out=piped)
    assert piped.getvalue() == "id,n\na,1\n"


def test_csv_is_flat_and_has_a_header_when_empty() -> None:
    out = io.StringIO()
    rows = [
        {"id": "x", "texts": {"from": "2019-05-00", "to": None}, "aliases": ["A", "B"], "d": date(2019, 5, 1)}
    ]
    render_rows(rows, "csv", out=out)
    assert out.getvalue().splitlines() == [
        "id,texts.from,texts.to,aliases,d",
        "x,2019-05-00,,A; B,2019-05-01",
    ]
    empty = io.StringIO()
    render_rows([], "csv", columns=["id", "name"], out=empty)
    assert empty.getvalue() == "id,name\n"


def test_tsv_keeps_each_row_on_one_line() -> None:
    out = io.StringIO()
    render_rows([{"id": "x", "note": "two\tcells\nand lines"}], "tsv", out=out)
    assert out.getvalue().splitlines() == ["id\tnote", "x\ttwo cells and lines"]


def test_table_never_folds_an_id() -> None:
    out = Terminal()
    long_id = "org-" + "a" * 60
    render_rows([{"id": long_id, "name": "word " * 40, "parentId": long_id}], "table", out=out)
    assert out.getvalue().count(long_id) == 2


def test_driver_log_lines_stay_out_of_the_output(capsys: pytest.CaptureFixture[str]) -> None:
    import resolver.graph  # noqa: F401  (installs the handler)

    logging.getLogger("neo4j.pool").warning("Transaction failed and will be retried in 1.1s (deadlock)")
    captured = capsys.readouterr()
    assert captured.out == "" and "retried" not in captured.err
