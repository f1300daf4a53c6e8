"""Input files -> ParentClaim / EntityClaim / Reject records, streamed (design.md §1, the ``sources`` stage).

``read_source(path, fmt=..., source=..., id_scheme=...)`` opens the file ("-" is stdin; gzip is detected by
its magic bytes), works out the format, and returns a ``SourceReader``: iterate it once for the records;
``stats`` and ``sha256`` are complete when the iteration has finished. A file that cannot be opened, has
no usable header, or whose format cannot be told raises SourceError (file, line, what was expected); a bad
row is a ``Reject`` (file, 1-based line where the record starts, reason, field, code) and reading goes on.

Formats (``fmt="auto"`` picks one from the file name, the first byte, and the first record or header):

- ``littlesis``: LittleSis-style relationship records as JSON lines, a JSON array, one JSON object (the seed
  file) or CSV: ``entity1``, ``entity2`` (display names, maybe "Name, Short Description", kept verbatim),
  optional ``entity1_id``/``entity2_id`` (-> identifiers ``littlesis:<id>``), ``category`` or
  ``category_id``, ``id``, ``description``, ``description1``/``description2``, ``start_date``/``end_date``,
  ``is_current``, ``notes``, ``source_links``/``source_urls``/``url``, ``direction``.
  Only the Hierarchy category (name "Hierarchy" or id 11) gives a ParentClaim; the other LittleSis
  categories are counted in ``stats.skipped`` ("category Position") and are not errors; a missing or
  unknown category is a reject.
- ``littlesis-export``: the LittleSis bulk files ``entities.json`` / ``relationships.json`` (plain or .gz;
  app/utility/public_data.rb writes each as one JSON array on one line of records ``{"type", "id",
  "attributes": {...}, "links": {"self": url}}``), also as JSON lines, as an API page ``{"data": [...]}``,
  or as an object of attribute records keyed by name (the littlesis-sample file). An entity record gives
  ``EntityClaim(Mention(name, ("littlesis:<id>", ...), aliases))`` for organisations (``primary_ext``
  "Org"); persons are counted in ``stats.skipped`` ("person"). Aliases equal to the name are dropped;
  the aliases "IRS EIN 12-3456789" and "BHC ID 123" are identifiers (``irs-ein:``, ``bhc-id:``), not names.
  A relationship record carries ids, not names: when it has no names the reader first streams its
  relationships for the ids Hierarchy records use, then reads ``entities.json`` or ``entities.json.gz``
  from the same directory for those ids only, then streams the relationships again; an id missing there
  is a reject naming the line and field. No entities file beside it (or stdin) is a SourceError.
- ``edges``: CSV (or JSON lines) with a parent and a child, each a name and/or an identifier column,
  ``start``/``end`` dates and optional ``source``, ``source_id``, ``is_current``, ``notes``, ``url``,
  ``description``. Column names are compared after lower-casing and turning "-" and " " into "_"; the
  aliases are in ``EDGE_COLUMNS`` (parent_name, parent_code, parent_slug, start_date, valid_from, ...): the
  first alias present in the header wins.
- ``entities``: CSV or JSON lines with ``name`` (+ ``aliases``: "|"-separated in CSV, a list in JSON;
  ``id``: the record id; ``identifiers``: "|"-separated or a list).

Rules:

- Direction (LittleSis Hierarchy): entity1 is the child and entity2 the parent. In littlesis-rails,
  ``Relationship#default_description`` for category 11 names entity1 "child org" and entity2 "parent org".
  A ``direction`` field overrides it: "entity1_is_parent", "parent_first", "parent-child",
  "entity1_parent" (and "entity1_is_child", "child_first", "child-parent", "entity1_child" confirm the
  default); any other value is a reject. Without it, ``description1``/``description2`` (the role of
  entity1 / entity2, as in "child org" / "parent org") decide when they name a role: "parent" in
  description1 or "child"/"subsidiary" in description2 make entity1 the parent; roles that contradict each
  other are a reject.
- Identifiers are "scheme:value" (scheme lower-cased, value verbatim). A bare value takes ``id_scheme``;
  without ``id_scheme`` it is namespaced by the source name (the codes of one source identify within that
  source), so pass ``--id-scheme`` (e.g. ods) or ``--source`` for files with generic stems. A URL is a
  bare value, never a scheme. ``entity1_id``/``entity2_id`` and ``littlesis_entity_id`` are always
  ``littlesis:``. An entity list's ``id`` is its record id; it is an identifier only when it is written
  "scheme:value" or ``id_scheme`` is given.
- A side with an identifier but no name is kept: its name is its first identifier ("ods:Q73"), so the
  graph can merge it with the named record of the same identifier. No name and no identifier is a reject.
- Names (and aliases) are stripped of surrounding whitespace and otherwise kept verbatim (RTL marks,
  quotes, Cypher-like text are data). Refused: empty, longer than MAX_NAME_CHARS, or holding a control
  character (C0 other than tab, DEL, C1), which names the code point.
- A self-loop (parent and child share an identifier, or have no identifiers on one side and the same
  name) is a reject.
- ``source``: the argument, else a ``source`` column of the row, else the file's stem ("littlesis" for the
  LittleSis formats, "stdin" for "-").
- ``claim_id``: "claim-" + 24 hex of sha256 over (source, source record id) when the row has an id, else
  over (source, parent name and ids, child name and ids, start text, end text). Re-reading a file gives
  the same ids; two spells of one pair give two; identical rows give one (the ingest dedupes).
"""

