"""Read templates, GraphReader and the lookup/tree/query CLI against a real server and a seeded graph.

The seed (tests/integration/hierarchy_seed.py) holds the partial-date edge cases; each template has an
answer test with the known answer.
"""

from __future__ import annotations

import contextlib
import json
from datetime import date
from typing import Any

import neo4j
import pytest
from click.testing import CliRunner

from resolver.cli import cli
from resolver.errors import NotFoundError, QueryError, TemplateError
from resolver.graph.reader import GraphReader, fulltext_query, tree_rows
from resolver.graph.templates import TemplateRegistry, dummy_value
from resolver.settings import Neo4jSettings
from tests.integration.hierarchy_seed import counts, seed_hierarchy

HOSTILE = "x'}) MATCH (n) DETACH DELETE n //"
READ_GROUPS = ("lookup", "hierarchy", "quality")


@pytest.fixture()
def seeded(graph: neo4j.Driver) -> neo4j.Driver:
    seed_hierarchy(graph)
    return graph


@pytest.fixture()
def reader(seeded: neo4j.Driver, registry: TemplateRegistry) -> GraphReader:
    return GraphReader(seeded, registry, database="neo4j")


def ids(rows: list[dict[str, Any]], key: str = "id") -> list[str]:
    return [r[key] for r in rows]


def _asof(org: str, day: str, mode: str, **extra: Any) -> dict[str, Any]:
    return {"orgId": org, "asOf": date.fromisoformat(day), "mode": mode, **extra}


# -- every template: EXPLAIN without notifications --------------------------------------------------------


def test_every_template_explains_without_warnings(seeded: neo4j.Driver, registry: TemplateRegistry) -> None:
    explained = 0
    noisy: dict[str, list[str]] = {}
    for tpl in registry:
        if tpl.mode == "schema":  # DDL cannot be EXPLAINed; the fixture applies every schema template
            continue
        params = {p.name: dummy_value(p) for p in tpl.params}
        summary = seeded.execute_query(neo4j.Query("EXPLAIN " + tpl.text), params, database_="neo4j").summary
        problems = [
            f"{s.gql_status}: {s.status_description}"
            for s in summary.gql_status_objects
            if s.severity in (neo4j.NotificationSeverity.WARNING, neo4j.NotificationSeverity.INFORMATION)
            or s.gql_status.startswith("01")
        ]
        if problems:
            noisy[tpl.name] = problems
        explained += 1
    assert noisy == {}  # every template at once, so one run names them all
    assert explained >= 18
    for group in READ_GROUPS:
        assert registry.group(group), group


def test_read_templates_are_read_mode(registry: TemplateRegistry) -> None:
    for group in READ_GROUPS:
        for tpl in registry.group(group):
            assert tpl.mode == "read", tpl.name


# -- lookup -------------------------------------------------------------------------------------------------


def test_lookup_by_name_follows_alias_and_merge_and_dedupes(reader: GraphReader) -> None:
    rows = reader.run("lookup.by_name", {"query": fulltext_query("National Health Service"), "limit": 5})
    assert rows[0]["id"] == "org-nhs" and rows[0]["rank"] == 1
    assert rows[0]["matchedName"] == "National Health Service"  # the merged organisation's name
    assert ids(rows).count("org-nhs") == 1
    assert [r["rank"] for r in rows] == list(range(1, len(rows) + 1))
    assert rows == sorted(rows, key=lambda r: -r["score"])
    assert "ods:X24" in rows[0]["identifiers"] and "NHS England" in rows[0]["aliases"]


def test_lookup_by_name_is_typo_tolerant_and_respects_limit(reader: GraphReader) -> None:
    found = reader.by_name("Natonal Helth Servce", limit=2)
    assert found[0].id == "org-nhs" and len(found) <= 2
    assert reader.by_name("NHS Digitl")[0].id == "org-nhsd"
    alias = reader.by_name("Health and Social Care Information Centre")
    assert alias[0].id == "org-nhsd"


