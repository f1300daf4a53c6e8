"""A small hierarchy with every edge case the read templates must get right, written with plain Cypher.

Known answers (asked about 2019-05-15 unless said otherwise):
- "NHS As A Platform" sits under "NHS, UK Health Agency" from '2019-05-00' (month precision): possibly
  active on 2019-05-15, not certainly; certainly active from 2019-06-01.
- NHSX sits under the NHS from '2019-00-00' (year precision) and ended at an unknown date (isCurrent false):
  possibly but never certainly active after its start year.
- NHS Digital has two spells under DHSC with a gap in 2016.
- org-nhs-old MERGED_INTO org-nhs; ods:X24 identifies org-nhs.
- cyc-a -> cyc-b -> cyc-c -> cyc-a is a cycle from 2020-01-01; the Joint Unit has two parents from 2020-01-01.
- Bad Child has a certainly bad spell (ends before it starts); Maybe Bad a possibly bad one.
- Lonely Trust is an orphan (no PARENT_OF at all).
"""

from __future__ import annotations

import calendar
from datetime import date
from typing import Any

import neo4j

ORGS: list[tuple[str, str]] = [
    ("org-dhsc", "Department of Health and Social Care"),
    ("org-nhs", "NHS, UK Health Agency"),
    ("org-nhs-old", "National Health Service"),
    ("org-naap", "NHS As A Platform"),
    ("org-nhsx", "NHSX"),
    ("org-ailab", "NHS AI Lab"),
    ("org-nhsd", "NHS Digital"),
    ("org-practice", "Riverside Surgery"),
    ("org-joint", "Joint Unit"),
    ("cyc-a", "Cycle A"),
    ("cyc-b", "Cycle B"),
    ("cyc-c", "Cycle C"),
    ("org-bad", "Bad Child"),
    ("org-maybe", "Maybe Bad"),
    ("org-lonely", "Lonely Trust"),
]
ALIASES: list[tuple[str, str]] = [
    ("NHS", "org-nhs"),
    ("NHS England", "org-nhs"),
    ("Health and Social Care Information Centre", "org-nhsd"),
    ("Old NHS Name", "org-nhs-old"),
]
IDENTIFIERS: list[tuple[str, str]] = [
    ("ods:X24", "org-nhs"),
    ("ods:A81001", "org-practice"),
    ("govuk:department-of-health-and-social-care", "org-dhsc"),
]
MERGES: list[tuple[str, str]] = [("org-nhs-old", "org-nhs")]
# parent, child, start text, end text, isCurrent, claim id
SPELLS: list[tuple[str, str, str | None, str | None, bool | None, str]] = [
    ("org-dhsc", "org-nhs", "2013-04-01", None, True, "c-dhsc-nhs"),
    ("org-nhs", "org-naap", "2019-05-00", None, None, "c-nhs-naap"),
    ("org-nhs", "org-nhsx", "2019-00-00", None, False, "c-nhs-nhsx"),
    ("org-nhsx", "org-ailab", "2019-08-08", None, True, "c-nhsx-ailab"),
    ("org-dhsc", "org-nhsd", "2013-04-01", "2016-03-31", False, "c-dhsc-nhsd-1"),
    ("org-dhsc", "org-nhsd", "2017-01-01", "2023-01-31", False, "c-dhsc-nhsd-2"),
    ("org-nhs", "org-practice", "2015-01-01", "2018-12-31", False, "c-nhs-practice"),
    ("org-dhsc", "org-joint", "2020-01-01", None, True, "c-dhsc-joint"),
    ("org-nhs", "org-joint", "2020-01-01", None, True, "c-nhs-joint"),
    ("cyc-a", "cyc-b", "2020-01-01", None, True, "c-cyc-ab"),
    ("cyc-b", "cyc-c", "2020-01-01", None, True, "c-cyc-bc"),
    ("cyc-c", "cyc-a", "2020-01-01", None, True, "c-cyc-ca"),
    ("org-dhsc", "org-bad", "2020-06-01", "2019-01-01", False, "c-bad"),
    ("org-dhsc", "org-maybe", "2020-00-00", "2020-03-15", False, "c-maybe"),
]


