"""`resolver cluster`, `resolver eval`, `resolver explain`: the resolution engine without a database.

Input files are CSV or TSV with a header row or JSON lines (one object per line), optionally gzipped,
or "-" for stdin, read by the same readers as ``ingest`` (``resolver.sources.table``). A row whose name
is empty, whitespace, longer than MAX_INPUT_CHARS, normalises to nothing, is not valid UTF-8 or has the
wrong number of fields is reported on stderr with its line and left out of the resolution: `cluster`
still writes it, in input order, with an empty cluster_id and canonical_name, and exits 1 (finished
with rejected rows). Control characters inside a name are removed for matching (normalise drops
them) and the lines holding them are listed on stderr.
"""

from __future__ import annotations

import csv
import re
import sys
from collections.abc import Callable
from contextlib import AbstractContextManager, nullcontext
from dataclasses import replace
from typing import IO, Any

import click
from rich.console import Console
from rich.progress import Progress

from resolver.errors import SourceError
from resolver.evalsets import DATA_ENV, DEFAULT_DATA_DIR, SETS, data_dir, load_set
from resolver.evaluate import Evaluation, NameOverlap, evaluate, name_overlap
from resolver.evidence import Parent
from resolver.explain import explain_in
from resolver.judgements import links_for_records
from resolver.judgements import read_file as read_judgements
from resolver.model import EntityRecord
from resolver.normalise import MAX_INPUT_CHARS, normalise
from resolver.pipeline import Resolution, explain, resolve
from resolver.render import render_document, render_rows
from resolver.settings import MatchSettings, Neo4jSettings
from resolver.sources.rows import Row
from resolver.sources.table import read_table
from resolver.sweep import DEFAULT_THRESHOLDS, plot_sweep, plot_waterfall
from resolver.sweep import sweep as sweep_thresholds

from .base import cli, format_option

LARGE_INPUT = 50_000  # rows from which a progress bar is shown even when stderr is not a terminal
_CONTROL_RE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


def name_problem(name: str) -> str | None:
    """Why a name cannot be resolved, or None when it can."""
    if not name.strip():
        return "empty name"
    if len(name) > MAX_INPUT_CHARS:
        return f"name longer than {MAX_INPUT_CHARS} characters ({len(name)})"
    if not normalise(name):
        return "name has no letters or digits"
    return None


def _records(
    rows: list[Row], columns: list[str], name_column: str, path: str, scope_column: str | None = None
) -> tuple[list[EntityRecord], int]:
    """Valid rows as EntityRecords keyed by row position, and the number of rejected rows (on stderr)."""
    if name_column not in columns:
        raise SourceError(
            f"no column {name_column!r}; found {', '.join(columns) or 'none'} (use --name-column)",
            path=path,
        )
    if scope_column is not None and scope_column not in columns:
        raise SourceError(
            f"no column {scope_column!r}; found {', '.join(columns)} (use --scope-column)", path=path
        )
    records = []
    rejects = 0
    controls: list[int] = []
    for position, row in enumerate(rows):
        problem = row.error or name_problem(row.values.get(name_column, ""))
        if problem:
            rejects += 1
            click.echo(f"{path}:{row.line}: rejected: {problem}", err=True)
            continue
        name = row.values[name_column]
        if _CONTROL_RE.search(name):
            controls.append(row.line)
        scope = row.values.get(scope_column) or None if scope_column is not None else None
        records.append(EntityRecord(key=str(position), name=name, scope=scope))
    if controls:
        click.echo(
            f"{path}: {len(controls)} names had control characters, removed for matching "
            f"(lines {', '.join(map(str, controls[:5]))}{', ...' if len(controls) > 5 else ''})",
            err=True,
        )
    return records, rejects


