"""Reading the graph: `lookup`, `tree` and `query list | show | run` (templates of cypher/).

JSON shapes (one per command): lookup -> a list of candidates; tree -> one nested object; query list and
query run -> a list of row objects; query show -> one object.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from datetime import date
from typing import Any, TypeVar

import click
from rich.console import Console
from rich.markup import escape
from rich.tree import Tree

from resolver.cli.base import cli, format_option, neo4j_options
from resolver.dates import as_of_text, parse_as_of
from resolver.errors import DateError, TemplateError
from resolver.graph.connection import connect
from resolver.graph.reader import (
    MAX_DEPTH,
    TREE_COLUMNS,
    GraphReader,
    check_mode,
    spell_end_label,
    start_label,
    tied_at_top,
    tree_rows,
)
from resolver.graph.templates import CypherTemplate, TemplateRegistry, coerce, parameter_blocks
from resolver.pictures import PICTURE_FORMATS, from_rows, from_tree, render_picture
from resolver.ranking import NO_GOOD_MATCH
from resolver.render import FORMATS, render_document, render_rows, resolve_format
from resolver.settings import Neo4jSettings

ORG_PARAMS = ("orgId", "fromId", "toId")
F = TypeVar("F", bound=Callable[..., Any])


@contextmanager
def _reader(settings: Neo4jSettings, registry: TemplateRegistry | None = None) -> Iterator[GraphReader]:
    with connect(settings) as driver:
        yield GraphReader(driver, registry or TemplateRegistry(), database=settings.database)


def _parse_as_of(ctx: click.Context, param: click.Parameter, value: str | None) -> str:
    """A day, a month or a year as the canonical text the templates read ('2014', '2014-04', a day)."""
    if value is None:
        return date.today().isoformat()
    try:
        return as_of_text(parse_as_of(value))
    except DateError as exc:
        raise click.BadParameter(
            f"{exc}; write a day YYYY-MM-DD (2019-05-15), a month YYYY-MM or a year YYYY"
        ) from None


def _min_score() -> Callable[[F], F]:
    return click.option(
        "--min-score",
        type=click.FloatRange(0.0, 1.0),
        default=NO_GOOD_MATCH,
        show_default=True,
        help="Names scoring below this (0-1, the scale of `resolver explain`) are no good match.",
    )


@cli.command()
@click.argument("name_or_id")
@click.option("--limit", default=10, show_default=True, type=click.IntRange(1, 1000), help="Most candidates.")
@_min_score()
@click.option("--first", is_flag=True, help="On a tie at the top, print only the first candidate (exit 0).")
@format_option()
@neo4j_options
def lookup(
    name_or_id: str, limit: int, min_score: float, first: bool, fmt: str, settings: Neo4jSettings
) -> None:
    """Find organisations by id, external identifier (scheme:value) or name.

    Exact before fuzzy: an organisation id (merged ids lead to the organisation
    they were merged into) or identifier key returns only its exact hit. A name
    is searched by its normalised form, full text (typo tolerant) and, for an
    acronym such as DHSC, the initials of names; every candidate is scored 0-1
    with the engine's pairwise score (as `resolver explain` does), best first.
    Nothing at or above --min-score: "no good match". When several organisations
    share the best score the candidates are listed and the exit code is 2,
    unless --first.

    \b
    Example:
      resolver lookup "NHS Digitl"
      resolver lookup DHSC
      resolver lookup ods:A81001 --format json
    """
    with _reader(settings) as reader:
        candidates = reader.lookup(name_or_id, limit, cutoff=min_score)
    tied = tied_at_top(candidates)
    if first:
        candidates = candidates[:1]
    rows = [c.row() for c in candidates]
    columns = ["rank", "id", "name", "matchedBy", "matchedName", "score", "aliases", "identifiers"]
    render_rows(rows, fmt, columns=columns)
    if not rows:
        click.echo(
            f"no good match for {name_or_id!r} (no id, identifier or name scoring {min_score} or more; "
            "--min-score 0 shows the nearest)",
            err=True,
        )
    elif tied and not first:
        click.echo(
            f"{name_or_id!r} is ambiguous: {len(tied)} organisations match equally well; "
            "use an id, or --first to take the first",
            err=True,
        )
        raise SystemExit(2)


def _label(node: Mapping[str, Any], *, root: bool, up: bool) -> str:
    text = f"[bold]{escape(node['name'] or '?')}[/bold] [dim]({escape(node['id'])})[/dim]"
    if root:
        return text
    spans = []
    for spell in node.get("spells") or [node]:
        start = start_label(spell)
        end = spell_end_label(spell)
        span = ("" if start.startswith("on or") else "from ") + start if start else "since ?"
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


def _mode_option() -> Callable[[F], F]:
    return click.option(
        "--mode",
        type=click.Choice(["certain", "possible"]),
        default="possible",
        show_default=True,
        help="certain: spells surely active (for a month or year: all of it); possible: spells that may "
        "have been active (on any day of it).",
    )


def _output_option() -> Callable[[F], F]:
    return click.option(
        "--format",
        "fmt",
        type=click.Choice([*FORMATS, *PICTURE_FORMATS]),
        default="auto",
        show_default=True,
        help="auto: a table on a terminal, CSV in a pipe; csv, tsv, json, ndjson; pictures: mermaid, dot, "
        "graphml, html (a self-contained page with a date slider).",
    )


@cli.command()
@click.argument("name_or_id")
@click.option(
    "--as-of",
    "as_of",
    callback=_parse_as_of,
    metavar="DATE",
    help="A day (2019-05-15, 20190515), a month (2019-05) or a year (2019) [default: today].",
)
@_mode_option()
@click.option(
    "--depth",
    type=click.IntRange(1, MAX_DEPTH),
    default=5,
    show_default=True,
    help=f"Levels shown (at most {MAX_DEPTH}).",
)
@click.option("--up", is_flag=True, help="Show the organisations above it (its parents, theirs...) instead.")
@click.option("--first", is_flag=True, help="If the name is ambiguous, take the best candidate anyway.")
@_min_score()
@_output_option()
@neo4j_options
def tree(
    name_or_id: str,
    as_of: str,
    mode: str,
    depth: int,
    up: bool,
    first: bool,
    min_score: float,
    fmt: str,
    settings: Neo4jSettings,
) -> None:
    """The hierarchy under an organisation (or above it with --up) as of a date.

    NAME_OR_ID is an organisation id, an identifier (ods:X24) or a name. A name
    must match well (--min-score) and one organisation best: several equally
    good candidates are listed and the exit code is 2 (--first takes the first).
    Dates show the original precision: "from 2019-05" is a spell whose start is
    known to the month. An empty tree says why on stderr. --format json gives
    the nested tree (key "children", or "parents" with --up); csv, tsv, ndjson
    give flat rows, one per spell (depth, id, name, parent, from, to, claimId,
    source); mermaid, dot, graphml and html give pictures (html: every spell
    below it, redrawn for the day on its slider).

    \b
    Example:
      resolver tree "NHS, UK Health Agency" --as-of 2020-01-01
      resolver tree ods:A81001 --up --mode certain --as-of 2019-05
      resolver tree org-1a2b3c --depth 2 --format json
      resolver tree "National Health Service" --format html > nhs.html
    """
    with _reader(settings) as reader:
        root = reader.resolve_ref(name_or_id, first=first, cutoff=min_score)
        doc = reader.tree(root.id, as_of, mode, depth, up=up)
        below = reader.spells_below(root.id, depth) if fmt == "html" and not up else None
    if doc.get("why"):
        click.echo(f"{doc['name']} ({doc['id']}): {doc['why']}", err=True)
    fmt = resolve_format(fmt)
    if fmt in PICTURE_FORMATS:
        pic = from_tree(doc)
        if below is not None:
            all_spells = from_rows(below)
            pic.names.update({k: v for k, v in all_spells.names.items() if k not in pic.names})
            pic.edges = all_spells.edges
        click.echo(render_picture(pic, fmt, depth=depth), nl=False)
    elif fmt == "json":
        render_document(doc)
    elif fmt == "table":
        console = Console()
        if not console.is_terminal:  # pipes and files get whole lines, never cut at 80 columns
            console = Console(width=100_000)
        console.print(_rich_tree(doc, up=up))
    else:
        render_rows(list(tree_rows(doc)), fmt, columns=list(TREE_COLUMNS))


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
@click.option(
    "--params",
    "params_only",
    is_flag=True,
    help="Print the parameter blocks to paste: Neo4j Browser's :params and cypher-shell's -P options.",
)
@click.option(
    "-p",
    "--param",
    "params",
    multiple=True,
    metavar="KEY=VALUE",
    help="With --params: a value to put in the blocks instead of the example. Repeat.",
)
@format_option()
def query_show(name: str, params_only: bool, params: tuple[str, ...], fmt: str) -> None:
    """One template: its header, parameters and Cypher text (paste it into Neo4j Browser as is).

    With --params, the blocks that set its parameters: `:params {...}` for Neo4j
    Browser and `-P '...'` options for cypher-shell (example values unless -p
    gives them).

    \b
    Example:
      resolver query show hierarchy.tree
      resolver query show hierarchy.ancestors --params -p orgId=ods:00M -p asOf=2014-04
    """
    tpl = TemplateRegistry()[name]
    if params_only:
        given = dict(_split_param(item, tpl) for item in params)
        browser, shell = parameter_blocks(tpl, given)
        click.echo("// Neo4j Browser: paste, run, then paste the template\n" + browser)
        click.echo("\n# cypher-shell\n" + shell)
        return
    if fmt in ("auto", "table"):  # the file itself, on a terminal or in a pipe (`> ancestors.cypher`)
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


def _split_param(item: str, tpl: CypherTemplate) -> tuple[str, str]:
    key, sep, raw = item.partition("=")
    if not sep:
        raise TemplateError(f"parameter {item!r}: write it as KEY=VALUE, e.g. -p asOf=2019-05-15")
    if key not in tpl.param_names:
        known = ", ".join(tpl.param_names) or "none"
        raise TemplateError(f"template {tpl.name} has no parameter {key!r} (declared: {known})")
    return key, raw


@query.command("run")
@click.argument("name")
@click.option(
    "-p",
    "--param",
    "params",
    multiple=True,
    metavar="KEY=VALUE",
    help="A parameter, converted to its declared type (dates: a day, a month 2019-05 or a year 2019; "
    "lists comma-separated). Repeat.",
)
@click.option("--limit", type=click.IntRange(1), default=None, help="Print at most this many rows.")
@click.option("--write", is_flag=True, help="Allow a write or schema template (it changes the database).")
@_output_option()
@neo4j_options
def query_run(
    name: str, params: tuple[str, ...], limit: int | None, write: bool, fmt: str, settings: Neo4jSettings
) -> None:
    """Run one template with parameters and print its rows.

    Read templates run in read transactions. Write and schema templates are refused
    (exit 2, nothing run) unless --write is given. When a template takes asOf and
    it is not given, it is today; mode defaults to 'possible'. orgId, fromId and
    toId take an id, a merged id or an identifier (ods:A81001); an unknown one is
    an error (exit 2) that points to `resolver lookup`. lookup.by_name takes a
    Lucene query string: escape + - ! ( ) { } [ ] ^ " ~ * ? : \\ / with a backslash.
    Rows with parentId and childId (hierarchy.tree, ...) can be drawn: --format
    mermaid, dot, graphml or html.

    \b
    Example:
      resolver query run hierarchy.ancestors -p orgId=ods:A81001 -p asOf=2019-05 -p mode=certain
      resolver query run hierarchy.changes -p fromDate=2019 -p toDate=2020 --limit 20
      resolver query run quality.cycles --format json
      resolver query run admin.delete_all --write
    """
    registry = TemplateRegistry()
    tpl = registry[name]
    declared = {p.name: p for p in tpl.params}
    values: dict[str, Any] = {}
    for item in params:
        key, raw = _split_param(item, tpl)
        values[key] = coerce(declared[key], raw)
    if "asOf" in declared and "asOf" not in values:
        values["asOf"] = date.today().isoformat()
    if "mode" in declared and "mode" not in values:
        values["mode"] = "possible"
    if tpl.mode != "read" and not write:
        raise TemplateError(
            f"template {name} is a {tpl.mode} template (it changes the database): add --write to run it. "
            "Nothing was run."
        )
    tpl.check_params(values)
    if "mode" in declared:
        check_mode(str(values["mode"]))
    with _reader(settings, registry) as reader:
        for key in ORG_PARAMS:
            if key in declared and key in values:
                reader.known(str(values[key]))  # NotFoundError (exit 2) naming lookup when unknown
        columns, rows = reader.run_keys(name, values, allow_write=write, limit=limit)
    fmt = resolve_format(fmt)
    if fmt in PICTURE_FORMATS:
        click.echo(render_picture(from_rows(rows, title=name), fmt), nl=False)
    else:
        render_rows(rows, fmt, columns=columns)
