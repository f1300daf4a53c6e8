"""Graph context for `resolver explain --graph`: what the graph holds of a name's place in the hierarchy."""

from __future__ import annotations

from resolver.evidence import Parent
from resolver.graph.connection import connect
from resolver.graph.reader import GraphReader
from resolver.graph.templates import TemplateRegistry
from resolver.settings import Neo4jSettings


def parents_of_names(names: list[str], settings: Neo4jSettings) -> dict[str, list[tuple[str, Parent | None]]]:
    """Per exact name: (organisation "name (id)" it denotes, one of its parents or None), one connection
    for all (template ``lookup.parents_of_name``; an unknown name gives an empty list)."""
    out: dict[str, list[tuple[str, Parent | None]]] = {}
    with connect(settings) as driver:
        reader = GraphReader(driver, TemplateRegistry(), database=settings.database)
        for name in names:
            out[name] = [
                (
                    f"{r['name']} ({r['id']})",
                    None
                    if r["parentId"] is None
                    else Parent(
                        r["parentId"],
                        (r["parentName"], *(a for a in r["parentAliases"] if a != r["parentName"])),
                    ),
                )
                for r in reader.rows("lookup.parents_of_name", {"ref": name})
            ]
    return out
