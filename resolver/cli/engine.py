"""`resolver cluster`, `resolver eval`, `resolver explain`: the resolution engine without a database.

Input files are CSV with a header row or JSON lines (one object per line), optionally gzipped, or "-"
for stdin. A row whose name is empty, whitespace, longer than MAX_INPUT_CHARS, normalises to nothing
or is not valid UTF-8 is reported on stderr with its line and left out of the resolution: `cluster`
still writes it, in input order, with an empty cluster_id and canonical_name, and exits 1 (finished
with rejected rows). Control characters inside a name are removed for matching (normalise drops
them) and the lines holding them are listed on stderr.
"""

from __future__ import annotations

import csv
import gzip
import io
import json
import re
import sys
from collections.abc import Callable
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass, replace
from typing import IO, Any

import click
from rich.console import Console
from rich.progress import Progress

from resolver.errors import SourceError
from resolver.evaluate import Evaluation, NameOverlap, evaluate, name_overlap
from resolver.judgements import links_for_records
from resolver.judgements import read_file as read_judgements
from resolver.model import EntityRecord
from resolver.normalise import MAX_INPUT_CHARS, normalise
from resolver.pipeline import Resolution, explain, resolve
from resolver.render import render_document, render_rows
from resolver.settings import MatchSettings

from .base import cli, format_option

LARGE_INPUT = 50_000  # rows from which a progress bar is shown even when stderr is not a terminal
_CONTROL_RE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
_SURROGATE_RE = re.compile(r"[\udc80-\udcff]")


@dataclass(frozen=True, slots=True)
class Row:
    """One input record: its start line, its values, and why it cannot be read (None when fine)."""

    line: int
    values: dict[str, str]
    error: str | None = None


def _open(path: str) -> IO[bytes]:
    try:
        raw: IO[bytes] = sys.stdin.buffer if path == "-" else open(path, "rb")  # noqa: SIM115
    except OSError as exc:
        raise SourceError(f"cannot open: {exc.strerror or exc}", path=path) from exc
    return gzip.open(raw, "rb") if path.endswith(".gz") else raw  # type: ignore[return-value]


def read_rows(path: str) -> tuple[list[str], list[Row]]:
    """Read a CSV (header row) or JSON-lines file into (columns, rows); unreadable rows carry an error."""
    stream = _open(path)
    try:
        data = stream.read()
    except (OSError, EOFError, gzip.BadGzipFile) as exc:
        raise SourceError(f"cannot read: {exc}", path=path) from exc
    finally:
        if stream is not sys.stdin.buffer:
            stream.close()
    text = data.decode("utf-8", errors="surrogateescape").removeprefix("\ufeff")
    base = path.removesuffix(".gz").lower()
    if base.endswith((".jsonl", ".ndjson", ".json")) or text.lstrip().startswith("{"):
        return _read_json_lines(text, path)
    return _read_csv(text, path)


def _read_csv(text: str, path: str) -> tuple[list[str], list[Row]]:
    csv.field_size_limit(2**31 - 1)  # long fields are rejected per row below, not by the csv module
    lines = io.StringIO(text, newline="")
    reader = csv.reader(lines)
    try:
        header = next(reader)
    except StopIteration:
        raise SourceError("empty file: expected a header row", path=path) from None
    except csv.Error as exc:
        raise SourceError(f"unreadable header: {exc}", path=path, line=1) from exc
    columns = [c.strip() for c in header]
    rows: list[Row] = []
    while True:
        start = reader.line_num + 1
        try:
            fields = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            rows.append(Row(start, dict.fromkeys(columns, ""), f"malformed CSV: {exc}"))
            continue
        if not fields:
            continue
        values = dict(zip(columns, fields + [""] * (len(columns) - len(fields)), strict=False))
        rows.append(_checked_encoding(Row(start, values)))
    return columns, rows


def _read_json_lines(text: str, path: str) -> tuple[list[str], list[Row]]:
    columns: dict[str, None] = {}
    rows: list[Row] = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            obj = json.loads(line, object_pairs_hook=_no_duplicates, parse_constant=_no_constant)
        except ValueError as exc:
            rows.append(Row(number, {}, f"invalid JSON: {exc}"))
            continue
        if not isinstance(obj, dict):
            rows.append(Row(number, {}, "a JSON line must be an object"))
            continue
        columns.update(dict.fromkeys(obj))
        values = {k: v if isinstance(v, str) else json.dumps(v) for k, v in obj.items()}
        rows.append(_checked_encoding(Row(number, values)))
    if not rows:
        raise SourceError("no records found", path=path)
    return list(columns), rows


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    keys = [k for k, _ in pairs]
    if len(set(keys)) != len(keys):
        raise ValueError(f"duplicate keys {sorted({k for k in keys if keys.count(k) > 1})}")
    return dict(pairs)


def _no_constant(name: str) -> None:
    raise ValueError(f"{name} is not a valid JSON value")


