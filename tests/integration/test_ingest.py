"""Ingest against the real server: idempotence, kills, concurrency, hostile and malformed input, dates,
identifiers, and the real NHS ODS 2016 hierarchy."""

from __future__ import annotations

import csv
import json
import os
import signal
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterable
from datetime import date
from pathlib import Path
from typing import Any

import neo4j
import pytest
from click.testing import CliRunner

from resolver.cli import cli
from resolver.graph.templates import TemplateRegistry
from resolver.graph.writer import GraphWriter
from resolver.ingest import IngestOptions, IngestReport, ingest
from resolver.model import Reject
from resolver.settings import Neo4jSettings
from tests.conftest import shared_file

VOLATILE = {"createdAt", "updatedAt", "startedAt", "finishedAt"}  # wall-clock times differ between runs


def run_ingest(
    driver: neo4j.Driver, *paths: Path, rejects: list[Reject] | None = None, **options: Any
) -> IngestReport:
    writer = GraphWriter(driver, TemplateRegistry(), database="neo4j", batch_size=options.pop("batch", 500))
    sink = rejects.append if rejects is not None else (lambda r: None)
    return ingest([str(p) for p in paths], writer, IngestOptions(**options), on_reject=sink)


def snapshot(driver: neo4j.Driver) -> tuple[Counter[str], Counter[str]]:
    """Every node and relationship with its properties (wall-clock times left out), as multisets."""
    nodes = driver.execute_query(
        "MATCH (n) RETURN elementId(n) AS eid, labels(n) AS labels, properties(n) AS props"
    ).records
    key = {}
    for r in nodes:
        props = {k: v for k, v in r["props"].items() if k not in VOLATILE}
        key[r["eid"]] = json.dumps([sorted(r["labels"]), props], sort_keys=True, default=str)
    rels = driver.execute_query(
        "MATCH (a)-[r]->(b) RETURN elementId(a) AS a, type(r) AS t, properties(r) AS props, elementId(b) AS b"
    ).records
    rel_keys = Counter(
        json.dumps([key[r["a"]], r["t"], r["props"], key[r["b"]]], sort_keys=True, default=str) for r in rels
    )
    return Counter(key.values()), rel_keys


def aliases(snap: tuple[Counter[str], Counter[str]]) -> Counter[str]:
    """The ALIAS_OF edges of a snapshot, as 'alias -> organisation {evidence}' lines."""
    found: Counter[str] = Counter()
    for key, n in snap[1].items():
        alias, kind, props, org = json.loads(key)
        if kind == "ALIAS_OF":
            name, org_props = json.loads(alias)[1]["name"], json.loads(org)[1]
            found[f"{name} -> {org_props['id']} {org_props['name']} {json.dumps(props, sort_keys=True)}"] += n
    return found


def count(driver: neo4j.Driver, query: str, **params: Any) -> int:
    return int(driver.execute_query(query, params).records[0][0])


def write_jsonl(path: Path, records: Iterable[dict[str, Any] | str]) -> Path:
    with path.open("w", encoding="utf-8") as f:
        for r in records:
            f.write((r if isinstance(r, str) else json.dumps(r)) + "\n")
    return path


def hierarchy_record(i: int, child: str, parent: str, start: str | None = "2019-05-00") -> dict[str, Any]:
    return {
        "id": i,
        "category": "Hierarchy",
        "entity1": child,
        "entity2": parent,
        "start_date": start,
        "end_date": None,
        "is_current": None,
    }


def generated_edges(path: Path, rows: range, parents: int = 40) -> Path:
    """Edge CSV with identifiers: a practice-like body under one of ``parents`` commissioners."""
    with path.open("w", encoding="utf-8", newline="") as f:
        w = csv.writer(f)
        w.writerow(["parent", "child", "start", "end", "parent_id", "child_id"])
        for i in rows:
            p = i % parents
            w.writerow(
                [f"Commissioning Group {p}", f"Surgery Number {i}", "2013-04-01", "", f"T{p}", f"C{i}"]
            )
    return path


