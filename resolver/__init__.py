"""resolver: organisation entity resolution with dated hierarchies in Neo4j."""

from __future__ import annotations

from resolver.errors import ResolverError
from resolver.model import EntityClaim, EntityRecord, Mention, ParentClaim, PartialDate, Reject
from resolver.settings import MatchSettings, Neo4jSettings, ServerSettings

__all__ = [
    "EntityClaim",
    "EntityRecord",
    "MatchSettings",
    "Mention",
    "Neo4jSettings",
    "ParentClaim",
    "PartialDate",
    "Reject",
    "ResolverError",
    "ServerSettings",
]
