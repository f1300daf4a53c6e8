"""Issue 12, as an analyst and a shell user meet it: templates pasted through the plain driver, exact-first
lookups, output for pipes, month and year as-of dates, snapshot bounds and pictures. Each test is one
friction of the issue and failed before the change."""

from __future__ import annotations

import csv
import io
import json
from datetime import date
from typing import Any
from xml.etree import ElementTree as ET

import neo4j
import pytest
from click.testing import CliRunner

from resolver.cli import cli
from resolver.graph.reader import GraphReader
from resolver.graph.templates import TemplateRegistry
from resolver.settings import Neo4jSettings
from tests.integration.hierarchy_seed import seed_hierarchy

DATED = (
    "hierarchy.parents",
    "hierarchy.children",
    "hierarchy.ancestors",
    "hierarchy.descendants",
    "hierarchy.ultimate_parent",
    "hierarchy.siblings",
    "hierarchy.tree",
    "hierarchy.tree_up",
)


@pytest.fixture()
def seeded(graph: neo4j.Driver) -> neo4j.Driver:
    seed_hierarchy(graph)
    return graph


@pytest.fixture()
def reader(seeded: neo4j.Driver, registry: TemplateRegistry) -> GraphReader:
    return GraphReader(seeded, registry, database="neo4j")


def pasted(
    driver: neo4j.Driver, registry: TemplateRegistry, name: str, **params: Any
) -> list[dict[str, Any]]:
    """Run a template the way an analyst pastes it: the file's text, the plain driver, no resolver code."""
    records, summary, _ = driver.execute_query(registry[name].text, params, database_="neo4j")
    warnings = [s.status_description for s in summary.gql_status_objects if s.gql_status.startswith("01")]
    assert warnings == [], f"{name}: {warnings}"
    return [r.data() for r in records]


def invoke(*args: str) -> Any:
    return CliRunner().invoke(cli, list(args))


def _extra(graph: neo4j.Driver, cypher: str) -> None:
    graph.execute_query(cypher, database_="neo4j")


# -- templates cannot fail silently ------------------------------------------------------------------------


def test_pasted_templates_read_text_dates_identifiers_and_merged_ids(
    seeded: neo4j.Driver, registry: TemplateRegistry
) -> None:
    for name in DATED:
        extra = {"maxDepth": 5} if "maxDepth" in registry[name].param_names else {}
        typed = pasted(
            seeded, registry, name, orgId="org-nhs", asOf=date(2020, 5, 15), mode="possible", **extra
        )
        assert typed, name  # the seed has an answer for each
        for org in ("ods:X24", "org-nhs-old"):  # an identifier and a merged id name the same organisation
            for day in ("2020-05-15", "20200515", "2020-05-15T10:00:00Z"):
                got = pasted(seeded, registry, name, orgId=org, asOf=day, mode="possible", **extra)
                assert got == typed, (name, org, day)


def test_pasted_template_refuses_a_misspelt_mode_and_a_missing_date(
    seeded: neo4j.Driver, registry: TemplateRegistry
) -> None:
    text = registry["hierarchy.children"].text
    with pytest.raises(
        neo4j.exceptions.Neo4jError, match="mode must be 'certain' or 'possible', not certian"
    ):
        seeded.execute_query(text, {"orgId": "org-nhs", "asOf": "2020-01-01", "mode": "certian"})
    with pytest.raises(neo4j.exceptions.Neo4jError, match="asOf is missing"):
        seeded.execute_query(text, {"orgId": "org-nhs", "asOf": None, "mode": "certain"})
    with pytest.raises(neo4j.exceptions.Neo4jError, match="cannot be parsed"):
        seeded.execute_query(text, {"orgId": "org-nhs", "asOf": "soon", "mode": "certain"})


