"""The ``ror`` format: the Research Organization Registry (ROR), identifiers ``ror:<id>``.

- Organisation records (``ror_orgs.jsonl(.gz)``, one JSON object per line: ``id`` (``https://ror.org/<id>``),
  ``display_name``, ``names`` as ``[value, "type|type", lang]`` triples or ROR v2 objects ``{"value",
  "types"}``, ``relationships`` as ``[type, target_id, target_label]`` or ``{"type", "id", "label"}``):
  an ``EntityClaim`` (every other name, acronym and label an alias), a PARENT_OF for each ``parent`` /
  ``child`` relationship and a SUCCEEDED_BY for each ``successor`` / ``predecessor`` one. ROR gives no
  dates for relationships: the edges are undated. ``related`` links are counted in ``stats.skipped``.
- ``ror_relationships.csv(.gz)`` (``ror_id, relationship_type, target_ror_id, target_label``): the same
  edges, one per row; the ``ror_id`` side is named from ``ror_orgs.jsonl.gz`` (or ``ror_orgs.jsonl``)
  beside the file when there is one, else after its identifier.

A relationship appears on both of its organisations (A parent of B, B child of A): both views make the
same claim id (source + "parent>child" ids), so the ingest keeps one edge.
"""

from __future__ import annotations

import functools
from pathlib import Path
from typing import TYPE_CHECKING, Any

from resolver.errors import RowError
from resolver.model import EntityClaim, Mention, SuccessionClaim
from resolver.sources.fields import FieldReader, Record, claim_id_for
from resolver.sources.rows import ByteSource, Row, json_lines

if TYPE_CHECKING:
    from resolver.sources.reader import SourceReader

SCHEME = "ror"
RELATIONSHIP_COLUMNS = ("ror_id", "relationship_type", "target_ror_id")
PARENT_TYPES = {"parent": "up", "child": "down"}
SUCCESSION_TYPES = {"successor": "forward", "predecessor": "back"}


def kind_of(keys: set[str]) -> str | None:
    if set(RELATIONSHIP_COLUMNS) <= keys:
        return "relationships"
    if {"id", "names"} <= keys and ("display_name" in keys or "relationships" in keys):
        return "orgs"
    return None


def ror_id(value: Any, fld: str) -> str:
    """'https://ror.org/0001h1y25' or '0001h1y25' -> 'ror:0001h1y25'."""
    if not isinstance(value, str) or not value.strip():
        raise RowError(f"expected a ROR id, found {value!r}", field=fld, code="invalid_identifier")
    text = value.strip().rstrip("/").rsplit("/", 1)[-1]
    if not text.isalnum() or len(text) > 64:
        raise RowError(f"not a ROR id: {value!r}", field=fld, code="invalid_identifier")
    return f"{SCHEME}:{text.lower()}"


@functools.lru_cache(maxsize=2)
def _names(stamp: tuple[str, float, int]) -> dict[str, str]:
    """ror:<id> -> display name, from an organisations file."""
    names: dict[str, str] = {}
    source = ByteSource(stamp[0])
    try:
        for row in json_lines(source):
            value, name = row.values.get("id"), row.values.get("display_name")
            if row.error is None and isinstance(value, str) and isinstance(name, str) and name.strip():
                try:
                    names[ror_id(value, "id")] = name.strip()
                except RowError:
                    continue
    finally:
        source.close()
    return names


def _sibling_names(path: str) -> dict[str, str]:
    if path == "-":
        return {}
    for name in ("ror_orgs.jsonl.gz", "ror_orgs.jsonl"):
        candidate = Path(path).parent / name
        if candidate.exists():
            st = candidate.stat()
            return _names((str(candidate.resolve()), st.st_mtime, st.st_size))
    return {}


