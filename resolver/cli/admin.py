"""Commands for the database itself: the local server, `doctor` and `schema apply`."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import click

from resolver.cli.base import cli, format_option, neo4j_options
from resolver.graph.connection import check, connect, make_driver
from resolver.graph.schema import apply_schema
from resolver.graph.templates import TemplateRegistry
from resolver.render import render_rows
from resolver.server import LocalServer
from resolver.settings import Neo4jSettings, ServerSettings


def _server(home: Path | None, port: int | None) -> LocalServer:
    settings = ServerSettings.from_env()
    if home is not None:
        settings = replace(settings, home=home)
    if port is not None:
        settings = replace(settings, bolt_port=port)
    return LocalServer(settings)


_home_option = click.option(
    "--home",
    type=click.Path(file_okay=False, path_type=Path),
    help="Server home (data, logs, conf) [env RESOLVER_NEO4J_HOME; default ~/.local/share/resolver/server].",
)
_port_option = click.option(
    "--port", type=int, help="Bolt port on 127.0.0.1 [env RESOLVER_NEO4J_BOLT_PORT; default 7687]."
)


@cli.group()
def server() -> None:
    """Run a local Neo4j Community server without Docker (jars from Maven Central).

    Needs Java 17 (or 21) and Maven. Jars are fetched once into a cache outside the
    project; data is kept between runs. Bolt listens on 127.0.0.1 only; the password
    is NEO4J_PASSWORD (default 'resolver-local', for local use) set on first start.

    \b
    Example:
      resolver server start          # fetch jars if needed, start, wait for Bolt
      resolver server status
      resolver server stop
    """


@server.command()
@_home_option
@_port_option
def fetch(home: Path | None, port: int | None) -> None:
    """Download the Neo4j server jars with Maven (once; reused afterwards).

    \b
    Example:
      resolver server fetch
    """
    srv = _server(home, port)
    lib = srv.fetch()
    click.echo(f"Neo4j {srv.settings.version} jars: {lib} ({srv.jar_bytes() / 1e6:.0f} MB)")


@server.command()
@_home_option
@_port_option
@click.option("--reset", is_flag=True, help="Delete the server's data first (a fresh, empty database).")
@click.option("--timeout", default=180.0, show_default=True, help="Seconds to wait for Bolt to answer.")
@neo4j_options
def start(home: Path | None, port: int | None, reset: bool, timeout: float, settings: Neo4jSettings) -> None:
    """Start the local server in the background and wait until Bolt answers.

    Running it when the server is already up just reports it.

    \b
    Example:
      resolver server start
      RESOLVER_NEO4J_BOLT_PORT=7688 resolver server start --home /tmp/neo4j-b
    """
    srv = _server(home, port)
    info = srv.start(settings, timeout=timeout, reset=reset)
    took = (
        f" in {srv.last_start_seconds:.1f}s" if srv.last_start_seconds is not None else " (already running)"
    )
    click.echo(f"Neo4j {info.version} {info.edition} is up at {srv.uri}{took}")
    click.echo(f"  home {srv.home}; user {settings.username}; stop with `resolver server stop`")
    if srv.uri != settings.uri:
        click.echo(f"  note: NEO4J_URI is {settings.uri}; export NEO4J_URI={srv.uri} to use this server")


@server.command()
@_home_option
@_port_option
def stop(home: Path | None, port: int | None) -> None:
    """Stop the local server cleanly (data is kept).

    \b
    Example:
      resolver server stop
    """
    srv = _server(home, port)
    click.echo("stopped" if srv.stop() else f"not running (home {srv.home})")


@server.command()
@_home_option
@_port_option
@format_option()
@neo4j_options
def status(home: Path | None, port: int | None, fmt: str, settings: Neo4jSettings) -> None:
    """Say whether the local server runs: pid, version, URI, data directory.

    \b
    Example:
      resolver server status --format json
    """
    st = _server(home, port).status(settings)
    row = {
        "running": st.running,
        "pid": st.pid,
        "version": st.server_version or st.version,
        "uri": st.uri,
        "home": str(st.home),
        "dataDir": str(st.data_dir),
        "jarsFetched": st.jars_present,
    }
    if fmt == "table":
        for key, value in row.items():
            click.echo(f"{key:>12}  {value if value is not None else '-'}")
    else:
        render_rows([row], fmt)


@cli.command()
@format_option()
@neo4j_options
def doctor(fmt: str, settings: Neo4jSettings) -> None:
    """Check the connection: what it reached, the server version, or what is wrong and the fix.

    Exits 2 when Neo4j is unreachable, refuses the credentials or lacks the database.

    \b
    Example:
      resolver doctor
      NEO4J_URI=bolt://db.example:7687 resolver doctor --format json
    """
    driver = make_driver(settings)
    try:
        info = check(driver, settings)
    finally:
        driver.close()
    row = {
        "uri": info.uri,
        "server": info.address,
        "version": info.version,
        "edition": info.edition,
        "agent": info.agent,
        "database": info.database,
        "user": info.username,
        "status": "ok",
    }
    if fmt == "table":
        for key, value in row.items():
            click.echo(f"{key:>9}  {value}")
    else:
        render_rows([row], fmt)


@cli.group()
def schema() -> None:
    """Manage the graph schema (constraints and indexes of cypher/schema/).

    \b
    Example:
      resolver schema apply
    """


@schema.command("apply")
@format_option()
@neo4j_options
def schema_apply(fmt: str, settings: Neo4jSettings) -> None:
    """Create missing constraints and indexes (IF NOT EXISTS: running it twice changes nothing).

    \b
    Example:
      resolver schema apply
    """
    registry = TemplateRegistry()
    with connect(settings) as driver:
        results = apply_schema(driver, registry, database=settings.database)
    rows = [{"object": r.name, "status": "created" if r.created else "exists"} for r in results]
    render_rows(rows, fmt)