def test_month_and_year_as_of_follow_the_mode(seeded: neo4j.Driver, registry: TemplateRegistry) -> None:
    """NAAP starts '2019-05-00': possibly active in May 2019, certainly only from June; in the year 2019
    possibly, not certainly (not all of 2019)."""

    def children(as_of: str, mode: str) -> set[str]:
        return {
            r["id"]
            for r in pasted(seeded, registry, "hierarchy.children", orgId="org-nhs", asOf=as_of, mode=mode)
        }

    assert "org-naap" in children("2019-05", "possible")
    assert "org-naap" not in children("2019-05", "certain")
    assert "org-naap" in children("2019-06", "certain")
    assert "org-naap" in children("2019", "possible") and "org-naap" not in children("2019", "certain")
    assert "org-naap" not in children("2019-04", "possible")
    changes = pasted(seeded, registry, "hierarchy.changes", fromDate="2016", toDate="2016")
    assert [(r["change"], r["claimId"]) for r in changes] == [("ended", "c-dhsc-nhsd-1")]


def test_unknown_start_is_never_certain_and_on_or_before_bounds_are(
    neo4j_env: Neo4jSettings, seeded: neo4j.Driver, registry: TemplateRegistry
) -> None:
    """A spell with no start date is not certain on any day (the DHSC 1990 tree must not list UKHSA);
    a snapshot's 'on or before 2021-08-11' start is certain from that day and possible before it."""
    _extra(
        seeded,
        "MATCH (d:Organisation {id: 'org-dhsc'}) "
        "CREATE (d)-[:PARENT_OF {claimId: 'c-undated', isCurrent: true}]->"
        "(:Organisation {id: 'org-ukhsa', name: 'UK Health Security Agency'}), "
        "(d)-[:PARENT_OF {claimId: 'c-snap', validFromLatest: date('2021-08-11'), "
        "validFromPrecision: 'on_or_before', validTo: date('2026-06-01'), validToPrecision: 'on_or_after', "
        "isCurrent: true}]->(:Organisation {id: 'org-snap', name: 'Snapshot Agency'})",
    )

    def kids(as_of: str, mode: str) -> set[str]:
        rows = pasted(seeded, registry, "hierarchy.children", orgId="org-dhsc", asOf=as_of, mode=mode)
        return {r["id"] for r in rows}

    assert "org-ukhsa" not in kids("1990-01-01", "certain") and "org-ukhsa" in kids("1990-01-01", "possible")
    assert "org-snap" in kids("2021-08-11", "certain") and "org-snap" not in kids("2021-08-10", "certain")
    assert "org-snap" in kids("2030-01-01", "possible") and "org-snap" not in kids("2030-01-01", "certain")
    shown = invoke("tree", "org-dhsc", "--as-of", "2022-01-01", "--mode", "certain", "--format", "csv")
    assert "org-snap,Snapshot Agency,org-dhsc,on or before 2021-08-11,on or after 2026-06-01" in shown.output


def test_bad_spells_spare_a_spell_within_one_month(seeded: neo4j.Driver, registry: TemplateRegistry) -> None:
    _extra(
        seeded,
        "MATCH (d:Organisation {id: 'org-dhsc'}) "
        "CREATE (d)-[:PARENT_OF {claimId: 'c-may', validFrom: date('2019-05-01'), "
        "validFromLatest: date('2019-05-31'), validTo: date('2019-05-01'), "
        "validToLatest: date('2019-05-31'), validFromText: '2019-05-00', validToText: '2019-05-00'}]->"
        "(:Organisation {id: 'org-may', name: 'May'})",
    )
    assert [r["claimId"] for r in pasted(seeded, registry, "quality.bad_spells")] == ["c-bad"]


