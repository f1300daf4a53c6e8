"""The readers of dated names and successions (govuk, ror, ods-succ) and observed snapshot bounds: on the
development data read in place, and on small hostile files."""

from __future__ import annotations

import doctest
import gzip
import json
from collections import Counter
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

import resolver.cli.lineage
import resolver.sources.govuk
import resolver.sources.observed
from resolver.errors import RowError, SourceError
from resolver.model import EntityClaim, NameClaim, ParentClaim, Reject, SuccessionClaim
from resolver.sources import read_source
from resolver.sources.observed import Snapshots
from tests.conftest import shared_file

GOVUK = "govuk-hierarchy-2021-2026"


@pytest.mark.parametrize("module", [resolver.sources.observed, resolver.sources.govuk, resolver.cli.lineage])
def test_doctests(module: object) -> None:
    assert doctest.testmod(module).failed == 0  # type: ignore[arg-type]


# -- observed bounds --------------------------------------------------------------------------------------


@given(st.lists(st.dates(date(2000, 1, 1), date(2030, 1, 1)), min_size=2, max_size=30, unique=True))
def test_observed_bounds_cover_the_change_and_nothing_else(days: list[date]) -> None:
    snaps = Snapshots(days)
    ordered = sorted(days)
    for i, day in enumerate(ordered):
        start = snaps.start(day.isoformat(), "first_seen")
        assert start.latest == day  # certainly begun by the snapshot that saw it
        if i == 0:
            assert start.earliest == date.min  # "on or before" the first snapshot
        else:
            assert start.earliest == ordered[i - 1] + timedelta(days=1)  # not in the snapshot before
        end = snaps.end(day.isoformat(), "last_seen")
        if i == len(ordered) - 1:
            assert end is None  # still seen in the latest snapshot
        else:
            assert (
                end is not None and end.earliest == day and end.latest == ordered[i + 1] - timedelta(days=1)
            )


def test_observed_dates_outside_the_snapshots_are_refused() -> None:
    snaps = Snapshots([date(2021, 8, 11), date(2026, 6, 1)])
    with pytest.raises(RowError, match="outside the snapshots"):
        snaps.start("2020-01-01", "first_seen_snapshot")
    with pytest.raises(RowError, match="not a snapshot date"):
        snaps.end("2021-13-01", "last_seen_snapshot")


# -- GOV.UK -----------------------------------------------------------------------------------------------


def read(path: Path | str, fmt: str = "auto") -> tuple[list[Any], str | None, str]:
    reader = read_source(path, fmt=fmt)
    records = list(reader)
    return records, reader.kind, reader.format


def test_govuk_titles_are_dated_names_with_mojibake_repaired() -> None:
    records, kind, fmt = read(shared_file(f"{GOVUK}/org_titles_observed.csv"))
    assert (fmt, kind, len(records)) == ("govuk", "titles", 1289)
    assert all(isinstance(r, NameClaim) for r in records)
    names = [r for r in records if isinstance(r, NameClaim)]
    tsol = [r for r in names if r.mention.identifiers == ("govuk:treasury-solicitor-s-department",)]
    assert [r.mention.name for r in tsol] == ["Treasury Solicitor’s Department"] * 2
    assert tsol[0].notes is None and tsol[1].notes and "mojibake" in tsol[1].notes
    assert len({r.claim_id for r in tsol}) == 2  # two spells of one name stay two
    geffrye = [r for r in names if r.mention.identifiers == ("govuk:geffrye-museum",)]
    old, new = geffrye
    assert old.mention.name == "Geffrye Museum" and old.start and old.start.earliest == date.min
    assert old.end and (old.end.earliest, old.end.latest) == (date(2023, 2, 1), date(2023, 2, 28))
    assert new.mention.name == "Museum of the Home" and new.end is None and new.is_current is True
    assert new.start and (new.start.earliest, new.start.latest) == (date(2023, 2, 2), date(2023, 3, 1))


