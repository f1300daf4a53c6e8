"""Column mapping (--map, mapping files), header-less and TSV files, --date-format, unread-column
warnings, and stable identity (no bare codes without --id-scheme; claim ids that ignore the file name)."""

from __future__ import annotations

import doctest
import gzip
from pathlib import Path

import pytest

import resolver.sources.fields
import resolver.sources.mapping
from resolver.errors import ConfigError, SourceError
from resolver.model import ParentClaim, Reject
from resolver.sources import ReadOptions, load_mapping_file, parse_columns, parse_map, read_source
from tests.conftest import shared_file

GOVUK_MAP = {
    "start": "first_seen_snapshot",
    "last_seen": "last_seen_snapshot",
    "is_current": "present_in_latest_snapshot",
}
EPCMEM = ReadOptions(header=parse_columns("child_id,parent_id,-,start,end,-"), date_format="%Y%m%d")


def _write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def _claims(reader: object) -> list[ParentClaim]:
    items = list(reader)  # type: ignore[call-overload]
    assert not [i for i in items if isinstance(i, Reject)], items
    return [i for i in items if isinstance(i, ParentClaim)]


def test_doctests() -> None:
    for module in (resolver.sources.mapping, resolver.sources.fields):
        assert doctest.testmod(module).failed == 0


def test_map_snapshot_columns(tmp_path: Path) -> None:
    path = _write(
        tmp_path / "observed.csv",
        "parent_slug,child_slug,first_seen_snapshot,last_seen_snapshot,n_snapshots_seen,"
        "present_in_first_snapshot,present_in_latest_snapshot\n"
        "ministry-of-justice,academy-for-social-justice,2021-08-11,2026-06-01,59,True,True\n"
        "cabinet-office,closed-unit,2021-08-11,2023-02-01,20,True,False\n",
    )
    reader = read_source(path, id_scheme="govuk", options=ReadOptions(columns=GOVUK_MAP))
    current, closed = _claims(reader)
    assert current.parent.identifiers == ("govuk:ministry-of-justice",)
    assert current.start and current.start.text == "2021-08-11"
    assert current.end is None and current.is_current is True  # still there: the spell is open
    assert closed.end and closed.end.text == "2023-02-01" and closed.is_current is False
    assert reader.unread_columns() == ["n_snapshots_seen", "present_in_first_snapshot"]


def test_unmapped_file_warns_of_every_unread_column(tmp_path: Path) -> None:
    path = _write(tmp_path / "e.csv", "parent,child,first_seen,colour\nA,B,2020-01-01,red\n")
    reader = read_source(path)
    assert len(_claims(reader)) == 1
    assert reader.unread_columns() == ["first_seen", "colour"]
    jsonl = _write(tmp_path / "e.jsonl", '{"parent": "A", "child": "B", "extra": 1}\n{"name": "x"}\n')
    reader = read_source(jsonl, fmt="edges")
    list(reader)
    assert reader.unread_columns() == ["extra", "name"]


def test_map_replaces_the_aliases_of_a_field(tmp_path: Path) -> None:
    path = _write(tmp_path / "t.csv", "title,child_title,start,first_seen\nP,C,1999,2001-02-03\n")
    (claim,) = _claims(
        read_source(
            path,
            options=ReadOptions(columns=parse_map(["parent=title,child=child_title", "start=first_seen"])),
        )
    )
    assert (claim.parent.name, claim.child.name, claim.start and claim.start.text) == ("P", "C", "2001-02-03")


def test_map_errors_name_the_field_and_column(tmp_path: Path) -> None:
    path = _write(tmp_path / "t.csv", "parent,child\nA,B\n")
    with pytest.raises(
        SourceError,
        match=r"t.csv:1: --map start=first_seen: no column 'first_seen'; the columns are parent, child",
    ):
        read_source(path, options=ReadOptions(columns={"start": "first_seen"}))
    with pytest.raises(
        SourceError, match=r"the edges format has no field 'colour'; its fields: parent, child"
    ):
        read_source(path, options=ReadOptions(columns={"colour": "parent"}))
    with pytest.raises(ConfigError, match="is not FIELD=COLUMN"):
        parse_map(["parent"])


def test_header_less_file_with_columns_and_date_format(tmp_path: Path) -> None:
    path = _write(
        tmp_path / "epcmem.csv",
        '"A81001","5E1","W","20010401","20130331","0"\n"A81001","00K","W","20130401","","0"\n',
    )
    reader = read_source(path, id_scheme="ods", options=EPCMEM)
    first, second = _claims(reader)
    assert reader.format == "edges" and reader.unread_columns() == []
    assert (
        first.line == 1
        and first.parent.identifiers == ("ods:5E1",)
        and first.child.identifiers == ("ods:A81001",)
    )
    assert first.start and first.start.text == "2001-04-01" and first.end and first.end.text == "2013-03-31"
    assert second.end is None


def test_header_less_file_without_columns_says_how(tmp_path: Path) -> None:
    path = _write(tmp_path / "epcmem.csv", '"A81001","5E1","W","20010401","20130331","0"\n')
    with pytest.raises(SourceError, match="--no-header --columns"):
        read_source(path)