def test_no_warnings_when_the_graph_has_no_merge_yet(graph: neo4j.Driver, registry: TemplateRegistry) -> None:
    """Every read template, pasted, on a graph without MERGED_INTO edges: no server warning at all."""
    _extra(
        graph,
        "CREATE (:Organisation {id: 'a', name: 'A'})-[:PARENT_OF {claimId: 'c'}]->(:Organisation {id: 'b'})",
    )
    for tpl in registry:
        if tpl.name.split(".")[0] in ("hierarchy", "quality", "lookup") and tpl.name != "lookup.by_name":
            values = {
                "orgId": "b",
                "fromId": "b",
                "toId": "a",
                "asOf": "2020",
                "mode": "possible",
                "maxDepth": 3,
                "fromDate": "2019",
                "toDate": "2020",
                "ref": "a",
                "limit": 5,
                "normName": "a",
                "orgIds": ["b"],
            }
            pasted(graph, registry, tpl.name, **{p: values[p] for p in tpl.param_names})


def test_rows_gathered_in_one_record_equal_the_streamed_rows(
    seeded: neo4j.Driver, registry: TemplateRegistry
) -> None:
    """GraphReader reads a read template's rows as one list (CypherTemplate.packed): for every read
    template the header names the columns the query returns, and the rows and their order are the ones
    the plain query streams."""
    reader = GraphReader(seeded, registry, database="neo4j")
    values = {
        "orgId": "org-nhs",
        "fromId": "org-nhs",
        "toId": "org-dhsc",
        "asOf": "2020-05-15",
        "mode": "possible",
        "maxDepth": 5,
        "fromDate": "2010",
        "toDate": "2026",
        "ref": "org-nhs",
        "limit": 50,
        "normName": "national health service",
        "orgIds": ["org-nhs", "org-dhsc"],
        "query": "health",
        "text": "health",
        "key": "nhs",
        "keys": ["nhs"],
        "ids": ["org-nhs"],
        "timeoutSeconds": 60,
        "rows": [{"id": "org-nhs", "asOf": date(2020, 5, 15)}],
    }
    checked = 0
    for tpl in registry:
        if tpl.packed() is None or not set(tpl.param_names) <= set(values):
            continue
        params = {p: values[p] for p in tpl.param_names}
        keys, streamed = reader.run_keys(tpl.name, params, limit=1_000_000)  # a limit: record by record
        assert keys == list(tpl.columns), f"{tpl.name}: header says {tpl.columns}, query returns {keys}"
        assert reader.rows(tpl.name, params) == streamed, tpl.name
        checked += 1
    assert checked >= 30


# -- the shell: query run / show ---------------------------------------------------------------------------


def test_query_run_names_an_unknown_organisation_and_suggests_lookup(
    neo4j_env: Neo4jSettings, seeded: neo4j.Driver
) -> None:
    result = invoke("query", "run", "hierarchy.ancestors", "-p", "orgId=ods:A99999")
    assert result.exit_code == 2, result.output
    assert "no organisation has the id or identifier 'ods:A99999'" in result.output
    assert "resolver lookup" in result.output
    ok = invoke("query", "run", "hierarchy.ancestors", "-p", "orgId=ods:A81001", "-p", "asOf=2016")
    assert ok.exit_code == 0 and ok.output.splitlines()[0] == "id,name,depth"  # CSV in a pipe


def test_query_run_limit_and_header_on_empty_csv(neo4j_env: Neo4jSettings, seeded: neo4j.Driver) -> None:
    one = invoke(
        "query",
        "run",
        "hierarchy.descendants",
        "-p",
        "orgId=org-dhsc",
        "-p",
        "maxDepth=3",
        "-p",
        "asOf=2020-05-15",
        "--limit",
        "1",
    )
    assert one.exit_code == 0 and len(one.output.splitlines()) == 2
    empty = invoke("query", "run", "quality.cycles", "-p", "asOf=2019-05-15")
    assert empty.exit_code == 0 and empty.output == "ids,names,length,claimIds\n"
    tsv = invoke("query", "run", "hierarchy.history", "-p", "orgId=org-nhsd", "--format", "tsv")
    lines = tsv.output.splitlines()
    assert lines[0].split("\t")[:3] == ["role", "otherId", "otherName"] and len(lines) == 3
    assert "{" not in tsv.output  # no JSON in cells