def test_lookup_by_id_follows_merged_into_and_identifiers(reader: GraphReader) -> None:
    [merged] = reader.run("lookup.by_id", {"ref": "org-nhs-old"})
    assert (merged["id"], merged["requested"], merged["matchedBy"]) == ("org-nhs", "org-nhs-old", "id")
    assert merged["aliases"] == ["NHS", "NHS England", "Old NHS Name"]
    [ident] = reader.run("lookup.by_id", {"ref": "ods:A81001"})
    assert (ident["id"], ident["matchedBy"], ident["identifiers"]) == (
        "org-practice",
        "identifier",
        ["ods:A81001"],
    )
    assert reader.run("lookup.by_id", {"ref": "nothing"}) == []


def test_resolve_ref_id_identifier_name_and_not_found(reader: GraphReader) -> None:
    assert reader.resolve_ref("org-nhs-old").id == "org-nhs"
    assert reader.resolve_ref("ods:X24").id == "org-nhs"
    assert reader.resolve_ref("NHS").id == "org-nhs"  # the exact alias wins over NHS Digital etc.
    assert reader.resolve_ref("nhs as a platform").id == "org-naap"
    with pytest.raises(NotFoundError, match="zzqqxx"):
        reader.resolve_ref("zzqqxx")
    with pytest.raises(NotFoundError):
        reader.resolve_ref("!!!")


def test_fulltext_query_escapes_lucene_syntax() -> None:
    query = fulltext_query('NHS (England) AND "x" OR y~ NOT z*')
    assert "AND" not in query and "OR" not in query and "NOT" not in query
    assert "(" not in query and "*" not in query
    assert fulltext_query("a/b") == '"a b"^4 a^2 b^2'


# -- hierarchy ----------------------------------------------------------------------------------------------


def test_month_precision_start_is_possible_not_certain(reader: GraphReader) -> None:
    possible = reader.run("hierarchy.parents", _asof("org-naap", "2019-05-15", "possible"))
    assert ids(possible) == ["org-nhs"]
    assert possible[0]["validFromText"] == "2019-05-00" and possible[0]["validFrom"] == date(2019, 5, 1)
    assert reader.run("hierarchy.parents", _asof("org-naap", "2019-05-15", "certain")) == []
    assert ids(reader.run("hierarchy.parents", _asof("org-naap", "2019-06-01", "certain"))) == ["org-nhs"]
    assert reader.run("hierarchy.parents", _asof("org-naap", "2019-04-30", "possible")) == []


def test_year_precision_and_ended_without_end_date(reader: GraphReader) -> None:
    # NHSX: from '2019-00-00', ended at an unknown date (isCurrent false)
    assert ids(reader.run("hierarchy.parents", _asof("org-nhsx", "2019-03-01", "possible"))) == ["org-nhs"]
    assert reader.run("hierarchy.parents", _asof("org-nhsx", "2019-03-01", "certain")) == []
    assert ids(reader.run("hierarchy.parents", _asof("org-nhsx", "2023-06-01", "possible"))) == ["org-nhs"]
    assert reader.run("hierarchy.parents", _asof("org-nhsx", "2023-06-01", "certain")) == []


def test_two_spells_between_one_pair(reader: GraphReader) -> None:
    first = reader.run("hierarchy.parents", _asof("org-nhsd", "2015-01-01", "certain"))
    second = reader.run("hierarchy.parents", _asof("org-nhsd", "2018-01-01", "certain"))
    assert ids(first, "claimId") == ["c-dhsc-nhsd-1"] and ids(second, "claimId") == ["c-dhsc-nhsd-2"]
    assert reader.run("hierarchy.parents", _asof("org-nhsd", "2016-06-01", "possible")) == []  # the gap
    history = reader.run("hierarchy.history", {"orgId": "org-nhsd"})
    assert ids(history, "claimId") == ["c-dhsc-nhsd-1", "c-dhsc-nhsd-2"]
    assert {r["role"] for r in history} == {"child"}


def test_children_of_a_merged_id(reader: GraphReader) -> None:
    possible = reader.run("hierarchy.children", _asof("org-nhs-old", "2020-05-15", "possible"))
    assert ids(possible) == ["org-joint", "org-naap", "org-nhsx"]
    certain = reader.run("hierarchy.children", _asof("org-nhs-old", "2020-05-15", "certain"))
    assert ids(certain) == ["org-joint", "org-naap"]


