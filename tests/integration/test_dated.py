"""Dated names and successions against the real server: the GOV.UK hierarchy 2021-2026 with its titles and
successions (the documented commands), the GOV.UK API dump, NHS ODS successions and ROR, each checked
against its file."""

from __future__ import annotations

import csv
import gzip
import json
import os
from collections.abc import Iterator
from datetime import date
from typing import Any

import neo4j
import pytest
from click.testing import CliRunner

from resolver.cli import cli
from resolver.graph.reader import GraphReader
from resolver.graph.templates import TemplateRegistry
from resolver.settings import Neo4jSettings
from resolver.sources.govuk import repair
from tests.conftest import shared_file

GOVUK = "govuk-hierarchy-2021-2026"
GOVUK_FILES = ("parent_of_edges_observed.csv", "superseded_by_edges_observed.csv", "org_titles_observed.csv")


def cli_run(env: dict[str, str], *args: str) -> Any:
    result = CliRunner().invoke(cli, list(args), env=env)
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout) if "--format" in args or "--report" in args else result.stdout


def rows(driver: neo4j.Driver, query: str, **params: Any) -> list[dict[str, Any]]:
    return [r.data() for r in driver.execute_query(query, params).records]


@pytest.fixture(scope="module")
def env(neo4j_settings: Neo4jSettings) -> dict[str, str]:
    return {**os.environ, **neo4j_settings.environment()}


@pytest.fixture(scope="module")
def govuk(
    session_driver: neo4j.Driver,
    registry: TemplateRegistry,
    env: dict[str, str],
    neo4j_settings: Neo4jSettings,
) -> Iterator[dict[str, Any]]:
    """The GOV.UK observed hierarchy, successions and titles, loaded once with the README's command."""
    with session_driver.session(database=neo4j_settings.database) as session:  # auto-commit: IN TRANSACTIONS
        session.run(registry["admin.delete_all"].query()).consume()
    paths = [str(shared_file(f"{GOVUK}/{name}")) for name in GOVUK_FILES]
    yield cli_run(env, "ingest", *paths, "--no-progress", "--report", "json")


def titles_file() -> list[dict[str, str]]:
    with shared_file(f"{GOVUK}/org_titles_observed.csv").open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def slugs_of(driver: neo4j.Driver) -> dict[str, set[str]]:
    found: dict[str, set[str]] = {}
    query = (
        "MATCH (i:Identifier {scheme: 'govuk'})-[:IDENTIFIES]->(o:Organisation) "
        "RETURN o.id AS id, i.value AS v"
    )
    for r in rows(driver, query):
        found.setdefault(r["id"], set()).add(r["v"])
    return found


def walk(node: dict[str, Any]) -> Iterator[dict[str, Any]]:
    yield node
    for child in node.get("children", []):
        yield from walk(child)


# -- GOV.UK observed files ------------------------------------------------------------------------------


def test_govuk_files_load_completely(govuk: dict[str, Any], session_driver: neo4j.Driver) -> None:
    assert govuk["rejected"] == 0
    assert (govuk["parent_claims"], govuk["succession_claims"], govuk["name_claims"]) == (1066, 292, 1289)
    assert count_of(session_driver, "MATCH ()-[r:SUCCEEDED_BY]->() RETURN count(r)") == 292
    assert count_of(session_driver, "MATCH ()-[r:NAME_OF]->() RETURN count(r)") == 1289
    assert count_of(session_driver, "MATCH ()-[r:PARENT_OF]->() RETURN count(r)") == 1066
    # one organisation per slug: 1,269 slugs have titles; every edge's slug is among them or named by id
    per_org = slugs_of(session_driver)
    assert all(len(s) == 1 for s in per_org.values())
    assert len(per_org) >= 1269


def count_of(driver: neo4j.Driver, query: str) -> int:
    return int(driver.execute_query(query).records[0][0])


