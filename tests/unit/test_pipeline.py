"""resolve(): the seed cases, identifiers, constraints, evidence, stable ids, and real-data quality."""

from __future__ import annotations

import csv
import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from resolver.evaluate import evaluate
from resolver.explain import explain_in
from resolver.model import EntityRecord as R
from resolver.normalise import normalise_name as n
from resolver.partial import partial_acronym_pairs
from resolver.pipeline import Resolution, explain, resolve
from resolver.settings import MatchSettings
from tests.conftest import shared_file

SEED = {
    "ls-nhs": "NHS, UK Health Agency",
    "nhs": "NHS",
    "the-nhs": "The N.H.S.",
    "full": "National Health Service (NHS)",
    "england": "NHS England",
    "ukhsa": "UK Health Security Agency",
    "platform": "NHS As A Platform",
}


def _seed(**kwargs: object) -> Resolution:
    return resolve([R(k, v) for k, v in SEED.items()], **kwargs)  # type: ignore[arg-type]


def _together(res: Resolution, *keys: str) -> bool:
    return len({res.org_of[k] for k in keys}) == 1


def test_seed_cases() -> None:
    res = _seed(cannot_link=[("platform", "ls-nhs")])  # the seed's Hierarchy relationship
    assert _together(res, "ls-nhs", "nhs", "the-nhs", "full")
    nhs = res.org_of["nhs"]
    assert all(res.org_of[k] != nhs for k in ("england", "ukhsa", "platform"))
    org = next(o for o in res.organisations if o.id == nhs)
    assert org.name == "National Health Service (NHS)"
    assert {a.name for a in org.aliases} == {SEED[k] for k in ("ls-nhs", "nhs", "the-nhs", "full")}
    assert {a.method for a in org.aliases if a.name == "National Health Service (NHS)"} == {"acronym"}


def test_seed_holds_without_the_parent_fact() -> None:
    res = _seed()
    assert _together(res, "ls-nhs", "nhs", "the-nhs", "full")
    assert len({res.org_of[k] for k in ("nhs", "england", "ukhsa", "platform")}) == 4


def test_parent_and_child_never_merge() -> None:
    res = resolve([R("p", "Acme Holdings Ltd"), R("c", "Acme Holdings Limited")], cannot_link=[("p", "c")])
    assert res.org_of["p"] != res.org_of["c"]
    assert res.stats.cannot_link_conflicts == 1


def test_acronym_needs_evidence() -> None:
    # Unique in the corpus: the acronym's only expansion.
    bare = resolve([R("a", "IBM"), R("b", "International Business Machines")])
    assert bare.org_of["a"] == bare.org_of["b"]
    # Ambiguous: two bodies spell it, so the bare acronym joins neither.
    two = resolve([R("a", "IBM"), R("b", "International Business Machines"), R("c", "Irish Bread Makers")])
    assert len({two.org_of[k] for k in "abc"}) == 3
    # A word, not an acronym: "Tars" is a word of a longer name here.
    word = resolve([R("a", "Tars"), R("b", "Tele Arts Radio Service"), R("c", "Tars Holdings Group")])
    assert word.org_of["a"] != word.org_of["b"]
    alias = resolve(
        [
            R("a", "IBM"),
            R("b", "International Business Machines Corp"),
            R("c", "IBM Corp", aliases=("International Business Machines",)),
        ]
    )
    assert alias.org_of["a"] == alias.org_of["b"] == alias.org_of["c"]
    qualifier = resolve(
        [
            R("a", "BBC, Broadcasting company"),
            R("b", "British Broadcasting Corporation, Broadcasting company"),
        ]
    )
    assert qualifier.org_of["a"] == qualifier.org_of["b"]
    relative = resolve(
        [R("a", "DHSC"), R("b", "Department of Health and Social Care"), R("x", "NHS England")],
        cannot_link=[("a", "x"), ("b", "x")],
    )
    assert relative.org_of["a"] == relative.org_of["b"] != relative.org_of["x"]


