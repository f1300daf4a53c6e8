"""People in the loop: `judge`, `merge`, `unmerge`, `split`, `review` and `judgements export|import`."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from typing import Any

import click
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from resolver import curate
from resolver.cli.base import cli, format_option, neo4j_options
from resolver.errors import ConfigError, SourceError
from resolver.graph.connection import connect
from resolver.graph.curator import Curator
from resolver.graph.templates import TemplateRegistry
from resolver.graph.writer import GraphWriter
from resolver.judgements import VERDICTS, Judgement, Verdict, parse, to_csv, to_json_lines
from resolver.render import render_rows
from resolver.settings import MatchSettings, Neo4jSettings

BY_HELP = "Who decides [default: RESOLVER_REVIEWER, else the OS user]."


@contextmanager
def _curator(settings: Neo4jSettings) -> Iterator[Curator]:
    with connect(settings) as driver:
        yield Curator(driver, TemplateRegistry(), database=settings.database)


def _report(outcome: curate.Outcome) -> None:
    if outcome.replaced:
        click.echo(f"replaced the earlier verdict: {outcome.replaced}")
    for line in outcome.actions:
        click.echo(line)
    for line in outcome.refused:
        click.echo(line, err=True)


@cli.command("judge")
@click.argument("a")
@click.argument("b")
@click.argument("verdict", type=click.Choice(VERDICTS))
@click.option("--note", help="Why (kept with the judgement).")
@click.option("--by", help=BY_HELP)
@click.option(
    "--record-only", is_flag=True, help="Only record the judgement; do not merge or separate anything now."
)
@neo4j_options
def judge_command(
    a: str,
    b: str,
    verdict: Verdict,
    note: str | None,
    by: str | None,
    record_only: bool,
    settings: Neo4jSettings,
) -> None:
    """Record that A and B are the same organisation, different ones, or that you are unsure.

    A and B are organisation ids (merged ids followed), identifiers (scheme:value)
    or exact names. Every later ingest and cluster run honours the judgement:
    same is a must-link, different a cannot-link. The graph is made to agree now:
    same merges B's organisation into A's; different unmerges an id merged into
    the other, or splits the name B out of the organisation A and B share.
    One judgement per pair: judging again replaces it (the old one stays in history).

    \b
    Example:
      resolver judge "Herefordshire Council" "Hertfordshire County Council" different
      resolver judge org-1a2b3c4d5e6f7a8b govuk:D18 same --note "one ministry, two id schemes"
    """
    with _curator(settings) as curator:
        outcome = curate.judge(
            curator, a, b, verdict, by=by or curate.default_reviewer(), note=note, apply=not record_only
        )
    _report(outcome)


@cli.command("merge")
@click.argument("keep")
@click.argument("others", nargs=-1, required=True)
@click.option("--reason", help="Why (kept on the MERGED_INTO edge).")
@click.option("--by", help=BY_HELP)
@neo4j_options
def merge_command(
    keep: str, others: tuple[str, ...], reason: str | None, by: str | None, settings: Neo4jSettings
) -> None:
    """Merge the organisations OTHERS into KEEP (ids, identifiers or exact names).

    Writes (other)-[:MERGED_INTO {at, by, reason}]->(keep). Each other id keeps
    resolving to KEEP in lookup, tree and every template; its aliases and
    identifiers stay on it (reads follow the redirect) and its PARENT_OF spells
    move to KEEP, remembering where they began, so `resolver unmerge` restores
    the graph exactly. Refused for a parent and its own child.

    \b
    Example:
      resolver merge org-1a2b3c4d5e6f7a8b org-9f8e7d6c5b4a3928 --reason "same ministry"
      resolver merge govuk:ministry-of-justice govuk:D18
    """
    with _curator(settings) as curator:
        outcome = curate.merge(curator, keep, others, by=by or curate.default_reviewer(), reason=reason)
    _report(outcome)
    if outcome.refused:
        sys.exit(1)


@cli.command("unmerge")
@click.argument("merged_id")
@click.option("--note", help="Why (kept with the 'different' judgement).")
@click.option("--by", help=BY_HELP)
@click.option("--no-judgement", is_flag=True, help="Do not record the 'different' judgement.")
@neo4j_options
def unmerge_command(
    merged_id: str, note: str | None, by: str | None, no_judgement: bool, settings: Neo4jSettings
) -> None:
    """Undo the merge of MERGED_ID: it is an organisation of its own again.

    Its PARENT_OF spells (and those of ids merged into it) move back to it. A
    'different' judgement between it and the organisation it was merged into is
    recorded (unless --no-judgement), so no later ingest folds them together again.

    \b
    Example:
      resolver unmerge org-9f8e7d6c5b4a3928 --note "two different councils"
    """
    with _curator(settings) as curator:
        outcome = curate.unmerge(
            curator, merged_id, by=by or curate.default_reviewer(), note=note, judgement=not no_judgement
        )
    _report(outcome)


@cli.command("split")
@click.argument("org")
@click.option("--alias", "aliases", multiple=True, required=True, help="An exact name to take out. Repeat.")
@click.option("--identifier", "identifiers", multiple=True, help="An identifier key to take out. Repeat.")
@click.option("--by", help=BY_HELP)
@neo4j_options
def split_command(
    org: str, aliases: tuple[str, ...], identifiers: tuple[str, ...], by: str | None, settings: Neo4jSettings
) -> None:
    """Take names (and identifiers) out of ORG into a new organisation.

    The first --alias names the new organisation. A 'different' judgement is
    recorded for each name, so no later ingest puts it back; the next ingest of
    the claims that use the names moves their PARENT_OF spells to the new one.
    To undo a merge, use `resolver unmerge`.

    \b
    Example:
      resolver split "Herefordshire Council" --alias "Hertfordshire County Council"
    """
    with _curator(settings) as curator:
        outcome = curate.split(curator, org, aliases, identifiers, by=by or curate.default_reviewer())
    _report(outcome)


REVIEW_COLUMNS = ["left", "leftName", "right", "rightName", "reason", "score", "decision", "verdict", "note"]


@cli.command("review")
@click.option("--limit", default=50, show_default=True, type=click.IntRange(1, 100_000), help="Most pairs.")
@click.option(
    "--band",
    default=0.05,
    show_default=True,
    type=click.FloatRange(0, 1),
    help="Also list name pairs scoring within this distance of the threshold (0: none).",
)
@click.option(
    "--threshold", type=click.FloatRange(0, 1, min_open=True), help="Match threshold [default 0.88]."
)
@click.option(
    "--chains/--no-chains",
    default=True,
    show_default=True,
    help="Also list names of one organisation that only a chain of other names joined.",
)
@click.option("-i", "--interactive", is_flag=True, help="One pair a screen; keys save judgements as you go.")
@click.option("--by", help=BY_HELP)
@format_option()
@neo4j_options
def review_command(
    limit: int,
    band: float,
    threshold: float | None,
    chains: bool,
    interactive: bool,
    by: str | None,
    fmt: str,
    settings: Neo4jSettings,
) -> None:
    """The review queue: pairs of organisations someone should judge.

    Pairs of organisations sharing one normalised name (quality.duplicate_names),
    clashing identifiers (quality.identifier_conflicts), names scoring just
    below or above the threshold, and names of one organisation the engine would
    not match on their own (joined by a chain: judge them different to split).
    Each with the engine's score, decision and
    features and the graph's evidence (parents, identifiers). Pairs already judged
    are left out, so the queue resumes where you stopped.

    Offline: write CSV or JSON lines, fill the verdict column (same, different,
    unsure) and load it back with `resolver judgements import`. On a terminal,
    --interactive shows one pair a screen: s same, d different, u unsure,
    n skip, q quit; each key is saved at once.

    \b
    Example:
      resolver review --format csv > queue.csv
      resolver judgements import queue.csv
      resolver review --interactive
    """
    match = MatchSettings() if threshold is None else MatchSettings(threshold=threshold)
    if interactive and not (sys.stdin.isatty() and sys.stdout.isatty()):
        raise ConfigError(
            "--interactive needs a terminal; write a file with --format csv and import it instead"
        )
    with connect(settings) as driver:
        registry = TemplateRegistry()
        curator = Curator(driver, registry, database=settings.database)
        writer = GraphWriter(driver, registry, database=settings.database)
        orgs = ((o.id, o.name, o.aliases) for o in writer.organisations()) if band > 0 or chains else iter(())
        rows = curate.review_queue(curator, orgs, match, limit=limit, band=band, chains=chains)
        if interactive:
            _interactive(curator, rows, by or curate.default_reviewer())
            return
    if fmt == "table":
        if not rows:
            click.echo("nothing to review", err=True)
        render_rows(rows, fmt, columns=REVIEW_COLUMNS if rows else None)
    else:
        render_rows(rows, fmt)


KEYS: dict[str, Verdict | None] = {"s": "same", "d": "different", "u": "unsure", "n": None}


def _screen(row: dict[str, Any], position: int, total: int) -> Table:
    table = Table(title=f"pair {position} of {total}: {escape(row['reason'])}", show_header=True)
    table.add_column("")
    table.add_column("left")
    table.add_column("right")
    for label, key in (("id", ""), ("name", "Name"), ("parents", "Parents"), ("identifiers", "Identifiers")):
        left, right = row["left" + key], row["right" + key]
        if isinstance(left, list):
            left, right = "; ".join(left) or "-", "; ".join(right) or "-"
        table.add_row(label, escape(str(left)), escape(str(right)))
    table.caption = escape(f"score {row['score']} ({row['decision']})  {row['features']}")
    return table


def _interactive(curator: Curator, rows: list[dict[str, Any]], by: str) -> None:
    console = Console()
    saved = 0
    for n, row in enumerate(rows, 1):
        console.clear()
        console.print(_screen(row, n, len(rows)))
        click.echo("keys: s same, d different, u unsure, n skip, q quit")
        while True:
            key = click.getchar().lower()[:1]  # a key typed ahead may arrive with its Enter
            if key in KEYS or key == "q":
                break
        if key == "q":
            break
        verdict = KEYS[key]
        if verdict is None:
            continue
        outcome = curate.judge(curator, row["left"], row["right"], verdict, by=by)
        saved += 1
        for line in outcome.actions + outcome.refused:
            click.echo(line)
    click.echo(f"saved {saved} judgement(s); `resolver review --interactive` resumes with the rest")


@cli.group("judgements")
def judgements_group() -> None:
    """Move judgements between databases and review tools (CSV or JSON lines).

    \b
    Example:
      resolver judgements export --format csv > judgements.csv
      resolver judgements import judgements.csv
    """


@judgements_group.command("export")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["csv", "ndjson"]),
    default="csv",
    show_default=True,
    help="File format.",
)
@neo4j_options
def judgements_export(fmt: str, settings: Neo4jSettings) -> None:
    """Every judgement of the graph, oldest first, on stdout.

    Columns: left, leftKind, right, rightKind, verdict, by, at, note, score, features.

    \b
    Example:
      resolver judgements export > judgements.csv
      resolver judgements export --format ndjson | head
    """
    with _curator(settings) as curator:
        found = list(curator.judgements())
    sys.stdout.write(to_csv(found) if fmt == "csv" else to_json_lines(found))


@judgements_group.command("import")
@click.argument("path", type=click.Path(dir_okay=False, allow_dash=True))
@click.option("--record-only", is_flag=True, help="Only record them; do not merge or separate anything now.")
@click.option("--by", help="Who decided, for rows without a 'by' [default: the OS user].")
@neo4j_options
def judgements_import(path: str, record_only: bool, by: str | None, settings: Neo4jSettings) -> None:
    """Load judgements from a CSV or JSON-lines file (an export, or a labelled review file).

    Rows need left, right, verdict; rows with an empty verdict are skipped. A row
    that cannot be read is reported with its line, and the command exits 1. The
    graph is made to agree with each judgement whose references it knows (as
    `resolver judge` does) unless --record-only.

    \b
    Example:
      resolver review --format csv > queue.csv   # fill the verdict column
      resolver judgements import queue.csv
    """
    try:
        text = sys.stdin.read() if path == "-" else open(path, encoding="utf-8-sig").read()  # noqa: SIM115
    except OSError as exc:
        raise SourceError(f"cannot open: {exc.strerror or exc}", path=path) from exc
    good: list[Judgement] = []
    bad = 0
    who = by or curate.default_reviewer()
    for _line, judgement, error in parse(text, path):
        if judgement is None:
            bad += 1
            click.echo(error, err=True)
        else:
            good.append(judgement if judgement.by else replace(judgement, by=who))
    with _curator(settings) as curator:
        outcome = curate.import_judgements(curator, good, apply=not record_only)
    for line in outcome.refused:
        click.echo(line, err=True)
    click.echo(f"imported {len(good)} judgement(s); {bad} row(s) rejected")
    if bad:
        sys.exit(1)
