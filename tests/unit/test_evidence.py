"""Graph evidence (resolver.evidence) and its use in reconcile(): parents confirm or count against a match."""

from __future__ import annotations

import json
import random

from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from resolver.cli import cli
from resolver.evidence import CONFIRM, RAISE, Ancestry, Parent, names_parent, weigh
from resolver.explain import explain
from resolver.judgements import Judgement
from resolver.model import Mention, ParentClaim
from resolver.normalise import normalise_name as n
from resolver.reconcile import reconcile
from tests.unit.test_reconcile import MemoryGraph, Org, Table, claim

T = 0.88
DFT = Parent("o-dft", ("Department for Transport", "DfT"))
CO = Parent("o-co", ("Cabinet Office",))
DFAT = Parent("o-dfat", ("Department of Foreign Affairs and Trade", "DFAT"))


def test_a_shared_parent_confirms_a_borderline_pair() -> None:
    a, b = n("Rail Accident Investigation Branch"), n("Rail Accidents Investigation")
    w = weigh(a, b, [DFT], [DFT], T)
    assert w.kind == "same parent" and w.change == CONFIRM and w.bar == round(T - CONFIRM, 6)
    assert not w.name_only and w.same and w.decided
    assert w.line() == "graph: same parent 'Department for Transport' confirms +0.050 (bar 0.830)"


def test_no_parents_no_evidence() -> None:
    w = weigh(n("Rail Accident Investigation Branch"), n("Rail Accidents Investigation"), [], [], T)
    assert w.kind == "" and w.change == 0.0 and not w.decided


def test_a_hard_rule_is_never_outweighed() -> None:
    # siblings a letter apart, siblings told apart by a compass word, numbers: same parent, still two
    for x, y in (
        ("Stafford Borough Council", "Trafford Borough Council"),
        ("Leeds North CCG", "Leeds South CCG"),
        ("Region 1 Office", "Region 2 Office"),
        ("Road Safety Board", "Rail Safety Board"),
        # GOV.UK siblings a word apart: a shared parent confirms spellings, not a different word
        ("Nuclear Research Advisory Committee", "Nuclear Research Advisory Council"),
        ("Regional Schools Commissioners", "Schools Commissioners Group"),
        ("Air Accidents Investigation Branch", "Marine Accident Investigation Branch"),
    ):
        w = weigh(n(x), n(y), [DFT], [DFT], T)
        assert w.kind == "same parent" and w.blocked and w.change == 0.0 and not w.same, (x, y, w)


def test_tags_that_both_name_the_shared_parent_do_not_count_against() -> None:
    a, b = n("Estates Office (DFAT)"), n("Estates Office (Foreign Affairs and Trade)")
    w = weigh(a, b, [DFAT], [DFAT], T)
    assert w.lift > 0 and w.same and not w.name_only
    # the same two names under two different parents stay apart: the tags are two remarks
    other = Parent("o-x", ("Department of Finance",))
    assert not weigh(a, b, [DFAT], [other], T).same


def test_a_tag_naming_the_own_parent_confirms_against_a_name_without_parent() -> None:
    assert names_parent("dfat", DFAT) and names_parent("foreign affairs and trade", DFAT)
    assert not names_parent("dia", DFAT) and not names_parent(None, DFAT)
    w = weigh(n("Passport Ofice Australia (DFAT)"), n("Passport Office of Australia"), [DFAT], [], T)
    assert w.kind == "parent tag" and "names its own parent" in w.detail


def test_different_parents_raise_the_bar_but_do_not_forbid() -> None:
    near = weigh(n("Office of Rail and Road"), n("Office for Rail and Roads"), [DFT], [CO], T)
    assert near.kind == "different parents" and near.change == -RAISE
    assert near.name_only and not near.same  # 0.917 < 0.92
    moved = weigh(n("Office of Rail and Road"), n("Office of Rail & Road"), [DFT], [CO], T)
    assert moved.same  # a body moved between departments is still itself