from __future__ import annotations

import functools
import hashlib
import json
import re
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from resolver.dates import parse_partial_date
from resolver.errors import RowError, SourceError
from resolver.model import EntityClaim, Mention, ParentClaim, PartialDate, Reject
from resolver.rows import ByteSource, CsvRows, JsonDocument, Row, json_lines

FORMATS = ("auto", "littlesis", "littlesis-export", "edges", "entities")
LITTLESIS_FORMATS = ("littlesis", "littlesis-export")
MAX_NAME_CHARS = 1_000
MAX_ID_CHARS = 256
SNIFF_ROWS = 1_000  # auto-detection looks at up to this many records for a readable one

Record = ParentClaim | EntityClaim | Reject

EDGE_COLUMNS: dict[str, tuple[str, ...]] = {
    "parent": ("parent", "parent_name", "parent_name_if_known", "parent_label", "parent_organisation"),
    "child": ("child", "child_name", "child_name_if_known", "child_label", "child_organisation"),
    "parent_id": ("parent_id", "parent_code", "parent_identifier", "parent_ids", "parent_slug"),
    "child_id": ("child_id", "child_code", "child_identifier", "child_ids", "child_slug"),
    "start": ("start", "start_date", "valid_from", "from_date", "date_from", "started"),
    "end": ("end", "end_date", "valid_to", "to_date", "date_to", "ended"),
    "source": ("source",),
    "source_id": ("source_id", "id", "record_id"),
    "is_current": ("is_current", "current"),
    "notes": ("notes", "note"),
    "url": ("url", "urls", "source_url", "source_urls", "source_links", "link"),
    "description": ("description", "rel_type"),
}
ENTITY_COLUMNS: dict[str, tuple[str, ...]] = {
    "name": ("name", "organisation_name", "org_name"),
    "aliases": ("aliases", "alias", "other_names"),
    "id": ("id", "littlesis_entity_id", "entity_id", "record_id"),
    "identifiers": ("identifiers", "identifier"),
    "source": ("source",),
}
LITTLESIS_COLUMNS: dict[str, tuple[str, ...]] = {
    "entity1": ("entity1", "entity1_name"),
    "entity2": ("entity2", "entity2_name"),
    "entity1_id": ("entity1_id",),
    "entity2_id": ("entity2_id",),
    "category": ("category", "category_id"),
    "id": ("id", "relationship_id"),
    "description": ("description",),
    "description1": ("description1",),
    "description2": ("description2",),
    "start": ("start_date", "start"),
    "end": ("end_date", "end"),
    "is_current": ("is_current",),
    "notes": ("notes",),
    "url": ("source_links", "source_urls", "url", "urls", "links_self"),
    "direction": ("direction",),
}
IMPLIED_SCHEMES = {"littlesis_entity_id": "littlesis", "entity1_id": "littlesis", "entity2_id": "littlesis"}
# data/relationship_categories.csv in littlesis-rails
CATEGORIES = {
    1: "Position", 2: "Education", 3: "Membership", 4: "Family", 5: "Donation", 6: "Transaction",
    7: "Lobbying", 8: "Social", 9: "Professional", 10: "Ownership", 11: "Hierarchy", 12: "Generic",
}  # fmt: skip
CATEGORY_IDS = {name.lower(): number for number, name in CATEGORIES.items()}
HIERARCHY = 11
_PARENT_FIRST = {"entity1_is_parent", "parent_first", "parent-child", "parent_child", "entity1_parent"}
_CHILD_FIRST = {"entity1_is_child", "child_first", "child-parent", "child_parent", "entity1_child"}
_TRUE = {"true", "t", "1", "yes", "y"}
_FALSE = {"false", "f", "0", "no", "n"}
_CONTROL_RE = re.compile(r"[\x00-\x08\x0a-\x1f\x7f-\x9f]")
_SCHEME_RE = re.compile(r"([A-Za-z][A-Za-z0-9_.+-]{0,31}):(?!//)(\S.*)", re.DOTALL)
_IDENTIFIER_ALIAS_RE = re.compile(r"(IRS EIN|BHC ID)\s+([0-9][0-9-]*)", re.IGNORECASE)
_PARENT_WORD = re.compile(r"\bparent\b", re.IGNORECASE)
_CHILD_WORD = re.compile(r"\b(child|subsidiary)\b", re.IGNORECASE)


