"""Ingest you can trust, against the real server: the development files with their documented commands
(organisations and spells checked against the files), stable identity under a renamed file, and hostile
rows that are rejected while every good row is written."""

from __future__ import annotations

import csv
import json
import shutil
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import neo4j
import pytest
from click.testing import CliRunner

from resolver.cli import cli
from resolver.graph.templates import TemplateRegistry
from resolver.graph.writer import GraphWriter
from resolver.ingest import IngestOptions, ingest
from resolver.model import ParentLink
from resolver.settings import Neo4jSettings
from tests.conftest import shared_file
from tests.integration.test_ingest import count, generated_edges

EPCMEM = ["--no-header", "--columns", "child_id,parent_id,-,start,end,-", "--date-format", "%Y%m%d"]
GOVUK_MAP = "start=first_seen_snapshot,last_seen=last_seen_snapshot,is_current=present_in_latest_snapshot"


def _ingest(settings: Neo4jSettings, *args: str) -> tuple[int, str]:
    result = CliRunner().invoke(
        cli, ["ingest", "--no-progress", "--report", "json", *args], env=settings.environment()
    )
    return result.exit_code, result.output


def _spells(graph: neo4j.Driver, child: str) -> list[tuple[str, str | None, str | None]]:
    """(parent identifier, validFrom text, validTo text) of every PARENT_OF into the child identifier."""
    records = graph.execute_query(
        "MATCH (:Identifier {key: $key})-[:IDENTIFIES]->(c)<-[r:PARENT_OF]-(p)<-[:IDENTIFIES]-(i:Identifier) "
        "RETURN i.key AS parent, r.validFromText AS f, r.validToText AS t ORDER BY f",
        key=child,
    ).records
    return [(r["parent"], r["f"], r["t"]) for r in records]


def test_nhs_ods_epcmem_header_less(graph: neo4j.Driver, neo4j_settings: Neo4jSettings) -> None:
    path = shared_file("nhs-ods-history/epcmem.csv")
    code, output = _ingest(neo4j_settings, str(path), *EPCMEM, "--id-scheme", "ods")
    assert code == 0, output
    assert count(graph, "MATCH ()-[r:PARENT_OF]->() RETURN count(r)") == 47822
    with path.open(newline="") as f:
        rows = list(csv.reader(f))
    for practice in ("A81001", "A81003", "Y02625"):
        expected = sorted(
            (
                f"ods:{r[1]}",
                f"{r[3][:4]}-{r[3][4:6]}-{r[3][6:]}",
                f"{r[4][:4]}-{r[4][4:6]}-{r[4][6:]}" if r[4] else None,
            )
            for r in rows
            if r[0] == practice
        )
        assert expected and sorted(_spells(graph, f"ods:{practice}")) == expected
    children = {r[0] for r in rows if r[1] == "00K"}
    got = graph.execute_query(
        "MATCH (:Identifier {key: 'ods:00K'})-[:IDENTIFIES]->()-[:PARENT_OF]->()<-[:IDENTIFIES]-(i) "
        "RETURN collect(DISTINCT i.key) AS keys"
    ).records[0]["keys"]
    assert sorted(got) == sorted(f"ods:{c}" for c in children)


def test_govuk_parent_of_edges_mapped(graph: neo4j.Driver, neo4j_settings: Neo4jSettings) -> None:
    path = shared_file("govuk-hierarchy-2021-2026/parent_of_edges_observed.csv")
    code, output = _ingest(neo4j_settings, str(path), "--id-scheme", "govuk", "--map", GOVUK_MAP)
    assert code == 0, output
    report: dict[str, Any] = json.JSONDecoder().raw_decode(output, output.index("{"))[0]
    assert report["parent_claims"] == 1066 and report["rejected"] == 0
    assert any("'n_snapshots_seen' is not read" in w for w in report["warnings"])
    with path.open(newline="") as f:
        rows = list(csv.DictReader(f))
    for row in rows[:3] + [r for r in rows if r["present_in_latest_snapshot"] == "False"][:3]:
        closed = row["present_in_latest_snapshot"] == "False"
        spell = (
            f"govuk:{row['parent_slug']}",
            row["first_seen_snapshot"],
            row["last_seen_snapshot"] if closed else None,
        )
        assert spell in _spells(graph, f"govuk:{row['child_slug']}")
    assert (
        count(graph, "MATCH (o:Organisation) WHERE o.name STARTS WITH 'parent_of_edges' RETURN count(o)") == 0
    )


