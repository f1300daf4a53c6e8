"""Files through the matcher: stream CSV or JSON-lines rows in, match them in chunks, stream rows out.

Every input column is kept and the match columns (``MATCH_COLUMNS``, plus ``ROLLUP_COLUMNS`` with a
rollup) are added; rows come out in input order. Rows are read with ``resolver.sources.rows`` (gzip, BOM,
stdin "-", invalid UTF-8 and malformed records reported with their line, never stopping the file).
Rollups are asked for once per chunk for all the chunk's matched organisations and days (``RollupFn``,
which the caller binds to the graph), never per row.
"""

from __future__ import annotations

import csv
import json
import os
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import IO, Any, Protocol

from resolver.errors import ConfigError, SourceError
from resolver.match import Matcher, MatchFn, MatchQuery, MatchResult, parallel_matching
from resolver.sources.rows import ByteSource, CsvRows, Row, json_lines

CHUNK_ROWS = 20_000
MATCH_COLUMNS = (
    "match_id",
    "match_name",
    "match_score",
    "match_decision",
    "match_method",
    "runner_up_id",
    "runner_up_name",
    "runner_up_score",
)
CANDIDATES_COLUMN = "match_candidates"
ROLLUP_COLUMNS = ("rollup_as_of", "parent_id", "parent_name", "ultimate_id", "ultimate_name")
NAME_COLUMNS = ("name", "organisation", "organization", "org", "org_name", "supplier", "title", "entity")
JOIN = "|"  # several parents (or ultimate parents) on one day, or several ids in one cell


class RollupLike(Protocol):
    """Parents and ultimate parents, (id, name) each (``resolver.graph.snapshot.Rollup``)."""

    @property
    def parents(self) -> tuple[tuple[str, str], ...]: ...

    @property
    def tops(self) -> tuple[tuple[str, str], ...]: ...


RollupFn = Callable[[Sequence[tuple[str, date]]], Mapping[tuple[str, date], RollupLike]]


@dataclass(frozen=True, slots=True)
class MatchOptions:
    name_column: str | None = None  # None: the first of NAME_COLUMNS the file has, else its first column
    id_column: str | None = None
    id_scheme: str | None = None  # bare values of the id column become "scheme:value"
    top: int = 2
    rollup: str | None = None  # "parent" or "ultimate"
    as_of: date | None = None
    as_of_column: str | None = None


@dataclass(slots=True)
class MatchSummary:
    rows: int = 0
    rejected: int = 0  # unreadable rows (reported, not written) and rows with an unusable date
    decisions: dict[str, int] = field(default_factory=lambda: {"matched": 0, "ambiguous": 0, "none": 0})
    problems: list[str] = field(default_factory=list)  # "file:line: reason", the first few

    def note(self, path: str, line: int, reason: str) -> None:
        self.rejected += 1
        if len(self.problems) < 20:
            self.problems.append(f"{path}:{line}: {reason}")


class RowSource:
    """The rows of a CSV (with a header) or JSON-lines file; ``columns`` known once the first row is read."""

    def __init__(self, path: str) -> None:
        self.path = path
        self.source = ByteSource(path)
        base = path.removesuffix(".gz").lower()
        self.json = base.endswith((".jsonl", ".ndjson", ".json")) or self.source.first_byte() == b"{"
        self.csv: CsvRows | None = None if self.json else CsvRows(self.source)
        self.columns: list[str] = list(self.csv.header) if self.csv is not None else []

    def __iter__(self) -> Iterator[Row]:
        try:
            rows = json_lines(self.source) if self.csv is None else iter(self.csv)
            for row in rows:
                if self.csv is None and row.error is None:
                    self.columns.extend(k for k in row.values if k not in self.columns)
                yield row
        finally:
            self.source.close()


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    return json.dumps(value, ensure_ascii=False)


def pick_name_column(columns: Sequence[str], wanted: str | None, path: str) -> str:
    if wanted is not None:
        if columns and wanted not in columns:
            raise ConfigError(
                f"{path}: no column {wanted!r} (columns: {', '.join(columns)}); name one with --name-column"
            )
        return wanted
    folded = {c.casefold(): c for c in columns}
    for c in NAME_COLUMNS:
        if c in folded:
            return folded[c]
    if not columns:
        raise ConfigError(f"{path}: no columns to read names from; give --name-column")
    return columns[0]


def query_of(values: Mapping[str, Any], name_column: str, options: MatchOptions) -> MatchQuery:
    ids: tuple[str, ...] = ()
    if options.id_column is not None:
        raw = values.get(options.id_column)
        parts = raw if isinstance(raw, list) else _cell(raw).split(JOIN)
        cleaned = [str(p).strip() for p in parts if str(p).strip()]
        if options.id_scheme:
            cleaned = [p if ":" in p else f"{options.id_scheme}:{p}" for p in cleaned]
        ids = tuple(cleaned)
    return MatchQuery(_cell(values.get(name_column)), ids)


def result_columns(result: MatchResult, top: int) -> dict[str, Any]:
    chosen, runner = result.match, result.runner_up
    out: dict[str, Any] = {
        "match_id": chosen.id if chosen else "",
        "match_name": chosen.name if chosen else "",
        "match_score": round(result.best.score, 4) if result.best else 0.0,
        "match_decision": result.decision,
        "match_method": result.best.method if result.best else "",
        "runner_up_id": runner.id if runner else "",
        "runner_up_name": runner.name if runner else "",
        "runner_up_score": round(runner.score, 4) if runner else None,
    }
    if top > 2:
        out[CANDIDATES_COLUMN] = [c.row() for c in result.candidates]
    return out