def test_query_show_params_prints_browser_and_cypher_shell_blocks() -> None:
    result = invoke(
        "query", "show", "hierarchy.ancestors", "--params", "-p", "orgId=ods:00M", "-p", "asOf=2014-04"
    )
    assert result.exit_code == 0, result.output
    assert ":params {orgId: 'ods:00M', asOf: '2014-04', mode: 'possible'}" in result.output
    assert "cypher-shell -P \"{orgId: 'ods:00M', asOf: '2014-04', mode: 'possible'}\" -f " in result.output


def test_show_params_block_runs_as_pasted(seeded: neo4j.Driver, registry: TemplateRegistry) -> None:
    """The :params map is Cypher: evaluated by the server it runs the template with the same answer."""
    result = invoke(
        "query",
        "show",
        "hierarchy.parents",
        "--params",
        "-p",
        "orgId=org-naap",
        "-p",
        "asOf=2019-06-01",
        "-p",
        "mode=certain",
    )
    mapping = next(line for line in result.output.splitlines() if line.startswith(":params "))[8:]
    [record] = seeded.execute_query("RETURN " + mapping + " AS p", database_="neo4j").records
    rows = pasted(seeded, registry, "hierarchy.parents", **record["p"])
    assert [r["id"] for r in rows] == ["org-nhs"]


# -- exact before fuzzy, honest about ambiguity ------------------------------------------------------------


def test_lookup_identifier_returns_only_its_exact_hit(neo4j_env: Neo4jSettings, seeded: neo4j.Driver) -> None:
    rows = json.loads(invoke("lookup", "ods:X24", "--format", "json").output)
    assert [(r["id"], r["matchedBy"], r["score"]) for r in rows] == [("org-nhs", "identifier", 1.0)]


def test_lookup_finds_acronyms_with_scores_in_unit_range(
    neo4j_env: Neo4jSettings, seeded: neo4j.Driver
) -> None:
    _extra(
        seeded,
        "CREATE (:Organisation {id: 'org-hmrc', name: 'HM Revenue & Customs', "
        "normName: 'hm revenue and customs'})",
    )
    for typed, org in (("DHSC", "org-dhsc"), ("HMRC", "org-hmrc")):
        rows = json.loads(invoke("lookup", typed, "--format", "json").output)
        assert rows and rows[0]["id"] == org and rows[0]["matchedBy"] == "acronym", (typed, rows)
    every = json.loads(invoke("lookup", "NHS Digitl", "--format", "json").output)
    assert every[0]["id"] == "org-nhsd"
    assert all(0.0 <= r["score"] <= 1.0 for r in every)


def test_no_good_match_is_said_and_tree_refuses(neo4j_env: Neo4jSettings, seeded: neo4j.Driver) -> None:
    looked = invoke("lookup", "Qwxzzy Holdings")
    assert looked.exit_code == 0 and looked.stdout.splitlines() == [
        "rank,id,name,matchedBy,matchedName,score,aliases,identifiers"
    ]
    assert "no good match" in looked.stderr
    tree = invoke("tree", "Qwxzzy Holdings")
    assert tree.exit_code == 2 and "no good match for 'Qwxzzy Holdings'" in tree.output


def test_ambiguous_name_lists_candidates_unless_first(neo4j_env: Neo4jSettings, seeded: neo4j.Driver) -> None:
    _extra(
        seeded,
        "CREATE (:Organisation {id: 'org-s1', name: 'The Surgery', normName: 'surgery'}), "
        "(:Organisation {id: 'org-s2', name: 'The Surgery', normName: 'surgery'})",
    )
    tree = invoke("tree", "The Surgery")
    assert tree.exit_code == 2 and "ambiguous" in tree.output
    assert "org-s1" in tree.output and "org-s2" in tree.output
    assert invoke("tree", "The Surgery", "--first").exit_code == 0
    looked = invoke("lookup", "The Surgery")
    assert looked.exit_code == 2 and {"org-s1", "org-s2"} <= set(looked.stdout.split(",")) | {
        row.split(",")[1] for row in looked.stdout.splitlines()[1:]
    }
    first = invoke("lookup", "The Surgery", "--first")
    assert first.exit_code == 0 and len(first.stdout.splitlines()) == 2


