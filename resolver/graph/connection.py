"""The one place that builds a Neo4j driver and turns driver failures into actionable errors.

Passwords never reach a message: errors name the URI, the user and the database only.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import neo4j
from neo4j import exceptions as nx

from resolver.errors import GraphConnectionError
from resolver.graph.templates import load_template
from resolver.settings import Neo4jSettings

START_HINT = (
    "start one with `resolver server start` (local Neo4j from Maven Central jars) "
    "or `docker compose up -d --wait`, or point NEO4J_URI at a running server"
)


@dataclass(frozen=True, slots=True)
class ServerInfo:
    """What `doctor` reports about the server it reached."""

    uri: str
    address: str
    agent: str
    version: str
    edition: str
    database: str
    username: str


def make_driver(settings: Neo4jSettings) -> neo4j.Driver:
    """A driver for ``settings``; nothing is contacted until first use."""
    return neo4j.GraphDatabase.driver(
        settings.uri,
        auth=(settings.username, settings.password),
        connection_timeout=settings.connection_timeout,
        connection_acquisition_timeout=settings.connection_timeout + 5,
        max_transaction_retry_time=30.0,
        user_agent="resolver/0.1",
        # Unknown labels/types depend on the data, not the query (an empty graph has no ALIAS_OF yet):
        # the server would warn on every call. Other notifications stay on.
        notifications_disabled_classifications=[neo4j.NotificationDisabledClassification.UNRECOGNIZED],
    )


def explain_failure(exc: Exception, settings: Neo4jSettings) -> GraphConnectionError:
    """Map a driver exception met while connecting to a message naming the URI and the fix."""
    where = f"Neo4j at {settings.uri}"
    if isinstance(exc, nx.AuthError):
        return GraphConnectionError(
            f"authentication failed for user {settings.username!r} at {settings.uri}: the server refused the "
            "credentials. Set NEO4J_USERNAME/NEO4J_PASSWORD to the server's (the local runner uses the "
            "NEO4J_PASSWORD it was first started with; `resolver server start --reset` starts afresh)."
        )
    if isinstance(exc, nx.ClientError) and "DatabaseNotFound" in (exc.code or ""):
        return GraphConnectionError(
            f"database {settings.database!r} does not exist on {where}; Neo4j Community has one user "
            "database, 'neo4j': set NEO4J_DATABASE (or --database) to it."
        )
    if isinstance(exc, nx.ServiceUnavailable | nx.SessionExpired | OSError):
        return GraphConnectionError(f"cannot reach {where} (nothing answers there); {START_HINT}.")
    if isinstance(exc, nx.ConfigurationError):
        return GraphConnectionError(f"bad connection settings for {settings.uri}: {exc}")
    return GraphConnectionError(f"could not use {where}: {type(exc).__name__}: {exc}")


def check(driver: neo4j.Driver, settings: Neo4jSettings) -> ServerInfo:
    """Connect, authenticate and touch the database; raise GraphConnectionError saying what is wrong."""
    try:
        info = driver.get_server_info()
        records, _, _ = driver.execute_query(
            load_template("admin.components").query(),
            database_=settings.database,
            routing_=neo4j.RoutingControl.READ,
        )
    except Exception as exc:  # every driver failure becomes one actionable message
        raise explain_failure(exc, settings) from exc
    return ServerInfo(
        uri=settings.uri,
        address=str(info.address),
        agent=info.agent,
        version=str(records[0]["version"]) if records else "unknown",
        edition=str(records[0]["edition"]) if records else "unknown",
        database=settings.database,
        username=settings.username,
    )


@contextmanager
def connect(settings: Neo4jSettings, *, verify: bool = True) -> Iterator[neo4j.Driver]:
    """A checked driver, closed on exit. Connection failures raise GraphConnectionError."""
    driver = make_driver(settings)
    try:
        if verify:
            check(driver, settings)
        yield driver
    finally:
        driver.close()


def wait_until_ready(
    settings: Neo4jSettings, *, timeout: float, alive: Callable[[], bool] | None = None
) -> ServerInfo:
    """Poll until Bolt answers and the database is online; ``alive()`` False aborts early.

    Authentication failures end the wait at once (the server is up; the password is wrong).
    """
    deadline = time.monotonic() + timeout
    last: Exception | None = None
    # No driver-level retries: this loop is the retry, and `alive()` must be checked between attempts.
    with neo4j.GraphDatabase.driver(
        settings.uri,
        auth=(settings.username, settings.password),
        connection_timeout=2.0,
        max_transaction_retry_time=0.0,
    ) as driver:
        while time.monotonic() < deadline:
            if alive is not None and not alive():
                raise GraphConnectionError(f"the Neo4j process exited before {settings.uri} answered")
            try:
                return check(driver, settings)
            except GraphConnectionError as exc:
                cause = exc.__cause__
                if isinstance(cause, nx.AuthError):
                    raise
                last = exc
                time.sleep(0.25)
    raise GraphConnectionError(f"Neo4j at {settings.uri} did not answer within {timeout:.0f}s: {last}")