def test_an_ancestor_is_not_a_different_parent() -> None:
    ancestry = Ancestry({"o-dft": {"o-co"}})
    w = weigh(n("Office of Rail and Road"), n("Office for Rail and Roads"), [DFT], [CO], T, ancestry.related)
    assert w.kind == "" and w.same
    assert ancestry.related("o-co", "o-dft") and not Ancestry({}).related("o-co", "o-dft")
    cyclic = Ancestry({"a": {"b"}, "b": {"a"}})
    assert cyclic.ancestors("a") == {"a", "b"}


# reconcile(): the claim's parent is the other side of its edge row, once resolved


def _siblings(
    *names: str, parent: str = "Department for Transport"
) -> tuple[Table, list[tuple[ParentClaim, str, str, str]]]:
    p = Mention(parent)
    kids = [Mention(x) for x in names]
    table = Table(p, *kids)
    claims = [(claim(p, k, i), "f.csv", "k0", f"k{i}") for i, k in enumerate(kids, start=1)]
    return table, claims


def test_reconcile_joins_a_borderline_sibling_only_with_the_evidence() -> None:
    table, claims = _siblings("Rail Accident Investigation Branch", "Rail Accidents Investigation")
    off = reconcile(table, claims, MemoryGraph(), graph_evidence=False)
    assert off.org_of["k1"] != off.org_of["k2"] and off.evidence == ()
    on = reconcile(table, claims, MemoryGraph())
    assert on.org_of["k1"] == on.org_of["k2"]
    (d,) = on.evidence
    assert d.joins and d.weighing.kind == "same parent" and d.as_dict()["decided"] is True
    methods = {a.name: a.method for c in on.changes for a in c.aliases}
    assert methods["Rail Accidents Investigation"] == "graph"
    assert methods["Department for Transport"] == "exact"


def test_reconcile_keeps_apart_lookalikes_under_different_parents() -> None:
    dft, co = Mention("Department for Transport"), Mention("Cabinet Office")
    x, y = Mention("Office of Rail and Road"), Mention("Office for Rail and Roads")
    table = Table(dft, co, x, y)
    claims = [(claim(dft, x, 1), "f.csv", "k0", "k2"), (claim(co, y, 2), "f.csv", "k1", "k3")]
    assert (
        reconcile(table, claims, MemoryGraph(), graph_evidence=False).org_of["k2"]
        == reconcile(table, claims, MemoryGraph(), graph_evidence=False).org_of["k3"]
    )
    on = reconcile(table, claims, MemoryGraph())
    assert on.org_of["k2"] != on.org_of["k3"]
    (d,) = on.evidence
    assert not d.joins and d.weighing.kind == "different parents"


def test_the_graph_parent_of_an_existing_organisation_confirms() -> None:
    graph = MemoryGraph(
        orgs=[
            Org(
                "o-dft", "Department for Transport", "department for transport", ("Department for Transport",)
            ),
            Org(
                "o-raib",
                "Rail Accident Investigation Branch",
                "rail accident investigation branch",
                ("Rail Accident Investigation Branch",),
            ),
        ],
        pairs=[("o-dft", "o-raib")],
    )
    dft, raib = Mention("Department for Transport"), Mention("Rail Accidents Investigation")
    claims = [(claim(dft, raib), "f.csv", "k0", "k1")]
    rec = reconcile(Table(dft, raib), claims, graph)
    assert (rec.org_of["k0"], rec.org_of["k1"]) == ("o-dft", "o-raib")
    assert rec.organisations_created == 0 and [d.weighing.kind for d in rec.evidence] == ["same parent"]
    assert reconcile(Table(dft, raib), claims, graph, graph_evidence=False).organisations_created == 1


def test_a_different_judgement_wins_over_a_shared_parent() -> None:
    table, claims = _siblings("Rail Accident Investigation Branch", "Rail Accidents Investigation")
    judged = Judgement("Rail Accident Investigation Branch", "Rail Accidents Investigation", "different")
    rec = reconcile(table, claims, MemoryGraph(judged=[judged]))
    assert rec.org_of["k1"] != rec.org_of["k2"] and rec.evidence == ()


