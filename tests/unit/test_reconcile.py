"""reconcile(): incoming mentions against an in-memory graph (the GraphView protocol), no server."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from hypothesis import given, settings
from hypothesis import strategies as st

from resolver.judgements import Judgement
from resolver.model import Mention, ParentClaim
from resolver.reconcile import GraphView, Redirect, reconcile


@dataclass(frozen=True)
class Org:
    id: str
    name: str
    norm_name: str
    aliases: tuple[str, ...] = ()
    identifiers: tuple[str, ...] = ()


@dataclass
class MemoryGraph:
    """What a graph holds, in memory; implements GraphView."""

    orgs: list[Org] = field(default_factory=list)
    pairs: list[tuple[str, str]] = field(default_factory=list)
    merged: list[Redirect] = field(default_factory=list)
    judged: list[Judgement] = field(default_factory=list)

    def organisations(self) -> Iterable[Org]:
        return self.orgs

    def parent_pairs(self) -> Iterable[tuple[str, str]]:
        return self.pairs

    def redirects(self) -> Iterable[Redirect]:
        return self.merged

    def judgements(self) -> Iterable[Judgement]:
        return self.judged


class Table:
    """The MentionTable protocol: one record per mention, keyed k0, k1, ..."""

    def __init__(self, *mentions: Mention) -> None:
        self.names: dict[str, str] = {}
        self.ids: dict[str, tuple[str, ...]] = {}
        self.aliases: dict[str, set[str]] = {}
        for i, m in enumerate(mentions):
            self.names[f"k{i}"] = m.name
            self.ids[f"k{i}"] = m.identifiers
            self.aliases[f"k{i}"] = set(m.aliases)


def claim(parent: Mention, child: Mention, n: int = 1) -> ParentClaim:
    return ParentClaim(f"c{n}", parent, child, None, None, None, "test", line=n)


def test_protocol_fits() -> None:
    view: GraphView = MemoryGraph()
    assert list(view.organisations()) == []


def test_empty_graph_creates_organisations_and_links() -> None:
    nhs, england = Mention("National Health Service (NHS)"), Mention("NHS England")
    table = Table(nhs, england, Mention("The N.H.S."))
    rec = reconcile(table, [(claim(nhs, england), "f.csv", "k0", "k1")], MemoryGraph())
    assert rec.org_of["k0"] == rec.org_of["k2"] != rec.org_of["k1"]
    assert rec.organisations_created == 2 and rec.resolved_by_engine == 3
    assert [(link.parent_id, link.child_id) for link in rec.links] == [(rec.org_of["k0"], rec.org_of["k1"])]
    names = {a.name for c in rec.changes for a in c.aliases}
    assert names == {"National Health Service (NHS)", "NHS England", "The N.H.S."}


def test_identifier_pins_to_the_graph_organisation_and_adds_only_what_is_new() -> None:
    graph = MemoryGraph([Org("org-1", "Kent Police", "kent police", ("Kent Police",), ("police:K1",))])
    rec = reconcile(Table(Mention("Kent Constabulary", ("police:K1",))), [], graph)
    assert rec.org_of == {"k0": "org-1"} and rec.resolved_by_engine == 0
    assert rec.organisations_created == 0 and rec.organisations_reused == 1
    [change] = rec.changes
    assert [a.name for a in change.aliases] == ["Kent Constabulary"] and change.identifiers == ()


def test_merged_ids_redirect_names_and_identifiers() -> None:
    graph = MemoryGraph(
        [
            Org(
                "org-keep",
                "Ministry of Justice",
                "ministry of justice",
                ("Ministry of Justice",),
                ("gov:moj",),
            )
        ],
        merged=[Redirect("org-old", "org-keep", ("Ministry of Justice",), ("gov:D18",))],
    )
    rec = reconcile(
        Table(Mention("Ministry of Justice", ("gov:D18",)), Mention("Ministry of Justice")), [], graph
    )
    assert rec.org_of == {"k0": "org-keep", "k1": "org-keep"}
    assert rec.changes == [] and rec.identifiers_added == 0


def test_parent_pairs_of_merged_ids_stay_cannot_links() -> None:
    graph = MemoryGraph(
        [Org("org-p", "NHS", "nhs", ("NHS",)), Org("org-c", "NHS As A Platform", "nhs as a platform")],
        pairs=[("org-old", "org-c")],
        merged=[Redirect("org-old", "org-p")],
    )
    rec = reconcile(Table(Mention("N.H.S. as a platform")), [], graph)
    assert rec.org_of["k0"] == "org-c"


def test_different_judgement_keeps_two_names_apart() -> None:
    table = Table(Mention("NHS"), Mention("The N.H.S."))
    assert len(set(reconcile(table, [], MemoryGraph()).org_of.values())) == 1
    graph = MemoryGraph(judged=[Judgement("NHS", "The N.H.S.", "different")])
    rec = reconcile(table, [], graph)
    assert rec.org_of["k0"] != rec.org_of["k1"] and rec.judgements_applied == 1


def test_same_judgement_joins_two_names() -> None:
    table = Table(Mention("Kent Police"), Mention("Kent Constabulary"))
    assert len(set(reconcile(table, [], MemoryGraph()).org_of.values())) == 2
    graph = MemoryGraph(judged=[Judgement("Kent Constabulary", "Kent Police", "same")])
    assert len(set(reconcile(table, [], graph).org_of.values())) == 1


def test_different_judgement_against_a_graph_organisation() -> None:
    graph = MemoryGraph(
        [Org("org-1", "Herefordshire Council", "herefordshire council", ("Herefordshire Council",))],
        judged=[Judgement("Herefordshire Councll", "org-1", "different", "name", "org")],
    )
    rec = reconcile(Table(Mention("Herefordshire Councll")), [], graph)
    assert rec.org_of["k0"] != "org-1"


def test_self_loop_claim_is_rejected_with_file_and_line() -> None:
    a = Mention("NHS")  # a row naming one body as its own parent
    rec = reconcile(Table(a), [(claim(a, a, 7), "edges.csv", "k0", "k0")], MemoryGraph())
    [reject] = rec.rejects
    assert (reject.path, reject.line, reject.code, reject.field) == ("edges.csv", 7, "self-loop", "parent")
    assert rec.links == []


WORDS = ["North", "South", "Kent", "Health", "Council", "Trust", "Police", "Board"]


@settings(max_examples=40, deadline=None)
@given(
    names=st.lists(
        st.lists(st.sampled_from(WORDS), min_size=1, max_size=3).map(" ".join), min_size=2, max_size=8
    ),
    data=st.data(),
)
def test_different_judgements_always_hold(names: list[str], data: st.DataObject) -> None:
    distinct = sorted(set(names))
    if len(distinct) < 2:
        return
    pairs = data.draw(st.lists(st.tuples(st.sampled_from(distinct), st.sampled_from(distinct)), max_size=4))
    judged = [Judgement(a, b, "different") for a, b in pairs if a != b]
    table = Table(*(Mention(n) for n in distinct))
    rec = reconcile(table, [], MemoryGraph(judged=judged))
    org_of_name = {table.names[k]: org for k, org in rec.org_of.items()}
    for j in judged:
        assert org_of_name[j.left] != org_of_name[j.right]