def _existing_ids(path: str, name_column: str) -> dict[str, str]:
    """name -> cluster_id from an earlier `cluster` output; names given two ids there are left out."""
    columns, rows = read_table(path)
    missing = [c for c in (name_column, "cluster_id") if c not in columns]
    if missing:
        raise SourceError(f"no column {', '.join(map(repr, missing))}; found {', '.join(columns)}", path=path)
    ids: dict[str, set[str]] = {}
    for row in rows:
        name, org = row.values.get(name_column, ""), row.values.get("cluster_id", "")
        if not row.error and name and org:
            ids.setdefault(name, set()).add(org)
    ambiguous = sum(1 for v in ids.values() if len(v) > 1)
    if ambiguous:
        click.echo(f"{path}: {ambiguous} names carry several cluster ids there; they get new ones", err=True)
    return {name: next(iter(v)) for name, v in ids.items() if len(v) == 1}


def _resolve_with_progress(
    records: list[EntityRecord],
    settings: MatchSettings,
    must_link: list[tuple[str, str]] | None = None,
    cannot_link: list[tuple[str, str]] | None = None,
) -> Resolution:
    show = sys.stderr.isatty() or len(records) >= LARGE_INPUT
    bar: AbstractContextManager[Any] = (
        Progress(console=Console(stderr=True), transient=True) if show else nullcontext()
    )
    with bar as progress:
        advance: Callable[[int], None] | None = None
        if progress is not None:
            task = progress.add_task("resolving", total=len(records))

            def advance(k: int) -> None:
                progress.advance(task, k)

        return resolve(
            records,
            settings=settings,
            progress=advance,
            must_link=must_link or (),
            cannot_link=cannot_link or (),
        )


def _settings(threshold: float | None) -> MatchSettings:
    return MatchSettings() if threshold is None else MatchSettings(threshold=threshold)


threshold_option = click.option(
    "--threshold",
    type=float,
    envvar="RESOLVER_MATCH_THRESHOLD",
    help="Score in (0, 1] from which two names are the same [env RESOLVER_MATCH_THRESHOLD; default 0.88].",
)
name_option = click.option(
    "--name-column", default="name", show_default=True, help="Column (or JSON key) holding the names."
)
scope_option = click.option(
    "--scope-column",
    help="Column holding each name's scope (a country, a register): names of two scopes never merge.",
)


@cli.command("cluster")
@click.argument("input_path", metavar="INPUT", type=click.Path(dir_okay=False, allow_dash=True))
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, allow_dash=True),
    default="-",
    help="CSV to write [stdout].",
)
@name_option
@scope_option
@click.option(
    "--ids",
    "ids_path",
    type=click.Path(dir_okay=False),
    help="An earlier output of this command: a name found there keeps its cluster_id.",
)
@click.option(
    "--judgements",
    "judgements_path",
    type=click.Path(dir_okay=False),
    help="Judgements (CSV / JSON lines: left, right, verdict): same links the names, different keeps "
    "them apart (exact names; 'org' references are --ids cluster ids).",
)
@threshold_option
def cluster_command(
    input_path: str,
    output: str,
    name_column: str,
    scope_column: str | None,
    ids_path: str | None,
    judgements_path: str | None,
    threshold: float | None,
) -> None:
    """Resolve the names in INPUT into organisations; write every row plus cluster_id, canonical_name.

    INPUT is CSV with a header row or JSON lines (".gz" is read too; "-" is stdin). Rows come out in
    input order. A row with an unusable name is reported on stderr with its line and written with an
    empty cluster_id; the exit code is then 1. Ids are deterministic (the same input gives the same
    ids); with --ids, names already clustered keep their ids and two of those ids never merge.

    \b
    Example:
      resolver cluster names.csv -o clustered.csv
      resolver cluster orgs.jsonl --name-column org_name --threshold 0.9
      resolver cluster registers.csv --scope-column country
      resolver cluster more-names.csv --ids clustered.csv -o clustered-2.csv
      resolver cluster names.csv --judgements judgements.csv
    """
    settings = _settings(threshold)
    columns, rows = read_table(input_path)
    records, rejects = _records(rows, columns, name_column, input_path, scope_column)
    if ids_path is not None:
        known = _existing_ids(ids_path, name_column)
        records = [replace(r, org_id=known.get(r.name)) for r in records]
    must: list[tuple[str, str]] = []
    cannot: list[tuple[str, str]] = []
    if judgements_path is not None:
        must, cannot = links_for_records(read_judgements(judgements_path), records)
    resolution = _resolve_with_progress(records, settings, must, cannot)
    names = {o.id: o.name for o in resolution.organisations}
    out_columns = [*columns, *(c for c in ("cluster_id", "canonical_name") if c not in columns)]
    sink: IO[str] = sys.stdout if output == "-" else open(output, "w", encoding="utf-8", newline="")  # noqa: SIM115
    try:
        writer = csv.writer(sink, lineterminator="\n")
        writer.writerow(out_columns)
        for position, row in enumerate(rows):
            org = resolution.org_of.get(str(position), "")
            values = row.values | {"cluster_id": org, "canonical_name": names.get(org, "")}
            writer.writerow([values.get(c, "") for c in out_columns])
    except BrokenPipeError:
        sys.stderr.close()
        return
    finally:
        if sink is not sys.stdout:
            sink.close()
    stats = resolution.stats
    click.echo(
        f"{len(rows)} rows, {stats.records} resolved into {len(resolution.organisations)} organisations, "
        f"{rejects} rejected; {stats.comparisons} comparisons",
        err=True,
    )
    if rejects:
        click.get_current_context().exit(1)


