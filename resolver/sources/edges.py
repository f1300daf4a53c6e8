"""The ``edges`` format: one parent/child record per row (CSV or JSON lines).

A parent and a child, each a name and/or an identifier column, ``start``/``end`` dates and optional
``source``, ``source_id``, ``is_current``, ``notes``, ``url``, ``description``. Column names are compared
after ``column_key``; the aliases are in ``EDGE_COLUMNS``: the first alias present in the header wins.

Snapshot data (a spell observed from a first to a last snapshot) maps its last observation to
``last_seen``: it is the spell's end unless ``is_current`` is true (still there: the spell is open) or an
``end`` column gives one.
"""

from __future__ import annotations

from typing import Any

from resolver.sources.fields import FieldReader, Record
from resolver.sources.rows import Row

EDGE_COLUMNS: dict[str, tuple[str, ...]] = {
    "parent": ("parent", "parent_name", "parent_name_if_known", "parent_label", "parent_organisation"),
    "child": ("child", "child_name", "child_name_if_known", "child_label", "child_organisation"),
    "parent_id": ("parent_id", "parent_code", "parent_identifier", "parent_ids", "parent_slug"),
    "child_id": ("child_id", "child_code", "child_identifier", "child_ids", "child_slug"),
    "start": ("start", "start_date", "valid_from", "from_date", "date_from", "started"),
    "end": ("end", "end_date", "valid_to", "to_date", "date_to", "ended"),
    "last_seen": ("last_seen",),
    "source": ("source",),
    "source_id": ("source_id", "id", "record_id"),
    "is_current": ("is_current", "current"),
    "notes": ("notes", "note"),
    "url": ("url", "urls", "source_url", "source_urls", "source_links", "link"),
    "description": ("description", "rel_type"),
}
REQUIRED = (("parent", "parent_id"), ("child", "child_id"))


def read_edge(reader: FieldReader, values: dict[str, Any], row: Row) -> Record:
    col = reader.table(EDGE_COLUMNS)
    sides = {}
    for side in ("parent", "child"):
        identifiers = reader.identifiers(values, col[f"{side}_id"], f"{side}_id")
        name_field = next((k for k in col[side] if k in values), side)
        sides[side] = reader.mention(reader.text(values, col[side]), identifiers, name_field)
    is_current = reader.flag(values, col["is_current"])
    end = reader.date(values, col["end"], "end")
    if end is None and is_current is not True:
        end = reader.date(values, col["last_seen"], "last_seen")
    return reader.parent_claim(
        row,
        sides["parent"],
        sides["child"],
        reader.date(values, col["start"], "start"),
        end,
        is_current=is_current,
        source=reader.text(values, col["source"]),
        source_id=reader.text(values, col["source_id"], number=True),
        urls=reader.texts(values, col["url"], "url"),
        notes=reader.text(values, col["notes"]),
        description=reader.text(values, col["description"]),
    )