def test_empty_tree_says_why(neo4j_env: Neo4jSettings, seeded: neo4j.Driver) -> None:
    certain = invoke("tree", "org-nhs", "--as-of", "2019-05-15", "--mode", "certain")
    assert certain.exit_code == 0
    assert "nothing certainly active on 2019-05-15 (2 possibly active: try --mode possible)" in certain.stderr
    early = invoke("tree", "org-nhs", "--as-of", "2000")
    assert "nothing active on 2000" in early.stderr and "earliest from 2015-01-01" in early.stderr
    lonely = invoke("tree", "org-lonely")
    assert "has no child in the graph" in lonely.stderr


# -- output ------------------------------------------------------------------------------------------------


def test_piped_output_is_flat_csv_one_row_per_spell(neo4j_env: Neo4jSettings, seeded: neo4j.Driver) -> None:
    result = invoke("tree", "org-dhsc", "--as-of", "2015", "--depth", "1")
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    nhsd = [r for r in rows if r["id"] == "org-nhsd"]
    assert [r["claimId"] for r in nhsd] == ["c-dhsc-nhsd-1"]
    both = invoke("tree", "org-dhsc", "--as-of", "2016", "--depth", "1")  # the gap year: both spells
    spells = [r["claimId"] for r in csv.DictReader(io.StringIO(both.stdout)) if r["id"] == "org-nhsd"]
    assert spells == ["c-dhsc-nhsd-1", "c-dhsc-nhsd-2"] or spells == ["c-dhsc-nhsd-1"]
    looked = invoke("lookup", "NHS")
    assert "{" not in looked.stdout and "[" not in looked.stdout


# -- pictures ----------------------------------------------------------------------------------------------


def test_tree_pictures(neo4j_env: Neo4jSettings, seeded: neo4j.Driver) -> None:
    mermaid = invoke("tree", "org-nhs", "--as-of", "2020-05-15", "--format", "mermaid").output
    assert (
        mermaid.splitlines()[1] == "graph TD"
        and "NHS As A Platform" in mermaid
        and '|"from 2019-05-00"|' in mermaid
    )
    dot = invoke("tree", "org-nhs", "--as-of", "2020-05-15", "--format", "dot").output
    assert dot.startswith("digraph hierarchy {") and '"NHS As A Platform\\norg-naap"' in dot
    graphml = invoke("tree", "org-nhs", "--as-of", "2020-05-15", "--format", "graphml").output
    root = ET.fromstring(graphml)
    ns = {"g": "http://graphml.graphdrawing.org/xmlns"}
    assert {n.get("id") for n in root.iterfind(".//g:node", ns)} >= {"org-nhs", "org-naap", "org-ailab"}
    run = invoke(
        "query", "run", "hierarchy.tree", "-p", "orgId=org-dhsc", "-p", "maxDepth=2", "--format", "dot"
    )
    assert run.exit_code == 0 and "->" in run.output


def test_tree_html_embeds_every_spell_below(neo4j_env: Neo4jSettings, seeded: neo4j.Driver) -> None:
    """The page redraws for any day, so it carries every spell below the organisation, not only the day's."""
    page = invoke("tree", "org-dhsc", "--as-of", "2015-01-01", "--format", "html").output
    data = json.loads(page.split('type="application/json">')[1].split("</script>")[0])
    claims = {s["claimId"] for _, _, s in data["edges"]}
    assert {"c-dhsc-nhsd-1", "c-dhsc-nhsd-2", "c-nhs-naap", "c-nhsx-ailab", "c-dhsc-joint"} <= claims
    assert data["asOf"] == "2015-01-01" and data["roots"] == ["org-dhsc"]
    assert "<script src" not in page and "https://" not in page
