"""The register fast path gives exactly the engine's answer whenever it applies, and declines otherwise."""

from __future__ import annotations

import csv

from hypothesis import given, settings
from hypothesis import strategies as st

from resolver.model import EntityRecord
from resolver.pipeline import resolve
from resolver.register import register_scheme, resolve_register
from tests.conftest import shared_file

NAMES = [
    "Leeds CCG",
    "NHS Leeds Clinical Commissioning Group",
    "LEEDS CCG",
    "Acme Ltd",
    "ACME LIMITED",
    "The Surgery",
    "Apple, Fruit company",
    "Apple, Technology company",
    "NHS",
    "National Health Service (NHS)",
    "",
]


def same(records: list[EntityRecord]) -> None:
    fast = resolve_register(records)
    assert fast is not None
    slow = resolve(records)
    assert fast.organisations == slow.organisations
    assert dict(fast.org_of) == dict(slow.org_of)


@st.composite
def register_records(draw: st.DrawFn) -> list[EntityRecord]:
    """Mentions with one ods identifier each (few codes, so many share one), some with aliases, plus
    graph organisations holding one ods code of their own."""
    n = draw(st.integers(1, 14))
    codes = draw(st.lists(st.sampled_from("ABCDEFG"), min_size=n, max_size=n))
    records = []
    for i, code in enumerate(codes):
        name = draw(st.sampled_from(NAMES))
        aliases = tuple(draw(st.lists(st.sampled_from(NAMES), max_size=2)))
        records.append(
            EntityRecord(f"m:{i:02d}", name, tuple(a for a in aliases if a != name), (f"ods:{code}",))
        )
    graph_codes = draw(st.lists(st.sampled_from("ABCDEFGH"), max_size=3, unique=True))
    for code in graph_codes:
        name = draw(st.sampled_from(NAMES))
        org = f"org-{code.lower() * 4}"
        records.append(EntityRecord(f"g:{org}", name, (name,), (f"ods:{code}", f"lei:{code}9"), org))
    # mentions of a graph organisation's code come pinned to it, as ingest does
    pinned = {r.identifiers[0]: r.org_id for r in records if r.org_id}
    return [
        r
        if r.org_id or r.identifiers[0] not in pinned
        else EntityRecord(r.key, r.name, r.aliases, r.identifiers, pinned[r.identifiers[0]])
        for r in records
    ]


@settings(max_examples=150, deadline=None)
@given(register_records())
def test_fast_path_equals_the_engine(records: list[EntityRecord]) -> None:
    if resolve_register(records) is None:  # all already known, or two qualifiers under one code
        by_code: dict[str, set[str]] = {}
        for r in records:
            if "," in r.name:
                by_code.setdefault(r.identifiers[0], set()).add(r.name)
        assert all(r.org_id for r in records) or any(len(q) > 1 for q in by_code.values())
        return
    same(records)


def test_declines_when_names_could_matter() -> None:
    ods = EntityRecord("a", "Leeds CCG", identifiers=("ods:02V",))
    assert register_scheme([ods, EntityRecord("b", "Leeds CCG")]) is None  # no identifier
    assert (
        register_scheme([ods, EntityRecord("b", "Leeds", identifiers=("gb-coh:1",))]) is None
    )  # two schemes
    assert register_scheme([EntityRecord("b", "Leeds", identifiers=("ods:1", "ods:2"))]) is None  # two codes
    graph_org = EntityRecord("g:org-1", "Leeds CCG", ("Leeds CCG",), (), "org-1")
    assert register_scheme([ods, graph_org]) is None  # the engine could merge it by name
    assert resolve_register([ods, graph_org]) is None
    assert register_scheme([]) is None


def test_nhs_ods_2016_fast_path_equals_the_engine() -> None:
    path = shared_file("nhs-ods-2016/edges.csv")
    mentions: dict[tuple[str, str], EntityRecord] = {}
    with path.open(encoding="utf-8") as f:
        for row in csv.DictReader(f):
            for side in ("parent", "child"):
                name, code = row[side], f"ods:{row[f'{side}_code']}"
                key = f"m:{len(mentions):06d}"
                mentions.setdefault((name, code), EntityRecord(key, name, (), (code,)))
    same(list(mentions.values()))


def test_declines_when_a_cannot_link_shares_an_identifier() -> None:
    parent = EntityRecord("a", "Leeds CCG", identifiers=("ods:02V",))
    child = EntityRecord("b", "Leeds Surgery", identifiers=("ods:02V",))
    assert resolve_register([parent, child]) is not None
    assert resolve_register([parent, child], [("a", "b")]) is None  # the engine splits them
