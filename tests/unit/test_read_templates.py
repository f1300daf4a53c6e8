"""The read templates without a database: headers, parameters, the one as-of rule, Lucene escaping, trees."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import pytest

from resolver.errors import NotFoundError
from resolver.graph.reader import escape_lucene, fulltext_query, partial_label, tree_rows
from resolver.graph.templates import TemplateRegistry, default_cypher_dir

EXPECTED = {
    "lookup.by_name": {"query", "limit"},
    "lookup.by_id": {"ref"},
    "hierarchy.parents": {"orgId", "asOf", "mode"},
    "hierarchy.children": {"orgId", "asOf", "mode"},
    "hierarchy.ancestors": {"orgId", "asOf", "mode"},
    "hierarchy.descendants": {"orgId", "asOf", "mode", "maxDepth"},
    "hierarchy.ultimate_parent": {"orgId", "asOf", "mode"},
    "hierarchy.siblings": {"orgId", "asOf", "mode"},
    "hierarchy.path": {"fromId", "toId", "asOf", "mode"},
    "hierarchy.tree": {"orgId", "asOf", "mode", "maxDepth"},
    "hierarchy.tree_up": {"orgId", "asOf", "mode", "maxDepth"},
    "hierarchy.history": {"orgId"},
    "hierarchy.spells_below": {"orgId", "maxDepth"},
    "hierarchy.changes": {"fromDate", "toDate"},
    "quality.cycles": {"asOf", "mode"},
    "quality.multiple_parents": {"asOf", "mode"},
    "quality.bad_spells": set(),
    "quality.orphans": {"limit"},
}


def _squash(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def readme_predicate() -> str:
    readme = (default_cypher_dir() / "README.md").read_text(encoding="utf-8")
    block = re.search(r"```\nWHERE (CASE mode.*?END)\n```", readme, re.S)
    assert block, "cypher/README.md lost its as-of predicate"
    return _squash(block.group(1))


def readme_preamble() -> str:
    readme = (default_cypher_dir() / "README.md").read_text(encoding="utf-8")
    block = re.search(r"```\n(WITH CASE WHEN \$mode.*?AS asOfTo)\n```", readme, re.S)
    assert block, "cypher/README.md lost the lines that check $mode and read $asOf"
    return _squash(block.group(1))


def test_every_dated_template_checks_mode_and_reads_as_of_as_the_readme_says() -> None:
    """$mode is checked and $asOf read (day, month, year; date or text) by the README's lines, verbatim,
    and nothing else in a template reads $mode or $asOf (so no branch can skip the check)."""
    preamble = readme_preamble()
    for tpl in TemplateRegistry():
        if "asOf" not in tpl.param_names:
            continue
        body = _squash(tpl.text)
        assert body.count(preamble) == 1, f"{tpl.name} lacks the README's $mode/$asOf lines"
        rest = body.replace(preamble, "")
        assert "$mode" not in rest and "$asOf" not in rest, tpl.name


def test_no_template_names_a_relationship_type_a_graph_may_lack() -> None:
    """A graph without merges has no MERGED_INTO type: naming it makes the server warn on every call."""
    for tpl in TemplateRegistry():
        if tpl.name.split(".")[0] not in ("lookup", "hierarchy", "quality"):
            continue  # the analysts' templates (ingest.* runs after the writer made the types)
        for rel in ("MERGED_INTO", "IDENTIFIES", "ALIAS_OF"):
            assert f":{rel}" not in tpl.text, f"{tpl.name} names :{rel}; match type(r) = '{rel}' instead"


def test_organisation_parameters_take_ids_merged_ids_and_identifiers() -> None:
    for tpl in TemplateRegistry():
        if tpl.mode != "read":
            continue  # write templates (curate.*) take the ids `resolver` resolved first with curate.ref
        for param in ("orgId", "fromId", "toId"):
            if param in tpl.param_names:
                text = _squash(tpl.text)
                assert f"(:Identifier {{key: ${param}}})" in text, f"{tpl.name}: ${param} ignores identifiers"
                assert "type(m) = 'MERGED_INTO'" in text, f"{tpl.name}: ${param} ignores merges"


def test_every_read_template_has_a_header_and_its_parameters() -> None:
    registry = TemplateRegistry()
    for name, params in EXPECTED.items():
        tpl = registry[name]
        assert tpl.mode == "read" and tpl.description and tpl.returns, name
        assert set(tpl.param_names) == params, name
        assert tpl.text.startswith(f"// name: {name}\n")
        assert Path(tpl.path).is_relative_to(default_cypher_dir().resolve())


def test_every_dated_template_applies_the_readme_predicate_verbatim() -> None:
    """Every template taking $asOf states the README's CASE, letter for letter (relationship renamed)."""
    rule = readme_predicate()
    for tpl in TemplateRegistry():
        if "asOf" not in tpl.param_names:
            continue
        assert "mode" in tpl.param_names, tpl.name
        body = _squash(tpl.text)
        found = [v for v in ("r", "rp", "r2") if rule.replace("r.", f"{v}.") in body]
        assert found, f"{tpl.name} does not apply the as-of rule of cypher/README.md verbatim"
        # every PARENT_OF pattern of the template is constrained by a rule on its variable
        for var in re.findall(r"\[(\w+):PARENT_OF", tpl.text):
            assert rule.replace("r.", f"{var}.") in body, f"{tpl.name}: PARENT_OF {var} unfiltered"


