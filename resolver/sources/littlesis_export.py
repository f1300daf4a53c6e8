"""The ``littlesis-export`` format: the LittleSis bulk files ``entities.json`` / ``relationships.json``.

Plain or .gz; app/utility/public_data.rb writes each as one JSON array on one line of records ``{"type",
"id", "attributes": {...}, "links": {"self": url}}``; also read as JSON lines, as an API page ``{"data":
[...]}``, or as an object of attribute records keyed by name (the littlesis-sample file). An entity record
gives ``EntityClaim(Mention(name, ("littlesis:<id>", ...), aliases))`` for organisations (``primary_ext``
"Org"); persons are counted in ``stats.skipped`` ("person"). Aliases equal to the name are dropped; the
aliases "IRS EIN 12-3456789" and "BHC ID 123" are identifiers (``irs-ein:``, ``bhc-id:``), not names.

A relationship record carries ids, not names: when it has no names the reader first streams its
relationships for the ids Hierarchy records use, then reads ``entities.json`` or ``entities.json.gz`` from
the same directory for those ids only, then streams the relationships again; an id missing there is a
reject naming the line and field. No entities file beside it (or stdin) is a SourceError.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from resolver.errors import RowError, SourceError
from resolver.model import EntityClaim, Mention
from resolver.sources.fields import FieldReader, Record, column_key, identifier_alias
from resolver.sources.littlesis import HIERARCHY, category
from resolver.sources.rows import Row

if TYPE_CHECKING:
    from resolver.sources.reader import SourceReader


def read_entity_record(
    reader: FieldReader, values: dict[str, Any], row: Row, *, keep_persons: bool
) -> Record | None:
    """An organisation entity as an EntityClaim; a person counted and skipped unless ``keep_persons``."""
    kind = reader.text(values, ("primary_ext",), "primary_ext")
    raw_types = values.get("types")
    types: list[Any] = raw_types if isinstance(raw_types, list) else []
    is_person = (kind or "").lower() == "person" or (kind is None and "Person" in types)
    if is_person and not keep_persons:
        reader.stats.skipped["person"] += 1
        return None
    record_id = reader.text(values, ("id",), "id", number=True)
    identifiers = [f"littlesis:{record_id}"] if record_id else []
    names = []
    for alias in reader.texts(values, ("aliases",), "aliases"):
        identifier = identifier_alias(alias)
        if identifier:
            identifiers.append(identifier)
        else:
            names.append(alias)
    name = reader.text(values, ("name",), "name")
    if name is None:
        raise RowError("no name", field="name", code="missing_name")
    mention = reader.mention(name, tuple(dict.fromkeys(identifiers)), "name", names)
    return EntityClaim(mention=mention, source=reader.record_source(), source_id=record_id, line=row.line)


def sibling_entities(path: str) -> Path | None:
    if path == "-":
        return None
    folder = Path(path).parent
    for name in ("entities.json", "entities.json.gz"):
        if (folder / name).exists():
            return folder / name
    return None


def load_entity_names(reader: SourceReader) -> dict[str, Mention]:
    """littlesis:<id> -> Mention, for the ids Hierarchy records of ``reader``'s file use (a first pass)."""
    sibling = sibling_entities(reader.path)
    if sibling is None or Path(reader.path).resolve() == sibling.resolve():
        raise SourceError(
            "LittleSis relationships without entity names need entities.json or entities.json.gz in the same "
            "directory (the LittleSis bulk export ships both)",
            path=reader.path,
        )
    needed: set[str] = set()
    prescan = type(reader)(reader.path, "littlesis", reader.source, None)
    for raw in prescan.raw_values():
        values = {column_key(k): v for k, v in raw.items()}
        if isinstance(values.get("attributes"), dict):
            values = {column_key(k): v for k, v in values["attributes"].items()}
        try:
            if category(values) != HIERARCHY:
                continue
        except RowError:
            continue
        for key in ("entity1_id", "entity2_id"):
            value = values.get(key)
            if isinstance(value, int | str) and not isinstance(value, bool) and str(value).strip():
                needed.add(f"littlesis:{str(value).strip()}")
    names: dict[str, Mention] = {}
    entities = type(reader)(str(sibling), "littlesis-export", reader.source, None)
    entities.keep_persons = True
    for record in entities:
        if isinstance(record, EntityClaim) and record.mention.identifiers:
            key = record.mention.identifiers[0]
            if key in needed:
                names[key] = record.mention
    return names