@cli.command("eval")
@click.argument(
    "input_path", metavar="[INPUT]", required=False, type=click.Path(dir_okay=False, allow_dash=True)
)
@click.option("--truth-column", help="Column holding the true organisation of each row (with INPUT).")
@name_option
@scope_option
@click.option(
    "--where",
    "filters",
    multiple=True,
    metavar="COL=VALUE",
    help="Keep only rows whose COL equals VALUE (repeatable), e.g. is_identifier_alias=False.",
)
@click.option(
    "--exclude",
    "exclusions",
    multiple=True,
    metavar="COL=VALUE",
    help="Drop rows whose COL equals VALUE (repeatable), e.g. name_types=acronym.",
)
@click.option(
    "--set",
    "set_name",
    type=click.Choice(list(SETS)),
    help="A development set instead of INPUT (read in place from --data).",
)
@click.option(
    "--data",
    "data_path",
    type=click.Path(file_okay=False),
    help=f"Development data directory for --set [env {DATA_ENV}; default {DEFAULT_DATA_DIR}].",
)
@click.option("--sweep", is_flag=True, help="Precision and recall at each threshold (one resolve each).")
@click.option(
    "--thresholds",
    default=",".join(map(str, DEFAULT_THRESHOLDS)),
    show_default=True,
    help="Comma-separated thresholds for --sweep.",
)
@click.option(
    "--plot", "plot_path", type=click.Path(dir_okay=False), help="With --sweep: write a PNG plot here."
)
@click.option("--worst", default=5, show_default=True, help="How many false merges and splits to list.")
@threshold_option
@format_option("table")
def eval_command(
    input_path: str | None,
    truth_column: str | None,
    name_column: str,
    scope_column: str | None,
    filters: tuple[str, ...],
    exclusions: tuple[str, ...],
    set_name: str | None,
    data_path: str | None,
    sweep: bool,
    thresholds: str,
    plot_path: str | None,
    worst: int,
    threshold: float | None,
    fmt: str,
) -> None:
    """Cluster the names in INPUT (or a development --set) and score the result against the truth.

    Prints pairwise precision, recall and F1, B-cubed precision, recall and F1, and the worst false
    merges (one predicted organisation holding several true ones) and false splits. With --sweep, a
    table of precision, recall and F1 per threshold instead (and a PNG with --plot), so you can pick
    your own trade-off.

    \b
    Example:
      resolver eval --set govuk
      resolver eval --set dnb --sweep --plot dnb-sweep.png
      resolver eval ../shared/data/dnb-company-variants/names.csv --truth-column entity
      resolver eval ../shared/data/littlesis-sample/derived_alias_truth.csv \\
          --name-column alias --truth-column littlesis_entity_id --where is_identifier_alias=False
    """
    if set_name is not None:
        if input_path is not None:
            raise click.UsageError("give INPUT or --set, not both")
        try:
            loaded = load_set(set_name, data_dir(data_path))
        except OSError as exc:
            raise SourceError(
                f"cannot read development set {set_name!r}: {exc}; point --data (or {DATA_ENV}) at the "
                "folder holding it",
                path=str(data_dir(data_path)),
            ) from exc
        records = [
            EntityRecord(str(i), n, scope=s)
            for i, (n, s) in enumerate(zip(loaded.names, loaded.scopes, strict=True))
        ]
        truth = list(loaded.truth)
    else:
        if input_path is None or truth_column is None:
            raise click.UsageError("give INPUT with --truth-column, or --set NAME")
        records, truth = _file_records(
            input_path, truth_column, name_column, scope_column, filters, exclusions
        )
    keys = [r.key for r in records]
    names = [r.name for r in records]
    if sweep:
        try:
            grid = [float(t) for t in thresholds.split(",") if t.strip()]
        except ValueError as exc:
            raise click.BadParameter(f"{thresholds!r}: expected numbers like 0.8,0.85,0.9") from exc
        for t in grid:
            _settings(t)  # validates each threshold with the usual message

        def run(t: float) -> list[str]:
            res = resolve(records, settings=_settings(t))
            return [res.org_of[k] for k in keys]

        rows = sweep_thresholds(names, truth, grid, run)
        table = [
            {
                "threshold": r.threshold,
                "precision": r.pairwise.precision,
                "recall": r.pairwise.recall,
                "f1": r.pairwise.f1,
                "bcubed_f1": r.bcubed.f1,
                "clusters": r.clusters,
            }
            for r in rows
        ]
        render_rows(table, fmt, title="Threshold sweep")
        if plot_path is not None:
            plot_sweep(rows, plot_path, title=f"resolver eval --sweep: {set_name or input_path}")
            click.echo(f"plot written to {plot_path}", err=True)
        return
    if plot_path is not None:
        raise click.UsageError("--plot needs --sweep")
    resolution = _resolve_with_progress(records, _settings(threshold))
    result = evaluate(names, [resolution.org_of[k] for k in keys], truth, worst=worst)
    _render_evaluation(result, name_overlap(names, truth), resolution, fmt)


