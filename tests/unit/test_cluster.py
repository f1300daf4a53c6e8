"""Clustering: a partition, constraints hold, the result does not depend on the order of the links."""

from __future__ import annotations

import random

from hypothesis import given, settings
from hypothesis import strategies as st

from resolver.cluster import TIER_MUST, TIER_SCORED, Clustering, cluster


def _groups(labels: tuple[int, ...]) -> set[frozenset[int]]:
    out: dict[int, set[int]] = {}
    for node, label in enumerate(labels):
        out.setdefault(label, set()).add(node)
    return {frozenset(g) for g in out.values()}


Problem = tuple[
    int, list[tuple[int, int, float, int]], list[tuple[int, int]], list[tuple[str, ...]], list[list[int]]
]


@st.composite
def problems(draw: st.DrawFn) -> Problem:
    n = draw(st.integers(1, 25))
    node = st.integers(0, n - 1)
    links = draw(
        st.lists(
            st.tuples(node, node, st.sampled_from([0.9, 0.92, 0.95, 1.0]), st.sampled_from([0, 1, 2])),
            max_size=60,
        )
    )
    cannot = draw(st.lists(st.tuples(node, node), max_size=8))
    # at most one value per scheme on a record, as sources give them (one ODS code, one LEI)
    ods = st.sampled_from(["", "ods:A", "ods:B", "ods:C"])
    lei = st.sampled_from(["", "lei:X", "lei:Y"])
    tags = draw(st.lists(st.tuples(ods, lei), min_size=n, max_size=n))
    groups = draw(st.lists(st.lists(node, min_size=2, max_size=4, unique=True), max_size=3)) if n > 1 else []
    return n, links, cannot, [tuple(t for t in pair if t) for pair in tags], groups


def _run(
    n: int,
    links: list[tuple[int, int, float, int]],
    cannot: list[tuple[int, int]],
    tags: list[tuple[str, ...]],
    groups: list[list[int]] | tuple[()] = (),
) -> Clustering:
    return cluster(
        n,
        [a for a, _, _, _ in links],
        [b for _, b, _, _ in links],
        [s for _, _, s, _ in links],
        tier=[t for _, _, _, t in links],
        cannot_link=cannot,
        tags=dict(enumerate(tags)),
        groups=groups,
    )


@settings(max_examples=500, deadline=None)
@given(problems(), st.randoms(use_true_random=False))
def test_partition_constraints_and_order(problem: Problem, rnd: random.Random) -> None:
    n, links, cannot, tags, groups = problem
    result = _run(n, links, cannot, tags, groups)
    labels = result.labels
    # a partition of range(n), each label the smallest member of its cluster
    assert len(labels) == n
    assert all(labels[labels[i]] == labels[i] and labels[i] <= i for i in range(n))
    # cannot-links hold
    assert all(labels[a] != labels[b] for a, b in cannot if a != b)
    # no cluster holds two different identifiers of one scheme
    for group in _groups(labels):
        values: dict[str, set[str]] = {}
        for node in group:
            for tag in tags[node]:
                scheme, _, value = tag.partition(":")
                values.setdefault(scheme, set()).add(value)
        assert all(len(v) == 1 for v in values.values())
    # independent of the order links and cannot-links are given in
    shuffled = list(links)
    rnd.shuffle(shuffled)
    flipped = [(b, a, s, t) for a, b, s, t in shuffled]
    assert _run(n, flipped, list(reversed(cannot)), tags, groups).labels == labels


def test_groups_join_unless_constrained() -> None:
    result = cluster(4, [], [], [], groups=[[0, 1, 2]], cannot_link=[(0, 2)])
    assert result.labels == (0, 0, 2, 3) and result.group_conflicts == 1


def test_cannot_link_beats_must_link_and_is_reported() -> None:
    result = cluster(3, [0, 1], [1, 2], [1.0, 1.0], tier=[TIER_MUST, TIER_MUST], cannot_link=[(0, 2)])
    assert result.labels == (0, 0, 2)
    assert result.conflicts == (1,)


def test_different_identifiers_of_one_scheme_never_merge() -> None:
    result = cluster(2, [0], [1], [1.0], tags={0: ("ods:A",), 1: ("ods:B",)})
    assert result.labels == (0, 1)
    merged = cluster(3, [0, 1], [2, 2], [1.0, 1.0], tags={0: ("ods:A",), 1: ("lei:X",)})
    assert merged.labels == (0, 0, 0)


def test_guard_stops_chaining_through_a_shared_member() -> None:
    # 0 "Acme" links to 1 "Acme Group" and 2 "Acme Holdings"; the anchors of {0, 1} and 2 do not match.
    anchors_match = {frozenset({0, 1}), frozenset({0, 2})}
    result = cluster(
        3,
        [0, 0],
        [1, 2],
        [0.95, 0.94],
        tier=[TIER_SCORED, TIER_SCORED],
        guard=lambda a, b: frozenset({a, b}) in anchors_match,
        rank=[1, 0, 0],
    )
    assert result.labels == (0, 0, 2)
    assert result.guarded == (1,)