def _edge(
    reader: FieldReader, row: Row, kind: str, this: Mention, target: Mention, fld: str
) -> Record | None:
    if target.identifiers == this.identifiers:
        raise RowError("an organisation related to itself", field=fld, code="self_loop")
    if kind in PARENT_TYPES:
        parent, child = (target, this) if PARENT_TYPES[kind] == "up" else (this, target)
        source_id = f"{parent.identifiers[0]}>{child.identifiers[0]}"
        return reader.parent_claim(
            row,
            parent,
            child,
            None,
            None,
            is_current=None,
            source=None,
            source_id=source_id,
            urls=[],
            notes="ROR relationship (undated)",
            description=None,
        )
    if kind in SUCCESSION_TYPES:
        pred, succ = (this, target) if SUCCESSION_TYPES[kind] == "forward" else (target, this)
        source = reader.record_source()
        source_id = f"{pred.identifiers[0]}>{succ.identifiers[0]}"
        claim = claim_id_for(source, "succession:" + source_id, pred, succ, None, None)
        return SuccessionClaim(claim, pred, succ, None, None, source, source_id, "ROR (undated)", row.line)
    reader.stats.skipped[f"ror {kind or 'untyped'} relationship"] += 1
    return None


def read_relationship_row(reader: SourceReader, values: dict[str, Any], row: Row) -> list[Record]:
    """One row of ror_relationships.csv."""
    if reader.context is None:
        reader.context = _sibling_names(reader.path)
    names: dict[str, str] = reader.context
    this_id = ror_id(values.get("ror_id"), "ror_id")
    target_id = ror_id(values.get("target_ror_id"), "target_ror_id")
    label = reader.text(values, ("target_label",), "target_label")
    this = reader.mention(names.get(this_id), (this_id,), "ror_id")
    target = reader.mention(label or names.get(target_id), (target_id,), "target_label")
    kind = (reader.text(values, ("relationship_type",), "relationship_type") or "").lower()
    edge = _edge(reader, row, kind, this, target, "target_ror_id")
    return [edge] if edge is not None else []


def _name_items(value: Any) -> list[tuple[str, str]]:
    """(name, types) of a ROR names list, in either shape."""
    items: list[tuple[str, str]] = []
    for item in value if isinstance(value, list) else []:
        if isinstance(item, list) and item and isinstance(item[0], str):
            kinds = item[1] if len(item) > 1 and isinstance(item[1], str) else ""
            items.append((item[0], kinds))
        elif isinstance(item, dict) and isinstance(item.get("value"), str):
            listed = item.get("types")
            kinds = "|".join(map(str, listed)) if isinstance(listed, list) else str(listed or "")
            items.append((item["value"], kinds))
    return items


def _relationship_items(value: Any) -> list[tuple[str, Any, Any]]:
    items = []
    for item in value if isinstance(value, list) else []:
        if isinstance(item, list) and len(item) >= 2:
            items.append((str(item[0]).lower(), item[1], item[2] if len(item) > 2 else None))
        elif isinstance(item, dict):
            items.append((str(item.get("type", "")).lower(), item.get("id"), item.get("label")))
    return items


def read_org(reader: SourceReader, values: dict[str, Any], row: Row) -> list[Record]:
    """One ROR organisation record: its EntityClaim, then its parent/child and succession edges."""
    ident = ror_id(values.get("id"), "id")
    names = _name_items(values.get("names"))
    display: str | None = reader.text(values, ("display_name",), "display_name")
    if display is None:
        shown = [n for n, t in names if "ror_display" in t] + [n for n, _ in names]
        display = shown[0] if shown else None
    aliases = [n.strip() for n, _ in names if n.strip() and n.strip() != display]
    mention = reader.mention(display, (ident,), "display_name", aliases)
    records: list[Record] = [EntityClaim(mention, reader.record_source(), ident, row.line)]
    this = Mention(mention.name, (ident,))
    for kind, target_value, label in _relationship_items(values.get("relationships")):
        target_id = ror_id(target_value, "relationships")
        name = label.strip() if isinstance(label, str) and label.strip() else None
        target = reader.mention(name, (target_id,), "relationships")
        edge = _edge(reader, row, kind, this, target, "relationships")
        if edge is not None:
            records.append(edge)
    return records