def test_ancestors_nearest_first(reader: GraphReader) -> None:
    rows = reader.run("hierarchy.ancestors", _asof("org-ailab", "2019-09-15", "possible"))
    assert [(r["id"], r["depth"]) for r in rows] == [("org-nhsx", 1), ("org-nhs", 2), ("org-dhsc", 3)]
    certain = reader.run("hierarchy.ancestors", _asof("org-ailab", "2019-09-15", "certain"))
    assert ids(certain) == ["org-nhsx"]
    # two parents: both at depth 1; DHSC is also reachable at depth 2 but reported once, nearest
    joint = reader.run("hierarchy.ancestors", _asof("org-joint", "2020-05-15", "possible"))
    assert [(r["id"], r["depth"]) for r in joint] == [("org-dhsc", 1), ("org-nhs", 1)]


def test_descendants_bounded_by_max_depth(reader: GraphReader) -> None:
    two = reader.run("hierarchy.descendants", _asof("org-dhsc", "2020-05-15", "possible", maxDepth=2))
    assert [(r["id"], r["depth"]) for r in two] == [
        ("org-joint", 1),
        ("org-nhsd", 1),
        ("org-nhs", 1),
        ("org-naap", 2),
        ("org-nhsx", 2),
    ]
    three = reader.run("hierarchy.descendants", _asof("org-dhsc", "2020-05-15", "possible", maxDepth=3))
    assert ("org-ailab", 3) in [(r["id"], r["depth"]) for r in three]
    one = reader.run("hierarchy.descendants", _asof("org-dhsc", "2020-05-15", "certain", maxDepth=1))
    assert ids(one) == ["org-joint", "org-nhsd", "org-nhs"]


def test_ultimate_parent(reader: GraphReader) -> None:
    top = reader.run("hierarchy.ultimate_parent", _asof("org-ailab", "2019-09-15", "possible"))
    assert [(r["id"], r["depth"]) for r in top] == [("org-dhsc", 3)]
    assert ids(reader.run("hierarchy.ultimate_parent", _asof("org-ailab", "2019-09-15", "certain"))) == [
        "org-nhsx"
    ]
    assert [
        (r["id"], r["depth"])
        for r in reader.run("hierarchy.ultimate_parent", _asof("org-lonely", "2020-01-01", "possible"))
    ] == [("org-lonely", 0)]
    assert reader.run("hierarchy.ultimate_parent", _asof("cyc-a", "2020-05-15", "possible")) == []


def test_siblings(reader: GraphReader) -> None:
    rows = reader.run("hierarchy.siblings", _asof("org-naap", "2020-05-15", "possible"))
    assert [(r["id"], r["parentId"]) for r in rows] == [("org-joint", "org-nhs"), ("org-nhsx", "org-nhs")]
    certain = reader.run("hierarchy.siblings", _asof("org-naap", "2020-05-15", "certain"))
    assert ids(certain) == ["org-joint"]


def test_path_in_either_direction(reader: GraphReader) -> None:
    params = {"fromId": "org-ailab", "toId": "org-naap", "asOf": date(2020, 5, 15), "mode": "possible"}
    rows = reader.run("hierarchy.path", params)
    assert [(r["id"], r["relation"]) for r in rows] == [
        ("org-ailab", "start"),
        ("org-nhsx", "parent"),
        ("org-nhs", "parent"),
        ("org-naap", "child"),
    ]
    assert reader.run("hierarchy.path", {**params, "mode": "certain"}) == []  # NHSX never certain
    via_merged = reader.run("hierarchy.path", {**params, "toId": "org-nhs-old"})
    assert ids(via_merged) == ["org-ailab", "org-nhsx", "org-nhs"]


def test_tree_rows_and_tree_up(reader: GraphReader) -> None:
    rows = reader.run("hierarchy.tree", _asof("org-dhsc", "2020-05-15", "possible", maxDepth=5))
    edges = {(r["parentId"], r["childId"], r["depth"]) for r in rows}
    assert ("org-nhs", "org-naap", 2) in edges and ("org-nhsx", "org-ailab", 3) in edges
    assert ("org-dhsc", "org-joint", 1) in edges and ("org-nhs", "org-joint", 2) in edges
    naap = next(r for r in rows if r["childId"] == "org-naap")
    assert (naap["validFromText"], naap["validToText"]) == ("2019-05-00", None)  # flat columns, no maps
    assert (naap["validFromPrecision"], naap["validToPrecision"]) == ("month", None)
    up = reader.run("hierarchy.tree_up", _asof("org-joint", "2020-05-15", "possible", maxDepth=5))
    assert {(r["parentId"], r["childId"], r["depth"]) for r in up} == {
        ("org-dhsc", "org-joint", 1),
        ("org-nhs", "org-joint", 1),
        ("org-dhsc", "org-nhs", 2),
    }


