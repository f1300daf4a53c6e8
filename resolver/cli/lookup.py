"""Reading the graph: `lookup`, `tree` and `query list | show | run` (templates of cypher/)."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from datetime import date
from typing import Any

import click
from rich.console import Console
from rich.markup import escape
from rich.tree import Tree

from resolver.cli.base import cli, format_option, neo4j_options
from resolver.errors import TemplateError
from resolver.graph.connection import connect
from resolver.graph.reader import MAX_DEPTH, GraphReader, partial_label, spell_end_label, tree_rows
from resolver.graph.templates import TemplateRegistry, coerce
from resolver.render import render_document, render_rows
from resolver.settings import Neo4jSettings


@contextmanager
def _reader(settings: Neo4jSettings, registry: TemplateRegistry | None = None) -> Iterator[GraphReader]:
    with connect(settings) as driver:
        yield GraphReader(driver, registry or TemplateRegistry(), database=settings.database)


def _parse_date(ctx: click.Context, param: click.Parameter, value: str | None) -> date:
    if value is None:
        return date.today()
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(
            f"{value!r} is not a date; write it as YYYY-MM-DD, e.g. 2019-05-15"
        ) from None


@cli.command()
@click.argument("name_or_id")
@click.option("--limit", default=10, show_default=True, type=click.IntRange(1, 1000), help="Most candidates.")
@format_option()
@neo4j_options
def lookup(name_or_id: str, limit: int, fmt: str, settings: Neo4jSettings) -> None:
    """Find organisations by id, external identifier (scheme:value) or name.

    An exact organisation id (merged ids lead to the organisation they were merged
    into) or identifier key comes first; then organisations whose name or alias
    resembles NAME_OR_ID (full-text, typo tolerant), best first, each once with
    its canonical id, name, aliases and identifiers.

    \b
    Example:
      resolver lookup "NHS Digitl"
      resolver lookup ods:A81001 --format json
    """
    with _reader(settings) as reader:
        candidates = reader.lookup(name_or_id, limit)
    rows = [c.row() for c in candidates]
    if not rows and fmt == "table":
        click.echo(f"no organisation matches {name_or_id!r}", err=True)
    render_rows(rows, fmt, columns=list(rows[0]) if rows else None)


def _label(node: Mapping[str, Any], *, root: bool, up: bool) -> str:
    text = f"[bold]{escape(node['name'] or '?')}[/bold] [dim]({escape(node['id'])})[/dim]"
    if root:
        return text
    spans = []
    for spell in node.get("spells") or [node]:
        start = partial_label(spell.get("validFrom"), spell.get("validFromPrecision"))
        end = spell_end_label(spell)
        span = f"from {start}" if start else "since ?"
        if end:
            span += f" to {end}" if not end.startswith("ended") else f", {end}"
        spans.append(span)
    return text + "  " + escape("; ".join(spans))


def _rich_tree(doc: Mapping[str, Any], *, up: bool) -> Tree:
    key = "parents" if up else "children"
    where = "above" if up else "under"
    heading = f"{_label(doc, root=True, up=up)}  [dim]{where} it on {doc['asOf']} ({doc['mode']})[/dim]"
    top = Tree(heading)

    def add(branch: Tree, node: Mapping[str, Any]) -> None:
        for child in node.get(key, []):
            add(branch.add(_label(child, root=False, up=up)), child)

    add(top, doc)
    return top


@cli.command()
@click.argument("name_or_id")
@click.option(
    "--as-of",
    "as_of",
    callback=_parse_date,
    metavar="DATE",
    help="The day asked about, YYYY-MM-DD [default: today].",
)
@click.option(
    "--mode",
    type=click.Choice(["certain", "possible"]),
    default="possible",
    show_default=True,
    help="certain: spells surely active that day; possible: spells that may have been (partial dates).",
)
@click.option(
    "--depth",
    type=click.IntRange(1, MAX_DEPTH),
    default=5,
    show_default=True,
    help=f"Levels shown (at most {MAX_DEPTH}).",
)
@click.option("--up", is_flag=True, help="Show the organisations above it (its parents, theirs...) instead.")
@format_option()
@neo4j_options
def tree(
    name_or_id: str, as_of: date, mode: str, depth: int, up: bool, fmt: str, settings: Neo4jSettings
) -> None:
    """The hierarchy under an organisation (or above it with --up) as of a date.

    NAME_OR_ID is an organisation id, an identifier (ods:X24) or a name (the best
    match is used). Dates show the original precision: "from 2019-05" is a spell
    whose start is known to the month. --format json gives the nested tree
    (key "children", or "parents" with --up); csv, ndjson and table give flat rows
    (depth, id, name, parent, from, to).

    \b
    Example:
      resolver tree "NHS, UK Health Agency" --as-of 2020-01-01
      resolver tree ods:A81001 --up --mode certain
      resolver tree org-1a2b3c --depth 2 --format json
    """
    with _reader(settings) as reader:
        root = reader.resolve_ref(name_or_id)
        doc = reader.tree(root.id, as_of, mode, depth, up=up)
    if fmt == "json":
        render_document(doc)
    elif fmt == "table":
        console = Console()
        if not console.is_terminal:  # pipes and files get whole lines, never cut at 80 columns
            console = Console(width=100_000)
        console.print(_rich_tree(doc, up=up))
    else:
        render_rows(list(tree_rows(doc)), fmt)


@cli.group()
def query() -> None:
    """List, show and run the Cypher templates of cypher/ (one query per file).

    \b
    Example:
      resolver query list
      resolver query show hierarchy.ancestors
      resolver query run hierarchy.ancestors -p orgId=org-1a2b3c -p asOf=2020-01-01
    """


@query.command("list")
@format_option()
def query_list(fmt: str) -> None:
    """Every template: name, mode (read, write, schema), parameters and what it does.

    \b
    Example:
      resolver query list --format csv
    """
    rows = [
        {
            "name": t.name,
            "mode": t.mode,
            "params": ", ".join(f"{p.name}: {p.type}" for p in t.params),
            "description": t.description,
        }
        for t in TemplateRegistry()
    ]
    render_rows(rows, fmt)


@query.command("show")
@click.argument("name")
@format_option()
def query_show(name: str, fmt: str) -> None:
    """One template: its header, parameters and Cypher text (paste it into Neo4j Browser as is).

    \b
    Example:
      resolver query show hierarchy.tree
    """
    tpl = TemplateRegistry()[name]
    if fmt == "table":
        click.echo(tpl.text.rstrip("\n"))
        return
    doc: dict[str, Any] = {
        "name": tpl.name,
        "mode": tpl.mode,
        "description": tpl.description,
        "params": [{"name": p.name, "type": p.type, "description": p.description} for p in tpl.params],
        "returns": tpl.returns,
        "path": str(tpl.path),
        "text": tpl.text,
    }
    if fmt == "json":
        render_document(doc)
    else:
        flat = ", ".join(f"{p.name}: {p.type}" for p in tpl.params)
        render_rows([{**doc, "params": flat}], fmt)


@query.command("run")
@click.argument("name")
@click.option(
    "-p",
    "--param",
    "params",
    multiple=True,
    metavar="KEY=VALUE",
    help="A parameter, converted to its declared type (dates YYYY-MM-DD; lists comma-separated). Repeat.",
)
@click.option("--write", is_flag=True, help="Allow a write or schema template (it changes the database).")
@format_option()
@neo4j_options
def query_run(name: str, params: tuple[str, ...], write: bool, fmt: str, settings: Neo4jSettings) -> None:
    """Run one template with parameters and print its rows.

    Read templates run in read transactions. Write and schema templates are refused
    (exit 2, nothing run) unless --write is given. When a template takes asOf and
    it is not given, it is today; mode defaults to 'possible'. lookup.by_name takes
    a Lucene query string: escape + - ! ( ) { } [ ] ^ " ~ * ? : \\ / with a backslash.

    \b
    Example:
      resolver query run hierarchy.ancestors -p orgId=org-1a2b3c -p asOf=2019-05-15 -p mode=certain
      resolver query run quality.cycles --format json
      resolver query run admin.delete_all --write
    """
    registry = TemplateRegistry()
    tpl = registry[name]
    declared = {p.name: p for p in tpl.params}
    values: dict[str, Any] = {}
    for item in params:
        key, sep, raw = item.partition("=")
        if not sep:
            raise TemplateError(f"parameter {item!r}: write it as KEY=VALUE, e.g. -p asOf=2019-05-15")
        if key not in declared:
            known = ", ".join(declared) or "none"
            raise TemplateError(f"template {name} has no parameter {key!r} (declared: {known})")
        values[key] = coerce(declared[key], raw)
    if "asOf" in declared and "asOf" not in values:
        values["asOf"] = date.today()
    if "mode" in declared and "mode" not in values:
        values["mode"] = "possible"
    if tpl.mode != "read" and not write:
        raise TemplateError(
            f"template {name} is a {tpl.mode} template (it changes the database): add --write to run it. "
            "Nothing was run."
        )
    with _reader(settings, registry) as reader:
        rows = reader.run(name, values, allow_write=write)
    render_rows(rows, fmt)