def test_date_format_mismatch_is_a_reject_naming_the_field(tmp_path: Path) -> None:
    path = _write(tmp_path / "e.csv", "parent,child,start\nA,B,2001-04-01\n")
    (reject,) = list(read_source(path, options=ReadOptions(date_format="%Y%m%d")))
    assert isinstance(reject, Reject) and reject.field == "start" and "--date-format %Y%m%d" in reject.reason


@pytest.mark.parametrize(
    ("name", "text", "delimiter"),
    [
        ("e.tsv", "parent\tchild\nA, Ltd\tB\n", None),  # by extension: the comma is data
        ("e.txt", "parent\tchild\nA\tB\n", None),  # by the first line
        ("e.csv", "parent;child\nA;B\n", ";"),
    ],
)
def test_tsv_and_delimiters(tmp_path: Path, name: str, text: str, delimiter: str | None) -> None:
    (claim,) = _claims(read_source(_write(tmp_path / name, text), options=ReadOptions(delimiter=delimiter)))
    assert claim.child.name == "B" and claim.parent.name in ("A", "A, Ltd")


def test_mapping_file(tmp_path: Path) -> None:
    path = _write(
        tmp_path / "m.toml",
        'format = "edges"\nid_scheme = "ods"\ncolumns = ["child_id", "parent_id", "-", "start", "end", "-"]\n'
        'date_format = "%Y%m%d"\n[map]\nStart-Date = "First Seen"\n',
    )
    settings = load_mapping_file(path)
    assert settings["map"] == {"start_date": "first_seen"} and settings["columns"][2] == "-"
    assert settings["format"] == "edges" and settings["date_format"] == "%Y%m%d"
    with pytest.raises(ConfigError, match="unknown key 'colour'"):
        load_mapping_file(_write(tmp_path / "bad.toml", 'colour = "red"\n'))
    with pytest.raises(ConfigError, match="not valid TOML"):
        load_mapping_file(_write(tmp_path / "bad2.toml", "format = \n"))


# -- stable identity --


def test_bare_codes_need_an_id_scheme(tmp_path: Path) -> None:
    path = _write(tmp_path / "e.csv", "parent_code,child_code\nods:X1,ods:Y1\nX2,Y2\n")
    with pytest.raises(
        SourceError, match=r"e.csv:3: parent_code 'X2' is a code without a scheme: pass --id-scheme"
    ):
        list(read_source(path))
    assert len(_claims(read_source(path, id_scheme="ods"))) == 2


def test_same_file_under_two_names_gives_the_same_claims(tmp_path: Path) -> None:
    text = "parent,child,parent_id,child_id,start,source_id\nA,B,1,2,2019,r1\nA,B,1,2,2020,\nC,D,,,,\n"
    one = _claims(read_source(_write(tmp_path / "one.csv", text), id_scheme="ods"))
    two = _claims(read_source(_write(tmp_path / "renamed.csv", text), id_scheme="ods"))
    assert [c.claim_id for c in one] == [c.claim_id for c in two] and len({c.claim_id for c in one}) == 3
    assert {c.source for c in one} == {"one"} and {c.source for c in two} == {"renamed"}
    named = _claims(read_source(tmp_path / "one.csv", id_scheme="ods", source="nhs"))
    assert {c.claim_id for c in named}.isdisjoint(c.claim_id for c in one)  # a named source keys its claims


# -- the development files --


def test_epcmem_in_place() -> None:
    reader = read_source(shared_file("nhs-ods-history/epcmem.csv"), id_scheme="ods", options=EPCMEM)
    claims = _claims(reader)
    assert len(claims) == reader.stats.rows == 47822
    a81003 = sorted(
        (c.start.text if c.start else "", c.parent.identifiers[0], c.end.text if c.end else None)
        for c in claims
        if c.child.identifiers == ("ods:A81003",)
    )
    assert a81003 == [
        ("1999-04-01", "ods:4FC32", "2001-03-31"),
        ("2001-04-01", "ods:5D9", "2013-03-31"),
        ("2013-04-01", "ods:00K", "2017-10-31"),
    ]


def test_govuk_parent_of_edges_in_place() -> None:
    reader = read_source(
        shared_file("govuk-hierarchy-2021-2026/parent_of_edges_observed.csv"),
        id_scheme="govuk",
        options=ReadOptions(columns=GOVUK_MAP),
    )
    claims = _claims(reader)
    assert len(claims) == 1066 and reader.unread_columns() == [
        "n_snapshots_seen",
        "present_in_first_snapshot",
    ]
    moj = [c for c in claims if c.child.identifiers == ("govuk:academy-for-social-justice",)]
    assert [(c.parent.identifiers, c.start and c.start.text, c.end, c.is_current) for c in moj] == [
        (("govuk:ministry-of-justice",), "2021-08-11", None, True)
    ]
    assert all(c.end is not None for c in claims if c.is_current is False)


def test_gzip_tsv(tmp_path: Path) -> None:
    path = tmp_path / "e.tsv.gz"
    path.write_bytes(gzip.compress(b"parent\tchild\nA\tB\n"))
    assert len(_claims(read_source(path))) == 1