def test_nested_tree_and_cycle_guard(reader: GraphReader) -> None:
    doc = reader.tree("org-nhs-old", date(2019, 5, 15), "possible", 5)
    assert doc["id"] == "org-nhs" and doc["name"] == "NHS, UK Health Agency"
    naap = next(c for c in doc["children"] if c["name"] == "NHS As A Platform")
    assert naap["validFrom"] == date(2019, 5, 1) and naap["validFromText"] == "2019-05-00"
    assert naap["children"] == [] and len(naap["spells"]) == 1
    assert not any(
        c["id"] == "org-naap" for c in reader.tree("org-nhs", date(2019, 5, 15), "certain")["children"]
    )
    cycle = reader.tree("cyc-a", date(2020, 5, 15), "possible", 20)
    flat = list(tree_rows(cycle))
    assert [r["id"] for r in flat] == ["cyc-a", "cyc-b", "cyc-c"]
    up = reader.tree("org-ailab", date(2020, 1, 1), "possible", 5, up=True)
    assert up["direction"] == "up"
    assert [r["id"] for r in tree_rows(up)] == ["org-ailab", "org-nhsx", "org-nhs", "org-dhsc"]
    with pytest.raises(TemplateError):
        reader.tree("org-nhs", date(2020, 1, 1), "sure")


def test_changes_between_dates(reader: GraphReader) -> None:
    rows = reader.run("hierarchy.changes", {"fromDate": date(2019, 1, 1), "toDate": date(2019, 12, 31)})
    got = {(r["change"], r["childId"]) for r in rows}
    assert got == {
        ("started", "org-nhsx"),
        ("started", "org-naap"),
        ("started", "org-ailab"),
        ("ended", "org-bad"),
    }
    # a month-precision start counts for any period its days overlap
    late_may = reader.run("hierarchy.changes", {"fromDate": date(2019, 5, 20), "toDate": date(2019, 6, 30)})
    assert {(r["change"], r["childId"]) for r in late_may} == {
        ("started", "org-naap"),
        ("started", "org-nhsx"),
    }
    gap = reader.run("hierarchy.changes", {"fromDate": date(2016, 1, 1), "toDate": date(2016, 12, 31)})
    assert [(r["change"], r["claimId"]) for r in gap] == [("ended", "c-dhsc-nhsd-1")]


# -- quality ------------------------------------------------------------------------------------------------


def test_quality_cycles(reader: GraphReader) -> None:
    rows = reader.run("quality.cycles", {"asOf": date(2020, 5, 15), "mode": "certain"})
    assert [(r["ids"], r["length"]) for r in rows] == [(["cyc-a", "cyc-b", "cyc-c", "cyc-a"], 3)]
    assert reader.run("quality.cycles", {"asOf": date(2019, 5, 15), "mode": "possible"}) == []


def test_quality_multiple_parents(reader: GraphReader) -> None:
    rows = reader.run("quality.multiple_parents", {"asOf": date(2020, 5, 15), "mode": "possible"})
    assert [(r["id"], r["parentIds"]) for r in rows] == [("org-joint", ["org-dhsc", "org-nhs"])]
    assert reader.run("quality.multiple_parents", {"asOf": date(2019, 5, 15), "mode": "possible"}) == []


def test_quality_bad_spells(reader: GraphReader) -> None:
    # c-maybe ('2020-00-00' to '2020-03-15') may well have run from January to March: not bad
    rows = reader.run("quality.bad_spells", {})
    assert [r["claimId"] for r in rows] == ["c-bad"]


def test_quality_orphans(reader: GraphReader) -> None:
    assert ids(reader.run("quality.orphans", {"limit": 100})) == ["org-lonely"]


# -- hostile parameters, write refusal ----------------------------------------------------------------------


