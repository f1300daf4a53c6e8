"""Canonical organisations: deterministic distinct ids, kept ids, display names, alias evidence."""

from __future__ import annotations

import re

from resolver.canonical import ClusterIds, assign_ids, build_organisation, choose_display, make_org_id
from resolver.normalise import normalise_name as n


def test_org_id_shape_and_determinism() -> None:
    assert re.fullmatch(r"org-[0-9a-f]{16}", make_org_id("nhs|"))
    assert make_org_id("nhs|") == make_org_id("nhs|") != make_org_id("nhs|ods:X")


def test_ids_are_distinct_kept_and_order_free() -> None:
    clusters = [
        ClusterIds(None, "the surgery|", "r2"),
        ClusterIds(None, "the surgery|", "r1"),  # same identity: split by a cannot-link
        ClusterIds("org-existing", "acme|", "r3"),
        ClusterIds(None, "zenith|", "r4"),
    ]
    ids = assign_ids(clusters)
    assert len(set(ids)) == 4
    assert ids[2] == "org-existing"
    assert ids[3] == make_org_id("zenith|")
    assert assign_ids(list(reversed(clusters))) == list(reversed(ids))


def test_derived_id_never_reuses_a_kept_one() -> None:
    taken = make_org_id("acme|")
    ids = assign_ids([ClusterIds(taken, "old|", "a"), ClusterIds(None, "acme|", "b")])
    assert ids[0] == taken and ids[1] != taken


def test_display_is_the_informative_full_form() -> None:
    forms = [
        ("NHS", n("NHS"), 2),
        ("The N.H.S.", n("The N.H.S."), 1),
        ("NHS, UK Health Agency", n("NHS, UK Health Agency"), 1),
        ("National Health Service (NHS)", n("National Health Service (NHS)"), 1),
    ]
    assert choose_display(forms)[0] == "National Health Service (NHS)"
    assert choose_display([("ACME LTD", n("ACME LTD"), 1), ("Acme Ltd", n("Acme Ltd"), 1)])[0] == "Acme Ltd"


def test_every_form_becomes_an_alias_with_evidence() -> None:
    forms = [
        ("Acme Ltd", n("Acme Ltd"), 2),
        ("ACME LIMITED", n("ACME LIMITED"), 1),
        ("Acme Ltd.", n("Acme Ltd."), 1),
    ]
    org = build_organisation("org-1", ["b", "a"], ["ch:1", "ch:1"], forms, {"Acme Ltd.": ("fuzzy", 0.93)})
    assert org.name == "Acme Ltd" and org.norm_name == "acme ltd"
    assert org.record_keys == ("a", "b") and org.identifiers == ("ch:1",)
    methods = {a.name: (a.method, a.score) for a in org.aliases}
    assert methods == {
        "Acme Ltd": ("exact", 1.0),
        "ACME LIMITED": ("normalised", 1.0),
        "Acme Ltd.": ("fuzzy", 0.93),
    }