def _checked_encoding(row: Row) -> Row:
    if not any(_SURROGATE_RE.search(v) for v in row.values.values()):
        return row
    fixed = {
        k: v.encode("utf-8", "surrogateescape").decode("utf-8", "replace") for k, v in row.values.items()
    }
    return Row(row.line, fixed, "invalid UTF-8 (undecodable bytes replaced by U+FFFD)")


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
    rows: list[Row], columns: list[str], name_column: str, path: str
) -> tuple[list[EntityRecord], int]:
    """Valid rows as EntityRecords keyed by row position, and the number of rejected rows (on stderr)."""
    if name_column not in columns:
        raise SourceError(
            f"no column {name_column!r}; found {', '.join(columns) or 'none'} (use --name-column)",
            path=path,
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
        records.append(EntityRecord(key=str(position), name=name))
    if controls:
        click.echo(
            f"{path}: {len(controls)} names had control characters, removed for matching "
            f"(lines {', '.join(map(str, controls[:5]))}{', ...' if len(controls) > 5 else ''})",
            err=True,
        )
    return records, rejects


def _existing_ids(path: str, name_column: str) -> dict[str, str]:
    """name -> cluster_id from an earlier `cluster` output; names given two ids there are left out."""
    columns, rows = read_rows(path)
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
      resolver cluster more-names.csv --ids clustered.csv -o clustered-2.csv
      resolver cluster names.csv --judgements judgements.csv
    """
    settings = _settings(threshold)
    columns, rows = read_rows(input_path)
    records, rejects = _records(rows, columns, name_column, input_path)
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
@click.argument("input_path", metavar="INPUT", type=click.Path(dir_okay=False, allow_dash=True))
@click.option("--truth-column", required=True, help="Column holding the true organisation of each row.")
@name_option
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
@click.option("--worst", default=5, show_default=True, help="How many false merges and splits to list.")
@threshold_option
@format_option("table")
def eval_command(
    input_path: str,
    truth_column: str,
    name_column: str,
    filters: tuple[str, ...],
    exclusions: tuple[str, ...],
    worst: int,
    threshold: float | None,
    fmt: str,
) -> None:
    """Cluster the names in INPUT and score the result against a truth column.

    Prints pairwise precision, recall and F1, B-cubed precision, recall and F1, and the worst false
    merges (one predicted organisation holding several true ones) and false splits.

    \b
    Example:
      resolver eval ../shared/data/dnb-company-variants/names.csv --truth-column entity
      resolver eval ../shared/data/littlesis-sample/derived_alias_truth.csv \\
          --name-column alias --truth-column littlesis_entity_id --where is_identifier_alias=False
    """
    settings = _settings(threshold)
    columns, rows = read_rows(input_path)
    if truth_column not in columns:
        raise SourceError(f"no column {truth_column!r}; found {', '.join(columns)}", path=input_path)
    for keep, given in ((True, filters), (False, exclusions)):
        for f in given:
            column, sep, value = f.partition("=")
            if not sep or column not in columns:
                raise click.BadParameter(f"{f!r}: expected COL=VALUE with COL one of {', '.join(columns)}")
            rows = [r for r in rows if (r.values.get(column) == value) == keep]
    records, _ = _records(rows, columns, name_column, input_path)
    by_key = {r.key: r for r in records}
    resolution = _resolve_with_progress(records, settings)
    keys = [r.key for r in records]
    names = [by_key[k].name for k in keys]
    truth = [rows[int(k)].values[truth_column] for k in keys]
    result = evaluate(names, [resolution.org_of[k] for k in keys], truth, worst=worst)
    _render_evaluation(result, name_overlap(names, truth), resolution, fmt)


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
@threshold_option
@format_option("table")
def explain_command(name_a: str, name_b: str, threshold: float | None, fmt: str) -> None:
    """Show how two names normalise, their features and score, and the decision.

    \b
    Example:
      resolver explain "NHS" "National Health Service (NHS)"
      resolver explain "Schumm PLC" "SchummPLC" --format json
    """
    ex = explain(name_a, name_b, _settings(threshold))
    fields = ("display", "key", "tokens", "acronym", "legal_form", "qualifier")
    rows: list[dict[str, Any]] = [
        {"item": f, "left": getattr(ex.left, f), "right": getattr(ex.right, f)} for f in fields
    ]
    rows += [{"item": f"feature {name}", "left": value, "right": ""} for name, value in ex.pair.features]
    rows += [
        {"item": "score", "left": ex.pair.score, "right": f"threshold {ex.threshold}"},
        {"item": "acronym", "left": ex.acronym or "", "right": ""},
        {"item": "decision", "left": ex.decision, "right": ex.reason},
    ]
    if fmt == "table":
        render_rows(rows, "table", columns=["item", "left", "right"], title="explain")
    else:
        render_rows(rows, fmt, columns=["item", "left", "right"])
