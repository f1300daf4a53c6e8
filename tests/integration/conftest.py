"""A real Neo4j for the integration tier, one per test session.

Order: NEO4J_TEST_URI (a server you run; it will be wiped) -> the project's local runner (Java + Maven,
a throw-away home on a free port) -> testcontainers when a Docker engine answers. With CI set, having
none is a failure, never a skip. Every test that asks for ``graph`` starts from an empty database.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import neo4j
import pytest

from resolver.graph.connection import make_driver, wait_until_ready
from resolver.graph.schema import apply_schema
from resolver.graph.templates import TemplateRegistry
from resolver.server import LocalServer, free_port
from resolver.settings import Neo4jSettings, ServerSettings

TEST_PASSWORD = "resolver-test-pw"


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    here = Path(__file__).parent
    for item in items:
        if here in Path(str(item.fspath)).parents:
            item.add_marker(pytest.mark.neo4j)


def _docker_engine() -> bool:
    try:
        import docker

        docker.from_env(timeout=3).ping()
        return True
    except Exception:
        return False


def _local_runner_possible() -> bool:
    return bool(shutil.which("mvn")) and bool(shutil.which(ServerSettings.from_env().java))


@pytest.fixture(scope="session")
def neo4j_settings() -> Iterator[Neo4jSettings]:
    """Connection settings of the session's Neo4j (see module docstring for the order tried)."""
    if os.environ.get("NEO4J_TEST_URI"):
        yield Neo4jSettings(
            uri=os.environ["NEO4J_TEST_URI"],
            username=os.environ.get("NEO4J_TEST_USERNAME", "neo4j"),
            password=os.environ.get("NEO4J_TEST_PASSWORD", TEST_PASSWORD),
        )
        return
    if _local_runner_possible():
        home = Path(tempfile.mkdtemp(prefix="resolver-test-neo4j-"))
        server = LocalServer(replace(ServerSettings.from_env(), home=home, bolt_port=free_port()))
        settings = Neo4jSettings(uri=server.uri, password=TEST_PASSWORD)
        try:
            server.start(settings, timeout=240)
            yield settings
        finally:
            server.stop()
            shutil.rmtree(home, ignore_errors=True)
        return
    if _docker_engine():
        from testcontainers.neo4j import Neo4jContainer

        with Neo4jContainer("neo4j:5.26-community", password=TEST_PASSWORD) as container:
            uri = container.get_connection_url()
            settings = Neo4jSettings(uri=uri, password=TEST_PASSWORD)
            wait_until_ready(settings, timeout=120)
            yield settings
        return
    message = "no Neo4j: set NEO4J_TEST_URI, install Java 17 + Maven for the local runner, or run Docker"
    if os.environ.get("CI"):
        pytest.fail(message)
    pytest.skip(message)


@pytest.fixture(scope="session")
def registry() -> TemplateRegistry:
    return TemplateRegistry()


@pytest.fixture(scope="session")
def session_driver(neo4j_settings: Neo4jSettings, registry: TemplateRegistry) -> Iterator[neo4j.Driver]:
    driver = make_driver(neo4j_settings)
    apply_schema(driver, registry, database=neo4j_settings.database)
    yield driver
    driver.close()


@pytest.fixture()
def graph(
    session_driver: neo4j.Driver, neo4j_settings: Neo4jSettings, registry: TemplateRegistry
) -> neo4j.Driver:
    """The session's driver over an empty database (constraints and indexes kept)."""
    with session_driver.session(database=neo4j_settings.database) as session:
        session.run(registry["admin.delete_all"].query()).consume()
    return session_driver


@pytest.fixture()
def neo4j_env(neo4j_settings: Neo4jSettings, monkeypatch: pytest.MonkeyPatch) -> Neo4jSettings:
    """Point CLI commands (NEO4J_* variables) at the test server."""
    for name, value in neo4j_settings.environment().items():
        monkeypatch.setenv(name, value)
    return neo4j_settings