def test_a_child_is_never_joined_to_its_parent_by_the_evidence() -> None:
    # "DfT Rail" sits under DfT; the two share no parent, and a cannot-link keeps them apart anyway
    table, claims = _siblings("Department for Transport Rail", parent="Department for Transport")
    rec = reconcile(table, claims, MemoryGraph())
    assert rec.org_of["k0"] != rec.org_of["k1"] and rec.rejects == []


NAMES = [
    "Rail Accident Investigation Branch",
    "Rail Accidents Investigation",
    "Office of Rail and Road",
    "Office for Rail and Roads",
    "Crown Commercial Service",
    "Crown Commercial Services Agency",
    "Stafford Borough Council",
    "Trafford Borough Council",
]
PARENTS = ["Department for Transport", "Cabinet Office", "Department for Transport (DfT)"]


@settings(max_examples=25, deadline=None)
@given(
    st.lists(
        st.tuples(st.sampled_from(PARENTS), st.sampled_from(NAMES)), min_size=1, max_size=8, unique=True
    ),
    st.randoms(use_true_random=False),
)
def test_evidence_does_not_depend_on_input_order(rows: list[tuple[str, str]], rnd: random.Random) -> None:
    def run(order: list[tuple[str, str]]) -> tuple[set[frozenset[str]], set[tuple[str, str, bool]]]:
        mentions: list[Mention] = []
        for p, c in order:
            for name in (p, c):
                if Mention(name) not in mentions:
                    mentions.append(Mention(name))
        table = Table(*mentions)
        key = {m.name: f"k{i}" for i, m in enumerate(mentions)}
        claims = [
            (claim(Mention(p), Mention(c), i), "f.csv", key[p], key[c])
            for i, (p, c) in enumerate(order, start=1)
        ]
        rec = reconcile(table, claims, MemoryGraph())
        groups: dict[str, set[str]] = {}
        for name, k in key.items():
            groups.setdefault(rec.org_of[k], set()).add(name)
        decided = {(min(d.left, d.right), max(d.left, d.right), d.joins) for d in rec.evidence}
        return {frozenset(g) for g in groups.values()}, decided

    shuffled = list(rows)
    rnd.shuffle(shuffled)
    assert run(rows) == run(shuffled)


# explain: the graph evidence as a waterfall step and, when it decides, the decision


def test_explain_with_parents_shows_the_step_and_decides() -> None:
    a, b = "Rail Accident Investigation Branch", "Rail Accidents Investigation"
    alone = explain(a, b)
    assert alone.decision == "different" and alone.graph is None
    ex = explain(a, b, parents_a=["Department for Transport"], parents_b=["DfT"])  # one parent, two names
    assert ex.decision == "same" and ex.rule == "graph evidence" and ex.graph is not None
    step, change, running = ex.waterfall[-1]
    assert step.startswith("graph: same parent") and change == CONFIRM and running > ex.pair.score
    apart = explain(
        "Office of Rail and Road",
        "Office for Rail and Roads",
        parents_a=["DfT"],
        parents_b=["Cabinet Office"],
    )
    assert apart.decision == "different" and apart.rule == "graph evidence"
    assert explain("Office of Rail and Road", "Office for Rail and Roads").decision == "same"


def test_explain_keeps_the_rule_when_the_evidence_does_not_decide() -> None:
    ex = explain("Stafford Borough Council", "Trafford Borough Council", parents_a=["X"], parents_b=["X"])
    assert ex.decision == "different" and ex.rule == "threshold" and ex.graph is not None and ex.graph.blocked
    acronym = explain(
        "NHS", "National Health Service (NHS)", parents_a=["DHSC"], parents_b=["Cabinet Office"]
    )
    assert acronym.decision == "same" and acronym.rule == "explicit acronym"


def test_explain_cli_json_has_the_graph_rows() -> None:
    args = ["explain", "Rail Accident Investigation Branch", "Rail Accidents Investigation"]
    args += ["--parent-a", "Department for Transport", "--parent-b", "Department for Transport"]
    result = CliRunner().invoke(cli, [*args, "--format", "json"], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    rows = {r["item"]: r for r in json.loads(result.output)}
    assert rows["graph evidence"]["left"] == "same parent"
    assert rows["decision"]["left"] == "same" and rows["decision"]["right"].startswith("graph evidence:")
