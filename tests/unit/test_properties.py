"""Properties of resolution over open-ended names (Hypothesis): explain and cluster agree on a pair, a
pair that joins alone still joins inside a larger input unless a named rule forbids it, and the result
does not depend on the input order."""

from __future__ import annotations

import random

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from resolver.explain import explain, explain_in
from resolver.model import EntityRecord as R
from resolver.pipeline import resolve

_WORD_TEXT = """National Health Service Agency Council Royal Museum Acme Widgets Department Education Trade
Foreign Affairs Office Passport Estates Marine Rail Air Accident Investigation Branch Leeds North South
Stafford Trafford Gallery Science Security Limited Ltd Group Trust Board Safety Road Maritime"""
WORDS = tuple(_WORD_TEXT.split())
SMALL = ("of", "for", "and", "the")


@st.composite
def base_name(draw: st.DrawFn) -> str:
    words = draw(st.lists(st.sampled_from(WORDS), min_size=1, max_size=4))
    if len(words) > 2 and draw(st.booleans()):
        words.insert(draw(st.integers(1, len(words) - 1)), draw(st.sampled_from(SMALL)))
    return " ".join(words)


@st.composite
def variant(draw: st.DrawFn, name: str) -> str:
    """A spelling of ``name`` as registers write it: case, article, acronym, bracket, typo, inversion."""
    words = name.split()
    kind = draw(st.sampled_from(("same", "upper", "lower", "the", "acronym", "bracket", "typo", "parent")))
    if kind == "upper":
        return name.upper()
    if kind == "lower":
        return name.lower()
    if kind == "the":
        return "The " + name
    content = [w for w in words if w not in SMALL]
    initials = "".join(w[0] for w in content).upper()
    if kind == "acronym" and len(content) >= 2:
        return initials
    if kind == "bracket" and len(content) >= 2:
        return f"{name} ({initials})"
    if kind == "parent":
        return f"{name} ({draw(st.sampled_from(('DFAT', 'DfE', 'NHS')))})"
    if kind == "typo" and len(name) > 6:
        i = draw(st.integers(1, len(name) - 2))
        return name[:i] + name[i + 1 :]
    return name


@st.composite
def pair_and_others(draw: st.DrawFn) -> tuple[str, str, list[str]]:
    a = draw(base_name())
    b = draw(st.one_of(variant(a), base_name()))
    others = draw(st.lists(st.one_of(base_name(), base_name().flatmap(variant)), max_size=49))
    return a, b, others


def _together(names: list[str], i: int, j: int) -> bool:
    res = resolve([R(f"{k:03d}", n) for k, n in enumerate(names)])
    return res.org_of[f"{i:03d}"] == res.org_of[f"{j:03d}"]


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_explain_same_iff_cluster_joins_the_pair(data: st.DataObject) -> None:
    a = data.draw(base_name())
    b = data.draw(st.one_of(variant(a), base_name()))
    decision = explain(a, b).decision
    assert (decision == "same") == _together([a, b], 0, 1), (a, b, explain(a, b).reason)


FORBIDDING_RULES = ("ambiguous acronym", "cannot-link", "chaining guard", "acronym:")


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(pair_and_others())
def test_a_pair_joined_alone_stays_joined_in_a_larger_input(case: tuple[str, str, list[str]]) -> None:
    a, b, others = case
    if a == b or not _together([a, b], 0, 1):
        return
    inside = explain_in(a, b, [R(f"{k:03d}", n) for k, n in enumerate([a, b, *others])])
    assert inside.together or any(r.startswith(FORBIDDING_RULES) for r in inside.apart_because), (
        a,
        b,
        inside.apart_because,
    )


@settings(max_examples=60, deadline=None)
@given(st.lists(st.one_of(base_name(), base_name().flatmap(variant)), min_size=2, max_size=40), st.randoms())
def test_the_partition_does_not_depend_on_input_order(names: list[str], rnd: random.Random) -> None:
    records = [R(f"{k:03d}", n) for k, n in enumerate(names)]
    shuffled = list(records)
    rnd.shuffle(shuffled)
    first, second = resolve(records), resolve(shuffled)
    assert first.org_of == second.org_of


def test_match_probability_orders_clear_cases() -> None:
    same = explain("Acme Widgets Ltd", "ACME WIDGETS LIMITED")
    other = explain("Acme Widgets Ltd", "Zenith Holdings PLC")
    assert same.probability > 0.9 > 0.1 > other.probability
    assert same.log_odds[0][0] == "intercept"
