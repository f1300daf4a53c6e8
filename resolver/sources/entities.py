"""The ``entities`` format: one organisation per row (CSV or JSON lines).

``name`` (+ ``aliases``: "|"-separated in CSV, a list in JSON; ``id``: the record id; ``identifiers``:
"|"-separated or a list; "IRS EIN 71-0415188" or "BHC ID 123" among the aliases is an identifier).
The record id is an identifier only when it is written "scheme:value", its
column implies a scheme (``littlesis_entity_id``), or an id scheme is given.
"""

from __future__ import annotations

from typing import Any

from resolver.errors import RowError
from resolver.model import EntityClaim
from resolver.sources.fields import IMPLIED_SCHEMES, SCHEME_RE, FieldReader, Record, identifier_alias
from resolver.sources.rows import Row

ENTITY_COLUMNS: dict[str, tuple[str, ...]] = {
    "name": ("name", "organisation_name", "org_name"),
    "aliases": ("aliases", "alias", "other_names"),
    "id": ("id", "littlesis_entity_id", "entity_id", "record_id"),
    "identifiers": ("identifiers", "identifier"),
    "source": ("source",),
}


def read_entity(reader: FieldReader, values: dict[str, Any], row: Row) -> Record:
    col = reader.table(ENTITY_COLUMNS)
    record_id = reader.text(values, col["id"], number=True)
    identifiers = list(reader.identifiers(values, col["identifiers"], "identifiers"))
    id_key = next((k for k in col["id"] if k in values), "id")
    if record_id and (id_key in IMPLIED_SCHEMES or reader.id_scheme or SCHEME_RE.fullmatch(record_id)):
        identifiers.insert(0, reader.identifier(record_id, id_key, IMPLIED_SCHEMES.get(id_key)))
    name = reader.text(values, col["name"])
    if name is None:
        raise RowError(
            "no name", field=next((k for k in col["name"] if k in values), "name"), code="missing_name"
        )
    aliases = []
    for alias in reader.texts(values, col["aliases"], "aliases"):
        identifier = identifier_alias(alias)
        if identifier:
            identifiers.append(identifier)
        else:
            aliases.append(alias)
    mention = reader.mention(name, tuple(dict.fromkeys(identifiers)), "name", aliases)
    source = reader.record_source(reader.text(values, col["source"]))
    return EntityClaim(mention=mention, source=source, source_id=record_id, line=row.line)