def cli_env(settings: Neo4jSettings) -> dict[str, str]:
    return {**os.environ, **settings.environment()}


@pytest.fixture()
def env(neo4j_settings: Neo4jSettings) -> dict[str, str]:
    """Environment pointing CLI runs at the test server."""
    return cli_env(neo4j_settings)


def ingest_process(settings: Neo4jSettings, *args: str) -> subprocess.Popen[bytes]:
    cmd = [sys.executable, "-m", "resolver", "ingest", "--no-progress", *args]
    return subprocess.Popen(cmd, env=cli_env(settings), stdout=subprocess.PIPE, stderr=subprocess.PIPE)


# -- the seed record ------------------------------------------------------------------------------


def test_seed_record_ingests_with_month_precision(graph: neo4j.Driver) -> None:
    report = run_ingest(graph, shared_file("seed/relationship.json"), fmt="littlesis")
    assert (report.parent_claims, report.rejected, report.organisations_created) == (1, 0, 2)
    rows = graph.execute_query(
        "MATCH (p:Organisation)-[r:PARENT_OF]->(c:Organisation) RETURN p.name AS p, c.name AS c, r"
    ).records
    assert len(rows) == 1
    r = rows[0]["r"]
    assert (rows[0]["p"], rows[0]["c"]) == ("NHS, UK Health Agency", "NHS As A Platform")
    assert r["validFrom"].to_native() == date(2019, 5, 1)
    assert r["validFromLatest"].to_native() == date(2019, 5, 31)
    assert (r["validFromPrecision"], r["validFromText"]) == ("month", "2019-05-00")
    assert r.get("validTo") is None and r.get("isCurrent") is None
    assert r["claimId"] and r["runId"] == report.run_id
    run = graph.execute_query("MATCH (r:IngestRun) RETURN r").records[0]["r"]
    assert (run["status"], run["rowsRead"], run["rowsWritten"], run["rowsRejected"]) == ("finished", 1, 1, 0)
    assert len(run["sha256"][0]) == 64


def test_rerun_changes_nothing(graph: neo4j.Driver, tmp_path: Path) -> None:
    path = write_jsonl(
        tmp_path / "r.jsonl",
        [
            hierarchy_record(1, "NHS England", "National Health Service (NHS)"),
            hierarchy_record(2, "NHS Digital", "The N.H.S.", "2016-00-00"),
            hierarchy_record(3, "NHS As A Platform", "NHS, UK Health Agency"),
        ],
    )
    first = run_ingest(graph, path)
    before = snapshot(graph)
    second = run_ingest(graph, path)
    assert snapshot(graph) == before
    assert second.run_id == first.run_id
    assert (second.organisations_created, second.aliases_added, second.edges_created) == (0, 0, 0)
    assert second.resolved_by_engine == 0  # every name was already known


def test_second_file_lands_on_the_organisation_the_first_created(graph: neo4j.Driver, tmp_path: Path) -> None:
    a = write_jsonl(
        tmp_path / "a.jsonl", [hierarchy_record(1, "NHS England", "National Health Service (NHS)")]
    )
    b = write_jsonl(tmp_path / "b.jsonl", [hierarchy_record(2, "NHS Digital", "National Health Service")])
    run_ingest(graph, a)
    report = run_ingest(graph, b)
    assert report.organisations_created == 1  # NHS Digital only
    rows = graph.execute_query(
        "MATCH (a:Alias)-[e:ALIAS_OF]->(o:Organisation) WHERE a.name IN $names "
        "RETURN a.name AS name, o.id AS org, e.method AS method, e.score AS score",
        names=["National Health Service (NHS)", "National Health Service"],
    ).records
    assert len({r["org"] for r in rows}) == 1 and len(rows) == 2
    added = next(r for r in rows if r["name"] == "National Health Service")
    assert added["method"] and 0 < added["score"] <= 1
    assert count(graph, "MATCH (o:Organisation)-[:PARENT_OF]->(:Organisation) RETURN count(DISTINCT o)") == 1


