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
    block = re.search(r"```\nWHERE (CASE \$mode.*?END)\n```", readme, re.S)
    assert block, "cypher/README.md lost its as-of predicate"
    return _squash(block.group(1))


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
    assert list(tree_rows(doc)) == [
        {"depth": 0, "id": "a", "name": "A", "parent": None, "from": None, "to": None},
        {"depth": 1, "id": "b", "name": "B", "parent": "a", "from": "2013-04-01", "to": "2016-03-31"},
        {"depth": 2, "id": "c", "name": "C", "parent": "b", "from": "2019-05", "to": "ended (date unknown)"},
    ]