@dataclass
class ReadStats:
    """Counts of one read: records seen, claims made, rejects, and records skipped on purpose by reason."""

    rows: int = 0
    parent_claims: int = 0
    entity_claims: int = 0
    rejects: int = 0
    skipped: Counter[str] = field(default_factory=Counter)


@functools.lru_cache(maxsize=4096)
def column_key(name: str) -> str:
    """How column and field names are compared: 'Start-Date ' -> 'start_date'."""
    return name.strip().lower().replace("-", "_").replace(" ", "_")


def claim_id_for(
    source: str,
    source_id: str | None,
    parent: Mention,
    child: Mention,
    start: PartialDate | None,
    end: PartialDate | None,
) -> str:
    """The deterministic idempotence key of a PARENT_OF claim (see the module docstring)."""
    if source_id:
        parts: list[Any] = [source, "id", source_id]
    else:
        parts = [
            source,
            "content",
            parent.name,
            sorted(parent.identifiers),
            child.name,
            sorted(child.identifiers),
            start.text if start else None,
            end.text if end else None,
        ]
    text = json.dumps(parts, ensure_ascii=False, separators=(",", ":"))
    return "claim-" + hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()[:24]


def _default_source(path: str, fmt: str) -> str:
    if fmt in LITTLESIS_FORMATS:
        return "littlesis"
    if path == "-":
        return "stdin"
    return Path(path.removesuffix(".gz").removesuffix(".GZ")).stem or "source"


def read_source(
    path: Path | str, *, fmt: str = "auto", source: str | None = None, id_scheme: str | None = None
) -> SourceReader:
    """Open ``path`` and return its reader (SourceError when it cannot be opened or its format told)."""
    if fmt not in FORMATS:
        raise SourceError(f"unknown format {fmt!r}; expected one of {', '.join(FORMATS)}", path=str(path))
    if id_scheme is not None and not re.fullmatch(r"[A-Za-z][A-Za-z0-9_.+-]{0,31}", id_scheme):
        raise SourceError(f"id scheme {id_scheme!r} is not a word like 'ods'", path=str(path))
    return SourceReader(str(path), fmt, source, id_scheme.lower() if id_scheme else None)