def test_govuk_parent_edges_have_names_and_observed_dates() -> None:
    records, kind, _ = read(shared_file(f"{GOVUK}/parent_of_edges_observed.csv"))
    assert kind == "parents" and len(records) == 1066
    claims = [r for r in records if isinstance(r, ParentClaim)]
    assert len(claims) == 1066
    ch = [c for c in claims if c.child.identifiers == ("govuk:companies-house",)]
    assert [c.parent.name for c in ch] == [
        "Department for Business, Energy & Industrial Strategy",
        "Department for Business and Trade",
    ]
    assert ch[0].end and ch[0].end.text == "2023-03-01" and ch[0].is_current is False
    assert ch[1].start and ch[1].start.text == "2023-04-01" and ch[1].end is None and ch[1].is_current


def test_govuk_successions_take_closed_at() -> None:
    records, kind, _ = read(shared_file(f"{GOVUK}/superseded_by_edges_observed.csv"))
    assert kind == "superseded" and len(records) == 292
    by_pair = {
        (r.predecessor.identifiers[0], r.successor.identifiers[0]): r
        for r in records
        if isinstance(r, SuccessionClaim)
    }
    phe = by_pair["govuk:public-health-england", "govuk:uk-health-security-agency"]
    assert phe.start and (phe.start.earliest, phe.start.latest) == (date(2021, 10, 1), date(2021, 10, 1))
    assert (phe.predecessor.name, phe.successor.name) == (
        "Public Health England",
        "UK Health Security Agency",
    )
    nhsd = by_pair["govuk:nhs-digital", "govuk:nhs-england"]
    assert nhsd.start and nhsd.start.earliest == date(2023, 2, 1)


def test_govuk_api_dump_and_2017_lines() -> None:
    records, kind, _ = read(shared_file(f"{GOVUK}/gov.uk_api_organisations.json"))
    assert kind == "api"
    counts = Counter(type(r).__name__ for r in records)
    assert counts["EntityClaim"] == 1254 and counts["Reject"] == 0
    dhsc = next(
        r
        for r in records
        if isinstance(r, EntityClaim)
        and "govuk:department-of-health-and-social-care" in r.mention.identifiers
    )
    assert dhsc.mention.aliases == ("DHSC",) and "govuk-analytics:D12" in dhsc.mention.identifiers
    old, _, _ = read(shared_file(f"{GOVUK}/govuk_api_organisations_2017-04-18.jsonl"))
    assert sum(isinstance(r, EntityClaim) for r in old) == 1016


def test_govuk_observed_file_needs_its_snapshot_list(tmp_path: Path) -> None:
    path = tmp_path / "org_titles_observed.csv"
    path.write_text("slug,title,first_seen_snapshot,last_seen_snapshot\nx,X Office,2021-08-11,2026-06-01\n")
    with pytest.raises(SourceError, match="snapshots_index/snapshots.csv"):
        list(read_source(path))
    (tmp_path / "snapshots_index").mkdir()
    (tmp_path / "snapshots_index" / "snapshots.csv").write_text("snapshot_date\n2021-08-11\n2026-06-01\n")
    path.write_text(
        "slug,title,first_seen_snapshot,last_seen_snapshot\n"
        "x,X Office,2021-08-11,2026-06-01\n"
        "y,Y\x07Office,2021-08-11,2026-06-01\n"
        "z,Z Office,2019-01-01,2026-06-01\n"
    )
    records = list(read_source(path))
    assert isinstance(records[0], NameClaim)
    assert [(r.line, r.field) for r in records[1:] if isinstance(r, Reject)] == [
        (3, "title"),
        (4, "first_seen_snapshot"),
    ]


def test_wrong_file_for_a_named_format_is_a_source_error(tmp_path: Path) -> None:
    path = tmp_path / "x.csv"
    path.write_text("parent,child\nA,B\n")
    with pytest.raises(SourceError, match="not a govuk file"):
        read_source(path, fmt="govuk")


# -- NHS ODS successions ----------------------------------------------------------------------------------