def test_different_qualifiers_do_not_meet_through_a_bare_name() -> None:
    res = resolve([R("a", "Apple, Fruit company"), R("b", "Apple"), R("c", "Apple, Technology company")])
    assert res.org_of["a"] != res.org_of["c"]


def test_identifiers() -> None:
    res = resolve(
        [
            R("1", "THE SURGERY", identifiers=("ods:A",)),
            R("2", "THE SURGERY", identifiers=("ods:B",)),
            R("3", "The Surgery", identifiers=("ods:A",)),
            R("4", "Riverside Medical Practice", identifiers=("ods:B",)),
        ]
    )
    assert res.org_of["1"] == res.org_of["3"] != res.org_of["2"]
    assert res.org_of["2"] == res.org_of["4"]  # a shared identifier merges whatever the names
    assert len({o.id for o in res.organisations}) == 2


def test_existing_ids_are_kept_and_never_merged() -> None:
    res = resolve(
        [
            R("1", "Acme Ltd", org_id="org-old1"),
            R("2", "ACME LIMITED"),
            R("3", "Acme Ltd.", org_id="org-old2"),
        ]
    )
    assert res.org_of["1"] == "org-old1" and res.org_of["3"] == "org-old2"
    assert res.org_of["2"] in {"org-old1", "org-old2"}


def test_must_link_against_cannot_link_is_reported() -> None:
    res = resolve([R("a", "Alpha"), R("b", "Omega")], must_link=[("a", "b")], cannot_link=[("a", "b")])
    assert res.org_of["a"] != res.org_of["b"]
    assert res.stats.must_link_conflicts == (("a", "b"),)
    judged = resolve([R("a", "Alpha"), R("b", "Omega")], must_link=[("a", "b")])
    assert judged.org_of["a"] == judged.org_of["b"]


def test_names_and_aliases_all_appear() -> None:
    records = [
        R("1", "Walmart", aliases=("Wal-Mart Stores, Inc.", "Wal Mart")),
        R("2", "WALMART"),
        R("3", ""),
    ]
    res = resolve(records)
    for rec in records:
        org = next(o for o in res.organisations if o.id == res.org_of[rec.key])
        assert {rec.name, *rec.aliases} <= {a.name for a in org.aliases}
    assert res.stats.empty_names == 1
    assert res.org_of["3"] not in {res.org_of["1"], res.org_of["2"]}


def test_duplicate_keys_are_refused() -> None:
    with pytest.raises(ValueError, match="unique"):
        resolve([R("1", "A"), R("1", "B")])


def _dnb_records() -> list[R]:
    with shared_file("dnb-company-variants/names.csv").open(encoding="utf-8") as f:
        return [R(str(i), row["name"]) for i, row in enumerate(csv.DictReader(f))][:300]


@settings(max_examples=5, deadline=None)
@given(st.randoms(use_true_random=False))
def test_same_input_same_ids_in_any_order(rnd: random.Random) -> None:
    records = _dnb_records()
    first = resolve(records)
    shuffled = list(records)
    rnd.shuffle(shuffled)
    again = resolve(shuffled)
    assert dict(again.org_of) == dict(first.org_of)
    assert again.organisations == first.organisations


def test_progress_adds_up() -> None:
    seen: list[int] = []
    resolve(_dnb_records(), progress=seen.append)
    assert sum(seen) == 300