class SourceReader:
    """The records of one file, streamed once. See the module docstring for formats and rules."""

    def __init__(self, path: str, fmt: str, source: str | None, id_scheme: str | None) -> None:
        self.path = path
        self.id_scheme = id_scheme
        self.stats = ReadStats()
        self._bytes = ByteSource(path)
        self._explicit_source = source
        self._used = False
        self._entities: dict[str, Mention] | None = None
        self._keep_persons = False  # the id -> name map of a relationships file keeps persons too
        self._header_set: set[str] = set()
        self._narrowed: dict[tuple[str, ...], tuple[str, ...]] = {}
        try:
            self._container, self._rows = self._open_rows()
            self.format = self._detect(fmt)
        except BaseException:
            self._bytes.close()
            raise
        self.source = source or _default_source(path, self.format)

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
        if container == "csv":
            rows = CsvRows(self._bytes)
            self._header = [column_key(c) for c in rows.header]
            rows.header = self._header  # rows come keyed by the compared names
            self._header_line = rows.header_line
            self._header_set = set(self._header)
            duplicates = sorted({c for c in self._header if self._header.count(c) > 1 and c})
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
        kind = _kind_of(keys)
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
                    f"entities.json / relationships.json; found {found} (pass --format)",
                    path=self.path,
                    line=self._header_line if self._container == "csv" else None,
                )
            else:
                fmt = kind
        if self._container == "csv":
            self._check_header(fmt)
        return fmt

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

        if fmt == "edges":
            need(EDGE_COLUMNS["parent"], EDGE_COLUMNS["parent_id"])
            need(EDGE_COLUMNS["child"], EDGE_COLUMNS["child_id"])
        elif fmt == "entities":
            need(ENTITY_COLUMNS["name"])
        else:
            need(LITTLESIS_COLUMNS["entity1"], LITTLESIS_COLUMNS["entity1_id"])
            need(LITTLESIS_COLUMNS["entity2"], LITTLESIS_COLUMNS["entity2_id"])

    # -- iteration --

    def __iter__(self) -> Iterator[Record]:
        if self._used:
            raise RuntimeError(f"{self.path} has already been read: a SourceReader is iterable once")
        self._used = True
        return self._records()

    def _records(self) -> Iterator[Record]:
        try:
            for row in self._rows:
                self.stats.rows += 1
                if row.error is not None:
                    record: Record | None = Reject(self.path, row.line, row.error, None, row.code, row.raw)
                else:
                    try:
                        record = self._map(row)
                    except RowError as error:
                        record = Reject(self.path, row.line, error.reason, error.field, error.code, row.raw)
                if record is None:
                    continue
                if isinstance(record, Reject):
                    self.stats.rejects += 1
                elif isinstance(record, ParentClaim):
                    self.stats.parent_claims += 1
                else:
                    self.stats.entity_claims += 1
                yield record
            self._bytes.finish()
        finally:
            self._bytes.close()

    def _in_header(self, aliases: tuple[str, ...]) -> tuple[str, ...]:
        """For CSV, the aliases the header has (every row has the same keys); others unchanged."""
        if self._container != "csv":
            return aliases
        found = self._narrowed.get(aliases)
        if found is None:
            found = self._narrowed[aliases] = tuple(a for a in aliases if a in self._header_set)
        return found

    def _map(self, row: Row) -> Record | None:
        values = row.values if self._container == "csv" else {column_key(k): v for k, v in row.values.items()}
        if self.format == "edges":
            return self._edge(values, row)
        if self.format == "entities":
            return self._entity(values, row)
        return self._littlesis(values, row)

    # -- helpers shared by the formats --

    def _text(
        self,
        values: dict[str, Any],
        aliases: tuple[str, ...],
        fld: str | None = None,
        *,
        number: bool = False,
    ) -> str | None:
        """The first present alias's value as text (None when absent or empty); RowError for a wrong type.

        JSON numbers are accepted only where ``number`` says so (record ids), never for names or dates.
        """
        for key in self._in_header(aliases):
            if key in values:
                value = values[key]
                if value is None:
                    return None
                if (
                    isinstance(value, bool)
                    or not isinstance(value, str | int)
                    or (isinstance(value, int) and not number)
                ):
                    raise RowError(
                        f"expected text, found {_type(value)}", field=fld or key, code="wrong_type"
                    )
                text = str(value).strip()
                return text or None
        return None

    def _list(self, values: dict[str, Any], aliases: tuple[str, ...], fld: str) -> list[str]:
        for key in self._in_header(aliases):
            if key in values:
                value = values[key]
                if value is None:
                    return []
                if isinstance(value, str):
                    items = value.split("|")
                elif isinstance(value, list) and all(isinstance(v, str) for v in value):
                    items = value
                else:
                    raise RowError(
                        f"expected text or a list of texts, found {_type(value)}",
                        field=key,
                        code="wrong_type",
                    )
                return [item.strip() for item in items if item.strip()]
        return []

    def _date(self, values: dict[str, Any], aliases: tuple[str, ...], fld: str) -> PartialDate | None:
        aliases = self._in_header(aliases)
        key = next((k for k in aliases if k in values), fld)
        text = self._text(values, aliases, key)
        return parse_partial_date(text, field=key)

    def _bool(self, values: dict[str, Any], aliases: tuple[str, ...]) -> bool | None:
        for key in self._in_header(aliases):
            if key in values:
                value = values[key]
                if value is None or isinstance(value, bool):
                    return value
                if isinstance(value, int) and value in (0, 1):
                    return bool(value)
                if isinstance(value, str):
                    text = value.strip().lower()
                    if not text or text == "null":
                        return None
                    if text in _TRUE:
                        return True
                    if text in _FALSE:
                        return False
                raise RowError(
                    f"expected true, false or empty, found {_shown(value)}", field=key, code="invalid_value"
                )
        return None

    def _identifier(self, value: str, fld: str, scheme: str | None = None) -> str:
        if len(value) > MAX_ID_CHARS or _CONTROL_RE.search(value) or not value.strip():
            raise RowError(f"not an identifier: {_shown(value)}", field=fld, code="invalid_identifier")
        value = value.strip()
        match = _SCHEME_RE.fullmatch(value)
        if scheme is None and match:
            return f"{match[1].lower()}:{match[2]}"
        return f"{scheme or self.id_scheme or self.source}:{value}"

    def _identifiers(self, values: dict[str, Any], aliases: tuple[str, ...], fld: str) -> tuple[str, ...]:
        present = next((k for k in self._in_header(aliases) if k in values), None)
        if present is None:
            return ()
        raw = values[present]
        if isinstance(raw, str) and "|" not in raw:  # the common case: one identifier or none
            return (self._identifier(raw, present, IMPLIED_SCHEMES.get(present)),) if raw.strip() else ()
        items = (
            [str(raw)]
            if isinstance(raw, int) and not isinstance(raw, bool)
            else self._list(values, (present,), fld)
        )
        scheme = IMPLIED_SCHEMES.get(present)
        return tuple(dict.fromkeys(self._identifier(item, present, scheme) for item in items))

    def _mention(
        self, name: str | None, identifiers: tuple[str, ...], fld: str, aliases: Iterable[str] = ()
    ) -> Mention:
        if name is None:
            if not identifiers:
                raise RowError("no name and no identifier", field=fld, code="missing_name")
            name = identifiers[0]
        else:
            _check_name(name, fld)
        kept = []
        for alias in aliases:
            _check_name(alias, "aliases")
            if alias != name and alias not in kept:
                kept.append(alias)
        return Mention(name=name, identifiers=identifiers, aliases=tuple(kept))

    def _parent_claim(
        self,
        row: Row,
        parent: Mention,
        child: Mention,
        start: PartialDate | None,
        end: PartialDate | None,
        *,
        is_current: bool | None,
        source: str | None,
        source_id: str | None,
        urls: list[str],
        notes: str | None,
        description: str | None,
    ) -> ParentClaim:
        shared = set(parent.identifiers) & set(child.identifiers)
        both_ids = bool(parent.identifiers and child.identifiers)
        if shared or (not both_ids and parent.name == child.name):
            what = f"identifier {sorted(shared)[0]}" if shared else f"name {_shown(parent.name)}"
            raise RowError(
                f"parent and child are the same organisation ({what})", field="child", code="self_loop"
            )
        source = self._explicit_source or source or self.source
        return ParentClaim(
            claim_id=claim_id_for(source, source_id, parent, child, start, end),
            parent=parent,
            child=child,
            start=start,
            end=end,
            is_current=is_current,
            source=source,
            source_id=source_id,
            source_urls=tuple(dict.fromkeys(urls)),
            notes=notes,
            description=description,
            line=row.line,
        )

    # -- edges --

    def _edge(self, values: dict[str, Any], row: Row) -> Record:
        col = EDGE_COLUMNS
        sides = {}
        for side in ("parent", "child"):
            identifiers = self._identifiers(values, col[f"{side}_id"], f"{side}_id")
            name_field = next((k for k in col[side] if k in values), side)
            sides[side] = self._mention(self._text(values, col[side]), identifiers, name_field)
        return self._parent_claim(
            row,
            sides["parent"],
            sides["child"],
            self._date(values, col["start"], "start"),
            self._date(values, col["end"], "end"),
            is_current=self._bool(values, col["is_current"]),
            source=self._text(values, col["source"]),
            source_id=self._text(values, col["source_id"], number=True),
            urls=self._list(values, col["url"], "url"),
            notes=self._text(values, col["notes"]),
            description=self._text(values, col["description"]),
        )

    # -- entity lists --

    def _entity(self, values: dict[str, Any], row: Row) -> Record:
        col = ENTITY_COLUMNS
        record_id = self._text(values, col["id"], number=True)
        identifiers = list(self._identifiers(values, col["identifiers"], "identifiers"))
        id_key = next((k for k in col["id"] if k in values), "id")
        if record_id and (id_key in IMPLIED_SCHEMES or self.id_scheme or _SCHEME_RE.fullmatch(record_id)):
            identifiers.insert(0, self._identifier(record_id, id_key, IMPLIED_SCHEMES.get(id_key)))
        name = self._text(values, col["name"])
        if name is None:
            raise RowError(
                "no name", field=next((k for k in col["name"] if k in values), "name"), code="missing_name"
            )
        aliases = self._list(values, col["aliases"], "aliases")
        mention = self._mention(name, tuple(dict.fromkeys(identifiers)), "name", aliases)
        source = self._explicit_source or self._text(values, col["source"]) or self.source
        return EntityClaim(mention=mention, source=source, source_id=record_id, line=row.line)

    # -- LittleSis --

    def _littlesis(self, values: dict[str, Any], row: Row) -> Record | None:
        urls: list[str] = []
        attributes = values.get("attributes")
        if isinstance(attributes, dict):  # the API / bulk export shape
            links = values.get("links")
            if isinstance(links, dict) and isinstance(links.get("self"), str):
                urls.append(links["self"])
            flat = {column_key(k): v for k, v in attributes.items()}
            if values.get("id") is not None:
                flat["id"] = values["id"]
            values = flat
        elif "attributes" in values:
            raise RowError(
                f"expected an object, found {_type(attributes)}", field="attributes", code="wrong_type"
            )
        col = LITTLESIS_COLUMNS
        if not any(k in values for k in ("entity1", "entity2", "entity1_id", "entity2_id", "entity1_name")):
            if "name" in values:
                return self._littlesis_entity(values, row)
            raise RowError(
                "neither a LittleSis relationship (entity1, entity2) nor an entity (name)",
                code="not_a_record",
            )
        category = self._category(values)
        if category != HIERARCHY:
            self.stats.skipped[f"category {CATEGORIES[category]}"] += 1
            return None
        record_id = self._text(values, col["id"], "id", number=True)
        sides = []
        for number in ("1", "2"):
            id_key = f"entity{number}_id"
            identifiers = self._identifiers(values, col[id_key], id_key)
            name = self._text(values, col[f"entity{number}"], f"entity{number}")
            if name is None and identifiers and self.format == "littlesis-export":
                known = self._entity_names().get(identifiers[0])
                if known is None:
                    raise RowError(
                        f"{identifiers[0]} is not an entity of the entities file beside this one",
                        field=id_key,
                        code="unknown_entity",
                    )
                sides.append(
                    Mention(known.name, tuple(dict.fromkeys(identifiers + known.identifiers)), known.aliases)
                )
            else:
                sides.append(self._mention(name, identifiers, f"entity{number}"))
        entity1_is_parent = self._direction(values)
        parent, child = (sides[0], sides[1]) if entity1_is_parent else (sides[1], sides[0])
        urls.extend(self._list(values, col["url"], "source_links"))
        return self._parent_claim(
            row,
            parent,
            child,
            self._date(values, col["start"], "start_date"),
            self._date(values, col["end"], "end_date"),
            is_current=self._bool(values, col["is_current"]),
            source=None,
            source_id=record_id,
            urls=urls,
            notes=self._text(values, col["notes"]),
            description=self._text(values, col["description"]),
        )

    def _category(self, values: dict[str, Any]) -> int:
        key = next((k for k in LITTLESIS_COLUMNS["category"] if k in values), "category")
        value = values.get(key)
        if value is None or value == "":
            raise RowError(
                "no category (Hierarchy or 11 for a parent/child record)", field=key, code="invalid_value"
            )
        if isinstance(value, int) and not isinstance(value, bool) and value in CATEGORIES:
            return value
        if isinstance(value, str):
            text = value.strip()
            if text.isdigit() and int(text) in CATEGORIES:
                return int(text)
            if text.lower() in CATEGORY_IDS:
                return CATEGORY_IDS[text.lower()]
        raise RowError(f"unknown LittleSis category {_shown(value)}", field=key, code="invalid_value")

    def _direction(self, values: dict[str, Any]) -> bool:
        """True when entity1 is the parent (see the module docstring)."""
        direction = self._text(values, LITTLESIS_COLUMNS["direction"], "direction")
        if direction is not None:
            key = direction.lower().replace(" ", "_")
            if key in _PARENT_FIRST:
                return True
            if key in _CHILD_FIRST:
                return False
            raise RowError(
                f"unknown direction {_shown(direction)}; expected entity1_is_parent or entity1_is_child",
                field="direction",
                code="invalid_value",
            )
        roles = []
        for key in ("description1", "description2"):
            text = self._text(values, (key,)) or ""
            parent, child = bool(_PARENT_WORD.search(text)), bool(_CHILD_WORD.search(text))
            roles.append("parent" if parent and not child else "child" if child and not parent else None)
        if roles[0] is not None and roles[0] == roles[1]:
            raise RowError(
                f"description1 and description2 both name the {roles[0]}",
                field="description1",
                code="invalid_value",
            )
        return roles[0] == "parent" or roles[1] == "child"

    def _littlesis_entity(self, values: dict[str, Any], row: Row) -> Record | None:
        kind = self._text(values, ("primary_ext",), "primary_ext")
        raw_types = values.get("types")
        types: list[Any] = raw_types if isinstance(raw_types, list) else []
        is_person = (kind or "").lower() == "person" or (kind is None and "Person" in types)
        if is_person and not self._keep_persons:
            self.stats.skipped["person"] += 1
            return None
        record_id = self._text(values, ("id",), "id", number=True)
        identifiers = [f"littlesis:{record_id}"] if record_id else []
        names = []
        for alias in self._list(values, ("aliases",), "aliases"):
            match = _IDENTIFIER_ALIAS_RE.fullmatch(alias)
            if match:
                identifiers.append(f"{match[1].lower().replace(' ', '-')}:{match[2]}")
            else:
                names.append(alias)
        name = self._text(values, ("name",), "name")
        if name is None:
            raise RowError("no name", field="name", code="missing_name")
        mention = self._mention(name, tuple(dict.fromkeys(identifiers)), "name", names)
        source = self._explicit_source or self.source
        return EntityClaim(mention=mention, source=source, source_id=record_id, line=row.line)

    def _entity_names(self) -> dict[str, Mention]:
        if self._entities is None:
            self._entities = _load_entity_names(self)
        return self._entities