def test_same_file_under_another_name_duplicates_nothing(
    graph: neo4j.Driver, neo4j_settings: Neo4jSettings, tmp_path: Path
) -> None:
    first = generated_edges(tmp_path / "practices.csv", range(300))
    assert _ingest(neo4j_settings, str(first), "--id-scheme", "t")[0] == 0
    before = (
        count(graph, "MATCH ()-[r:PARENT_OF]->() RETURN count(r)"),
        count(graph, "MATCH (o:Organisation) RETURN count(o)"),
    )
    renamed = tmp_path / "practices-copy-2024.csv"
    shutil.copy(first, renamed)
    code, output = _ingest(neo4j_settings, str(renamed), "--id-scheme", "t")
    assert code == 0, output
    after = (
        count(graph, "MATCH ()-[r:PARENT_OF]->() RETURN count(r)"),
        count(graph, "MATCH (o:Organisation) RETURN count(o)"),
    )
    assert after == before == (300, 340)


def test_hostile_rows_are_rejected_and_the_good_ones_written(
    graph: neo4j.Driver, neo4j_settings: Neo4jSettings, tmp_path: Path
) -> None:
    path = tmp_path / "hostile.jsonl"
    good = [json.dumps({"parent": f"Directorate {i % 7}", "child": f"Office {i}"}) for i in range(300)]
    bad = [
        '{"parent": "Lone Surrogate Org", "child": "x\\ud800"}',
        json.dumps({"parent": "Loop Org", "child": "loop org"}),
        json.dumps({"parent": "\u200b", "child": "Office Z"}),
        '{"parent": ' + "[" * 100_000 + "]" * 100_000 + ', "child": "Deep"}',
    ]
    path.write_text("\n".join(good[:150] + bad + good[150:]) + "\n", encoding="utf-8")
    rejects = tmp_path / "rejects.jsonl"
    code, output = _ingest(neo4j_settings, str(path), "--rejects", str(rejects))
    assert code == 1, output
    assert [json.loads(line)["code"] for line in rejects.read_text().splitlines()] == [
        "invalid_unicode",
        "self_loop",
        "missing_name",
        "too_deep",
    ]
    assert count(graph, "MATCH ()-[r:PARENT_OF]->() RETURN count(r)") == 300
    assert (
        count(
            graph,
            "MATCH (o:Organisation) WHERE o.normName = '' OR o.name IN ['Loop Org', 'loop org'] "
            "RETURN count(o)",
        )
        == 0
    )
    assert count(graph, "MATCH (r:IngestRun) WHERE r.status <> 'finished-with-rejects' RETURN count(r)") == 0


class _FailingEdges(GraphWriter):
    """A writer whose edge stage fails after the organisations are written (a bug or a lost server)."""

    def write_parent_links(
        self,
        links: Iterable[ParentLink],
        run_id: str,
        progress: Any = None,
        *,
        fresh: bool = False,
        in_order: bool = False,
    ) -> Any:
        raise RuntimeError("the edge writes failed")


def test_a_run_that_fails_is_recorded_failed_not_running(
    graph: neo4j.Driver, registry: TemplateRegistry, tmp_path: Path
) -> None:
    path = generated_edges(tmp_path / "e.csv", range(50))
    writer = _FailingEdges(graph, registry, database="neo4j")
    with pytest.raises(RuntimeError, match="the edge writes failed"):
        ingest([str(path)], writer, IngestOptions(id_scheme="t"))
    status = graph.execute_query("MATCH (r:IngestRun) RETURN collect(r.status) AS s").records[0]["s"]
    assert status == ["failed"]
    report = ingest([str(path)], GraphWriter(graph, registry, database="neo4j"), IngestOptions(id_scheme="t"))
    assert report.edges_written == 50
    status = graph.execute_query("MATCH (r:IngestRun) RETURN collect(r.status) AS s").records[0]["s"]
    assert status == ["finished"]
