"""Field reading shared by the formats: typed values, names, identifiers, dates and the claim id.

``FieldReader`` is the base of ``SourceReader``: the format modules (edges, entities, littlesis,
littlesis_export) read a record's values through it, so every format applies the same rules (see the
package docstring): names stripped and otherwise verbatim, refused when empty, too long or holding a
control character; identifiers "scheme:value"; a side with only an identifier named after it; a
self-loop rejected; a wrong JSON type a reject naming the field.
"""

from __future__ import annotations

import functools
import hashlib
import json
import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from resolver.dates import parse_partial_date
from resolver.errors import DateError, RowError
from resolver.model import EntityClaim, Mention, NameClaim, ParentClaim, PartialDate, Reject, SuccessionClaim
from resolver.normalise import normalise_name
from resolver.sources.rows import Row

MAX_NAME_CHARS = 1_000
MAX_ID_CHARS = 256

Record = ParentClaim | EntityClaim | SuccessionClaim | NameClaim | Reject

IMPLIED_SCHEMES = {"littlesis_entity_id": "littlesis", "entity1_id": "littlesis", "entity2_id": "littlesis"}
_TRUE = {"true", "t", "1", "yes", "y"}
_FALSE = {"false", "f", "0", "no", "n"}
CONTROL_RE = re.compile(r"[\x00-\x08\x0a-\x1f\x7f-\x9f]")
_IDENTIFIER_ALIAS_RE = re.compile(r"(IRS EIN|BHC ID)\s+([0-9][0-9-]*)", re.IGNORECASE)
SCHEME_RE = re.compile(r"([A-Za-z][A-Za-z0-9_.+-]{0,31}):(?!//)(\S.*)", re.DOTALL)


@functools.lru_cache(maxsize=1 << 16)
def _partial_date(text: str | None, key: str) -> PartialDate | None:
    """parse_partial_date, one shared (frozen) object per distinct date text: a file of a million rows
    holds a few thousand distinct dates (memory and parsing time). An invalid date is not cached."""
    return parse_partial_date(text, field=key)


@dataclass
class ReadStats:
    """Counts of one read: records seen, claims made, rejects, and records skipped on purpose by reason."""

    rows: int = 0
    parent_claims: int = 0
    entity_claims: int = 0
    succession_claims: int = 0
    name_claims: int = 0
    rejects: int = 0
    skipped: Counter[str] = field(default_factory=Counter)


@functools.lru_cache(maxsize=4096)
def column_key(name: str) -> str:
    """How column and field names are compared: 'Start-Date ' -> 'start_date'."""
    return name.strip().lower().replace("-", "_").replace(" ", "_")


class BareCodeError(Exception):
    """An identifier without a scheme and no --id-scheme: the whole read stops (see SourceReader)."""

    def __init__(self, value: str, fld: str) -> None:
        super().__init__(value, fld)
        self.value = value
        self.field = fld


def claim_id_for(
    source: str | None,
    source_id: str | None,
    parent: Mention,
    child: Mention,
    start: PartialDate | None,
    end: PartialDate | None,
) -> str:
    """The deterministic idempotence key of a PARENT_OF claim (see the package docstring).

    ``source`` is None when it is only the file's name: the content alone decides then, so the same file
    under another name gives the same ids.

    >>> a, b = Mention("A"), Mention("B")
    >>> claim_id_for(None, None, a, b, None, None) == claim_id_for(None, None, a, b, None, None)
    True
    >>> claim_id_for("x", "7", a, b, None, None) == claim_id_for("x", "7", b, a, None, None)
    True
    """
    if source_id and source is not None:
        parts: list[Any] = [source, "id", source_id]
    else:
        parts = [
            source or "",
            "content",
            parent.name,
            sorted(parent.identifiers),
            child.name,
            sorted(child.identifiers),
            start.text if start else None,
            end.text if end else None,
        ]
        if source_id:
            parts.append(source_id)
    text = json.dumps(parts, ensure_ascii=False, separators=(",", ":"))
    return "claim-" + hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()[:24]


@functools.lru_cache(maxsize=65_536)  # parents repeat across rows
def name_key(name: str) -> str:
    """The normalised form names are resolved by: 'Loop Org' and 'loop org' share one."""
    return normalise_name(name).key


def identifier_alias(alias: str) -> str | None:
    """LittleSis keeps some identifiers among the aliases: 'IRS EIN 71-0415188' -> 'irs-ein:71-0415188'."""
    match = _IDENTIFIER_ALIAS_RE.fullmatch(alias)
    return f"{match[1].lower().replace(' ', '-')}:{match[2]}" if match else None


def check_name(name: str, fld: str) -> None:
    if not name.strip():
        raise RowError("empty name", field=fld, code="missing_name")
    if not any(c.isalnum() for c in name):  # e.g. only U+200B: no letter or digit to resolve by
        shown_codes = " ".join(f"U+{ord(c):04X}" for c in name[:8])
        raise RowError(f"name has no letter or digit ({shown_codes})", field=fld, code="missing_name")
    if len(name) > MAX_NAME_CHARS:
        raise RowError(
            f"name longer than {MAX_NAME_CHARS} characters ({len(name)})", field=fld, code="name_too_long"
        )
    control = CONTROL_RE.search(name)
    if control:
        raise RowError(
            f"control character U+{ord(control[0]):04X} at position {control.start() + 1}",
            field=fld,
            code="control_character",
        )


def type_name(value: Any) -> str:
    return {dict: "an object", list: "a list", bool: "true/false", float: "a number", int: "a number"}.get(
        type(value), type(value).__name__
    )