def test_dhsc_tree_as_of_2022_shows_the_names_of_that_day(
    govuk: dict[str, Any], session_driver: neo4j.Driver, env: dict[str, str]
) -> None:
    day = "2022-01-01"
    doc = cli_run(env, "tree", "Department of Health and Social Care", "--as-of", day, "--format", "json")
    assert doc["name"] == "Department of Health and Social Care"
    nodes = list(walk(doc))
    assert len(nodes) > 20
    names = {n["name"] for n in nodes}
    assert "UK Health Security Agency" in names  # under DHSC from 2021-10 (first seen 2021-10-06)
    # every node's name is the title the file observed for its slug on that day (2022-01-01 is a snapshot)
    titles: dict[str, set[str]] = {}
    for row in titles_file():
        if row["first_seen_snapshot"] <= day <= row["last_seen_snapshot"]:
            titles.setdefault(row["slug"], set()).add(repair(row["title"].strip()))
    slugs = slugs_of(session_driver)
    for node in nodes:
        (slug,) = slugs[node["id"]]
        assert node["name"] in titles[slug], (slug, node["name"], titles[slug])


def test_renamed_bodies_show_the_name_of_the_day(govuk: dict[str, Any], env: dict[str, str]) -> None:
    before = cli_run(env, "tree", "govuk:ministry-of-defence", "--as-of", "2022-01-01", "--format", "json")
    after = cli_run(env, "tree", "govuk:ministry-of-defence", "--as-of", "2023-06-01", "--format", "json")
    assert "Queen's Harbour Master" in {n["name"] for n in walk(before)}
    assert "King's Harbour Master" in {n["name"] for n in walk(after)}
    assert "Queen's Harbour Master" not in {n["name"] for n in walk(after)}
    old = cli_run(
        env,
        "tree",
        "govuk:department-for-digital-culture-media-sport",
        "--as-of",
        "2022-06-01",
        "--format",
        "json",
    )
    new = cli_run(
        env,
        "tree",
        "govuk:department-for-culture-media-and-sport",
        "--as-of",
        "2024-01-01",
        "--format",
        "json",
    )
    assert "Geffrye Museum" in {c["name"] for c in old["children"]}
    assert "Museum of the Home" in {c["name"] for c in new["children"]}


def test_name_spells_match_the_file(
    govuk: dict[str, Any], session_driver: neo4j.Driver, registry: TemplateRegistry
) -> None:
    spells = rows(
        session_driver,
        "MATCH (a:Alias)-[r:NAME_OF]->(:Organisation)<-[:IDENTIFIES]-(:Identifier {key: $key}) "
        "RETURN a.name AS name, r.validFrom AS f, r.validFromLatest AS fl, r.validTo AS t, "
        "r.validToLatest AS tl, r.isCurrent AS current ORDER BY fl",
        key="govuk:national-security",
    )
    # file: "National security and intelligence" 2021-08-11..2025-03-01, "... Intelligence" 2025-04-01..
    assert [s["name"] for s in spells] == [
        "National security and intelligence",
        "National Security and Intelligence",
    ]
    first, second = spells
    assert first["f"] is None and first["fl"].to_native() == date(
        2021, 8, 11
    )  # on or before the first snapshot
    assert (first["t"].to_native(), first["tl"].to_native()) == (date(2025, 3, 1), date(2025, 3, 31))
    assert (second["f"].to_native(), second["fl"].to_native()) == (date(2025, 3, 2), date(2025, 4, 1))
    assert second["t"] is None and second["current"] is True

    reader = GraphReader(session_driver, registry, database="neo4j")
    org = reader.resolve_ref("govuk:national-security").id
    for day, expected in [
        (date(2015, 1, 1), "National security and intelligence"),  # the first snapshot's name, "on or before"
        (date(2024, 1, 1), "National security and intelligence"),
        (date(2025, 3, 15), "National Security and Intelligence"),  # in the gap: the later start wins
        (date(2026, 1, 1), "National Security and Intelligence"),
    ]:
        (row,) = reader.rows("lookup.name_as_of", {"orgId": org, "asOf": day, "mode": "possible"})
        assert (row["name"], row["dated"]) == (expected, True), day
    (certain,) = reader.rows(
        "lookup.name_as_of", {"orgId": org, "asOf": date(2025, 3, 15), "mode": "certain"}
    )
    assert certain["dated"] is False  # neither spell is certain in the gap: the current name stands


