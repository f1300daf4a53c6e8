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

import httpx
import neo4j
import pytest
from click.testing import CliRunner

from resolver.cli import cli
from resolver.graph.templates import TemplateRegistry
from resolver.settings import Neo4jSettings
from tests.integration import govuk
from tests.integration.service_kit import backend_for, serving, validate


@pytest.fixture(autouse=True)
def private_index_cache(monkeypatch: pytest.MonkeyPatch, tmp_path_factory: pytest.TempPathFactory) -> None:
    """`resolver match` keeps its index cache here, not in the home directory."""
    monkeypatch.setenv("RESOLVER_INDEX_CACHE", str(tmp_path_factory.mktemp("index-cache")))


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


def test_openrefine_session_against_the_service(
    gov: dict[str, govuk.GovOrg], slug_of: dict[str, str], session_driver: neo4j.Driver
) -> None:
    """What OpenRefine does: read the manifest, send the column in batches of 10 queries as the
    `queries` form field, then open the preview of a candidate. Every response is schema-checked."""
    mentions = govuk.messy_list(gov, seed=29, per_kind=15)
    with serving(backend_for(session_driver)) as base, httpx.Client(base_url=base, timeout=60) as http:
        manifest = http.get("/reconcile").json()
        validate("manifest", manifest)
        kind = manifest["defaultTypes"][0]["id"]
        flagged = right = 0
        for start in range(0, len(mentions), 10):
            batch = {
                f"q{k}": {"query": m.text, "type": kind, "type_strict": "should", "limit": 3}
                for k, m in enumerate(mentions[start : start + 10])
            }
            validate("reconciliation-query-batch", batch)
            answer = http.post("/reconcile", data={"queries": json.dumps(batch)})
            assert answer.status_code == 200, answer.text
            validate("reconciliation-result-batch", answer.json())
            for k, m in enumerate(mentions[start : start + 10]):
                result = answer.json()[f"q{k}"]["result"]
                top = result[0] if result else None
                if m.slug is None:
                    right += not (top and top["match"])
                    continue
                flagged += bool(top and top["match"])
                right += bool(top and top["match"] and slug_of[top["id"]] == m.slug)
        assert right / len(mentions) >= 0.95
        assert flagged >= 0.9 * sum(1 for m in mentions if m.slug)
        ate = next(i for i, s in slug_of.items() if s == "active-travel-england")
        preview_url = manifest["preview"]["url"].replace("{{id}}", ate)
        preview = http.get(preview_url.removeprefix(base))
        assert preview.status_code == 200 and "Active Travel England" in preview.text
        assert "Department for Transport" in preview.text  # its parent today
        suggested = http.get("/suggest/entity", params={"prefix": "active trav"}).json()
        validate("suggest-entities-response", suggested)
        assert suggested["result"][0]["id"] == ate