def shown(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


class FieldReader:
    """Typed reading of one record's values; the state every format shares (source, id scheme, stats)."""

    path: str
    id_scheme: str | None
    source: str
    stats: ReadStats

    def __init__(
        self,
        path: str,
        source: str | None,
        id_scheme: str | None,
        mapped: dict[str, str] | None = None,
        date_format: str | None = None,
    ) -> None:
        self.path = path
        self.id_scheme = id_scheme
        self.stats = ReadStats()
        self.mapped = mapped or {}  # field -> the one column it reads (--map)
        self.date_format = date_format
        self._explicit_source = source
        self.source_is_file_name = source is None  # the reader clears it for the LittleSis formats
        self._is_csv = False
        self._header_set: set[str] = set()
        self._narrowed: dict[tuple[str, ...], tuple[str, ...]] = {}
        self._tables: dict[int, dict[str, tuple[str, ...]]] = {}

    def table(self, base: dict[str, tuple[str, ...]]) -> dict[str, tuple[str, ...]]:
        """A format's field -> column aliases, with the mapped fields reading only their mapped column."""
        found = self._tables.get(id(base))
        if found is None:
            found = {f: (self.mapped[f],) if f in self.mapped else aliases for f, aliases in base.items()}
            self._tables[id(base)] = found
        return found

    def in_header(self, aliases: tuple[str, ...]) -> tuple[str, ...]:
        """For CSV, the aliases the header has (every row has the same keys); others unchanged."""
        if not self._is_csv:
            return aliases
        found = self._narrowed.get(aliases)
        if found is None:
            found = self._narrowed[aliases] = tuple(a for a in aliases if a in self._header_set)
        return found

    def record_source(self, row_source: str | None = None) -> str:
        """The source of a record: the argument, else the row's own, else the file's."""
        return self._explicit_source or row_source or self.source

    def text(
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
        for key in self.in_header(aliases):
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
                        f"expected text, found {type_name(value)}", field=fld or key, code="wrong_type"
                    )
                text = str(value).strip()
                return text or None
        return None

    def texts(self, values: dict[str, Any], aliases: tuple[str, ...], fld: str) -> list[str]:
        """A "|"-separated text or a JSON list of texts, as stripped non-empty items."""
        for key in self.in_header(aliases):
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
                        f"expected text or a list of texts, found {type_name(value)}",
                        field=key,
                        code="wrong_type",
                    )
                return [item.strip() for item in items if item.strip()]
        return []

    def date(self, values: dict[str, Any], aliases: tuple[str, ...], fld: str) -> PartialDate | None:
        aliases = self.in_header(aliases)
        key = next((k for k in aliases if k in values), fld)
        text = self.text(values, aliases, key)
        if self.date_format is None or text is None:
            return _partial_date(text, key)
        try:
            day = datetime.strptime(text, self.date_format).date()
        except ValueError:
            raise DateError(
                f"{shown(text)} does not match --date-format {self.date_format}", field=key
            ) from None
        return _partial_date(day.isoformat(), key)

    def flag(self, values: dict[str, Any], aliases: tuple[str, ...]) -> bool | None:
        """true/false/1/0/yes/no/empty -> bool or None; anything else a RowError."""
        for key in self.in_header(aliases):
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
                    f"expected true, false or empty, found {shown(value)}", field=key, code="invalid_value"
                )
        return None

    def identifier(self, value: str, fld: str, scheme: str | None = None) -> str:
        if len(value) > MAX_ID_CHARS or CONTROL_RE.search(value) or not value.strip():
            raise RowError(f"not an identifier: {shown(value)}", field=fld, code="invalid_identifier")
        value = value.strip()
        match = SCHEME_RE.fullmatch(value)
        if scheme is None and match:
            return f"{match[1].lower()}:{match[2]}"
        scheme = scheme or self.id_scheme
        if scheme is None:
            raise BareCodeError(value, fld)
        return f"{scheme}:{value}"

    def identifiers(self, values: dict[str, Any], aliases: tuple[str, ...], fld: str) -> tuple[str, ...]:
        present = next((k for k in self.in_header(aliases) if k in values), None)
        if present is None:
            return ()
        raw = values[present]
        if isinstance(raw, str) and "|" not in raw:  # the common case: one identifier or none
            return (self.identifier(raw, present, IMPLIED_SCHEMES.get(present)),) if raw.strip() else ()
        items = (
            [str(raw)]
            if isinstance(raw, int) and not isinstance(raw, bool)
            else self.texts(values, (present,), fld)
        )
        scheme = IMPLIED_SCHEMES.get(present)
        return tuple(dict.fromkeys(self.identifier(item, present, scheme) for item in items))

    def mention(
        self, name: str | None, identifiers: tuple[str, ...], fld: str, aliases: Iterable[str] = ()
    ) -> Mention:
        if name is None:
            if not identifiers:
                raise RowError("no name and no identifier", field=fld, code="missing_name")
            name = identifiers[0]
        else:
            check_name(name, fld)
        kept = []
        for alias in aliases:
            check_name(alias, "aliases")
            if alias != name and alias not in kept:
                kept.append(alias)
        return Mention(name=name, identifiers=identifiers, aliases=tuple(kept))

    def parent_claim(
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
        if shared or (not both_ids and name_key(parent.name) == name_key(child.name)):
            what = f"identifier {sorted(shared)[0]}" if shared else f"name {shown(parent.name)}"
            raise RowError(
                f"parent and child are the same organisation ({what})", field="child", code="self_loop"
            )
        keyed = None if self.source_is_file_name and not source else self.record_source(source)
        source = self.record_source(source)
        return ParentClaim(
            claim_id=claim_id_for(keyed, source_id, parent, child, start, end),
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