def _file_records(
    input_path: str,
    truth_column: str,
    name_column: str,
    scope_column: str | None,
    filters: tuple[str, ...],
    exclusions: tuple[str, ...],
) -> tuple[list[EntityRecord], list[str]]:
    """The usable records of INPUT after the filters, and the truth label of each."""
    columns, rows = read_table(input_path)
    if truth_column not in columns:
        raise SourceError(f"no column {truth_column!r}; found {', '.join(columns)}", path=input_path)
    for keep, given in ((True, filters), (False, exclusions)):
        for f in given:
            column, sep, value = f.partition("=")
            if not sep or column not in columns:
                raise click.BadParameter(f"{f!r}: expected COL=VALUE with COL one of {', '.join(columns)}")
            rows = [r for r in rows if (r.values.get(column) == value) == keep]
    records, _ = _records(rows, columns, name_column, input_path, scope_column)
    return records, [rows[int(r.key)].values[truth_column] for r in records]


def _render_evaluation(result: Evaluation, overlap: NameOverlap, resolution: Resolution, fmt: str) -> None:
    share = (lambda x: round(x / overlap.true_pairs, 6)) if overlap.true_pairs else (lambda x: 0.0)
    summary = {
        "items": result.items,
        "true_clusters": result.true_clusters,
        "predicted_clusters": result.predicted_clusters,
        "pairwise_precision": result.pairwise.precision,
        "pairwise_recall": result.pairwise.recall,
        "pairwise_f1": result.pairwise.f1,
        "bcubed_precision": result.bcubed.precision,
        "bcubed_recall": result.bcubed.recall,
        "bcubed_f1": result.bcubed.f1,
        "comparisons": resolution.stats.comparisons,
        # How far names alone can go (see resolver.evaluate.NameOverlap):
        "true_pairs": result.true_pairs,
        "true_pairs_identical_names": share(overlap.identical),
        "true_pairs_sharing_a_word": share(overlap.shared_word),
        "true_pairs_acronym_only": share(overlap.acronym),
        "true_pairs_sharing_no_word": share(overlap.no_shared_word),
        "name_only_recall_ceiling": overlap.ceiling,
        "false_pairs_identical_names": overlap.identical_false_pairs,
        "ambiguous_acronyms": resolution.stats.ambiguous_acronyms,
    }
    if fmt != "table":
        errors = {
            "false_merges": [{"pairs": e.pairs, "groups": e.groups} for e in result.false_merges],
            "false_splits": [{"pairs": e.pairs, "groups": e.groups} for e in result.false_splits],
        }
        render_document(summary | errors)
        return
    render_rows([{"metric": k, "value": v} for k, v in summary.items()], "table", title="Evaluation")
    click.echo(
        f"Names alone: {share(overlap.no_shared_word):.1%} of the true pairs share no word (not even but "
        "for a typo) and neither is the other's acronym (translations, former or brand names, mangled "
        f"beyond a typo), so pairwise recall from names is at "
        f"most {overlap.ceiling:.3f}; {overlap.identical_false_pairs} pairs of different organisations have "
        "identical normalised names."
    )
    for title, groups in (
        ("Worst false merges", result.false_merges),
        ("Worst false splits", result.false_splits),
    ):
        rows = [
            {"pairs": e.pairs, "names": " | ".join("; ".join(g[:4]) for g in e.groups[:4])} for e in groups
        ]
        render_rows(rows, "table", columns=["pairs", "names"], title=title)


