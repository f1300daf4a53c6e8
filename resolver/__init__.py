"""resolver: organisation entity resolution with dated hierarchies in Neo4j."""

from __future__ import annotations

from resolver.errors import ResolverError
from resolver.model import EntityClaim, EntityRecord, Mention, ParentClaim, PartialDate, Reject
from resolver.normalise import NormalisedName, normalise_name
from resolver.pipeline import Explanation, Organisation, Resolution, explain, resolve
from resolver.settings import MatchSettings, Neo4jSettings, ServerSettings

__all__ = [
    "EntityClaim",
    "EntityRecord",
    "Explanation",
    "MatchSettings",
    "Mention",
    "Neo4jSettings",
    "NormalisedName",
    "Organisation",
    "ParentClaim",
    "PartialDate",
    "Reject",
    "Resolution",
    "ResolverError",
    "ServerSettings",
    "explain",
    "normalise_name",
    "resolve",
]
