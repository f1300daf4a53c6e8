"""Clustering: union-find over scored links, with cannot-link constraints and a chaining guard (pure).

Links are tried strongest first: by ``tier`` (0 must-link, 1 exact, 2 scored, 3 acronym links with
evidence), then score descending,
then (lo, hi); so the result depends only on the set of links, not on the order they are given in.
A link is refused when it would put in one cluster
- two nodes of an explicit cannot-link pair (a parent and its child, a "different" judgement), or
- two nodes whose exclusive tags clash: tags are "scheme:value" and two clusters clash when both hold a
  value of the same scheme but none in common (ods:A vs ods:B, two existing organisation ids);
- or, for scored links between clusters that already have several members, when ``guard`` says the two
  clusters' anchors (their members of smallest ``rank``, ties to the smaller node) do not match: this stops
  "Acme" joining "Acme Group" and "Acme Holdings" into one body through the generic word each adds.

Invariant: the output is a partition of range(n) in which every cannot-link pair and every tag clash is
separated. A refused must-link (tier 0) is reported in ``conflicts``, never raised.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

TIER_MUST = 0
TIER_EXACT = 1
TIER_SCORED = 2
TIER_EVIDENCE = 3  # acronym links with evidence: tried last, and not guarded (the evidence is the pair's)


@dataclass(frozen=True, slots=True)
class Clustering:
    """``labels[i]`` is the smallest node of i's cluster; link indices refer to the input order."""

    labels: tuple[int, ...]
    accepted: tuple[int, ...]  # links that merged two clusters
    conflicts: tuple[int, ...]  # links refused by a cannot-link or a tag clash
    guarded: tuple[int, ...]  # scored links refused by the chaining guard
    group_conflicts: int = 0  # group members a constraint kept out of their group's cluster


def cluster(
    n: int,
    lo: Sequence[int] | npt.NDArray[np.int64],
    hi: Sequence[int] | npt.NDArray[np.int64],
    score: Sequence[float] | npt.NDArray[np.float64],
    *,
    tier: Sequence[int] | npt.NDArray[np.int64] | None = None,
    cannot_link: Iterable[tuple[int, int]] = (),
    tags: Mapping[int, Iterable[str]] | None = None,
    guard: Callable[[int, int], bool] | None = None,
    rank: Sequence[int] | None = None,
    groups: Iterable[Sequence[int]] = (),
) -> Clustering:
    """Cluster nodes 0..n-1 by links (lo[k], hi[k], score[k]) under the constraints above.

    ``groups`` are tier-1 links in bulk: each group's members are joined to its first member, after the
    must-links and before the scored links (records sharing a normalised name, without a link each).

    Example:
        >>> c = cluster(3, [0, 1], [1, 2], [0.9, 0.95], cannot_link=[(0, 2)])
        >>> c.labels, c.conflicts
        ((0, 1, 1), (1,))
    """
    lo_a = np.asarray(lo, dtype=np.int64)
    hi_a = np.asarray(hi, dtype=np.int64)
    score_a = np.asarray(score, dtype=np.float64)
    tier_a = np.zeros(len(lo_a), dtype=np.int64) if tier is None else np.asarray(tier, dtype=np.int64)
    left, right = np.minimum(lo_a, hi_a), np.maximum(lo_a, hi_a)
    order = np.lexsort((right, left, -score_a, tier_a)) if len(lo_a) else np.zeros(0, dtype=np.int64)

    parent = list(range(n))
    size = [1] * n
    anchor = list(range(n))
    forbidden: dict[int, set[int]] = {}  # root -> nodes it must never share a cluster with
    for a, b in cannot_link:
        if a != b:
            forbidden.setdefault(a, set()).add(b)
            forbidden.setdefault(b, set()).add(a)
    held: dict[int, dict[str, set[str]]] = {}  # root -> scheme -> values
    if tags is not None:
        for i, node_tags in tags.items():
            for tag in node_tags:
                scheme, _, value = tag.partition(":")
                held.setdefault(i, {}).setdefault(scheme, set()).add(value)

    def find(x: int) -> int:
        root = x
        while parent[root] != root:
            root = parent[root]
        while parent[x] != root:
            parent[x], x = root, parent[x]
        return root

    def forbids(ra: int, rb: int) -> bool:
        fa, fb = forbidden.get(ra), forbidden.get(rb)
        if fa and fb:
            small, other = (fa, rb) if len(fa) <= len(fb) else (fb, ra)
            if any(find(x) == other for x in small):
                return True
        ha, hb = held.get(ra), held.get(rb)
        if ha and hb:
            for scheme, values in ha.items():
                theirs = hb.get(scheme)
                if theirs is not None and values.isdisjoint(theirs):
                    return True
        return False

    def attempt(a: int, b: int, scored: bool) -> int:
        """0 merged, 1 already together, 2 refused by a constraint, 3 refused by the guard."""
        ra, rb = find(a), find(b)
        if ra == rb:
            return 1
        if forbids(ra, rb):
            return 2
        if (
            scored
            and guard is not None
            and (size[ra] > 1 or size[rb] > 1)
            and not guard(anchor[ra], anchor[rb])
        ):
            return 3
        if size[ra] < size[rb]:
            ra, rb = rb, ra
        parent[rb] = ra
        size[ra] += size[rb]
        if rank is not None and rank[anchor[rb]] < rank[anchor[ra]]:
            anchor[ra] = anchor[rb]
        _merge_constraints(forbidden, held, ra, rb)
        return 0

    accepted: list[int] = []
    conflicts: list[int] = []
    guarded: list[int] = []
    group_conflicts = 0
    lo_l, hi_l, tier_l = lo_a.tolist(), hi_a.tolist(), tier_a.tolist()
    ordered = order.tolist()
    musts = sum(1 for k in ordered if tier_l[k] == TIER_MUST)
    for position, k in enumerate(ordered):
        if position == musts:  # groups come after the must-links, before every other link
            for members in groups:
                first = members[0]
                group_conflicts += sum(attempt(first, other, False) == 2 for other in members[1:])
        outcome = attempt(lo_l[k], hi_l[k], tier_l[k] == TIER_SCORED)
        if outcome == 0:
            accepted.append(k)
        elif outcome == 2:
            conflicts.append(k)
        elif outcome == 3:
            guarded.append(k)
    if musts == len(ordered):
        for members in groups:
            first = members[0]
            group_conflicts += sum(attempt(first, other, False) == 2 for other in members[1:])

    smallest: dict[int, int] = {}
    labels = []
    for i in range(n):
        labels.append(smallest.setdefault(find(i), i))
    return Clustering(tuple(labels), tuple(accepted), tuple(conflicts), tuple(guarded), group_conflicts)


def _merge_constraints(
    forbidden: dict[int, set[int]], held: dict[int, dict[str, set[str]]], ra: int, rb: int
) -> None:
    fb = forbidden.pop(rb, None)
    if fb:
        forbidden.setdefault(ra, set()).update(fb)
    hb = held.pop(rb, None)
    if hb:
        ha = held.setdefault(ra, {})
        for scheme, values in hb.items():
            ha.setdefault(scheme, set()).update(values)