def test_hop_bounds_are_fixed_text() -> None:
    for tpl in TemplateRegistry():
        quantifier = r"\{\s*\$\w+\s*(?:,[^}]*)?\}|\{[^}]*,\s*\$\w+\s*\}"  # {1,$n}, {$n}, {$n,}
        var_length = r"\[[^\]]*\*[^\]]*\$"  # [*1..$n]
        assert not re.search(quantifier, tpl.text), tpl.name
        assert not re.search(var_length, tpl.text), tpl.name


def test_lucene_escaping_and_query() -> None:
    assert escape_lucene('a+b (c) "d" ~e* f?:g\\h/i') == r"a\+b \(c\) \"d\" \~e\* f\?\:g\\h\/i"
    assert fulltext_query("NHS Digital") == '"nhs digital"^4 nhs^2 digital^2 digital~1'
    assert fulltext_query("Department") == "department^2 department~2"
    assert fulltext_query("NHS Digital", fuzzy=False) == '"nhs digital"^4 nhs^2 digital^2'
    assert " AND " not in fulltext_query("Health AND Care") and "and^2" in fulltext_query("Health AND Care")
    with pytest.raises(NotFoundError):
        fulltext_query("?!")


def test_partial_labels() -> None:
    assert partial_label(date(2019, 5, 1), "month") == "2019-05"
    assert partial_label(date(2019, 1, 1), "year") == "2019"
    assert partial_label(date(2019, 5, 28), "day") == "2019-05-28"
    assert partial_label(None, None) is None


def test_tree_rows_flatten_in_pre_order() -> None:
    leaf = {
        "id": "c",
        "name": "C",
        "validFrom": date(2019, 5, 1),
        "validFromPrecision": "month",
        "validTo": None,
        "isCurrent": False,
        "children": [],
    }
    doc = {
        "id": "a",
        "name": "A",
        "direction": "down",
        "children": [
            {
                "id": "b",
                "name": "B",
                "validFrom": date(2013, 4, 1),
                "validFromPrecision": "day",
                "validTo": date(2016, 3, 31),
                "validToPrecision": "day",
                "children": [leaf],
            },
        ],
    }
    cols = [(r["depth"], r["id"], r["parent"], r["from"], r["to"]) for r in tree_rows(doc)]
    assert cols == [
        (0, "a", None, None, None),
        (1, "b", "a", "2013-04-01", "2016-03-31"),
        (2, "c", "b", "2019-05", "ended (date unknown)"),
    ]


def test_tree_rows_give_one_row_per_spell_and_snapshot_bounds() -> None:
    spells = [
        {
            "claimId": "s1",
            "validFrom": date(2013, 4, 1),
            "validFromPrecision": "day",
            "validTo": date(2016, 3, 31),
            "validToLatest": date(2016, 3, 31),
            "validToPrecision": "day",
        },
        {
            "claimId": "s2",
            "validFrom": None,
            "validFromLatest": date(2021, 8, 11),
            "validFromPrecision": "on_or_before",
            "validTo": date(2026, 6, 1),
            "validToLatest": None,
        },
    ]
    doc = {"id": "a", "name": "A", "children": [{"id": "b", "name": "B", "spells": spells, "children": []}]}
    rows = list(tree_rows(doc))
    assert [(r["id"], r["claimId"], r["from"], r["to"]) for r in rows] == [
        ("a", None, None, None),
        ("b", "s1", "2013-04-01", "2016-03-31"),
        ("b", "s2", "on or before 2021-08-11", "on or after 2026-06-01"),
    ]
