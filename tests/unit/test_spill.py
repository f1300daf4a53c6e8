"""What ingest keeps on disk instead of memory: the spill, its codecs, and the alias-use counts."""

from __future__ import annotations

import doctest
import threading
from datetime import date
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

import resolver.graph.writer
import resolver.held
import resolver.model
import resolver.spill
from resolver.graph.writer import AliasUses
from resolver.held import HeldClaims, Records, from_held_row, held_row
from resolver.model import (
    AliasLink,
    IdentifierLink,
    Mention,
    OrganisationChange,
    OrganisationNode,
    ParentClaim,
    ParentLink,
    PartialDate,
)
from resolver.spill import SortedSpill, Spill


@pytest.mark.parametrize("module", [resolver.spill, resolver.held, resolver.model, resolver.graph.writer])
def test_doctests(module: object) -> None:
    result = doctest.testmod(module)  # type: ignore[arg-type]
    assert result.failed == 0


def _same(x: Any) -> Any:
    return x


plain = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(),
    lambda inner: st.tuples(inner, inner) | st.tuples(inner),
    max_leaves=6,
)


@given(st.lists(plain, max_size=60), st.integers(1, 7))
def test_spill_gives_back_what_was_appended_in_order_every_time(items: list[Any], batch: int) -> None:
    with Spill(_same, _same, batch=batch) as spill:
        for item in items:
            spill.append(item)
        assert len(spill) == len(items)
        assert list(spill) == items
        assert list(spill) == items  # a second pass reads the file again


def test_spill_iterations_overlap_and_see_what_was_there_when_they_began() -> None:
    with Spill(_same, _same, batch=3) as spill:
        for i in range(10):
            spill.append(i)
        first, second = iter(spill), iter(spill)
        assert [next(first) for _ in range(4)] == [0, 1, 2, 3]
        assert list(second) == list(range(10))
        spill.append(10)
        assert list(first) == list(range(4, 10))
        assert list(spill) == list(range(11))


def test_spill_appends_from_another_thread_while_one_reads() -> None:
    with Spill(_same, _same, batch=16) as spill:

        def fill() -> None:
            for i in range(5_000):
                spill.append(i)

        writer = threading.Thread(target=fill)
        writer.start()
        seen = [list(spill) for _ in range(20)]
        writer.join()
        assert all(s == list(range(len(s))) for s in seen)  # always a prefix, never torn
        assert list(spill) == list(range(5_000))


def test_spill_file_is_gone_when_closed() -> None:
    spill = Spill(_same, _same)
    spill.append("x")
    file = spill._file
    spill.close()
    assert file.closed


def test_organisation_change_rows_round_trip_and_refuse_a_foreign_alias() -> None:
    node = OrganisationNode("org-1", "NHS England", "nhs england")
    change = OrganisationChange(
        node,
        (AliasLink("NHS England", "nhs england", "org-1", 0.93, "fuzzy"),),
        (IdentifierLink("ods:X24", "org-1"), IdentifierLink("govuk:nhs-england", "org-1")),
    )
    assert OrganisationChange.from_row(change.as_row()) == change
    foreign = OrganisationChange(node, (AliasLink("NHS", "nhs", "org-2", 1.0, "exact"),))
    with pytest.raises(ValueError, match="another organisation"):
        foreign.as_row()


def test_held_claims_read_the_same_from_a_spill_as_from_a_list() -> None:
    may = PartialDate("2019-05-00", "month", date(2019, 5, 1), date(2019, 5, 31))
    before = PartialDate("<=2001", "year", date.min, date(2001, 12, 31))
    nhs = Mention("NHS", ("ods:X",))
    claims = [
        ParentClaim("c1", nhs, Mention("Leeds CCG", ("ods:02V",)), may, None, True, "ods"),
        ParentClaim(
            "c2", nhs, Mention("York CCG"), before, may, None, "ods", "r2", ("https://x",), "n", "d", 7
        ),
        ParentClaim("c1", Mention("Other"), Mention("Else"), None, None, None, "ods"),  # a duplicate id
    ]
    in_memory = HeldClaims(Records())
    records_a = in_memory.records
    with Spill(held_row, from_held_row, batch=1) as rows:
        spilled = HeldClaims(Records(), rows)
        for held in (in_memory, spilled):
            assert [held.add(c, "f.csv") for c in claims] == [True, True, False]
        assert len(spilled) == len(in_memory) == 2
        assert list(spilled) == list(in_memory)
        assert [row[0] for row in spilled] == claims[:2]
        assert list(spilled.key_pairs()) == list(in_memory.key_pairs())
        assert spilled[1] == in_memory[1]
        assert records_a.names == spilled.records.names
        spilled.clear()
        assert len(spilled) == 0 and spilled.add(claims[0], "f.csv")


@given(st.lists(st.text(max_size=3), max_size=200))
def test_alias_uses_never_calls_a_shared_name_unique(names: list[str]) -> None:
    uses = AliasUses(names)
    for name in set(names):
        if names.count(name) > 1:
            assert not uses.unique(name)
    assert sum(uses.unique(n) for n in set(names)) <= sum(1 for n in set(names) if names.count(n) == 1)


def test_alias_uses_calls_almost_every_unique_name_unique() -> None:
    names = [f"Organisation {i}" for i in range(100_000)]
    uses = AliasUses(names)
    assert sum(map(uses.unique, names)) > 0.98 * len(names)  # collisions only cost a MERGE


@given(st.lists(st.tuples(st.integers(0, 5), st.integers()), max_size=80), st.integers(1, 9))
def test_sorted_spill_is_a_stable_sort_whatever_the_run_size(items: list[tuple[int, int]], run: int) -> None:
    with SortedSpill(_same, _same, key=lambda item: item[0], run=run) as spill:
        for item in items:
            spill.append(item)
        assert len(spill) == len(items)
        assert list(spill) == sorted(items, key=lambda item: item[0])
        assert list(spill) == sorted(items, key=lambda item: item[0])


def test_parent_link_rows_round_trip() -> None:
    may = PartialDate("2019-05-00", "month", date(2019, 5, 1), date(2019, 5, 31))
    before = PartialDate("<=2001", "year", date.min, date(2001, 12, 31))
    for link in (
        ParentLink("c1", "org-a", "org-b", may, before, None, "ods"),
        ParentLink("c2", "org-a", "org-c", None, None, False, "x", "r", ("u1", "u2"), "n", "d"),
    ):
        assert ParentLink.from_row(link.as_row()) == link