@cli.command("explain")
@click.argument("name_a")
@click.argument("name_b")
@click.option(
    "--in",
    "input_path",
    type=click.Path(dir_okay=False, allow_dash=True),
    help="Decide inside this input (CSV or JSON lines): show the chain of links or the rule that kept "
    "the names apart.",
)
@click.option(
    "--plot",
    "plot_path",
    type=click.Path(dir_okay=False, writable=True),
    help="Also write the two waterfalls (score steps, feature log-odds) as a PNG.",
)
@click.option(
    "--parent-a",
    "parents_a",
    multiple=True,
    help="A parent of NAME_A (repeatable): weigh the graph evidence ingest would (a shared parent "
    "confirms a borderline pair; different parents count against it).",
)
@click.option("--parent-b", "parents_b", multiple=True, help="A parent of NAME_B (repeatable).")
@click.option(
    "--graph",
    "from_graph",
    is_flag=True,
    help="Also read each name's parents from the graph (the organisation the exact name denotes, every "
    "PARENT_OF spell; the server of NEO4J_URI, NEO4J_PASSWORD, ...).",
)
@name_option
@threshold_option
@format_option("table")
def explain_command(
    name_a: str,
    name_b: str,
    input_path: str | None,
    plot_path: str | None,
    parents_a: tuple[str, ...],
    parents_b: tuple[str, ...],
    from_graph: bool,
    name_column: str,
    threshold: float | None,
    fmt: str,
) -> None:
    """Show how two names normalise, their features, a waterfall of the score, and the decision.

    On their own, the decision is what `cluster` does with a file of just these two names. With --in,
    the names are resolved inside that file (added when absent), and explain shows the chain of links
    that put them in one organisation, or the rule that kept them apart (an ambiguous acronym, a
    cannot-link, the chaining guard, or a score below the threshold). With --parent-a/--parent-b,
    the graph evidence ingest weighs is shown as one more waterfall step ("graph: same parent ...")
    and decides when it moves the bar past the score; --graph reads the parents from the server.

    \b
    Example:
      resolver explain "NHS" "National Health Service (NHS)"
      resolver explain "Rail Accident Investigation Branch" "Rail Accidents Investigation" \\
          --parent-a "Department for Transport" --parent-b "Department for Transport"
      resolver explain "Office of Rail and Road" "Office for Rail and Roads" --graph
      resolver explain "Schumm PLC" "SchummPLC" --format json
      resolver explain "NHS" "The N.H.S." --in names.csv
      resolver explain "DFAT - Passport Office" "Australian Passport Office" --plot why.png
    """
    settings = _settings(threshold)
    graph_a: list[str | Parent] = list(parents_a)
    graph_b: list[str | Parent] = list(parents_b)
    held: dict[str, str] = {}
    if from_graph:
        from resolver.graph.context import parents_of_names

        found = parents_of_names([name_a, name_b], Neo4jSettings.from_env())
        for name, into in ((name_a, graph_a), (name_b, graph_b)):
            held[name] = "; ".join(sorted({org for org, _ in found[name]})) or "not a name the graph holds"
            into.extend(p for _, p in found[name] if p is not None)
    ex = explain(name_a, name_b, settings, graph_a, graph_b)
    if plot_path is not None:
        plot_waterfall(ex.waterfall, ex.log_odds, plot_path, title=f"{name_a!r} vs {name_b!r}: {ex.decision}")
        click.echo(f"plot written to {plot_path}", err=True)
    fields = ("display", "key", "tokens", "acronym", "legal_form", "qualifier", "tag")
    rows: list[dict[str, Any]] = [
        {"item": f, "left": getattr(ex.left, f), "right": getattr(ex.right, f)} for f in fields
    ]
    rows += [{"item": f"feature {name}", "left": value, "right": ""} for name, value in ex.pair.features]
    rows += [
        {
            "item": "waterfall",
            "left": "=" if step == "score" else f"{change:+.3f}",
            "right": f"{step} -> {running:.3f}",
        }
        for step, change, running in ex.waterfall
    ]
    rows += [
        {"item": f"log-odds {name}", "left": f"{value:+.3f}", "right": ""}
        for name, value in ex.log_odds
        if abs(value) >= 0.005
    ]
    rows += [
        {"item": "match probability", "left": ex.probability, "right": "fitted on the development sets"},
        {"item": "score", "left": ex.pair.score, "right": f"threshold {ex.threshold}"},
        {"item": "acronym", "left": ex.acronym or "", "right": ""},
    ]
    rows += [{"item": "in the graph", "left": name, "right": orgs} for name, orgs in held.items()]
    if ex.graph is not None:
        rows.append({"item": "graph evidence", "left": ex.graph.kind or "none", "right": ex.graph.line()})
    rows.append({"item": "decision", "left": ex.decision, "right": f"{ex.rule}: {ex.reason}"})
    if input_path is not None:
        columns, file_rows = read_table(input_path)
        records, _ = _records(file_rows, columns, name_column, input_path)
        inside = explain_in(name_a, name_b, records, settings=settings)
        rows.append(
            {
                "item": f"in {input_path}",
                "left": "same" if inside.together else "different",
                "right": "joined by the chain below" if inside.together else "; ".join(inside.apart_because),
            }
        )
        rows += [
            {
                "item": f"link {k}",
                "left": f"{link.method} {link.score:.3f}",
                "right": f"{link.left} ~ {link.right}",
            }
            for k, link in enumerate(inside.chain, start=1)
        ]
    if fmt == "table":
        render_rows(rows, "table", columns=["item", "left", "right"], title="explain")
    else:
        render_rows(rows, fmt, columns=["item", "left", "right"])
