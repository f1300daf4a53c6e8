"""`resolver lineage`: what became of an organisation (SUCCEEDED_BY forward), or what it absorbed (--back)."""

from __future__ import annotations

import calendar
from collections.abc import Mapping
from typing import Any

import click

from resolver.cli.base import cli, format_option, neo4j_options
from resolver.cli.lookup import _reader
from resolver.render import render_rows
from resolver.settings import Neo4jSettings


def date_label(row: Mapping[str, Any]) -> str:
    """A succession's day as people read it: '2021-10-01', '2019-05', 'on or before 2021-08-11',
    'between 2021-08-12 and 2021-10-06', or 'date unknown'.

    >>> from datetime import date
    >>> date_label({"validFrom": date(2019, 5, 1), "validFromLatest": date(2019, 5, 31)})
    '2019-05'
    >>> date_label({"validFrom": None, "validFromLatest": date(2021, 8, 11)})
    'on or before 2021-08-11'
    """
    first, last = row.get("validFrom"), row.get("validFromLatest")
    if first is None and last is None:
        return "date unknown"
    if first is None:
        return f"on or before {last}"
    if last is None or first == last:
        return str(first.isoformat())
    month_end = calendar.monthrange(last.year, last.month)[1]
    if first.day == 1 and (last.year, last.month, last.day) == (first.year, first.month, month_end):
        return f"{first.year:04d}-{first.month:02d}"
    if (first.month, first.day, last.month, last.day) == (1, 1, 12, 31) and first.year == last.year:
        return f"{first.year:04d}"
    return f"between {first} and {last}"


@cli.command()
@click.argument("name_or_id")
@click.option("--back", is_flag=True, help="What it absorbed (its predecessors, theirs...) instead.")
@format_option()
@neo4j_options
def lineage(name_or_id: str, back: bool, fmt: str, settings: Neo4jSettings) -> None:
    """What became of an organisation: the bodies that succeeded it (SUCCEEDED_BY),
    transitively, with the date of each step; with --back, what it absorbed and when.

    NAME_OR_ID is an organisation id, an identifier (govuk:public-health-england,
    ods:5N1) or a name (the best match is used). A succession is not a merge: both
    organisations stay, with their own histories. One row per step: depth (1 = direct),
    from, to, date (as precise as the source: a day, a month, "on or before ..."),
    source and notes.

    \b
    Example:
      resolver lineage "Public Health England"
      resolver lineage govuk:nhs-england --back --format json
    """
    with _reader(settings) as reader:
        root = reader.resolve_ref(name_or_id)
        name = "lineage.predecessors" if back else "lineage.successors"
        found = reader.rows(name, {"orgId": root.id})
    rows = []
    for r in found:
        before = (r["id"], r["name"]) if back else (r["fromId"], r["fromName"])
        after = (r["intoId"], r["intoName"]) if back else (r["id"], r["name"])
        rows.append(
            {
                "depth": r["depth"],
                "from": before[1],
                "fromId": before[0],
                "to": after[1],
                "toId": after[0],
                "date": date_label(r),
                "validFrom": r["validFrom"],
                "validFromLatest": r["validFromLatest"],
                "source": r["source"],
                "notes": r["notes"],
            }
        )
    if not rows and fmt == "table":
        what = "predecessors" if back else "successors"
        click.echo(f"{root.name} ({root.id}) has no recorded {what}", err=True)
        return
    # a table for people: the readable columns (json, ndjson and csv keep every field)
    shown = ["depth", "from", "to", "date", "source", "toId"] if fmt == "table" else None
    render_rows(rows, fmt, columns=shown or (list(rows[0]) if rows else None))