@pytest.mark.parametrize(
    "relative,name,truth,floor",
    [
        ("dnb-company-variants/names.csv", "name", "entity", 0.84),
        ("cleanco-companies/names.csv", "name", "entity", 1.0),  # 1,320 companies, none the same
        ("uk-local-authorities/lookup_name_to_registry.csv", "la-name", "local-authority-code", 0.92),
    ],
)
def test_quality_floor_on_development_data(relative: str, name: str, truth: str, floor: float) -> None:
    """Regression guard: pairwise F1 measured when this was written, less a small margin."""
    with shared_file(relative).open(encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    res = resolve([R(str(i), r[name]) for i, r in enumerate(rows)])
    result = evaluate(
        [r[name] for r in rows], [res.org_of[str(i)] for i in range(len(rows))], [r[truth] for r in rows]
    )
    assert result.pairwise.f1 >= floor
    assert result.pairwise.precision >= 0.95


def test_explain() -> None:
    ex = explain("NHS", "National Health Service (NHS)")
    assert (ex.decision, ex.acronym) == ("same", "explicit")
    alone = explain("NHS", "National Health Service")
    assert (alone.decision, alone.rule, alone.acronym) == ("same", "unique acronym", "candidate")
    assert explain("East Dorset", "West Dorset", MatchSettings()).decision == "different"
    # A trailing parent acronym names the parent: never the body itself.
    assert explain("Estates Office (DFAT)", "DFAT").decision == "different"
    steps = explain("NHS", "NHS England").waterfall
    assert steps[-1] == (
        "score",
        explain("NHS", "NHS England").pair.score,
        explain("NHS", "NHS England").pair.score,
    )
    assert any(step.startswith("penalty extra") for step, _, _ in steps)


def test_explain_in_an_input_names_the_rule_or_the_chain() -> None:
    corpus = [R(str(i), n) for i, n in enumerate(SEED.values())]
    inside = explain_in("NHS", "National Health Service", corpus)
    assert inside.together and inside.chain
    assert inside.chain[0].left == "NHS" and inside.chain[-1].right == "National Health Service"
    apart = explain_in("IBM", "International Business Machines", [R("x", "Irish Bread Makers")])
    assert not apart.together and apart.apart_because[0].startswith("ambiguous acronym")
    england = explain_in("NHS", "NHS England", corpus)
    assert not england.together and "threshold" in england.apart_because[0]


def test_an_acronym_spelling_several_bodies_joins_nobody() -> None:
    names = ["AU", "AU", "Aarhus University", "American University", "NHS", "NHS", "National Health Service"]
    res = resolve([R(str(i), name) for i, name in enumerate(names)])
    assert res.org_of["0"] != res.org_of["1"]  # which AU?
    assert res.org_of["4"] == res.org_of["5"]  # one NHS in this corpus
    assert res.stats.ambiguous_acronyms == 1


def test_an_ambiguous_acronym_stays_ambiguous_whatever_other_scopes_hold() -> None:
    """Same-named bodies of another country must not make two bodies of one country one: the
    ambiguity of "MSU" is judged on pairs within one scope."""
    rows = [
        ("MSU", "US"),
        ("MSU", "US"),
        ("Michigan State University", "US"),
        ("Montana State University", "US"),
        ("Michigan State University", "CA"),
        ("Michigan State Universiti", "CA"),
        ("Montana State Universiti", "CA"),
    ]
    res = resolve([R(str(i), name, scope=scope) for i, (name, scope) in enumerate(rows)])
    assert res.org_of["0"] != res.org_of["1"]
    assert res.org_of["2"] != res.org_of["3"]


def test_a_short_name_with_its_own_legal_form_is_a_company_not_initials() -> None:
    res = resolve([R("1", "KGK Company Limited"), R("2", "Koatsu Gas Kogyo")])
    assert res.org_of["1"] != res.org_of["2"]
    assert explain("KGK Company Limited", "Koatsu Gas Kogyo").decision == "different"
    res = resolve([R("1", "IBM Corp"), R("2", "International Business Machines Corp")])
    assert res.org_of["1"] == res.org_of["2"]


def test_a_full_name_opening_with_an_acronym_is_not_spelled_by_its_initial() -> None:
    names = ["ASL", "ASST Sette Laghi", "DMO", "UK Debt Management Office"]
    res = resolve([R(str(i), name) for i, name in enumerate(names, start=1)])
    assert res.org_of["1"] != res.org_of["2"]
    assert res.org_of["3"] == res.org_of["4"]
    assert explain("ASL", "ASST Sette Laghi").decision == "different"


def test_explain_in_names_corpus_statistics_when_they_decide() -> None:
    names = ["Kokuyo", "Kokuyo Co., Ltd.", "Kokuyo Co., Ltd. (Japan)"]
    names += ["Kyokuyo", "Kyokuyo Co., Ltd.", "Kyokuyo Co., Ltd. (Japan)"]
    e = explain_in("Kokuyo Co., Ltd.", "Kyokuyo Co., Ltd.", [R(str(i), x) for i, x in enumerate(names)])
    assert e.pairwise.decision == "same" and not e.together
    assert "known" in e.apart_because[0]


def test_a_unique_spelling_that_is_likely_a_coincidence_is_no_evidence() -> None:
    """In a scope whose acronyms mostly spell none of its names (written in another language, or of
    bodies absent from the input), a common acronym spelling one name is more likely another body's;
    in a scope whose acronyms find their names, the same spelling joins."""
    rows = [("NP", "SG"), ("Nanyang Polytechnic", "SG"), ("NP", "FR"), ("Nouveau Pole", "FR")]
    rows += [("Institut Curie", "FR")] + [(x, "FR") for x in ("LER", "ICN", "EcoMic", "PhyCell")]
    rows += [(f"North{c} Park{c}", "GB") for c in "abcdef"]
    records = [R(str(i), name, scope=scope) for i, (name, scope) in enumerate(rows)]
    res = resolve(records)
    assert res.org_of["0"] == res.org_of["1"]  # Singapore: its one-word names find their full names
    assert res.org_of["2"] != res.org_of["3"]
    e = explain_in("NP", "Nouveau Pole", records[2:] + records[:2])  # the French "NP" comes first
    assert not e.together and "coincidence" in e.apart_because[0]
    without = resolve(records[:4])  # without other scopes there is nothing to compare with
    assert without.org_of["2"] == without.org_of["3"]


def test_a_partial_acronym_joins_the_one_name_it_fits() -> None:
    names = ["HR Profession", "Human Resources Profession", "Invest NI", "Invest Northern Ireland"]
    names += ["SMCP Commission", "Social Mobility and Child Poverty Commission", "Policy Profession"]
    res = resolve([R(str(i), name) for i, name in enumerate(names)])
    assert _together(res, "0", "1") and _together(res, "2", "3") and _together(res, "4", "5")
    assert not _together(res, "0", "6")
    fits_two = [n(x) for x in ("Invest NI", "Invest Northern Ireland", "Invest National Infrastructure")]
    assert partial_acronym_pairs(fits_two, [None] * 3) == []  # which one?
    assert partial_acronym_pairs(fits_two[:2], [None] * 2) == [(0, 1)]
    assert partial_acronym_pairs(fits_two[:2], ["GB", "IE"]) == []  # two scopes


def test_a_short_name_joins_the_one_long_name_it_heads() -> None:
    names = ["Horniman", "Horniman Museum", "Science Museum", "Exmoor", "Exmoor National Park Authority"]
    names += ["Peak District National Park Authority", "Acme", "Acme Robotics", "NHS", "NHS England"]
    names += ["Wellcome", "Wellcome Trust", "Wellcome Collection"]
    res = resolve([R(str(i), name) for i, name in enumerate(names)])
    assert _together(res, "0", "1") and _together(res, "3", "4")
    assert not _together(res, "6", "7")  # "Robotics" is no other name's word: a unit of its own
    assert not _together(res, "8", "9")  # an acronym in capitals: the acronym rules decide
    assert not _together(res, "10", "11") and not _together(res, "10", "12")  # which Wellcome?
