"""``SourceReader``: opens a file, tells its container and format, and streams its records.

The container (CSV, JSON lines, one JSON document) comes from the file name and the first bytes; the
format (``fmt="auto"``) from the file name and the first record or header. Each row then goes to its
format's module (edges, entities, littlesis, littlesis_export); a RowError there becomes a Reject and
reading goes on.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from resolver.errors import RowError, SourceError
from resolver.model import Mention, NameClaim, ParentClaim, Reject, SuccessionClaim
from resolver.sources import edges, entities, govuk, littlesis, littlesis_export, ods, ror
from resolver.sources.fields import BareCodeError, FieldReader, Record, column_key
from resolver.sources.jsondoc import JsonDocument
from resolver.sources.mapping import SKIP, ReadOptions
from resolver.sources.rows import ByteSource, CsvRows, Row, json_lines

FORMATS = ("auto", "littlesis", "littlesis-export", "edges", "entities", "govuk", "ror", "ods-succ")
DATED_FORMATS = ("govuk", "ror", "ods-succ")  # formats that tell their files apart by kind (self.kind)
LITTLESIS_FORMATS = ("littlesis", "littlesis-export")
SNIFF_ROWS = 1_000  # auto-detection looks at up to this many records for a readable one


def _default_source(path: str, fmt: str) -> str:
    if fmt in LITTLESIS_FORMATS:
        return "littlesis"
    if fmt in DATED_FORMATS:
        return {"ods-succ": "ods"}.get(fmt, fmt)
    if path == "-":
        return "stdin"
    return Path(path.removesuffix(".gz").removesuffix(".GZ")).stem or "source"


def read_source(
    path: Path | str,
    *,
    fmt: str = "auto",
    source: str | None = None,
    id_scheme: str | None = None,
    options: ReadOptions | None = None,
) -> SourceReader:
    """Open ``path`` and return its reader (SourceError when it cannot be opened or its format told).

    ``options`` maps columns and describes the layout (header-less, delimiter, date format).
    """
    if fmt not in FORMATS:
        raise SourceError(f"unknown format {fmt!r}; expected one of {', '.join(FORMATS)}", path=str(path))
    if id_scheme is not None and not re.fullmatch(r"[A-Za-z][A-Za-z0-9_.+-]{0,31}", id_scheme):
        raise SourceError(f"id scheme {id_scheme!r} is not a word like 'ods'", path=str(path))
    return SourceReader(str(path), fmt, source, id_scheme.lower() if id_scheme else None, options)


class SourceReader(FieldReader):
    """The records of one file, streamed once. See the package docstring for formats and rules."""

    def __init__(
        self,
        path: str,
        fmt: str,
        source: str | None,
        id_scheme: str | None,
        options: ReadOptions | None = None,
    ) -> None:
        self.options = options or ReadOptions()
        super().__init__(path, source, id_scheme, dict(self.options.columns), self.options.date_format)
        self._seen_keys: set[str] = set()  # JSON records: every key met, for the unread-column warnings
        self._bytes = ByteSource(path)
        self._used = False
        self._entities: dict[str, Mention] | None = None
        self.keep_persons = False  # the id -> name map of a relationships file keeps persons too
        self.kind: str | None = None  # which file of a DATED_FORMATS format (govuk: titles, parents, ...)
        self.context: Any = None  # what a format module loaded for this file (names beside it, ...)
        self._raw_header: list[str] = []
        try:
            self._container, self._rows = self._open_rows()
            self.format = self._detect(fmt)
        except BaseException:
            self._bytes.close()
            raise
        self.source = source or _default_source(path, self.format)
        self.source_is_file_name = source is None and self.format not in LITTLESIS_FORMATS and path != "-"

    @property
    def sha256(self) -> str:
        """Hex sha256 of the raw bytes read so far: the whole file once iteration has finished."""
        return self._bytes.sha256

    # -- opening and detection --

    def _open_rows(self) -> tuple[str, Iterator[Row]]:
        name = Path(self.path.removesuffix(".gz")).name.lower() if self.path != "-" else ""
        first = self._bytes.first_byte()
        if name.endswith((".jsonl", ".ndjson")):
            container = "jsonl"
        elif first == b"[":
            container = "json"
        elif first == b"{":
            container = "jsonl" if _is_json_line(self._bytes.peek_line()) else "json"
        elif name.endswith(".json"):
            container = "json"
        else:
            container = "csv"
        if container != "csv" and self.options.header is not None:
            raise SourceError(
                "--no-header / --columns describe CSV or TSV files; this one is JSON", path=self.path
            )
        if container == "csv":
            header = list(self.options.header) if self.options.header is not None else None
            encoding = self.options.encoding
            rows = CsvRows(self._bytes, delimiter=self._delimiter(name), columns=header, encoding=encoding)
            self._raw_header = list(rows.header)
            self._header = [column_key(c) if c != SKIP else SKIP for c in rows.header]
            rows.header = self._header  # rows come keyed by the compared names
            self._header_line = rows.header_line
            self._header_set = set(self._header)
            self._is_csv = True
            duplicates = sorted(
                {c for c in self._header if self._header.count(c) > 1 and c not in ("", SKIP)}
            )
            if duplicates:
                raise SourceError(
                    f"header names a column twice: {', '.join(duplicates)}",
                    path=self.path,
                    line=rows.header_line,
                )
            return container, iter(rows)
        self._header = []
        self._header_line = 1
        if container == "jsonl":
            return container, json_lines(self._bytes)
        return container, iter(JsonDocument(self._bytes))

    def _delimiter(self, name: str) -> str:
        """--delimiter, else tab for .tsv/.tab, else tab when the first line has tabs and no commas."""
        if self.options.delimiter is not None:
            return self.options.delimiter
        if name.endswith((".tsv", ".tab")):
            return "\t"
        line = self._bytes.peek_line()
        return "\t" if b"\t" in line and b"," not in line else ","

    def _detect(self, fmt: str) -> str:
        name = Path(self.path.removesuffix(".gz")).name.lower() if self.path != "-" else ""
        if self._container == "csv":
            keys = set(self._header)
        else:
            first, buffered = _first_record(self._rows)
            self._rows = buffered
            keys = {column_key(k) for k in first} if first is not None else set()
            if first is not None and isinstance(first.get("attributes"), dict):
                keys |= {column_key(k) for k in first["attributes"]} | {"attributes"}
        # A column map or header-less layout describes the file as edges/entities: no dedicated reader then.
        described = bool(self.options.columns) or self.options.header is not None
        if fmt in DATED_FORMATS or (fmt == "auto" and not described):
            dated = _dated_kind(keys, self._raw_header if self._container == "csv" else [])
            if dated is not None and fmt in ("auto", dated[0]):
                self.kind = dated[1]
                return dated[0]
            if fmt != "auto":
                found = ", ".join(sorted(keys)) or "no records"
                raise SourceError(
                    f"not a {fmt} file: {_DATED_EXPECTED[fmt]}; found {found}",
                    path=self.path,
                    line=self._header_line if self._container == "csv" else None,
                )
        kind = self._kind_of(keys)
        if fmt == "auto":
            if (
                name in ("entities.json", "relationships.json")
                or "attributes" in keys
                or "primary_ext" in keys
            ):
                fmt = "littlesis-export"
            elif kind is None:
                found = ", ".join(sorted(keys)) or "no records"
                raise SourceError(
                    "cannot tell the format: expected CSV or JSON records with parent and child (edges), "
                    "entity1 and entity2 (littlesis), or name (entities), or a LittleSis bulk file "
                    f"entities.json / relationships.json; found {found} (pass --format; name the columns "
                    "of a file without a header row with --no-header --columns A,B,..., map other "
                    "column names with --map FIELD=COLUMN)",
                    path=self.path,
                    line=self._header_line if self._container == "csv" else None,
                )
            else:
                fmt = kind
        self._check_mapping(fmt)
        if self._container == "csv":
            self._check_header(fmt)
        return fmt

    def _format_table(self, fmt: str) -> dict[str, tuple[str, ...]]:
        base = {"edges": edges.EDGE_COLUMNS, "entities": entities.ENTITY_COLUMNS}
        return self.table(base.get(fmt, littlesis.LITTLESIS_COLUMNS))

    def _check_mapping(self, fmt: str) -> None:
        fields = self._format_table(fmt) if fmt != "littlesis-export" else {}
        for name, column in self.mapped.items():
            if name not in fields:
                has = f"its fields: {', '.join(fields)}" if fields else "it takes no --map"
                raise SourceError(
                    f"--map {name}={column}: the {fmt} format has no field {name!r}; {has}", path=self.path
                )
            if self._container == "csv" and column not in self._header_set:
                found = ", ".join(c for c in self._header if c and c != SKIP)
                raise SourceError(
                    f"--map {name}={column}: no column {column!r}; the columns are {found}",
                    path=self.path,
                    line=self._header_line or None,
                )

    def unread_columns(self) -> list[str]:
        """Columns no field reads (JSON: keys met so far); "-" columns and LittleSis JSON are not counted."""
        fields = self._format_table(self.format)
        if self._is_csv:
            read = {next((c for c in a if c in self._header_set), "") for a in fields.values()}
            return [c for c in self._header if c and c != SKIP and c not in read]
        if self.format not in ("edges", "entities"):
            return []
        read = {c for aliases in fields.values() for c in aliases}
        return sorted(self._seen_keys - read)

    def _kind_of(self, keys: set[str]) -> str | None:
        def has(*aliases: tuple[str, ...]) -> bool:
            return any(k in keys for a in aliases for k in a)

        def has_all(table: dict[str, tuple[str, ...]], required: tuple[tuple[str, str], ...]) -> bool:
            return all(has(table[name], table[ident]) for name, ident in required)

        if has_all(self.table(littlesis.LITTLESIS_COLUMNS), littlesis.REQUIRED):
            return "littlesis"
        if has_all(self.table(edges.EDGE_COLUMNS), edges.REQUIRED):
            return "edges"
        if has(self.table(entities.ENTITY_COLUMNS)["name"]):
            return "entities"
        return None

    def _check_header(self, fmt: str) -> None:
        found = ", ".join(c for c in self._header if c) or "none"

        def need(*fields: tuple[str, ...]) -> None:
            if not any(c in self._header for aliases in fields for c in aliases):
                expected = " or ".join(", ".join(a) for a in fields)
                raise SourceError(
                    f"no column for {fields[0][0]}: expected one of {expected}; found {found}",
                    path=self.path,
                    line=self._header_line,
                )

        table = self._format_table(fmt)
        if fmt == "edges":
            for name, ident in edges.REQUIRED:
                need(table[name], table[ident])
        elif fmt == "entities":
            need(table["name"])
        else:
            for name, ident in littlesis.REQUIRED:
                need(table[name], table[ident])

    # -- iteration --

    def __iter__(self) -> Iterator[Record]:
        if self._used:
            raise RuntimeError(f"{self.path} has already been read: a SourceReader is iterable once")
        self._used = True
        return self._records()

    def _all_rows(self) -> Iterator[Row]:
        if self.kind == "succ":  # a header-less ODS file: what was read as the header is the first row
            yield Row(self._header_line, dict(zip(ods.SUCC_COLUMNS, self._raw_header, strict=True)), "")
        yield from self._rows

    def raw_values(self) -> Iterator[dict[str, Any]]:
        """The readable records' values as given, without mapping (a first pass); closes the file."""
        self._used = True
        try:
            for row in self._rows:
                if row.error is None:
                    yield row.values
        finally:
            self._bytes.close()

    def _records(self) -> Iterator[Record]:
        try:
            for row in self._all_rows():
                self.stats.rows += 1
                if row.error is not None:
                    found: Record | list[Record] | None = Reject(
                        self.path, row.line, row.error, row.field, row.code, row.raw
                    )
                else:
                    try:
                        found = self._map(row)
                    except RowError as error:
                        found = Reject(self.path, row.line, error.reason, error.field, error.code, row.raw)
                    except BareCodeError as bare:
                        raise _bare_code(bare, self.path, row.line) from None
                for record in found if isinstance(found, list) else [found] if found else []:
                    if isinstance(record, Reject):
                        self.stats.rejects += 1
                    elif isinstance(record, ParentClaim):
                        self.stats.parent_claims += 1
                    elif isinstance(record, SuccessionClaim):
                        self.stats.succession_claims += 1
                    elif isinstance(record, NameClaim):
                        self.stats.name_claims += 1
                    else:
                        self.stats.entity_claims += 1
                    yield record
            self._bytes.finish()
        finally:
            self._bytes.close()

    def _map(self, row: Row) -> Record | list[Record] | None:
        if self._is_csv:
            values = row.values
        else:
            values = {column_key(k): v for k, v in row.values.items()}
            self._seen_keys.update(values)
        if self.format == "govuk":
            if self.kind == "api":
                return govuk.read_api(self, values, row)
            return govuk.read_observed(self, self.kind or "", values, row)
        if self.format == "ror":
            if self.kind == "orgs":
                return ror.read_org(self, values, row)
            return ror.read_relationship_row(self, values, row)
        if self.format == "ods-succ":
            return ods.read_succession(self, self.kind or "", values, row)
        if self.format == "edges":
            return edges.read_edge(self, values, row)
        if self.format == "entities":
            return entities.read_entity(self, values, row)
        values, urls = littlesis.flatten(values)
        if littlesis.is_relationship(values):
            names = self._entity_names if self.format == "littlesis-export" else None
            return littlesis.read_relationship(self, values, row, urls, names)
        if "name" in values:
            return littlesis_export.read_entity_record(self, values, row, keep_persons=self.keep_persons)
        raise RowError(
            "neither a LittleSis relationship (entity1, entity2) nor an entity (name)", code="not_a_record"
        )

    def _entity_names(self) -> dict[str, Mention]:
        if self._entities is None:
            self._entities = littlesis_export.load_entity_names(self)
        return self._entities