def test_hostile_string_through_every_read_template(reader: GraphReader, seeded: neo4j.Driver) -> None:
    before = counts(seeded)
    ran = 0
    for group in READ_GROUPS:
        for tpl in reader.registry.group(group):
            params = {
                p.name: HOSTILE if p.type == "string" and p.name != "mode" else dummy_value(p)
                for p in tpl.params
            }
            if "mode" in params:
                params["mode"] = "possible"
            # Lucene may refuse the text as a query (QueryError): refused, never executed as Cypher
            with contextlib.suppress(QueryError):
                reader.run(tpl.name, params)
            ran += 1
    assert ran >= 17
    assert counts(seeded) == before
    assert reader.by_name(HOSTILE) is not None  # typed text is escaped: a valid query
    assert counts(seeded) == before


def test_run_refuses_write_template_without_allow_write(reader: GraphReader, seeded: neo4j.Driver) -> None:
    before = counts(seeded)
    with pytest.raises(TemplateError, match="--write"):
        reader.run("admin.delete_all", {})
    assert counts(seeded) == before
    with pytest.raises(TemplateError, match="missing orgId"):
        reader.run("hierarchy.parents", {"asOf": date(2020, 1, 1), "mode": "possible"})


# -- CLI ----------------------------------------------------------------------------------------------------


def invoke(*args: str) -> Any:
    return CliRunner().invoke(cli, list(args))


def test_cli_tree_json_seed_case(neo4j_env: Neo4jSettings, seeded: neo4j.Driver) -> None:
    result = invoke("tree", "NHS, UK Health Agency", "--as-of", "2019-05-15", "--format", "json")
    assert result.exit_code == 0, result.output
    doc = json.loads(result.output)
    assert doc["name"] == "NHS, UK Health Agency" and doc["asOf"] == "2019-05-15"
    [naap] = [c for c in doc["children"] if c["name"] == "NHS As A Platform"]
    assert naap["validFrom"] == "2019-05-01" and naap["validFromText"] == "2019-05-00"
    assert naap["validFromPrecision"] == "month"
    certain = invoke("tree", "org-nhs", "--as-of", "2019-05-15", "--mode", "certain", "--format", "json")
    assert "NHS As A Platform" not in certain.output


def test_cli_tree_table_shows_partial_dates(neo4j_env: Neo4jSettings, seeded: neo4j.Driver) -> None:
    result = invoke("tree", "NHS", "--as-of", "2020-05-15", "--format", "table")
    assert result.exit_code == 0, result.output
    assert "NHS As A Platform (org-naap)  from 2019-05" in result.output
    assert "NHSX (org-nhsx)  from 2019, ended (date unknown)" in result.output
    up = invoke("tree", "ods:X24", "--up", "--as-of", "2020-05-15", "--format", "csv")
    assert up.exit_code == 0, up.output
    assert up.output.splitlines() == [
        "depth,id,name,parent,from,to,claimId,source",
        '0,org-nhs,"NHS, UK Health Agency",,,,,',
        "1,org-dhsc,Department of Health and Social Care,org-nhs,2013-04-01,,c-dhsc-nhs,test",
    ]


def test_cli_tree_unknown_and_bad_date_exit_2(neo4j_env: Neo4jSettings, seeded: neo4j.Driver) -> None:
    result = invoke("tree", "zzqqxx")
    assert result.exit_code == 2 and "zzqqxx" in result.output and "Traceback" not in result.output
    bad = invoke("tree", "NHS", "--as-of", "2019-13-45")
    assert bad.exit_code == 2 and "YYYY-MM-DD" in bad.output


def test_cli_lookup(neo4j_env: Neo4jSettings, seeded: neo4j.Driver) -> None:
    result = invoke("lookup", "Natonal Helth Service", "--format", "json")
    assert result.exit_code == 0, result.output
    rows = json.loads(result.output)
    assert rows[0]["id"] == "org-nhs" and rows[0]["matchedBy"] == "name"
    assert "NHS England" in rows[0]["aliases"] and rows[0]["identifiers"] == ["ods:X24"]
    ident = json.loads(invoke("lookup", "ods:A81001", "--format", "json", "--limit", "1").output)
    assert [(r["id"], r["matchedBy"]) for r in ident] == [("org-practice", "identifier")]
    table = invoke("lookup", "NHS Digital")
    assert table.exit_code == 0 and "rank" in table.output
    csv_out = invoke("lookup", "NHS Digital", "--format", "csv").output.splitlines()
    assert csv_out[0] == "rank,id,name,matchedBy,matchedName,score,aliases,identifiers"
    assert csv_out[1].startswith("1,org-nhsd,NHS Digital,normalised name,NHS Digital,")  # exact form first


