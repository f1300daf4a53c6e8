"""The foundation against a real server: schema, node round trips, doctor, the local runner."""

from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import neo4j
import pytest
from click.testing import CliRunner

from resolver.cli import cli
from resolver.graph.schema import apply_schema
from resolver.graph.templates import TemplateRegistry
from resolver.server import LocalServer, free_port
from resolver.settings import Neo4jSettings, ServerSettings


def _schema_objects(driver: neo4j.Driver) -> tuple[set[str], set[str]]:
    constraints = {r["name"] for r in driver.execute_query("SHOW CONSTRAINTS YIELD name").records}
    indexes = {r["name"] for r in driver.execute_query("SHOW INDEXES YIELD name").records}
    return constraints, indexes


def test_schema_apply_twice_is_a_no_op(graph: neo4j.Driver, registry: TemplateRegistry) -> None:
    before = _schema_objects(graph)
    again = apply_schema(graph, registry, database="neo4j")
    assert again and not any(r.created for r in again)
    assert _schema_objects(graph) == before
    assert {"organisation_id", "alias_name", "identifier_key", "parent_of_claim"} <= before[0]
    assert "names_fulltext" in before[1]


def test_schema_apply_cli_twice(neo4j_env: Neo4jSettings, graph: neo4j.Driver) -> None:
    runner = CliRunner()
    for _ in range(2):
        result = runner.invoke(cli, ["schema", "apply", "--format", "json"])
        assert result.exit_code == 0, result.output
        assert '"exists"' in result.output and '"created"' not in result.output


def test_organisation_round_trip_and_uniqueness(graph: neo4j.Driver) -> None:
    graph.execute_query("CREATE (:Organisation {id: $id, name: $name})", id="org-1", name="NHS England")
    records = graph.execute_query(
        "MATCH (o:Organisation {id: $id}) RETURN o.name AS name", id="org-1"
    ).records
    assert [r["name"] for r in records] == ["NHS England"]
    with pytest.raises(neo4j.exceptions.ConstraintError):
        graph.execute_query("CREATE (:Organisation {id: $id})", id="org-1")


def test_each_test_starts_empty(graph: neo4j.Driver) -> None:
    count = graph.execute_query("MATCH (n) RETURN count(n) AS c").records[0]["c"]
    assert count == 0


def test_doctor_reports_server(neo4j_env: Neo4jSettings) -> None:
    result = CliRunner().invoke(cli, ["doctor", "--format", "json"])
    assert result.exit_code == 0, result.output
    assert '"community"' in result.output and neo4j_env.uri in result.output


def test_doctor_wrong_password_names_authentication_not_password(
    neo4j_env: Neo4jSettings, monkeypatch: pytest.MonkeyPatch
) -> None:
    canary = "S3cr3t-canary-7f2e"
    monkeypatch.setenv("NEO4J_PASSWORD", canary)
    result = CliRunner().invoke(cli, ["doctor"])
    assert result.exit_code == 2
    assert "authentication failed" in result.output
    assert canary not in result.output


def test_doctor_stopped_server_exit_2_names_uri_and_how_to_start(monkeypatch: pytest.MonkeyPatch) -> None:
    uri = f"bolt://127.0.0.1:{free_port()}"
    monkeypatch.setenv("NEO4J_URI", uri)
    result = CliRunner().invoke(cli, ["doctor"])
    assert result.exit_code == 2
    assert uri in result.output and "resolver server start" in result.output


def test_console_script_maps_errors_without_traceback() -> None:
    env = {
        **os.environ,
        "NEO4J_URI": f"bolt://127.0.0.1:{free_port()}",
        "NEO4J_PASSWORD": "S3cr3t-canary-7f2e",
    }
    proc = subprocess.run(
        [sys.executable, "-m", "resolver", "doctor"], capture_output=True, text=True, env=env, check=False
    )
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr and "S3cr3t-canary-7f2e" not in proc.stderr + proc.stdout


def test_local_runner_start_status_stop_keeps_data(tmp_path: Path) -> None:
    """A second server through the runner: start, write, stop, start again, data still there."""
    settings = replace(ServerSettings.from_env(), home=tmp_path / "home", bolt_port=free_port(), heap="512m")
    server = LocalServer(settings)
    if not server.jars_present():
        pytest.skip("jars not fetched (run `resolver server fetch`)")
    auth = Neo4jSettings(uri=server.uri, password="another-pw-123")
    try:
        info = server.start(auth, timeout=240)
        assert info.version.startswith(settings.version.rsplit(".", 1)[0])
        status = server.status(auth)
        assert status.running and status.pid and status.uri == server.uri
        with neo4j.GraphDatabase.driver(server.uri, auth=("neo4j", "another-pw-123")) as driver:
            driver.execute_query("CREATE (:Marker {v: $v})", v=42)
        assert server.stop()
        assert not server.status().running
        server.start(auth, timeout=240)
        with neo4j.GraphDatabase.driver(server.uri, auth=("neo4j", "another-pw-123")) as driver:
            kept = driver.execute_query("MATCH (m:Marker) RETURN m.v AS v").records
        assert [r["v"] for r in kept] == [42]
    finally:
        server.stop()
    assert server.pid() is None
