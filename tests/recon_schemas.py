"""The Reconciliation Service API 0.2 JSON schemas of tests/data/reconciliation-0.2 (see SOURCE.md there)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from jsonschema import Draft7Validator  # type: ignore[import-untyped]
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT7

SCHEMAS = Path(__file__).resolve().parent / "data" / "reconciliation-0.2"
_DOCS = {p.stem: json.loads(p.read_text(encoding="utf-8")) for p in SCHEMAS.glob("*.json")}
_REGISTRY: Registry = Registry().with_resources(
    (doc["$id"], Resource.from_contents(doc, default_specification=DRAFT7)) for doc in _DOCS.values()
)


def validate(schema: str, document: Any) -> None:
    """Raise jsonschema.ValidationError unless ``document`` satisfies the spec's schema ``schema``."""
    Draft7Validator(_DOCS[schema], registry=_REGISTRY).validate(document)