def test_mojibake_titles_are_repaired(govuk: dict[str, Any], session_driver: neo4j.Driver) -> None:
    spells = rows(
        session_driver,
        "MATCH (a:Alias)-[r:NAME_OF]->(:Organisation)<-[:IDENTIFIES]-(:Identifier {key: $key}) "
        "RETURN a.name AS name, r.validFromText AS f, r.notes AS notes ORDER BY f",
        key="govuk:treasury-solicitor-s-department",
    )
    assert [s["name"] for s in spells] == ["Treasury Solicitor’s Department"] * 2
    assert spells[0]["notes"] is None and "mojibake" in spells[1]["notes"]
    assert count_of(session_driver, "MATCH (a:Alias) WHERE a.name CONTAINS 'â' RETURN count(a)") == 0


def test_what_became_of_public_health_england(govuk: dict[str, Any], env: dict[str, str]) -> None:
    steps = cli_run(env, "lineage", "Public Health England", "--format", "json")
    direct = {s["to"]: s for s in steps if s["depth"] == 1}
    assert set(direct) == {"UK Health Security Agency", "Office for Health Improvement and Disparities"}
    ukhsa = direct["UK Health Security Agency"]
    assert (ukhsa["date"], ukhsa["validFrom"]) == ("2021-10-01", "2021-10-01")
    assert "closed_at" in ukhsa["notes"]
    # two GOV.UK slugs carry the name "NHS England" (nhs-commissioning-board until 2022-07): the name alone
    # is ambiguous, so ask by identifier
    absorbed = cli_run(env, "lineage", "govuk:nhs-england", "--back", "--format", "json")
    assert {"NHS Digital", "Health Education England"} <= {s["from"] for s in absorbed if s["depth"] == 1}
    # transitively: NHS Digital had itself succeeded the Health and Social Care Information Centre
    deeper = {s["from"] for s in absorbed if s["depth"] == 2}
    assert "Health and Social Care Information Centre" in deeper


def test_govuk_rerun_changes_nothing(govuk: dict[str, Any], env: dict[str, str]) -> None:
    paths = [str(shared_file(f"{GOVUK}/{name}")) for name in GOVUK_FILES]
    again = cli_run(env, "ingest", *paths, "--no-progress", "--report", "json")
    created = (
        "organisations_created",
        "aliases_added",
        "edges_created",
        "successions_created",
        "names_created",
    )
    assert {k: again[k] for k in created} == dict.fromkeys(created, 0)


def test_observed_bounds_of_a_reparenting(govuk: dict[str, Any], session_driver: neo4j.Driver) -> None:
    """Companies House: BEIS until the 2023-03-01 snapshot, Business and Trade from the 2023-04-01 one."""
    spells = rows(
        session_driver,
        "MATCH (p)-[r:PARENT_OF]->(:Organisation)<-[:IDENTIFIES]-"
        "(:Identifier {key: 'govuk:companies-house'}) "
        "MATCH (p)<-[:IDENTIFIES]-(i:Identifier {scheme: 'govuk'}) "
        "RETURN i.value AS parent, toString(r.validFrom) AS f, toString(r.validFromLatest) AS fl, "
        "toString(r.validTo) AS t, toString(r.validToLatest) AS tl ORDER BY fl",
    )
    assert spells == [
        {
            "parent": "department-for-business-energy-and-industrial-strategy",
            "f": None,
            "fl": "2021-08-11",
            "t": "2023-03-01",
            "tl": "2023-03-31",
        },
        {
            "parent": "department-for-business-and-trade",
            "f": "2023-03-02",
            "fl": "2023-04-01",
            "t": None,
            "tl": None,
        },
    ]


# -- the GOV.UK API dump, NHS ODS successions, ROR ------------------------------------------------------
# (these start from an empty graph, so they come after the tests of the module-wide GOV.UK load)


