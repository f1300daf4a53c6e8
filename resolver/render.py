"""Render rows for people (rich table) or pipes (CSV, TSV, JSON, NDJSON). No click here.

Rows are mappings of column name to a JSON-able value; dates and other objects are printed with str().
``auto`` (the default of every command) is a table on a terminal and CSV anywhere else, as cypher-shell's
``--format auto`` does. CSV and TSV are flat: a column of maps becomes one column per key (``texts.from``),
a list is joined with "; ", another map is written "key=value; ...", never JSON in a cell; the header is
written even when there are no rows. A table never folds an id across lines.
"""

from __future__ import annotations

import csv
import json
import re
import sys
from collections.abc import Mapping, Sequence
from datetime import date, datetime
from typing import IO, Any, Literal

from rich.console import Console
from rich.table import Table

Format = Literal["auto", "table", "csv", "tsv", "json", "ndjson"]
FORMATS: tuple[str, ...] = ("auto", "table", "csv", "tsv", "json", "ndjson")
_ID_COLUMN = re.compile(r"(^|\.)(id|ids|key|claimId|requested)$|Ids?$")


def jsonable(value: Any) -> Any:
    """Turn neo4j temporal types, dates, tuples and sets into plain JSON values."""
    if value is None or isinstance(value, str | int | float | bool):
        return value
    if isinstance(value, Mapping):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [jsonable(v) for v in value]
    if isinstance(value, date | datetime):
        return value.isoformat()
    iso = getattr(value, "iso_format", None)  # neo4j.time.Date / DateTime
    if callable(iso):
        return iso()
    return str(value)


def _cell(value: Any) -> str:
    value = jsonable(value)
    if value is None:
        return ""
    if isinstance(value, list):
        return "; ".join(_cell(v) for v in value)
    if isinstance(value, dict):
        return "; ".join(f"{k}={_cell(v)}" for k, v in value.items() if v is not None)
    return str(value)


def resolve_format(fmt: str, out: IO[str] | None = None) -> str:
    """``auto`` becomes ``table`` on a terminal and ``csv`` elsewhere; other formats stay as they are."""
    if fmt != "auto":
        return fmt
    stream = out or sys.stdout
    isatty = getattr(stream, "isatty", None)
    return "table" if callable(isatty) and isatty() else "csv"


def flatten(
    rows: Sequence[Mapping[str, Any]], columns: Sequence[str]
) -> tuple[list[str], list[dict[str, Any]]]:
    """Map-valued columns spread into ``column.key`` columns (keys in order of first appearance).

    >>> flatten([{"a": 1, "t": {"from": "2019", "to": None}}], ["a", "t"])
    (['a', 't.from', 't.to'], [{'a': 1, 't.from': '2019', 't.to': None}])
    """
    spread: dict[str, list[str]] = {}
    for c in columns:
        values = [r.get(c) for r in rows if r.get(c) is not None]
        maps = [v for v in values if isinstance(v, Mapping)]
        if maps and len(maps) == len(values):  # a map column, not a mixed one
            keys = spread.setdefault(c, [])
            for found in maps:
                keys.extend(str(k) for k in found if str(k) not in keys)
    if not spread:
        return list(columns), [dict(r) for r in rows]
    cols: list[str] = []
    for c in columns:
        if c in spread:
            cols.extend(f"{c}.{k}" for k in spread[c])
        else:
            cols.append(c)
    flat: list[dict[str, Any]] = []
    for r in rows:
        row: dict[str, Any] = {}
        for c in columns:
            value = r.get(c)
            if c in spread:
                inner = value if isinstance(value, Mapping) else {}
                row.update({f"{c}.{k}": inner.get(k) for k in spread[c]})
            else:
                row[c] = value
        flat.append(row)
    return cols, flat


def render_rows(
    rows: Sequence[Mapping[str, Any]],
    fmt: str,
    *,
    columns: Sequence[str] | None = None,
    title: str | None = None,
    out: IO[str] | None = None,
) -> None:
    """Write rows to ``out`` (stdout) in the given format; columns default to the first row's keys."""
    out = out or sys.stdout
    fmt = resolve_format(fmt, out)
    cols = list(columns) if columns is not None else (list(rows[0].keys()) if rows else [])
    if fmt in ("csv", "tsv"):
        cols, rows = flatten(rows, cols)
    if fmt == "json":
        out.write(json.dumps([jsonable(r) for r in rows], ensure_ascii=False, indent=2) + "\n")
    elif fmt == "ndjson":
        for r in rows:
            out.write(json.dumps(jsonable(r), ensure_ascii=False) + "\n")
    elif fmt in ("csv", "tsv"):
        if fmt == "csv":
            writer = csv.writer(out, lineterminator="\n")
        else:  # TSV: tabs and line breaks inside a value become spaces, so every row is one line
            writer = csv.writer(
                out, delimiter="\t", lineterminator="\n", quoting=csv.QUOTE_NONE, escapechar="\\"
            )
        clean = (lambda s: s) if fmt == "csv" else (lambda s: re.sub(r"[\t\r\n]", " ", s))
        writer.writerow(cols)
        for r in rows:
            writer.writerow([clean(_cell(r.get(c))) for c in cols])
    elif fmt == "table":
        cells = [[_cell(r.get(c)) for c in cols] for r in rows]
        table = Table(title=title, show_lines=False)
        needed = 4 * len(cols)  # borders and padding, then at least 8 characters per other column
        for i, c in enumerate(cols):
            if _ID_COLUMN.search(c):  # ids are copied from here: never folded, never cut
                width = max([len(c), *(len(row[i]) for row in cells)])
                table.add_column(c, no_wrap=True, min_width=width, overflow="ignore")
                needed += width
            else:
                table.add_column(c, overflow="fold")
                needed += 8
        for row in cells:
            table.add_row(*row)
        console = Console(file=out, soft_wrap=False)
        if not console.is_terminal:  # a file asked for a table: whole lines, never cut at 80 columns
            console = Console(file=out, soft_wrap=False, width=100_000)
        elif needed > console.width:  # wider than the terminal: let it wrap the lines, not cut the ids
            console = Console(file=out, soft_wrap=False, width=needed, force_terminal=True)
        if rows:
            console.print(table)
        else:
            console.print("(no rows)")
    else:
        raise ValueError(f"unknown format {fmt!r}; choose one of {', '.join(FORMATS)}")


def render_document(doc: Any, out: IO[str] | None = None) -> None:
    """Write one JSON document (for nested results such as trees)."""
    (out or sys.stdout).write(json.dumps(jsonable(doc), ensure_ascii=False, indent=2) + "\n")
