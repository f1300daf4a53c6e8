"""Acceptance of `resolver match` on the GOV.UK organisations (../shared/data, read in place).

The graph is loaded once for the module through the ingest API (tests/integration/govuk.py); the messy
list is generated from the real titles with a fixed seed. The figure is printed (pytest -s shows it).
"""

from __future__ import annotations

import csv
import io
import json
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import neo4j
import pytest
from click.testing import CliRunner

from resolver.cli import cli
from resolver.graph.templates import TemplateRegistry
from resolver.settings import Neo4jSettings
from tests.integration import govuk


@pytest.fixture(scope="module")
def gov(
    session_driver: neo4j.Driver,
    neo4j_settings: Neo4jSettings,
    registry: TemplateRegistry,
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[dict[str, govuk.GovOrg]]:
    with session_driver.session(database=neo4j_settings.database) as session:
        session.run(registry["admin.delete_all"].query()).consume()
    yield govuk.load(session_driver, tmp_path_factory.mktemp("govuk"))


@pytest.fixture()
def slug_of(gov: dict[str, govuk.GovOrg], session_driver: neo4j.Driver) -> dict[str, str]:
    """Organisation id -> GOV.UK slug, from the identifiers ingest wrote."""
    records, _, _ = session_driver.execute_query(
        "MATCH (i:Identifier {scheme: 'govuk'})-[:IDENTIFIES]->(o:Organisation) "
        "RETURN o.id AS id, i.value AS slug"
    )
    return {r["id"]: r["slug"] for r in records}


def run_match(args: list[str], env: Neo4jSettings) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, ["match", *args], env=env.environment())
    if result.exception and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result.exit_code, result.stdout, result.stderr


def test_messy_govuk_list_is_matched(
    gov: dict[str, govuk.GovOrg], slug_of: dict[str, str], neo4j_settings: Neo4jSettings, tmp_path: Path
) -> None:
    mentions = govuk.messy_list(gov)
    path = tmp_path / "messy.csv"
    with path.open("w", encoding="utf-8", newline="") as f:
        w = csv.writer(f)
        w.writerow(["supplier", "kind", "amount"])
        for k, m in enumerate(mentions):
            w.writerow([m.text, m.kind, k])
    code, out, err = run_match([str(path), "--name-column", "supplier"], neo4j_settings)
    assert code == 0, err
    rows = list(csv.DictReader(io.StringIO(out)))
    assert [r["amount"] for r in rows] == [str(k) for k in range(len(mentions))]  # input order, columns kept
    right: Counter[str] = Counter()
    total: Counter[str] = Counter()
    wrong = []
    for m, r in zip(mentions, rows, strict=True):
        assert 0.0 <= float(r["match_score"]) <= 1.0
        assert r["match_decision"] in ("matched", "ambiguous", "none")
        total[m.kind] += 1
        if m.slug is None:
            ok = r["match_decision"] == "none" and r["match_id"] == ""
        else:
            ok = r["match_decision"] == "matched" and slug_of.get(r["match_id"]) == m.slug
        right[m.kind] += ok
        if not ok:
            wrong.append((m.kind, m.text, r["match_name"], r["match_score"], r["match_decision"]))
    present = sum(total[k] for k in total if k != "absent")
    share = sum(right[k] for k in right if k != "absent") / present
    print(
        f"\nGOV.UK messy list: {share:.1%} of {present} messy spellings assigned correctly; "
        f"{right['absent']}/{total['absent']} absent names 'none'"
    )
    for kind in total:
        print(f"  {kind:26} {right[kind]}/{total[kind]}")
    for item in wrong:
        print("  wrong:", item)
    assert share >= 0.95
    assert right["absent"] == total["absent"]
    assert present >= 500


def test_identifier_column_wins_and_rollup_names_the_department(
    gov: dict[str, govuk.GovOrg], slug_of: dict[str, str], neo4j_settings: Neo4jSettings, tmp_path: Path
) -> None:
    path = tmp_path / "payments.jsonl"
    rows = [
        {"name": "Active Travel England", "code": "", "paid": "2025-01-31"},
        {"name": "something unrecognisable", "code": "govuk:home-office", "paid": ""},
        {"name": "DfT - Active Travel England", "code": "", "paid": "not a day"},
    ]
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    code, out, err = run_match(
        [
            str(path),
            "--id-column",
            "code",
            "--rollup",
            "ultimate",
            "--as-of",
            "2024-06-01",
            "--as-of-column",
            "paid",
            "--top",
            "3",
        ],
        neo4j_settings,
    )
    assert code == 1, err  # the row with an unusable day is reported, and written without a rollup
    assert ":3: paid: 'not a day' is not a date" in err
    got = [json.loads(line) for line in out.splitlines()]
    assert len(got) == 3
    ate, home, bad_day = got
    assert bad_day["match_id"] == ate["match_id"] and bad_day["rollup_as_of"] == bad_day["ultimate_id"] == ""
    assert slug_of[ate["match_id"]] == "active-travel-england"
    assert ate["rollup_as_of"] == "2025-01-31"
    assert slug_of[ate["ultimate_id"]] == "department-for-transport"
    assert slug_of[ate["parent_id"]] == "department-for-transport"
    assert isinstance(ate["match_candidates"], list) and ate["match_candidates"][0]["score"] == 1.0
    assert slug_of[home["match_id"]] == "home-office"
    assert home["match_method"] == "identifier"
    assert home["rollup_as_of"] == "2024-06-01"
    assert home["ultimate_id"] == home["match_id"]  # a ministerial department is its own top