def test_parent_and_child_never_merge(graph: neo4j.Driver) -> None:
    run_ingest(graph, shared_file("seed/relationship.json"), fmt="littlesis")
    names = {r["name"] for r in graph.execute_query("MATCH (o:Organisation) RETURN o.name AS name").records}
    assert names == {"NHS, UK Health Agency", "NHS As A Platform"}


# -- dates and spells -----------------------------------------------------------------------------


def test_two_spells_stay_two_edges_with_their_precision(graph: neo4j.Driver, tmp_path: Path) -> None:
    first = hierarchy_record(1, "Public Health England", "Department of Health", "2013-04-00")
    first.update(end_date="2021-00-00", is_current=False)
    second = hierarchy_record(2, "Public Health England", "Department of Health", "2022-03-15")
    path = write_jsonl(tmp_path / "spells.jsonl", [first, second])
    run_ingest(graph, path)
    rels = graph.execute_query(
        "MATCH (:Organisation)-[r:PARENT_OF]->(:Organisation) RETURN r ORDER BY r.validFrom"
    ).records
    assert len(rels) == 2
    a, b = rels[0]["r"], rels[1]["r"]
    assert (a["validFromPrecision"], a["validFromText"], a["validToPrecision"], a["validToText"]) == (
        "month",
        "2013-04-00",
        "year",
        "2021-00-00",
    )
    assert a["validTo"].to_native() == date(2021, 1, 1) and a["validToLatest"].to_native() == date(
        2021, 12, 31
    )
    assert a["isCurrent"] is False
    assert (b["validFromPrecision"], b["validFrom"].to_native()) == ("day", date(2022, 3, 15))
    assert b["validFrom"] == b["validFromLatest"]


# -- bad input ------------------------------------------------------------------------------------


