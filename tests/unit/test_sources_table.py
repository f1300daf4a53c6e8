"""resolver.sources.table: the engine commands read files through the ingest readers, leniently, so
`cluster` still echoes every input row (bad ones with their reason)."""

from __future__ import annotations

import csv
import gzip
import io
from pathlib import Path

from click.testing import CliRunner

from resolver.cli import cli
from resolver.sources.table import read_table


def test_short_long_and_undecodable_rows_keep_their_values(tmp_path: Path) -> None:
    path = tmp_path / "names.csv"
    path.write_bytes(b"name,country\nAcme Ltd,UK\nShort Ltd\nLong Ltd,UK,extra\nBad \xff Ltd,FR\n")
    columns, rows = read_table(str(path))
    assert columns == ["name", "country"]
    assert [(r.line, r.values, r.code if r.error else None) for r in rows] == [
        (2, {"name": "Acme Ltd", "country": "UK"}, None),
        (3, {"name": "Short Ltd", "country": ""}, "wrong_columns"),
        (4, {"name": "Long Ltd", "country": "UK"}, "wrong_columns"),
        (5, {"name": "Bad \ufffd Ltd", "country": "FR"}, "invalid_utf8"),
    ]


def test_tsv_gzip_and_json_lines(tmp_path: Path) -> None:
    tsv = tmp_path / "names.tsv.gz"
    tsv.write_bytes(gzip.compress(b"name\tcountry\nAcme, Ltd\tUK\n"))
    assert read_table(str(tsv))[1][0].values == {"name": "Acme, Ltd", "country": "UK"}
    jsonl = tmp_path / "names.jsonl"
    jsonl.write_text('{"name": "A", "n": 1}\n{"name": "B", "tags": ["x"]}\nnot json\n', encoding="utf-8")
    columns, rows = read_table(str(jsonl))
    assert columns == ["name", "n", "tags"] and rows[0].values == {"name": "A", "n": "1"}
    assert rows[1].values["tags"] == '["x"]' and rows[2].error and rows[2].line == 3


def test_cluster_echoes_every_row(tmp_path: Path) -> None:
    path = tmp_path / "names.csv"
    path.write_text(
        "name,country\nAcme Widgets Ltd,UK\nAcme Widgets Limited\nZenith Ltd,UK\n", encoding="utf-8"
    )
    result = CliRunner().invoke(cli, ["cluster", str(path)])
    assert result.exit_code == 1  # one row rejected, every row written
    out = list(csv.DictReader(io.StringIO(result.stdout)))
    assert [r["name"] for r in out] == ["Acme Widgets Ltd", "Acme Widgets Limited", "Zenith Ltd"]
    assert out[1]["cluster_id"] == "" and out[0]["cluster_id"] and "names.csv:3" in result.stderr