class RowWriter:
    """CSV (header first) or JSON lines, one row per input row, values as given."""

    def __init__(self, sink: IO[str], columns: Sequence[str], *, as_json: bool) -> None:
        self.sink = sink
        self.columns = list(columns)
        self.as_json = as_json
        self.csv = None if as_json else csv.writer(sink, lineterminator="\n")
        if self.csv is not None:
            self.csv.writerow(self.columns)

    def write(self, values: Mapping[str, Any]) -> None:
        if self.csv is None:
            self.sink.write(json.dumps(dict(values), ensure_ascii=False, default=str) + "\n")
        else:
            self.csv.writerow([_cell(values.get(c)) for c in self.columns])


def match_file(
    source: RowSource,
    sink: IO[str],
    matcher: Matcher,
    options: MatchOptions,
    *,
    as_json: bool,
    rollup: RollupFn | None = None,
    progress: Callable[[int], None] | None = None,
    workers: int | None = None,
) -> MatchSummary:
    """Match every row of ``source`` and write it to ``sink`` (see the module docstring); ``workers``
    processes match (default: one per CPU this process may use)."""
    if options.rollup is not None and rollup is None:
        raise ConfigError("a rollup needs the graph: give match_file a rollup function")
    summary = MatchSummary()
    rows = iter(source)
    first = next(rows, None)
    name_column = pick_name_column(source.columns, options.name_column, source.path)
    for wanted, flag in ((options.id_column, "--id-column"), (options.as_of_column, "--as-of-column")):
        if wanted is not None and source.columns and wanted not in source.columns:
            raise ConfigError(
                f"{source.path}: no column {wanted!r} for {flag} (columns: {', '.join(source.columns)})"
            )
    added = [*MATCH_COLUMNS, *((CANDIDATES_COLUMN,) if options.top > 2 else ())]
    added += list(ROLLUP_COLUMNS) if options.rollup else []
    clash = [c for c in added if c in source.columns]
    if clash and not as_json:
        raise ConfigError(
            f"{source.path}: the input already has column(s) {', '.join(clash)}, which match adds; "
            "rename them (is this an earlier output of resolver match?)"
        )
    writer = RowWriter(sink, [*source.columns, *added], as_json=as_json)
    chunk: list[Row] = []
    pending = [first] if first is not None else []
    with parallel_matching(matcher, workers or available_cpus()) as match:
        for row in _chain(pending, rows):
            if row.error is not None:
                summary.note(source.path, row.line, row.error)
                continue
            chunk.append(row)
            if len(chunk) >= CHUNK_ROWS:
                _flush(chunk, writer, match, options, name_column, rollup, summary, source.path, progress)
                chunk = []
        if chunk:
            _flush(chunk, writer, match, options, name_column, rollup, summary, source.path, progress)
    return summary


def available_cpus() -> int:
    """CPUs this process may run on."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def _chain(first: list[Row], rest: Iterator[Row]) -> Iterator[Row]:
    yield from first
    yield from rest


def _flush(
    chunk: list[Row],
    writer: RowWriter,
    match: MatchFn,
    options: MatchOptions,
    name_column: str,
    rollup: RollupFn | None,
    summary: MatchSummary,
    path: str,
    progress: Callable[[int], None] | None,
) -> None:
    queries = [query_of(r.values, name_column, options) for r in chunk]
    results = match(queries, max(options.top, 2), progress)
    days: list[date | None] = []
    for row in chunk:
        day = options.as_of or date.today()
        if options.as_of_column is not None:
            text = _cell(row.values.get(options.as_of_column)).strip()
            try:
                day = date.fromisoformat(text[:10]) if text else day
            except ValueError:
                summary.note(path, row.line, f"{options.as_of_column}: {text!r} is not a date (YYYY-MM-DD)")
                days.append(None)
                continue
        days.append(day)
    rolled: Mapping[tuple[str, date], RollupLike] = {}
    if options.rollup is not None and rollup is not None:
        wanted = {(r.match.id, d) for r, d in zip(results, days, strict=True) if r.match and d}
        rolled = rollup(sorted(wanted))
    for row, result, when in zip(chunk, results, days, strict=True):
        summary.rows += 1
        summary.decisions[result.decision] += 1
        values: dict[str, Any] = dict(row.values) | result_columns(result, options.top)
        if options.rollup is not None:
            values |= _rollup_columns(result, when, rolled, options.rollup)
        writer.write(values)


def _rollup_columns(
    result: MatchResult, day: date | None, rolled: Mapping[tuple[str, date], RollupLike], kind: str
) -> dict[str, Any]:
    found = rolled.get((result.match.id, day)) if result.match and day else None
    out = {"rollup_as_of": day.isoformat() if day else ""}
    parents = found.parents if found else ()
    tops = found.tops if found else ()
    out["parent_id"] = JOIN.join(p[0] for p in parents)
    out["parent_name"] = JOIN.join(p[1] for p in parents)
    if kind == "ultimate":
        out["ultimate_id"] = JOIN.join(t[0] for t in tops)
        out["ultimate_name"] = JOIN.join(t[1] for t in tops)
    else:
        out["ultimate_id"] = out["ultimate_name"] = ""
    return out


def open_source(path: str) -> RowSource:
    """A RowSource, with SourceError naming the file when it cannot be opened or has no header."""
    try:
        return RowSource(path)
    except SourceError:
        raise
    except OSError as exc:
        raise SourceError(f"cannot read: {exc}", path=path) from exc
