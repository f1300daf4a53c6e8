"""Render rows for people (rich table) or pipes (JSON, NDJSON, CSV). No click here.

Rows are mappings of column name to a JSON-able value; dates and other objects are printed with str().
"""

from __future__ import annotations

import csv
import json
import sys
from collections.abc import Mapping, Sequence
from datetime import date, datetime
from typing import IO, Any, Literal

from rich.console import Console
from rich.table import Table

Format = Literal["table", "json", "ndjson", "csv"]
FORMATS: tuple[str, ...] = ("table", "json", "ndjson", "csv")


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
        return json.dumps(value, ensure_ascii=False)
    return str(value)


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
    cols = list(columns) if columns is not None else (list(rows[0].keys()) if rows else [])
    if fmt == "json":
        out.write(json.dumps([jsonable(r) for r in rows], ensure_ascii=False, indent=2) + "\n")
    elif fmt == "ndjson":
        for r in rows:
            out.write(json.dumps(jsonable(r), ensure_ascii=False) + "\n")
    elif fmt == "csv":
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(cols)
        for r in rows:
            writer.writerow([_cell(r.get(c)) for c in cols])
    elif fmt == "table":
        table = Table(title=title, show_lines=False)
        for c in cols:
            table.add_column(c, overflow="fold")
        for r in rows:
            table.add_row(*(_cell(r.get(c)) for c in cols))
        console = Console(file=out, soft_wrap=False)
        if rows:
            console.print(table)
        else:
            console.print("(no rows)")
    else:
        raise ValueError(f"unknown format {fmt!r}; choose one of {', '.join(FORMATS)}")


def render_document(doc: Any, out: IO[str] | None = None) -> None:
    """Write one JSON document (for nested results such as trees)."""
    (out or sys.stdout).write(json.dumps(jsonable(doc), ensure_ascii=False, indent=2) + "\n")