def bound(text: str | None) -> dict[str, Any]:
    """First day, last day and precision of a partial date ('2019-05-00' is May 2019)."""
    if text is None:
        return {"first": None, "last": None, "precision": None, "text": None}
    y, m, d = (int(x) for x in text.split("-"))
    if m == 0:
        return {"first": date(y, 1, 1), "last": date(y, 12, 31), "precision": "year", "text": text}
    if d == 0:
        last = calendar.monthrange(y, m)[1]
        return {"first": date(y, m, 1), "last": date(y, m, last), "precision": "month", "text": text}
    return {"first": date(y, m, d), "last": date(y, m, d), "precision": "day", "text": text}


def spell_rows() -> list[dict[str, Any]]:
    rows = []
    for parent, child, start, end, current, claim in SPELLS:
        s, e = bound(start), bound(end)
        rows.append(
            {
                "parent": parent,
                "child": child,
                "props": {
                    "claimId": claim,
                    "validFrom": s["first"],
                    "validFromLatest": s["last"],
                    "validFromPrecision": s["precision"],
                    "validFromText": s["text"],
                    "validTo": e["first"],
                    "validToLatest": e["last"],
                    "validToPrecision": e["precision"],
                    "validToText": e["text"],
                    "isCurrent": current,
                    "source": "test",
                    "sourceId": claim,
                    "sourceUrls": [f"https://example.org/{claim}"],
                    "notes": "seed",
                    "description": f"{parent} over {child}",
                    "runId": "run-test",
                },
            }
        )
    return rows


def seed_hierarchy(driver: neo4j.Driver, database: str = "neo4j") -> None:
    """Write the seed graph (the database is expected to be empty)."""
    orgs = [{"id": i, "name": n, "normName": n.casefold()} for i, n in ORGS]
    driver.execute_query(
        "UNWIND $rows AS row CREATE (o:Organisation) SET o = row, o.createdAt = datetime(), "
        "o.updatedAt = datetime()",
        rows=orgs,
        database_=database,
    )
    driver.execute_query(
        "UNWIND $rows AS row MATCH (o:Organisation {id: row.org}) "
        "CREATE (:Alias {name: row.name, normName: toLower(row.name)})"
        "-[:ALIAS_OF {score: 1.0, method: 'test', runId: 'run-test'}]->(o)",
        rows=[{"name": n, "org": o} for n, o in ALIASES],
        database_=database,
    )
    driver.execute_query(
        "UNWIND $rows AS row MATCH (o:Organisation {id: row.org}) "
        "CREATE (:Identifier {key: row.key, scheme: split(row.key, ':')[0], value: split(row.key, ':')[1]})"
        "-[:IDENTIFIES]->(o)",
        rows=[{"key": k, "org": o} for k, o in IDENTIFIERS],
        database_=database,
    )
    driver.execute_query(
        "UNWIND $rows AS row MATCH (a:Organisation {id: row.loser}), (b:Organisation {id: row.winner}) "
        "CREATE (a)-[:MERGED_INTO {at: datetime(), runId: 'run-test', reason: 'test'}]->(b)",
        rows=[{"loser": a, "winner": b} for a, b in MERGES],
        database_=database,
    )
    driver.execute_query(
        "UNWIND $rows AS row MATCH (p:Organisation {id: row.parent}), (c:Organisation {id: row.child}) "
        "CREATE (p)-[r:PARENT_OF]->(c) SET r = row.props",
        rows=spell_rows(),
        database_=database,
    )
    # Nodes of the other labels of the graph model, so that EXPLAIN knows every label and property key.
    driver.execute_query(
        "CREATE (:Judgement {key: 'a|b', left: 'a', right: 'b', verdict: 'different', by: 'test', "
        "at: datetime(), note: 'seed'}), "
        "(:IngestRun {id: 'run-test', source: 'seed', sha256: '0', startedAt: datetime(), "
        "finishedAt: datetime(), status: 'done', rowsRead: 0, rowsWritten: 0, rowsRejected: 0})",
        database_=database,
    )


def counts(driver: neo4j.Driver, database: str = "neo4j") -> tuple[int, int]:
    """(nodes, relationships) in the database."""
    rec = driver.execute_query(
        "CALL () { MATCH (n) RETURN count(n) AS nodes } CALL () { MATCH ()-[r]->() RETURN count(r) AS rels } "
        "RETURN nodes, rels",
        database_=database,
    ).records[0]
    return int(rec["nodes"]), int(rec["rels"])