def _is_json_line(line: bytes) -> bool:
    try:
        return isinstance(json.loads(line), dict)
    except ValueError:
        return False


def _bare_code(bare: BareCodeError, path: str, line: int) -> SourceError:
    return SourceError(
        f"{bare.field} {bare.value!r} is a code without a scheme: pass --id-scheme to say whose codes "
        f"these are (--id-scheme ods makes it ods:{bare.value}) or write it scheme:value in the file; "
        "codes are never named after the file, so that renaming it changes nothing",
        path=path,
        line=line,
    )


_DATED_EXPECTED = {
    "govuk": "expected a GOV.UK observed file (org_titles_observed, parent_of_edges_observed, "
    "superseded_by_edges_observed) or the GOV.UK organisations API (records with title and details)",
    "ror": "expected ROR organisation records (id, names, display_name) or ror_relationships "
    "(ror_id, relationship_type, target_ror_id)",
    "ods-succ": "expected the header-less ODS succ.csv (old_code, new_code, reason, YYYYMMDD, indicator) or "
    "derived_successor_edges (predecessor_code, successor_code, effective_date)",
}


def _dated_kind(keys: set[str], raw_header: list[str]) -> tuple[str, str] | None:
    """(format, kind) of a GOV.UK, ROR or ODS succession file, from its header or first record."""
    kind = govuk.kind_of(keys)
    if kind is not None:
        return "govuk", kind
    kind = ror.kind_of(keys)
    if kind is not None:
        return "ror", kind
    kind = ods.kind_of(keys, raw_header)
    if kind is not None:
        return "ods-succ", kind
    return None


def _first_record(rows: Iterator[Row]) -> tuple[dict[str, Any] | None, Iterator[Row]]:
    """The first readable record's values (None when none in SNIFF_ROWS), and the rows, none lost."""
    seen: list[Row] = []
    first = None
    for row in rows:
        seen.append(row)
        if row.error is None and row.values:
            first = row.values
            break
        if len(seen) >= SNIFF_ROWS:
            break
    return first, _chain(seen, rows)


def _chain(head: list[Row], rest: Iterator[Row]) -> Iterator[Row]:
    yield from head
    yield from rest
