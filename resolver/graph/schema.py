"""Apply the constraints and indexes of cypher/schema/ (all `IF NOT EXISTS`: applying twice is a no-op)."""

from __future__ import annotations

from dataclasses import dataclass

import neo4j

from resolver.graph.templates import TemplateRegistry


@dataclass(frozen=True, slots=True)
class SchemaResult:
    name: str
    created: bool  # False when it already existed


def apply_schema(
    driver: neo4j.Driver, registry: TemplateRegistry, *, database: str, await_seconds: int = 300
) -> list[SchemaResult]:
    """Create every schema.* object that is missing, then wait until all indexes are online."""
    results = []
    for tpl in registry.group("schema"):
        summary = driver.execute_query(tpl.query(), database_=database).summary
        counters = summary.counters
        created = counters.constraints_added + counters.indexes_added > 0 or counters.system_updates > 0
        results.append(SchemaResult(tpl.name.removeprefix("schema."), created))
    driver.execute_query(
        registry["admin.await_indexes"].query(),
        {"timeoutSeconds": await_seconds},
        database_=database,
        routing_=neo4j.RoutingControl.READ,
    )
    return results
