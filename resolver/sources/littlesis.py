"""The ``littlesis`` format: LittleSis-style relationship records (JSON lines, a JSON array, one object, CSV).

``entity1``, ``entity2`` (display names, maybe "Name, Short Description", kept verbatim), optional
``entity1_id``/``entity2_id`` (-> identifiers ``littlesis:<id>``), ``category`` or ``category_id``, ``id``,
``description``, ``description1``/``description2``, ``start_date``/``end_date``, ``is_current``, ``notes``,
``source_links``/``source_urls``/``url``, ``direction``. Only the Hierarchy category (name "Hierarchy" or
id 11) gives a ParentClaim; the other categories are counted in ``stats.skipped`` ("category Position")
and are not errors; a missing or unknown category is a reject.

Direction: entity1 is the child and entity2 the parent. In littlesis-rails,
``Relationship#default_description`` for category 11 names entity1 "child org" and entity2 "parent org".
A ``direction`` field overrides it: "entity1_is_parent", "parent_first", "parent-child", "entity1_parent"
(and "entity1_is_child", "child_first", "child-parent", "entity1_child" confirm the default); any other
value is a reject. Without it, ``description1``/``description2`` (the role of entity1 / entity2, as in
"child org" / "parent org") decide when they name a role: "parent" in description1 or
"child"/"subsidiary" in description2 make entity1 the parent; roles that contradict each other are a
reject.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from resolver.errors import RowError
from resolver.model import Mention
from resolver.sources.fields import FieldReader, Record, column_key, shown, type_name
from resolver.sources.rows import Row

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
REQUIRED = (("entity1", "entity1_id"), ("entity2", "entity2_id"))
# data/relationship_categories.csv in littlesis-rails
CATEGORIES = {
    1: "Position", 2: "Education", 3: "Membership", 4: "Family", 5: "Donation", 6: "Transaction",
    7: "Lobbying", 8: "Social", 9: "Professional", 10: "Ownership", 11: "Hierarchy", 12: "Generic",
}  # fmt: skip
CATEGORY_IDS = {name.lower(): number for number, name in CATEGORIES.items()}
HIERARCHY = 11
_PARENT_FIRST = {"entity1_is_parent", "parent_first", "parent-child", "parent_child", "entity1_parent"}
_CHILD_FIRST = {"entity1_is_child", "child_first", "child-parent", "child_parent", "entity1_child"}
_PARENT_WORD = re.compile(r"\bparent\b", re.IGNORECASE)
_CHILD_WORD = re.compile(r"\b(child|subsidiary)\b", re.IGNORECASE)
_RELATIONSHIP_KEYS = ("entity1", "entity2", "entity1_id", "entity2_id", "entity1_name")


def flatten(values: dict[str, Any]) -> tuple[dict[str, Any], list[str]]:
    """The API / bulk-export shape ``{"id", "attributes": {...}, "links": {"self"}}`` -> flat values, urls."""
    attributes = values.get("attributes")
    if isinstance(attributes, dict):
        urls = []
        links = values.get("links")
        if isinstance(links, dict) and isinstance(links.get("self"), str):
            urls.append(links["self"])
        flat = {column_key(k): v for k, v in attributes.items()}
        if values.get("id") is not None:
            flat["id"] = values["id"]
        return flat, urls
    if "attributes" in values:
        raise RowError(
            f"expected an object, found {type_name(attributes)}", field="attributes", code="wrong_type"
        )
    return values, []


def is_relationship(values: dict[str, Any]) -> bool:
    return any(k in values for k in _RELATIONSHIP_KEYS)


def category(values: dict[str, Any]) -> int:
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
    raise RowError(f"unknown LittleSis category {shown(value)}", field=key, code="invalid_value")


def entity1_is_parent(reader: FieldReader, values: dict[str, Any]) -> bool:
    """True when entity1 is the parent (see the module docstring)."""
    direction = reader.text(values, reader.table(LITTLESIS_COLUMNS)["direction"], "direction")
    if direction is not None:
        key = direction.lower().replace(" ", "_")
        if key in _PARENT_FIRST:
            return True
        if key in _CHILD_FIRST:
            return False
        raise RowError(
            f"unknown direction {shown(direction)}; expected entity1_is_parent or entity1_is_child",
            field="direction",
            code="invalid_value",
        )
    roles = []
    for key in ("description1", "description2"):
        text = reader.text(values, (key,)) or ""
        parent, child = bool(_PARENT_WORD.search(text)), bool(_CHILD_WORD.search(text))
        roles.append("parent" if parent and not child else "child" if child and not parent else None)
    if roles[0] is not None and roles[0] == roles[1]:
        raise RowError(
            f"description1 and description2 both name the {roles[0]}",
            field="description1",
            code="invalid_value",
        )
    return roles[0] == "parent" or roles[1] == "child"


def read_relationship(
    reader: FieldReader,
    values: dict[str, Any],
    row: Row,
    urls: list[str],
    entity_names: Callable[[], dict[str, Mention]] | None,
) -> Record | None:
    """A Hierarchy relationship as a ParentClaim; other categories counted and skipped (None).

    ``entity_names`` (bulk export only) gives the names of ids for records that carry ids, not names.
    """
    col = reader.table(LITTLESIS_COLUMNS)
    kind = category(values)
    if kind != HIERARCHY:
        reader.stats.skipped[f"category {CATEGORIES[kind]}"] += 1
        return None
    record_id = reader.text(values, col["id"], "id", number=True)
    sides = []
    for number in ("1", "2"):
        id_key = f"entity{number}_id"
        identifiers = reader.identifiers(values, col[id_key], id_key)
        name = reader.text(values, col[f"entity{number}"], f"entity{number}")
        if name is None and identifiers and entity_names is not None:
            known = entity_names().get(identifiers[0])
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
            sides.append(reader.mention(name, identifiers, f"entity{number}"))
    parent, child = (sides[0], sides[1]) if entity1_is_parent(reader, values) else (sides[1], sides[0])
    urls = urls + reader.texts(values, col["url"], "source_links")
    return reader.parent_claim(
        row,
        parent,
        child,
        reader.date(values, col["start"], "start_date"),
        reader.date(values, col["end"], "end_date"),
        is_current=reader.flag(values, col["is_current"]),
        source=None,
        source_id=record_id,
        urls=urls,
        notes=reader.text(values, col["notes"]),
        description=reader.text(values, col["description"]),
    )
