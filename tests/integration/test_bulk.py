"""`resolver load` (neo4j-admin bulk import) against a real server of its own: the graph it makes equals the
Bolt path's, node for node and property for property, and an ingest on top of it works."""

from __future__ import annotations

import json
import shutil
import tempfile
from collections import Counter
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import neo4j
import pytest
from click.testing import CliRunner

from resolver.cli import cli
from resolver.errors import SourceError
from resolver.graph.bulk import BulkWriter, load, managed_server
from resolver.graph.connection import make_driver
from resolver.graph.templates import TemplateRegistry
from resolver.ingest import IngestOptions, ingest
from resolver.server import LocalServer, free_port
from resolver.settings import Neo4jSettings, ServerSettings
from tests.conftest import shared_file
from tests.integration.conftest import TEST_PASSWORD, _local_runner_possible
from tests.integration.test_ingest import run_ingest, snapshot

SAMPLES = Path(__file__).resolve().parents[2] / "samples"


@pytest.fixture(scope="module")
def bulk_server() -> Iterator[tuple[LocalServer, Neo4jSettings, ServerSettings]]:
    """A local runner's server of this module's own: `load` stops, imports into and restarts it."""
    if not _local_runner_possible():
        pytest.skip("the bulk path imports through the local runner (Java + Maven)")
    home = Path(tempfile.mkdtemp(prefix="resolver-test-bulk-"))
    server_settings = replace(ServerSettings.from_env(), home=home, bolt_port=free_port())
    server = LocalServer(server_settings)
    settings = Neo4jSettings(uri=server.uri, password=TEST_PASSWORD)
    try:
        server.start(settings, timeout=240)
        yield server, settings, server_settings
    finally:
        server.stop()
        shutil.rmtree(home, ignore_errors=True)


def bulk_load(
    bulk: tuple[LocalServer, Neo4jSettings, ServerSettings], tmp_path: Path, *paths: Path, **options: Any
) -> neo4j.Driver:
    _, settings, server_settings = bulk
    managed = managed_server(settings, server_settings)
    assert managed is not None
    # the import replaces the database; `load` refuses a database holding anything, so start empty
    with make_driver(settings) as driver, driver.session(database=settings.database) as session:
        session.run(TemplateRegistry()["admin.delete_all"].query()).consume()
    result = load(
        [str(p) for p in paths],
        IngestOptions(**options),
        directory=tmp_path / "import",
        settings=settings,
        server=managed,
    )
    assert result.imported and result.ingest.rejected == 0
    return make_driver(settings)


@pytest.mark.parametrize(
    ("name", "options"),
    [("relationships.jsonl", {}), ("edges.csv", {}), ("entities.csv", {})],
)
def test_bulk_graph_equals_the_bolt_graph_on_the_samples(
    graph: neo4j.Driver,
    bulk_server: tuple[LocalServer, Neo4jSettings, ServerSettings],
    tmp_path: Path,
    name: str,
    options: dict[str, Any],
) -> None:
    path = SAMPLES / name
    run_ingest(graph, path, **options)
    with bulk_load(bulk_server, tmp_path, path, **options) as driver:
        assert snapshot(driver) == snapshot(graph)


def test_bulk_graph_equals_the_bolt_graph_on_nhs_ods_2016(
    graph: neo4j.Driver, bulk_server: tuple[LocalServer, Neo4jSettings, ServerSettings], tmp_path: Path
) -> None:
    path = shared_file("nhs-ods-2016/edges.csv")
    run_ingest(graph, path, id_scheme="ods", batch=5000)
    with bulk_load(bulk_server, tmp_path, path, id_scheme="ods") as driver:
        bulk = snapshot(driver)
    assert bulk == snapshot(graph)
    assert sum(n for k, n in bulk[1].items() if '"PARENT_OF"' in k) > 10_000  # 13,050 rows


