"""Whole files as a table of text rows, for the engine commands (``cluster``, ``eval``) that echo rows.

The same byte and row readers as the claim readers (gzip by magic bytes, "-" for stdin, CSV/TSV with a
header row, JSON lines, a JSON array), read leniently: a row that cannot be read keeps its line, what
could be read of it (short rows padded with "", bad bytes as U+FFFD) and the reason, so a caller can
write every input row back out and report the bad ones. JSON values that are not text are written as
JSON text; the columns of JSON records are their keys in order of first appearance.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

from resolver.errors import SourceError
from resolver.sources.jsondoc import JsonDocument
from resolver.sources.rows import ByteSource, CsvRows, Row, json_lines


def read_table(path: str, *, delimiter: str | None = None) -> tuple[list[str], list[Row]]:
    """(columns, rows) of a CSV/TSV or JSON file; SourceError when it cannot be opened or has no header."""
    source = ByteSource(path)
    try:
        name = Path(path.removesuffix(".gz")).name.lower() if path != "-" else ""
        first = source.first_byte()
        rows: Iterator[Row]
        if name.endswith((".jsonl", ".ndjson", ".json")) or first in (b"{", b"["):
            rows = iter(JsonDocument(source)) if first == b"[" else json_lines(source)
            table = [_as_text(row) for row in rows]
            if not table:
                raise SourceError("no records found", path=path)
            keys: dict[str, None] = {}
            for row in table:
                keys.update(dict.fromkeys(row.values))
            columns = list(keys)
        else:
            if delimiter is None:
                line = source.peek_line()
                tabbed = name.endswith((".tsv", ".tab")) or (b"\t" in line and b"," not in line)
                delimiter = "\t" if tabbed else ","
            csv_rows = CsvRows(source, delimiter=delimiter, lenient=True)
            columns = [c.strip() for c in csv_rows.header]
            csv_rows.header = columns
            table = list(csv_rows)
        source.finish()
        return columns, table
    finally:
        source.close()


def _as_text(row: Row) -> Row:
    if not any(not isinstance(v, str) for v in row.values.values()):
        return row
    values = {
        k: v if isinstance(v, str) else json.dumps(v, ensure_ascii=False) for k, v in row.values.items()
    }
    return Row(row.line, values, row.raw, row.error, row.code, row.field)