def test_ten_percent_malformed_rows(graph: neo4j.Driver, tmp_path: Path, env: dict[str, str]) -> None:
    lines: list[dict[str, Any] | str] = []
    bad: dict[int, str] = {}
    for i in range(1000):
        rec = hierarchy_record(i, f"Child Unit {i}", f"Parent Authority {i % 25}", "2015-06-01")
        if i % 10 == 0:
            kind = (i // 10) % 5
            if kind == 0:
                rec["start_date"] = "2019-13-45"
            elif kind == 1:
                rec["entity1"] = ""
            elif kind == 2:
                rec["end_date"] = "soon"
            elif kind == 3:
                rec["entity2"] = "   "
            else:
                lines.append('{"id": ' + str(i) + ', "entity1": "broken')
                bad[i + 1] = "json"
                continue
            bad[i + 1] = str(kind)
        lines.append(rec)
    path = write_jsonl(tmp_path / "mixed.jsonl", lines)
    rejects_file = tmp_path / "rejects.csv"
    result = CliRunner().invoke(
        cli,
        ["ingest", str(path), "--rejects", str(rejects_file), "--report", "json"],
        env=env,
    )
    assert result.exit_code == 1, result.output
    with rejects_file.open(encoding="utf-8") as f:
        rejected = list(csv.DictReader(f))
    assert {int(r["line"]) for r in rejected} == set(bad)
    assert all(r["reason"] and r["path"] == str(path) for r in rejected)
    fields = {int(r["line"]): r["field"] for r in rejected}
    assert fields[1] in ("start_date", "start") and fields[21] in ("end_date", "end")
    assert count(graph, "MATCH ()-[r:PARENT_OF]->() RETURN count(r)") == 900
    report = json.loads(result.stdout)
    assert report["rejected"] == 100 and report["edges_written"] == 900


HOSTILE = [
    "'}) DETACH DELETE n //",
    "x'}) MATCH (n) DETACH DELETE n //",
    '"; MATCH (n) DETACH DELETE n; //',
    "Robert'); DROP TABLE orgs;--",
    "back\\slash \\' \\\" \\\\",
    "\u202eevil RTL override\u202c",
    "\u200fright-to-left mark\u200f",
    "$param {x} `backtick` [list]",
    "名前 株式会社",
    "emoji \U0001f3e5 hospital",
    "NUL\x00inside",
    "bell\x07ring",
    "a" * 10_000,
    "   ",
    "",
]


def test_hostile_names_stored_verbatim_or_rejected(graph: neo4j.Driver, tmp_path: Path) -> None:
    graph.execute_query("CREATE (:Sentinel {id: 1})-[:KEEP]->(:Sentinel {id: 2})")
    names = [
        f"{HOSTILE[i % len(HOSTILE)]} {i}" if i % len(HOSTILE) < 12 else HOSTILE[i % len(HOSTILE)]
        for i in range(1000)
    ]
    records = [hierarchy_record(i, name, "Hostile Names Registry") for i, name in enumerate(names)]
    path = write_jsonl(tmp_path / "hostile.jsonl", records)
    rejects: list[Reject] = []
    report = run_ingest(graph, path, rejects=rejects)
    rejected_lines = {r.line for r in rejects}
    assert all(r.reason for r in rejects)
    stored = {r["name"] for r in graph.execute_query("MATCH (a:Alias) RETURN a.name AS name").records}
    for line, name in enumerate(names, start=1):
        assert name in stored or line in rejected_lines, (line, name[:40])
    assert "'}) DETACH DELETE n // 0" in stored
    assert count(graph, "MATCH (s:Sentinel)-[:KEEP]->(:Sentinel) RETURN count(s)") == 1
    assert report.edges_written + report.rejected == 1000


# -- identifiers ----------------------------------------------------------------------------------


def test_one_organisation_per_identifier(graph: neo4j.Driver, tmp_path: Path) -> None:
    path = tmp_path / "edges.csv"
    path.write_text(
        "parent,child,start,end,parent_id,child_id\n"
        "NHS LEEDS NORTH CCG,THE SURGERY,2013-04-01,,02V,B86001\n"
        "NHS KERNOW CCG,THE SURGERY,2013-04-01,,11N,L82001\n"
        "NHS KERNOW CCG,THE DENSHAM SURGERY,2013-04-01,,11N,L82002\n"
        'NHS Kernow CCG,"Densham Surgery, The",2014-04-01,2015-03-31,11N,L82002\n'
        "NHS LEEDS NORTH CCG,THE SURGERY,2016-04-01,,ods:02V,ods:B86001\n",
        encoding="utf-8",
    )
    report = run_ingest(graph, path, id_scheme="ods")
    assert report.rejected == 0
    per_org = graph.execute_query(
        "MATCH (o:Organisation) OPTIONAL MATCH (i:Identifier)-[:IDENTIFIES]->(o) "
        "RETURN o.id AS org, collect(i.key) AS keys"
    ).records
    assert sorted(k for r in per_org for k in r["keys"]) == sorted(
        ["ods:02V", "ods:B86001", "ods:11N", "ods:L82001", "ods:L82002"]
    )
    assert all(len(r["keys"]) == 1 for r in per_org)  # exactly one organisation per identifier
    assert count(graph, "MATCH (i:Identifier)-[:IDENTIFIES]->(o) RETURN count(o)") == 5
    assert count(graph, "MATCH ()-[r:PARENT_OF]->() RETURN count(r)") == 5


def test_nhs_ods_2016_hierarchy(graph: neo4j.Driver) -> None:
    path = shared_file("nhs-ods-2016/edges.csv")
    with path.open(encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    report = run_ingest(graph, path, id_scheme="ods", batch=5000)
    assert report.rejected == 0, report
    codes = {r["parent_code"] for r in rows} | {r["child_code"] for r in rows}
    assert count(graph, "MATCH (i:Identifier) RETURN count(i)") == len(codes)
    assert (
        count(graph, "MATCH (i:Identifier) WHERE COUNT { (i)-[:IDENTIFIES]->() } <> 1 RETURN count(i)") == 0
    )
    assert (
        count(
            graph,
            "MATCH (o:Organisation) WHERE COUNT { (:Identifier)-[:IDENTIFIES]->(o) } <> 1 RETURN count(o)",
        )
        == 0
    )
    assert count(graph, "MATCH ()-[r:PARENT_OF]->() RETURN count(r)") == report.parent_claims
    for parent_code in ("00K", "02V"):
        expected = {r["child_code"] for r in rows if r["parent_code"] == parent_code}
        got = graph.execute_query(
            "MATCH (:Identifier {key: $key})-[:IDENTIFIES]->(p)-[:PARENT_OF]->(c)<-[:IDENTIFIES]-(i) "
            "RETURN collect(DISTINCT i.value) AS codes",
            key=f"ods:{parent_code}",
        ).records[0]["codes"]
        assert set(got) == expected and expected


# -- failures and concurrency ----------------------------------------------------------------------


@pytest.mark.parametrize("kill_when", ["organisations", "edges"])
def test_killed_run_then_rerun_equals_one_clean_run(
    graph: neo4j.Driver,
    neo4j_settings: Neo4jSettings,
    registry: TemplateRegistry,
    tmp_path: Path,
    kill_when: str,
) -> None:
    path = generated_edges(tmp_path / "big.csv", range(10_000))
    run_ingest(graph, path, id_scheme="t")
    clean = snapshot(graph)
    with graph.session(database=neo4j_settings.database) as session:
        session.run(registry["admin.delete_all"].query()).consume()

    proc = ingest_process(neo4j_settings, str(path), "--id-scheme", "t", "--batch-size", "200")
    probe = {
        "organisations": "MATCH (o:Organisation) RETURN count(o)",
        "edges": "MATCH ()-[r:PARENT_OF]->() RETURN count(r)",
    }[kill_when]
    deadline = time.monotonic() + 120
    while count(graph, probe) == 0:
        assert proc.poll() is None, proc.communicate()
        assert time.monotonic() < deadline
        time.sleep(0.05)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    partial = snapshot(graph)
    assert partial != clean  # it really was cut half way

    rerun = ingest_process(neo4j_settings, str(path), "--id-scheme", "t")
    _, err = rerun.communicate(timeout=300)
    assert rerun.returncode == 0, err.decode()
    after = snapshot(graph)
    # aliases first, by name: the re-run must attach exactly the clean run's, with the same evidence
    assert aliases(after) == aliases(clean), (
        aliases(after) - aliases(clean),
        aliases(clean) - aliases(after),
    )
    assert after == clean


def test_concurrent_overlapping_ingests_leave_no_duplicates(
    graph: neo4j.Driver, neo4j_settings: Neo4jSettings, registry: TemplateRegistry, tmp_path: Path
) -> None:
    a = write_jsonl(
        tmp_path / "a.jsonl",
        [hierarchy_record(i, f"Local Office {i}", f"Regional Directorate {i % 7}") for i in range(0, 600)],
    )
    b = write_jsonl(
        tmp_path / "b.jsonl",
        [hierarchy_record(i, f"Local Office {i}", f"Regional Directorate {i % 7}") for i in range(300, 900)],
    )
    procs = [ingest_process(neo4j_settings, str(p)) for p in (a, b)]
    for p in procs:
        _, err = p.communicate(timeout=300)
        assert p.returncode == 0, err.decode()
    orgs = count(graph, "MATCH (o:Organisation) RETURN count(o)")
    assert orgs == 907
    assert count(graph, "MATCH (a:Alias) WHERE COUNT { (a)-[:ALIAS_OF]->() } > 1 RETURN count(a)") == 0
    assert (
        count(graph, "MATCH (o:Organisation) WITH o.normName AS k, count(*) AS n WHERE n > 1 RETURN count(k)")
        == 0
    )
    names = count(graph, "MATCH (o:Organisation) RETURN count(DISTINCT o.name)")
    assert names == orgs


# -- CLI --------------------------------------------------------------------------------------------


def test_dry_run_writes_nothing(graph: neo4j.Driver, tmp_path: Path, env: dict[str, str]) -> None:
    path = write_jsonl(tmp_path / "d.jsonl", [hierarchy_record(1, "NHS England", "NHS")])
    result = CliRunner().invoke(cli, ["ingest", str(path), "--dry-run", "--report", "json"], env=env)
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["status"] == "dry-run" and report["edges_written"] == 1
    assert count(graph, "MATCH (n) RETURN count(n)") == 0


def test_cli_errors_exit_2_without_traceback(
    graph: neo4j.Driver, tmp_path: Path, env: dict[str, str]
) -> None:
    result = CliRunner().invoke(cli, ["ingest", str(tmp_path / "missing.jsonl")], env=env)
    assert result.exit_code == 2
    assert "missing.jsonl" in result.output and "Traceback" not in result.output
    ok = write_jsonl(tmp_path / "ok.jsonl", [hierarchy_record(1, "NHS England", "NHS")])
    bad_env = dict(env, NEO4J_PASSWORD="wrong-password-123")
    result = CliRunner().invoke(cli, ["ingest", str(ok)], env=bad_env)
    assert result.exit_code == 2 and "authentication" in result.output
    assert "wrong-password-123" not in result.output


def test_cli_summary_and_exit_0(graph: neo4j.Driver, env: dict[str, str]) -> None:
    seed = str(shared_file("seed/relationship.json"))
    args = ["ingest", seed, "--format", "littlesis", "--report", "json", "--source", "seed"]
    result = CliRunner().invoke(cli, args, env=env)
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert (report["rows_read"], report["edges_written"], report["organisations_created"]) == (1, 1, 2)


def test_sample_then_lookup_by_any_spelling(graph: neo4j.Driver, env: dict[str, str]) -> None:
    """The shipped sample: every NHS spelling is one organisation, found by any of them."""
    sample = Path(__file__).resolve().parents[2] / "samples" / "relationships.jsonl"
    assert CliRunner().invoke(cli, ["ingest", str(sample)], env=env).exit_code == 0
    ids = set()
    for spelling in ("The N.H.S.", "NHS", "nhs", "National Health Service (NHS)", "NHS, UK Health Agency"):
        result = CliRunner().invoke(cli, ["lookup", spelling, "--format", "json"], env=env)
        assert result.exit_code == 0, result.output
        top = json.loads(result.stdout)[0]
        assert "The NHS" in top["aliases"]
        ids.add(top["id"])
    assert len(ids) == 1
    result = CliRunner().invoke(
        cli, ["tree", "The N.H.S.", "--as-of", "2020-01-01", "--format", "json"], env=env
    )
    assert result.exit_code == 0, result.output
    children = {c["name"] for c in json.loads(result.stdout)["children"]}
    assert {"NHS As A Platform", "NHS England", "NHS Improvement", "NHS Digital"} <= children
    result = CliRunner().invoke(cli, ["tree", "NHS", "--as-of", "2024-01-01", "--format", "json"], env=env)
    later = {c["name"] for c in json.loads(result.stdout)["children"]}
    assert "NHS Digital" not in later and "NHS Improvement" not in later  # both spells ended before 2024
    assert "NHS As A Platform" in later


def test_bench_baseline_template_writes_one_edge(graph: neo4j.Driver, registry: TemplateRegistry) -> None:
    """bench.merge_edge_row (bench/bench_ingest.py's naive baseline) does what it claims, idempotently."""
    params = {
        "parentId": "bench:1",
        "parentName": "Parent",
        "childId": "bench:2",
        "childName": "Child",
        "claimId": "e1",
        "validFrom": date(2019, 5, 1),
    }
    for _ in range(2):
        graph.execute_query(registry["bench.merge_edge_row"].query(), params)
    rows = graph.execute_query(
        "MATCH (p:Organisation)-[r:PARENT_OF]->(c:Organisation) "
        "RETURN p.name AS p, c.name AS c, r.validFrom AS f"
    ).records
    assert [(r["p"], r["c"], r["f"].to_native()) for r in rows] == [("Parent", "Child", date(2019, 5, 1))]