def test_bulk_graph_equals_the_bolt_graph_with_successions_and_dated_names(
    graph: neo4j.Driver, bulk_server: tuple[LocalServer, Neo4jSettings, ServerSettings], tmp_path: Path
) -> None:
    """The GOV.UK hierarchy with its successions (SUCCEEDED_BY) and dated titles (NAME_OF), one run."""
    folder = "govuk-hierarchy-2021-2026"
    names = ("parent_of_edges_observed.csv", "superseded_by_edges_observed.csv", "org_titles_observed.csv")
    paths = [shared_file(f"{folder}/{name}") for name in names]
    report = run_ingest(graph, *paths, batch=5000)
    assert report.rejected == 0 and report.succession_claims > 100 and report.name_claims > 1000
    with bulk_load(bulk_server, tmp_path, *paths) as driver:
        bulk = snapshot(driver)
    assert bulk == snapshot(graph)
    kinds = Counter(json.loads(key)[1] for key in bulk[1].elements())
    assert kinds["SUCCEEDED_BY"] > 100 and kinds["NAME_OF"] > 1000


def test_ingest_on_top_of_a_bulk_load(
    graph: neo4j.Driver, bulk_server: tuple[LocalServer, Neo4jSettings, ServerSettings], tmp_path: Path
) -> None:
    first, second = SAMPLES / "relationships.jsonl", SAMPLES / "entities.csv"
    run_ingest(graph, first)
    run_ingest(graph, second)
    with bulk_load(bulk_server, tmp_path, first) as driver:
        run_ingest(driver, second)
        assert snapshot(driver) == snapshot(graph)
        run_ingest(driver, first)  # the loaded file again, after the second: as on the Bolt side
        run_ingest(graph, first)
        assert snapshot(driver) == snapshot(graph)


def test_load_refuses_a_database_that_holds_data(
    graph: neo4j.Driver, neo4j_settings: Neo4jSettings, tmp_path: Path
) -> None:
    run_ingest(graph, SAMPLES / "edges.csv")
    result = CliRunner().invoke(
        cli, ["load", str(SAMPLES / "edges.csv"), "--out", str(tmp_path)], env=neo4j_settings.environment()
    )
    assert result.exit_code == 2, result.output
    assert "already holds" in result.output and "resolver ingest" in result.output


def test_unmanaged_server_gets_the_files_and_the_command(tmp_path: Path) -> None:
    writer = BulkWriter(tmp_path / "files")
    report = ingest([str(SAMPLES / "edges.csv")], writer, IngestOptions())
    files = writer.close()
    assert report.rejected == 0
    assert set(files.nodes) == {"Organisation", "Alias", "Identifier", "IngestRun"}
    assert set(files.relationships) == {"ALIAS_OF", "IDENTIFIES", "PARENT_OF"}
    assert files.rows["PARENT_OF"] == report.edges_written
    header = files.relationships["PARENT_OF"].read_text(encoding="utf-8").splitlines()[0]
    assert header.startswith(":START_ID(Organisation),:END_ID(Organisation),claimId:string,validFrom:date")


def test_a_load_that_fails_while_resolving_leaves_the_server_running(
    bulk_server: tuple[LocalServer, Neo4jSettings, ServerSettings], tmp_path: Path
) -> None:
    """`load` stops the server while it resolves; a file it cannot read starts it again, as it was."""
    server, settings, server_settings = bulk_server
    bad = tmp_path / "bad.csv"
    bad.write_text("no,such,columns\n1,2,3\n", encoding="utf-8")
    managed = managed_server(settings, server_settings)
    assert managed is not None
    with make_driver(settings) as driver, driver.session(database=settings.database) as session:
        session.run(TemplateRegistry()["admin.delete_all"].query()).consume()  # load needs it empty
    with pytest.raises(SourceError):
        load(
            [str(bad)],
            IngestOptions(fmt="edges"),
            directory=tmp_path / "import",
            settings=settings,
            server=managed,
        )
    assert server.pid() is not None
    with make_driver(settings) as driver:
        assert driver.execute_query("RETURN 1 AS one").records[0]["one"] == 1
