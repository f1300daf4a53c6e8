"""Commands for the database itself: the local server, `shell`, `doctor` and `schema apply`."""

from __future__ import annotations

import sys
from dataclasses import replace
from pathlib import Path

import click

from resolver.cli.base import cli, format_option, neo4j_options
from resolver.graph.connection import check, connect, make_driver
from resolver.graph.schema import apply_schema
from resolver.graph.templates import TemplateRegistry
from resolver.render import render_rows, resolve_format
from resolver.server import LocalServer
from resolver.serverconf import parse_setting
from resolver.settings import Neo4jSettings, ServerSettings
from resolver.shell import CypherShell


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
    project; data is kept between runs in a private home (0700). Bolt listens on
    127.0.0.1 only; the password is NEO4J_PASSWORD (default 'resolver-local', for local
    use) set on first start.

    \b
    Example:
      resolver server start          # fetch jars if needed, start, wait for Bolt
      resolver server start --browser   # and Neo4j Browser on http://127.0.0.1:7474/browser/
      resolver server config         # settings kept with --config KEY=VALUE
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


def _settings(values: tuple[str, ...]) -> list[tuple[str, str]]:
    return [parse_setting(v) for v in values]


@server.command()
@_home_option
@_port_option
@click.option(
    "--reset",
    is_flag=True,
    help="Delete the server's data, logs and run state first (a fresh, empty database).",
)
@click.option(
    "--browser",
    is_flag=True,
    help="Also serve Neo4j Browser on http://127.0.0.1:7474/browser/ [port: env RESOLVER_NEO4J_HTTP_PORT].",
)
@click.option(
    "--config",
    "config",
    multiple=True,
    metavar="KEY=VALUE",
    help="A Neo4j setting, kept for later starts (repeatable; KEY= forgets it). See `server config`.",
)
@click.option("--timeout", default=180.0, show_default=True, help="Seconds to wait for Bolt to answer.")
@neo4j_options
def start(
    home: Path | None,
    port: int | None,
    reset: bool,
    browser: bool,
    config: tuple[str, ...],
    timeout: float,
    settings: Neo4jSettings,
) -> None:
    """Start the local server in the background and wait until Bolt answers.

    Running it when the server is already up just reports it (two starts at once
    take turns: the second reports the first's server). A failed start shows
    Neo4j's own ERROR lines and the fix.

    \b
    Example:
      resolver server start
      resolver server start --browser
      resolver server start --config db.transaction.timeout=600s
      RESOLVER_NEO4J_BOLT_PORT=7688 resolver server start --home /tmp/neo4j-b
    """
    srv = _server(home, port)
    info = srv.start(settings, timeout=timeout, reset=reset, browser=browser, config=_settings(config))
    took = (
        f" in {srv.last_start_seconds:.1f}s" if srv.last_start_seconds is not None else " (already running)"
    )
    click.echo(f"Neo4j {info.version} {info.edition} is up at {srv.uri}{took}")
    click.echo(f"  home {srv.home}; user {settings.username}; stop with `resolver server stop`")
    url = srv.browser_url()
    if url:
        click.echo(f"  Neo4j Browser: {url} (connect to {srv.uri})")
    kept = srv.kept_settings()
    if kept:
        click.echo("  kept settings: " + ", ".join(f"{k}={v}" for k, v in kept.items()))
    if srv.uri != settings.uri:
        click.echo(f"  note: NEO4J_URI is {settings.uri}; export NEO4J_URI={srv.uri} to use this server")


@server.command("config")
@_home_option
@click.option("--set", "set_", multiple=True, metavar="KEY=VALUE", help="Keep a setting (repeatable).")
@click.option("--unset", multiple=True, metavar="KEY", help="Forget a kept setting (repeatable).")
@click.option("--all", "show_all", is_flag=True, help="Also show the runner's defaults.")
@format_option()
def server_config(
    home: Path | None, set_: tuple[str, ...], unset: tuple[str, ...], show_all: bool, fmt: str
) -> None:
    """Show (or change) the Neo4j settings kept for the local server.

    The home's neo4j.conf is regenerated at every start from the runner's defaults
    plus these kept settings (which win). Changes apply at the next start.

    \b
    Example:
      resolver server config
      resolver server config --set db.transaction.timeout=600s --unset db.recovery.fail_on_missing_files
      resolver server config --all --format json
    """
    srv = _server(home, None)
    updates = _settings(set_) + [(parse_setting(f"{key}=")[0], "") for key in unset]
    if updates:
        srv.keep_settings(updates)
    kept = srv.kept_settings() if srv.is_home() else {}
    rows = [{"setting": k, "value": v, "from": "kept"} for k, v in kept.items()]
    if show_all:
        defaults = srv.config_settings()
        rows = [
            {"setting": k, "value": v, "from": "default"} for k, v in defaults.items() if k not in kept
        ] + rows
    if not rows:  # said on stderr, so a pipe still gets a header-only CSV
        click.echo(
            f"no kept settings (home {srv.home}); add one with `resolver server start --config KEY=VALUE`",
            err=True,
        )
        if resolve_format(fmt, sys.stdout) == "table":
            return
    render_rows(rows, fmt, columns=["setting", "value", "from"])
    if updates and srv.pid() is not None:
        click.echo("the server is running: the change applies at the next start", err=True)


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
    click.echo("stopped" if srv.stop() else f"not running (home {srv.home}; nothing was signalled)")


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
        "browser": st.browser,
        "kept": ", ".join(f"{k}={v}" for k, v in (st.kept or {}).items()) or None,
    }
    if fmt == "table":
        for key, value in row.items():
            click.echo(f"{key:>12}  {value if value is not None else '-'}")
    else:
        render_rows([row], fmt)


@cli.command(context_settings={"ignore_unknown_options": True, "allow_interspersed_args": False})
@neo4j_options
@click.argument("args", nargs=-1, type=click.UNPROCESSED)
def shell(args: tuple[str, ...], settings: Neo4jSettings) -> None:
    """Run cypher-shell against the configured server (fetched from Maven Central on first use).

    The connection comes from NEO4J_URI, NEO4J_USERNAME, NEO4J_PASSWORD and
    NEO4J_DATABASE (or the flags) and reaches cypher-shell through its environment,
    never its command line. Arguments after `--` go to cypher-shell as they are;
    the exit code is cypher-shell's.

    \b
    Example:
      resolver shell                                   # interactive
      resolver shell -- --format plain "RETURN 1 AS one"
      resolver shell -- -P '{orgId: "ORG_ID", asOf: date("2020-01-01"), mode: "possible"}' \\
          -f cypher/hierarchy/ancestors.cypher
    """
    sys.exit(CypherShell(ServerSettings.from_env()).run(settings, list(args)))


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
