"""Graph evidence through `resolver ingest` against the real server: a borderline name joins only because
its parent matches; two look-alike names under different parents stay two organisations."""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import Any

import neo4j
from click.testing import CliRunner

from resolver.cli import cli
from resolver.settings import Neo4jSettings


def edges(path: Path, rows: list[tuple[str, str]]) -> Path:
    with path.open("w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["parent", "child", "start", "end"])
        w.writerows((p, c, "2020-01-01", "") for p, c in rows)
    return path


def ingest(*args: str) -> dict[str, Any]:
    result = CliRunner().invoke(cli, ["ingest", *args, "--format", "edges", "--report", "json"])
    assert result.exit_code == 0, result.output
    report: dict[str, object] = json.loads(result.stdout)
    return report


def names(driver: neo4j.Driver) -> list[list[str]]:
    """The aliases of every organisation, sorted."""
    rows = driver.execute_query(
        "MATCH (a:Alias)-[:ALIAS_OF]->(o:Organisation) RETURN o.id AS id, collect(a.name) AS names"
    ).records
    return sorted(sorted(r["names"]) for r in rows)


def test_a_borderline_name_joins_the_organisation_its_parent_already_has(
    graph: neo4j.Driver, neo4j_env: Neo4jSettings, tmp_path: Path
) -> None:
    first = edges(tmp_path / "a.csv", [("Department for Transport", "Rail Accident Investigation Branch")])
    ingest(str(first))
    later = edges(tmp_path / "b.csv", [("Department for Transport", "Rail Accidents Investigation")])
    report = ingest(str(later))
    assert report["graph_joined"] == 1 and report["organisations_created"] == 0
    (decision,) = report["graph_evidence"]
    assert decision["kind"] == "same parent" and decision["name_only"] == "different"
    assert names(graph) == [
        ["Department for Transport"],
        ["Rail Accident Investigation Branch", "Rail Accidents Investigation"],
    ]
    method = graph.execute_query(
        "MATCH (:Alias {name: $n})-[r:ALIAS_OF]->() RETURN r.method AS m", n="Rail Accidents Investigation"
    ).records[0]["m"]
    assert method == "graph"
    # the new spell hangs under the same parent, on the one organisation
    spells = graph.execute_query(
        "MATCH (p:Organisation)-[r:PARENT_OF]->(c:Organisation) RETURN count(DISTINCT c) AS c, count(r) AS r"
    ).records[0]
    assert (spells["c"], spells["r"]) == (1, 2)
    again = ingest(str(tmp_path / "b.csv"))
    assert again["organisations_created"] == 0  # a re-run changes nothing


def test_without_the_parent_evidence_the_borderline_name_is_a_new_organisation(
    graph: neo4j.Driver, neo4j_env: Neo4jSettings, tmp_path: Path
) -> None:
    ingest(
        str(edges(tmp_path / "a.csv", [("Department for Transport", "Rail Accident Investigation Branch")]))
    )
    later = edges(tmp_path / "b.csv", [("Department for Transport", "Rail Accidents Investigation")])
    report = ingest(str(later), "--no-graph-evidence")
    assert report["organisations_created"] == 1 and report["graph_evidence"] == []
    assert len(names(graph)) == 3


def test_lookalikes_under_different_parents_stay_apart(
    graph: neo4j.Driver, neo4j_env: Neo4jSettings, tmp_path: Path
) -> None:
    rows = [
        ("Department for Transport", "Office of Rail and Road"),
        ("Cabinet Office", "Office for Rail and Roads"),
    ]
    report = ingest(str(edges(tmp_path / "e.csv", rows)))
    assert report["graph_kept_apart"] == 1 and report["organisations_created"] == 4
    (decision,) = report["graph_evidence"]
    assert decision["kind"] == "different parents" and decision["name_only"] == "same"
    assert ["Office for Rail and Roads"] in names(graph) and ["Office of Rail and Road"] in names(graph)
    # explain says the same with the parents, and "same" on the names alone
    args = ["explain", "Office of Rail and Road", "Office for Rail and Roads", "--format", "json"]
    alone = json.loads(CliRunner().invoke(cli, args).output)
    parents = ["--parent-a", "Department for Transport", "--parent-b", "Cabinet Office"]
    weighed = json.loads(CliRunner().invoke(cli, [*args, *parents]).output)
    decision_of = {r["item"]: r["left"] for r in alone}, {r["item"]: r["left"] for r in weighed}
    assert decision_of[0]["decision"] == "same" and decision_of[1]["decision"] == "different"
    # a body moved between departments keeps its name: one organisation, two parents
    moved = [
        ("Department for Transport", "Office of Rail and Road"),
        ("Cabinet Office", "Office of Rail and Road"),
    ]
    ingest(str(edges(tmp_path / "m.csv", moved)))
    assert ["Office of Rail and Road"] in names(graph)


def test_explain_reads_the_parents_from_the_graph(
    graph: neo4j.Driver, neo4j_env: Neo4jSettings, tmp_path: Path
) -> None:
    rows = [
        ("Department for Transport", "Rail Accident Investigation Branch"),
        ("Department for Transport", "Office of Rail and Road"),
        ("Cabinet Office", "Office for Rail and Roads"),
    ]
    ingest(str(edges(tmp_path / "g.csv", rows)))
    args = ["explain", "Office of Rail and Road", "Office for Rail and Roads", "--graph", "--format", "json"]
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 0, result.output
    out = {r["item"]: r for r in json.loads(result.output)}
    assert out["graph evidence"]["left"] == "different parents"
    assert out["decision"]["left"] == "different" and out["decision"]["right"].startswith("graph evidence")
    same = ["explain", "Rail Accident Investigation Branch", "Office of Rail and Road", "--graph"]
    weighed = {r["item"]: r for r in json.loads(CliRunner().invoke(cli, [*same, "--format", "json"]).output)}
    assert weighed["graph evidence"]["left"] == "same parent" and weighed["decision"]["left"] == "different"
    unknown = ["explain", "Nowhere Agency", "Office for Rail and Roads", "--graph", "--format", "json"]
    held = [r for r in json.loads(CliRunner().invoke(cli, unknown).output) if r["item"] == "in the graph"]
    assert next((r["left"], r["right"]) for r in held) == ("Nowhere Agency", "not a name the graph holds")