def test_ods_succ_without_header_and_derived_agree() -> None:
    succ, kind, fmt = read(shared_file("nhs-ods-history/succ.csv"))
    assert (fmt, kind, len(succ)) == ("ods-succ", "succ", 11537)
    first = succ[0]
    assert isinstance(first, SuccessionClaim) and first.line == 1  # the first row is data, not a header
    assert (first.predecessor.identifiers, first.successor.identifiers) == (("ods:001",), ("ods:016",))
    assert first.start and first.start.text == "1996-04-01"
    derived, kind, _ = read(shared_file("nhs-ods-history/derived_successor_edges.csv.gz"))
    assert kind == "derived"
    assert {r.claim_id for r in succ if isinstance(r, SuccessionClaim)} == {
        r.claim_id for r in derived if isinstance(r, SuccessionClaim)
    }
    named = [
        r for r in derived if isinstance(r, SuccessionClaim) and not r.predecessor.name.startswith("ods:")
    ]
    assert len(named) >= 161


def test_ods_bad_rows_are_rejects(tmp_path: Path) -> None:
    path = tmp_path / "succ.csv"
    path.write_text(
        '"5N1","5N2","R","20130401","0"\n"5N1","5N1","","20130401","0"\n"5N3","5N4","","20130231","0"\n'
    )
    records = list(read_source(path, fmt="ods-succ"))
    assert (
        isinstance(records[0], SuccessionClaim)
        and records[0].notes == "reason R (reconfiguration); indicator 0"
    )
    assert [(r.line, r.field, r.code) for r in records[1:] if isinstance(r, Reject)] == [
        (2, "new_code", "self_loop"),
        (3, "effective_date", "invalid_date"),
    ]


# -- ROR --------------------------------------------------------------------------------------------------


def test_ror_orgs_and_relationship_views_make_one_claim(tmp_path: Path) -> None:
    orgs = [
        {
            "id": "https://ror.org/0aaaaaa01",
            "display_name": "Parent Council",
            "names": [["PC", "acronym", ""], ["Parent Council", "ror_display|label", "en"]],
            "relationships": [["child", "https://ror.org/0bbbbbb02", "Child Unit"]],
        },
        {
            "id": "https://ror.org/0bbbbbb02",
            "display_name": "Child Unit",
            "names": [
                {"value": "Child Unit", "types": ["ror_display"]},
                {"value": "CU", "types": ["acronym"]},
            ],
            "relationships": [
                {"type": "parent", "id": "https://ror.org/0aaaaaa01", "label": "Parent Council"},
                {"type": "successor", "id": "https://ror.org/0ccccccc3", "label": "New Unit"},
                {"type": "related", "id": "https://ror.org/0ddddddd4", "label": "Friend"},
            ],
        },
    ]
    path = tmp_path / "ror_orgs.jsonl.gz"
    with gzip.open(path, "wt", encoding="utf-8") as f:
        f.write("\n".join(json.dumps(o) for o in orgs) + "\n")
    reader = read_source(path)
    records = list(reader)
    parents = [r for r in records if isinstance(r, ParentClaim)]
    assert len({p.claim_id for p in parents}) == 1  # one edge seen from both ends
    assert parents[0].parent.identifiers == ("ror:0aaaaaa01",)
    (succ,) = [r for r in records if isinstance(r, SuccessionClaim)]
    assert (succ.predecessor.identifiers, succ.successor.identifiers) == (
        ("ror:0bbbbbb02",),
        ("ror:0ccccccc3",),
    )
    entities = [r for r in records if isinstance(r, EntityClaim)]
    assert [e.mention.aliases for e in entities] == [("PC",), ("CU",)]
    assert reader.stats.skipped == {"ror related relationship": 1}
    rel = tmp_path / "ror_relationships.csv"
    rel.write_text(
        "ror_id,relationship_type,target_ror_id,target_label\n"
        "https://ror.org/0bbbbbb02,parent,https://ror.org/0aaaaaa01,Parent Council\n"
    )
    (edge,) = list(read_source(rel))
    assert isinstance(edge, ParentClaim) and edge.claim_id == parents[0].claim_id
    assert edge.child.name == "Child Unit"  # named from ror_orgs.jsonl.gz beside it


def test_a_placeholder_named_after_an_identifier_is_never_the_display_name() -> None:
    from resolver.canonical import choose_display
    from resolver.normalise import normalise_name

    forms = [(s, normalise_name(s), u) for s, u in [("ods:00C", 3), ("NHS DARLINGTON CCG", 1)]]
    assert choose_display(forms)[0] == "NHS DARLINGTON CCG"
    assert choose_display(forms[:1])[0] == "ods:00C"  # the only name there is
