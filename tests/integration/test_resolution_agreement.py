"""The seed list through ingest gives the same five organisations as `cluster` and `explain` (issue 10)."""

from __future__ import annotations

import json
from pathlib import Path

import neo4j
from click.testing import CliRunner

from resolver.cli import cli
from resolver.explain import explain_in
from resolver.graph.templates import TemplateRegistry
from resolver.graph.writer import GraphWriter
from resolver.ingest import IngestOptions, ingest
from resolver.model import EntityRecord

SEED = [
    "NHS, UK Health Agency",
    "NHS",
    "The N.H.S.",
    "National Health Service (NHS)",
    "National Health Service",
    "NHS England",
    "UK Health Security Agency",
    "NHS As A Platform",
    "NHSX",
]


def test_seed_list_agrees_through_ingest_cluster_and_explain(graph: neo4j.Driver, tmp_path: Path) -> None:
    entities = tmp_path / "seed.jsonl"
    entities.write_text("".join(json.dumps({"name": n}) + "\n" for n in SEED), encoding="utf-8")
    writer = GraphWriter(graph, TemplateRegistry(), database="neo4j", batch_size=500)
    ingest([str(entities)], writer, IngestOptions(fmt="entities"), on_reject=lambda r: None)
    rows = graph.execute_query(
        "MATCH (a:Alias)-[:ALIAS_OF]->(o:Organisation) RETURN o.id AS org, a.name AS alias"
    ).records
    in_graph = {r["alias"]: r["org"] for r in rows}
    organisations = graph.execute_query("MATCH (o:Organisation) RETURN count(o) AS n").records[0]["n"]
    assert organisations == 5

    names = tmp_path / "seed.csv"
    names.write_text("name\n" + "".join(json.dumps(n) + "\n" for n in SEED), encoding="utf-8")
    out = CliRunner().invoke(cli, ["cluster", str(names)])
    assert out.exit_code == 0, out.output
    clustered = [line.rsplit(",", 2)[-2] for line in out.stdout.splitlines()[1:]]
    assert len(set(clustered)) == 5

    records = [EntityRecord(str(i), n) for i, n in enumerate(SEED)]
    for a in SEED[1:5]:
        inside = explain_in(SEED[0], a, records)
        assert inside.together, inside.apart_because
        assert in_graph[a] == in_graph[SEED[0]]
    for other in SEED[5:]:
        assert not explain_in("NHS", other, records).together