def test_cli_query_list_show_run(neo4j_env: Neo4jSettings, seeded: neo4j.Driver) -> None:
    listed = invoke("query", "list", "--format", "json")
    assert listed.exit_code == 0
    names = {r["name"] for r in json.loads(listed.output)}
    assert {"hierarchy.ancestors", "lookup.by_name", "quality.cycles", "hierarchy.tree"} <= names
    shown = invoke("query", "show", "hierarchy.ancestors")
    assert shown.exit_code == 0 and shown.output.startswith("// name: hierarchy.ancestors")
    run = invoke(
        "query",
        "run",
        "hierarchy.ancestors",
        "-p",
        "orgId=org-ailab",
        "-p",
        "asOf=2019-09-15",
        "-p",
        "mode=certain",
        "--format",
        "json",
    )
    assert run.exit_code == 0, run.output
    assert json.loads(run.output) == [{"id": "org-nhsx", "name": "NHSX", "depth": 1}]
    for args, message in [
        (["-p", "orgId=x", "-p", "asOf=2019-13-01"], "asOf"),
        (["-p", "orgId=x", "-p", "mode=sure"], "mode"),
        (["-p", "nope=1"], "no parameter 'nope'"),
        (["-p", "orgId"], "KEY=VALUE"),
    ]:
        bad = invoke("query", "run", "hierarchy.ancestors", *args)
        assert bad.exit_code == 2 and message in bad.output, bad.output
    assert invoke("query", "show", "nope.nothing").exit_code == 2


def test_cli_query_run_write_needs_flag(neo4j_env: Neo4jSettings, seeded: neo4j.Driver) -> None:
    before = counts(seeded)
    refused = invoke("query", "run", "admin.delete_all")
    assert refused.exit_code == 2 and "--write" in refused.output
    assert counts(seeded) == before
    done = invoke("query", "run", "admin.delete_all", "--write")
    assert done.exit_code == 0, done.output
    assert counts(seeded) == (0, 0)


def test_cli_hostile_parameter_changes_nothing(
    neo4j_env: Neo4jSettings, seeded: neo4j.Driver, registry: TemplateRegistry
) -> None:
    before = counts(seeded)
    for group in READ_GROUPS:
        for tpl in registry.group(group):
            args = ["query", "run", tpl.name]
            for p in tpl.params:
                if p.type == "string" and p.name != "mode":
                    args += ["-p", f"{p.name}={HOSTILE}"]
                elif p.type == "integer":
                    args += ["-p", f"{p.name}=3"]
                elif p.type == "date":
                    args += ["-p", f"{p.name}=2020-01-01"]
            result = invoke(*args)
            assert result.exit_code in (0, 2), (tpl.name, result.output)
            assert "Traceback" not in result.output
    assert invoke("lookup", HOSTILE).exit_code == 0
    assert invoke("tree", HOSTILE).exit_code == 2
    assert counts(seeded) == before


@pytest.mark.parametrize(
    "command", [["lookup"], ["tree"], ["query"], ["query", "list"], ["query", "show"], ["query", "run"]]
)
def test_cli_help_has_an_example(command: list[str]) -> None:
    result = invoke(*command, "--help")
    assert result.exit_code == 0 and "Example:" in result.output


def test_no_server_warnings_on_a_graph_without_merges(
    graph: neo4j.Driver, registry: TemplateRegistry, caplog: pytest.LogCaptureFixture
) -> None:
    """A fresh graph has no MERGED_INTO type yet: the templates must not make the server warn each call."""
    graph.execute_query(
        "CREATE (:Organisation {id: 'a', name: 'A'})-[:PARENT_OF {claimId: 'c'}]->"
        "(:Organisation {id: 'b', name: 'B'})"
    )
    reader = GraphReader(graph, registry, database="neo4j")
    with caplog.at_level("INFO", logger="neo4j"):
        rows = reader.run("hierarchy.ancestors", _asof("b", "2020-01-01", "possible"))
    assert ids(rows) == ["a"]
    assert not [r for r in caplog.records if "notification" in r.getMessage().lower()]