def test_govuk_api_dump(graph: neo4j.Driver, env: dict[str, str]) -> None:
    path = str(shared_file(f"{GOVUK}/gov.uk_api_organisations.json"))
    report = cli_run(env, "ingest", path, "--no-progress", "--report", "json")
    assert (report["entity_claims"], report["rejected"]) == (1254, 0)
    (phe,) = rows(
        graph,
        "MATCH (p:Organisation)<-[:IDENTIFIES]-(:Identifier {key: 'govuk:public-health-england'}) "
        "OPTIONAL MATCH (p)<-[:IDENTIFIES]-(a:Identifier {scheme: 'govuk-analytics'}) "
        "OPTIONAL MATCH (p)-[s:SUCCEEDED_BY]->(n:Organisation) "
        "RETURN p.name AS name, a.key AS analytics, [(x:Alias)-[:ALIAS_OF]->(p) | x.name] AS aliases, "
        "collect(n.name + ' ' + toString(s.validFrom)) AS successors",
    )
    assert phe["name"] == "Public Health England" and phe["analytics"] == "govuk-analytics:EA480"
    assert "PHE" in phe["aliases"]
    assert sorted(phe["successors"]) == [
        "Office for Health Improvement and Disparities 2021-10-01",
        "UK Health Security Agency 2021-10-01",
    ]
    parents = rows(
        graph,
        "MATCH (p:Organisation)-[r:PARENT_OF]->(:Organisation)<-[:IDENTIFIES]-(:Identifier {key: $key}) "
        "RETURN p.name AS name",
        key="govuk:animal-and-plant-health-agency",
    )
    assert len(parents) == 3  # Defra, the Welsh Government and the Scottish Government


def test_ods_successions_from_both_files(graph: neo4j.Driver, env: dict[str, str]) -> None:
    succ = str(shared_file("nhs-ods-history/succ.csv"))
    derived = str(shared_file("nhs-ods-history/derived_successor_edges.csv.gz"))
    report = cli_run(env, "ingest", succ, derived, "--no-progress", "--report", "json")
    # both files state the same 11,537 successions: one edge each
    assert (report["succession_claims"], report["duplicate_claims"], report["rejected"]) == (11537, 11537, 0)
    with gzip.open(derived, "rt", encoding="utf-8", newline="") as f:
        sample = [r for r in csv.DictReader(f) if r["predecessor_name_if_known"]][:5]
    with open(succ, encoding="utf-8", newline="") as f:
        first = next(csv.reader(f))
    sample.append({"predecessor_code": first[0], "successor_code": first[1], "effective_date": "1996-04-01"})
    for r in sample:
        found = rows(
            graph,
            "MATCH (:Identifier {key: $old})-[:IDENTIFIES]->(a)-[s:SUCCEEDED_BY]->(b)<-[:IDENTIFIES]-"
            "(:Identifier {key: $new}) RETURN a.name AS name, toString(s.validFrom) AS day",
            old=f"ods:{r['predecessor_code']}",
            new=f"ods:{r['successor_code']}",
        )
        assert [f["day"] for f in found] == [r["effective_date"]], r
        if r.get("predecessor_name_if_known"):
            assert found[0]["name"] == r["predecessor_name_if_known"]


def test_ror_organisations_and_relationships(graph: neo4j.Driver, env: dict[str, str]) -> None:
    path = shared_file("ror-registry/ror_gb_orgs.jsonl")
    report = cli_run(env, "ingest", str(path), "--no-progress", "--report", "json")
    assert report["entity_claims"] == 2199 and report["rejected"] == 0
    with path.open(encoding="utf-8") as f:
        records = [json.loads(line) for line in f]
    checked = 0
    for rec in records:
        parents = [r for r in rec["relationships"] if r[0] == "parent"]
        successors = [r for r in rec["relationships"] if r[0] == "successor"]
        if not (parents and successors) and checked >= 3:
            continue
        key = "ror:" + rec["id"].rsplit("/", 1)[-1]
        found = rows(
            graph,
            "MATCH (:Identifier {key: $key})-[:IDENTIFIES]->(o:Organisation) "
            "RETURN [(p)-[:PARENT_OF]->(o) | [(i:Identifier)-[:IDENTIFIES]->(p) | i.key][0]] AS parents, "
            "[(o)-[:SUCCEEDED_BY]->(s) | [(i:Identifier)-[:IDENTIFIES]->(s) | i.key][0]] AS successors, "
            "[(a:Alias)-[:ALIAS_OF]->(o) | a.name] AS aliases",
            key=key,
        )
        (org,) = found
        assert sorted(org["parents"]) == sorted("ror:" + p[1].rsplit("/", 1)[-1] for p in parents)
        assert sorted(org["successors"]) == sorted("ror:" + s[1].rsplit("/", 1)[-1] for s in successors)
        assert {n[0] for n in rec["names"]} <= set(org["aliases"])
        checked += 1
        if checked >= 8:
            break
    assert checked >= 3