def _check_name(name: str, fld: str) -> None:
    if not name.strip():
        raise RowError("empty name", field=fld, code="missing_name")
    if len(name) > MAX_NAME_CHARS:
        raise RowError(
            f"name longer than {MAX_NAME_CHARS} characters ({len(name)})", field=fld, code="name_too_long"
        )
    control = _CONTROL_RE.search(name)
    if control:
        raise RowError(
            f"control character U+{ord(control[0]):04X} at position {control.start() + 1}",
            field=fld,
            code="control_character",
        )


def _type(value: Any) -> str:
    return {dict: "an object", list: "a list", bool: "true/false", float: "a number", int: "a number"}.get(
        type(value), type(value).__name__
    )


def _shown(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _is_json_line(line: bytes) -> bool:
    try:
        return isinstance(json.loads(line), dict)
    except ValueError:
        return False


def _kind_of(keys: set[str]) -> str | None:
    def has(*aliases: tuple[str, ...]) -> bool:
        return any(k in keys for a in aliases for k in a)

    if has(LITTLESIS_COLUMNS["entity1"], LITTLESIS_COLUMNS["entity1_id"]) and has(
        LITTLESIS_COLUMNS["entity2"], LITTLESIS_COLUMNS["entity2_id"]
    ):
        return "littlesis"
    if has(EDGE_COLUMNS["parent"], EDGE_COLUMNS["parent_id"]) and has(
        EDGE_COLUMNS["child"], EDGE_COLUMNS["child_id"]
    ):
        return "edges"
    if has(ENTITY_COLUMNS["name"]):
        return "entities"
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


def _sibling_entities(path: str) -> Path | None:
    if path == "-":
        return None
    folder = Path(path).parent
    for name in ("entities.json", "entities.json.gz"):
        if (folder / name).exists():
            return folder / name
    return None


def _load_entity_names(reader: SourceReader) -> dict[str, Mention]:
    """littlesis:<id> -> Mention, for the ids Hierarchy records of ``reader``'s file use (a first pass)."""
    sibling = _sibling_entities(reader.path)
    if sibling is None or Path(reader.path).resolve() == sibling.resolve():
        raise SourceError(
            "LittleSis relationships without entity names need entities.json or entities.json.gz in the same "
            "directory (the LittleSis bulk export ships both)",
            path=reader.path,
        )
    needed: set[str] = set()
    prescan = SourceReader(reader.path, "littlesis", reader.source, None)
    for row in prescan._rows:
        if row.error is not None:
            continue
        values = {column_key(k): v for k, v in row.values.items()}
        if isinstance(values.get("attributes"), dict):
            values = {column_key(k): v for k, v in values["attributes"].items()}
        try:
            if prescan._category(values) != HIERARCHY:
                continue
        except RowError:
            continue
        for key in ("entity1_id", "entity2_id"):
            value = values.get(key)
            if isinstance(value, int | str) and not isinstance(value, bool) and str(value).strip():
                needed.add(f"littlesis:{str(value).strip()}")
    prescan._bytes.close()
    names: dict[str, Mention] = {}
    entities = SourceReader(str(sibling), "littlesis-export", reader.source, None)
    entities._keep_persons = True
    for record in entities:
        if isinstance(record, EntityClaim) and record.mention.identifiers:
            key = record.mention.identifiers[0]
            if key in needed:
                names[key] = record.mention
    return names
