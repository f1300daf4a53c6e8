"""resolver.sources: every format, auto-detection, gzip, stdin, bad rows with their start lines, claim ids,
streaming, and the development data read in place."""

from __future__ import annotations

import gzip
import hashlib
import io
import json
import os
import re
import sys
import threading
import time
from collections import Counter
from collections.abc import Generator
from pathlib import Path
from typing import Any, cast

import pytest

from resolver.errors import SourceError
from resolver.model import EntityClaim, Mention, ParentClaim, Reject
from resolver.sources import FORMATS, MAX_NAME_CHARS, ReadStats, claim_id_for, read_source
from tests.conftest import shared_file

SEED = {
    "category": "Hierarchy",
    "entity1": "NHS As A Platform",
    "entity2": "NHS, UK Health Agency",
    "description": "NHS As A Platform and NHS, UK Health Agency have/had a hierarchical relationship",
    "start_date": "2019-05-00",
    "end_date": None,
    "is_current": None,
    "notes": "NHSX established as the NHS's central tech transformation unit.",
    "source_links": [
        "diginomica.com/government: Health Secretary Matt Hancock makes pitch for NHS-as-a-Platform"
    ],
}
ROOT = Path(__file__).resolve().parents[2]


def _write(path: Path, text: str | bytes) -> Path:
    data = text.encode("utf-8") if isinstance(text, str) else text
    if path.suffix == ".gz":
        data = gzip.compress(data)
    path.write_bytes(data)
    return path


def _jsonl(path: Path, *records: dict[str, Any]) -> Path:
    return _write(path, "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records))


def _read(path: Path | str, **kw: Any) -> list[Any]:
    return list(read_source(path, **kw))


def _claims(items: list[Any]) -> list[ParentClaim]:
    return [i for i in items if isinstance(i, ParentClaim)]


def _rejects(items: list[Any]) -> list[Reject]:
    return [i for i in items if isinstance(i, Reject)]


def _rel(child: str, parent: str, **extra: Any) -> dict[str, Any]:
    return {"category": "Hierarchy", "entity1": child, "entity2": parent, **extra}


# -- the seed record --


def _check_seed(claim: ParentClaim) -> None:
    assert claim.parent == Mention("NHS, UK Health Agency")
    assert claim.child == Mention("NHS As A Platform")
    assert claim.start is not None and claim.start.text == "2019-05-00" and claim.start.precision == "month"
    assert (claim.start.earliest.isoformat(), claim.start.latest.isoformat()) == ("2019-05-01", "2019-05-31")
    assert claim.end is None and claim.is_current is None
    assert claim.source == "littlesis" and claim.line == 1
    assert re.fullmatch(r"claim-[0-9a-f]{24}", claim.claim_id)


def test_seed_record_in_place() -> None:
    reader = read_source(shared_file("seed/relationship.json"))
    items = list(reader)
    assert reader.format == "littlesis" and reader.source == "littlesis"
    assert len(items) == 1 and isinstance(items[0], ParentClaim)
    _check_seed(items[0])
    assert items[0].source_urls and items[0].notes and "hierarchical" in (items[0].description or "")
    assert reader.stats == ReadStats(rows=1, parent_claims=1)


def test_seed_as_json_file_and_as_first_sample_line(tmp_path: Path) -> None:
    seed = _write(tmp_path / "relationship.json", json.dumps(SEED, indent=2))
    (claim,) = _read(seed)
    assert isinstance(claim, ParentClaim)
    _check_seed(claim)
    sample = _read(ROOT / "samples" / "relationships.jsonl")
    assert isinstance(sample[0], ParentClaim)
    _check_seed(sample[0])


def test_samples_read_cleanly() -> None:
    for name, fmt in [
        ("relationships.jsonl", "littlesis"),
        ("edges.csv", "edges"),
        ("entities.csv", "entities"),
    ]:
        reader = read_source(ROOT / "samples" / name)
        items = list(reader)
        assert reader.format == fmt and not _rejects(items), name
    rels = read_source(ROOT / "samples" / "relationships.jsonl")
    claims = _claims(list(rels))
    assert rels.stats.skipped == Counter({"category Generic": 1}) and len(claims) >= 30
    assert {c.start.precision for c in claims if c.start} == {"day", "month", "year"}
    pair = [
        c
        for c in claims
        if (c.child.name, c.parent.name) == ("NHS England", "Department of Health and Social Care")
    ]
    assert len(pair) == 2 and pair[0].claim_id != pair[1].claim_id


# -- LittleSis records --


def test_littlesis_direction_rules(tmp_path: Path) -> None:
    path = _jsonl(
        tmp_path / "rels.jsonl",
        _rel("Child A", "Parent A"),
        _rel("Parent B", "Child B", direction="entity1_is_parent"),
        _rel("Child C", "Parent C", direction="entity1_is_child"),
        _rel("Parent D", "Child D", description1="parent org", description2="child org"),
        _rel("Child E", "Parent E", description1="child org", description2="parent org"),
        _rel("Parent F", "Child F", description2="Subsidiary"),
        _rel("X", "Y", description1="parent", description2="parent"),
        _rel("X", "Y", direction="sideways"),
    )
    items = _read(path)
    pairs = [(c.parent.name, c.child.name) for c in _claims(items)]
    assert pairs == [(f"Parent {k}", f"Child {k}") for k in "ABCDEF"]
    rejects = _rejects(items)
    assert [(r.line, r.field, r.code) for r in rejects] == [
        (7, "description1", "invalid_value"),
        (8, "direction", "invalid_value"),
    ]


def test_littlesis_categories(tmp_path: Path) -> None:
    path = _jsonl(
        tmp_path / "rels.jsonl",
        {"category_id": 11, "entity1": "A", "entity2": "B"},
        {"category_id": "11", "entity1": "C", "entity2": "D"},
        {"category": "hierarchy", "entity1": "E", "entity2": "F"},
        {"category": "Position", "entity1": "Person", "entity2": "Org"},
        {"category_id": 5, "entity1": "Donor", "entity2": "Org"},
        {"category": "Nonsense", "entity1": "G", "entity2": "H"},
        {"entity1": "I", "entity2": "J"},
    )
    reader = read_source(path)
    items = list(reader)
    assert len(_claims(items)) == 3
    assert reader.stats.skipped == Counter({"category Position": 1, "category Donation": 1})
    assert [(r.line, r.field) for r in _rejects(items)] == [(6, "category"), (7, "category")]
    assert reader.stats.rows == 7 and reader.stats.rejects == 2 and reader.stats.parent_claims == 3


@pytest.mark.parametrize(
    ("value", "expected"),
    [(True, True), (False, False), (None, None), ("", None), ("1", True), ("0", False), ("t", True),
     ("f", False), ("TRUE", True), ("false", False), (1, True), (0, False)],
)  # fmt: skip
def test_is_current_values(tmp_path: Path, value: Any, expected: bool | None) -> None:
    (claim,) = _read(_jsonl(tmp_path / "r.jsonl", _rel("A", "B", is_current=value)))
    assert isinstance(claim, ParentClaim) and claim.is_current is expected


def test_littlesis_ids_links_and_claim_id(tmp_path: Path) -> None:
    record = _rel(
        "NHS As A Platform", "NHS", id=99, entity1_id=123, entity2_id="456", url="https://littlesis.org/r/99"
    )
    (claim,) = _read(_jsonl(tmp_path / "r.jsonl", record))
    assert isinstance(claim, ParentClaim)
    assert claim.child.identifiers == ("littlesis:123",) and claim.parent.identifiers == ("littlesis:456",)
    assert claim.source_id == "99" and claim.source_urls == ("https://littlesis.org/r/99",)
    assert claim.claim_id == claim_id_for("littlesis", "99", claim.parent, claim.child, None, None)
    # the record id alone keys the claim: an edited record keeps its id
    (edited,) = _read(_jsonl(tmp_path / "r2.jsonl", {**record, "start_date": "2019"}))
    assert isinstance(edited, ParentClaim) and edited.claim_id == claim.claim_id


def test_littlesis_csv(tmp_path: Path) -> None:
    path = _write(
        tmp_path / "rels.csv",
        "entity1,entity2,category,start_date,end_date,is_current,source_links\n"
        'NHS As A Platform,"NHS, UK Health Agency",Hierarchy,2019-05-00,,,a|b\n'
        "Someone,NHS,Position,,,,\n",
    )
    reader = read_source(path)
    items = list(reader)
    assert reader.format == "littlesis" and reader.source == "littlesis"
    (claim,) = _claims(items)
    assert (
        claim.parent.name == "NHS, UK Health Agency" and claim.source_urls == ("a", "b") and claim.line == 2
    )
    assert reader.stats.skipped == Counter({"category Position": 1})


# -- LittleSis bulk export --


def _export_rel(rid: int, e1: int, e2: int, category: int = 11, **attrs: Any) -> dict[str, Any]:
    attributes = {"entity1_id": e1, "entity2_id": e2, "category_id": category, "start_date": None, **attrs}
    return {
        "type": "relationships",
        "id": rid,
        "attributes": attributes,
        "links": {"self": f"https://littlesis.org/relationships/{rid}"},
    }


def _export_entity(eid: int, name: str, ext: str = "Org", aliases: list[str] | None = None) -> dict[str, Any]:
    attributes = {
        "name": name,
        "blurb": None,
        "primary_ext": ext,
        "aliases": aliases or [name],
        "types": [ext],
    }
    return {"type": "entities", "id": eid, "attributes": attributes}


@pytest.mark.parametrize("suffix", ["", ".gz"])
def test_bulk_export_relationships_with_entities_beside(tmp_path: Path, suffix: str) -> None:
    entities = [
        _export_entity(1, "NHS", aliases=["NHS", "National Health Service"]),
        _export_entity(2, "NHS As A Platform"),
        _export_entity(3, "Matt Hancock", ext="Person"),
        _export_entity(4, "Unused Org"),
    ]
    _write(tmp_path / f"entities.json{suffix}", "[" + ",".join(json.dumps(e) for e in entities) + "]")
    rels = [
        _export_rel(10, 2, 1, start_date="2019-05-00", description1="child org", description2="parent org"),
        _export_rel(11, 3, 1, category=1),
        _export_rel(12, 2, 777),
        _export_rel(13, 1, 2, start_date="2019-02-30"),
    ]
    path = _write(tmp_path / f"relationships.json{suffix}", "[" + ",".join(json.dumps(r) for r in rels) + "]")
    reader = read_source(path)
    items = list(reader)
    assert reader.format == "littlesis-export" and reader.source == "littlesis"
    (claim,) = _claims(items)
    assert claim.parent == Mention("NHS", ("littlesis:1",), ("National Health Service",))
    assert claim.child.name == "NHS As A Platform" and claim.child.identifiers == ("littlesis:2",)
    assert claim.source_id == "10" and claim.source_urls == ("https://littlesis.org/relationships/10",)
    assert [(r.line, r.field, r.code) for r in _rejects(items)] == [
        (1, "entity2_id", "unknown_entity"),
        (1, "start_date", "invalid_date"),
    ]
    assert reader.stats.skipped == Counter({"category Position": 1})
    assert reader.sha256 == hashlib.sha256(path.read_bytes()).hexdigest()


def test_bulk_export_without_entities_file_is_a_source_error(tmp_path: Path) -> None:
    path = _write(tmp_path / "relationships.json", json.dumps([_export_rel(1, 1, 2)]))
    with pytest.raises(SourceError, match=r"entities\.json"):
        _read(path)


def test_bulk_export_entities_shapes(tmp_path: Path) -> None:
    records = [
        _export_entity(1, "Walmart", aliases=["Walmart", "Wal-Mart", "IRS EIN 71-0415188", "BHC ID 123"]),
        _export_entity(2, "Jane Doe", ext="Person"),
    ]
    array = _write(tmp_path / "entities.json", "[" + ",".join(json.dumps(r) for r in records) + "]")
    page = _write(tmp_path / "page.json", json.dumps({"meta": {"page": 1}, "data": records}, indent=1))
    lines = _jsonl(tmp_path / "export.jsonl", *records)
    for path in (array, page, lines):
        reader = read_source(path, fmt="littlesis-export" if path == lines else "auto")
        items = list(reader)
        assert reader.format == "littlesis-export", path
        assert items == [
            EntityClaim(
                Mention("Walmart", ("littlesis:1", "irs-ein:71-0415188", "bhc-id:123"), ("Wal-Mart",)),
                source="littlesis",
                source_id="1",
                line=items[0].line,
            )
        ]
        assert reader.stats.skipped == Counter({"person": 1})


def test_littlesis_sample_in_place() -> None:
    reader = read_source(shared_file("littlesis-sample/littlesis_api_entities_top100_orgs.json"))
    items = list(reader)
    assert reader.format == "littlesis-export" and reader.stats.entity_claims == 100 and not _rejects(items)
    walmart = items[0]
    assert isinstance(walmart, EntityClaim) and walmart.mention.name == "Walmart"
    assert (
        walmart.mention.identifiers[0] == "littlesis:1" and "Wal-Mart Stores, Inc." in walmart.mention.aliases
    )
    assert all(
        not a.startswith("IRS EIN") for i in items if isinstance(i, EntityClaim) for a in i.mention.aliases
    )
    assert walmart.line == 2


# -- edge CSVs --


def test_edges_column_aliases(tmp_path: Path) -> None:
    path = _write(
        tmp_path / "register.csv",
        "Parent_Code,Parent-Name,Child_Code,Child Name,Valid-From,Valid_To,Notes\n"
        "00K,NHS Hartlepool and Stockton-on-Tees CCG,A81001,The Densham Surgery,2013-04-01,,GP\n"
        "5E1,,A81001,The Densham Surgery,2001-04-01,2013-03-31,\n",
    )
    reader = read_source(path, id_scheme="ODS")
    first, second = list(reader)
    assert reader.format == "edges" and reader.source == "register"
    assert isinstance(first, ParentClaim) and isinstance(second, ParentClaim)
    assert first.parent == Mention("NHS Hartlepool and Stockton-on-Tees CCG", ("ods:00K",))
    assert first.child == Mention("The Densham Surgery", ("ods:A81001",))
    assert first.start and first.start.text == "2013-04-01" and first.end is None and first.notes == "GP"
    assert second.parent == Mention("ods:5E1", ("ods:5E1",))  # no name: the identifier stands in
    assert second.end and second.end.text == "2013-03-31"


def test_edges_identifier_rules(tmp_path: Path) -> None:
    path = _write(
        tmp_path / "tree.csv",
        "parent,child,parent_id,child_id\nA,B,ods:X1,Y2\nA,B,X1,https://ror.org/123\nA,B,,\n,B,,\n",
    )
    with pytest.raises(
        SourceError, match=r"tree.csv:2: child_id 'Y2' is a code without a scheme: pass --id-scheme"
    ):
        _read(path)  # bare codes are never named after the file
    items = _read(path, id_scheme="ods")
    c1, c2, c3 = _claims(items)
    assert c1.parent.identifiers == ("ods:X1",) and c1.child.identifiers == ("ods:Y2",)
    assert c2.child.identifiers == ("ods:https://ror.org/123",)
    assert c3.parent == Mention("A") and c3.child == Mention("B")
    (reject,) = _rejects(items)
    assert (reject.line, reject.field, reject.code) == (5, "parent", "missing_name")


def test_edges_self_loops(tmp_path: Path) -> None:
    path = _write(
        tmp_path / "e.csv",
        "parent,child,parent_id,child_id\n"
        "NHS CORBY CCG,NHS CORBY CCG,ods:03V,ods:Y03733\n"  # same name, different bodies: kept
        "A,B,ods:X,ods:X\n"
        "Same,Same,,\n",
    )
    items = _read(path)
    assert len(_claims(items)) == 1
    assert [(r.line, r.code) for r in _rejects(items)] == [(3, "self_loop"), (4, "self_loop")]


def test_edges_source_column_and_argument(tmp_path: Path) -> None:
    path = _write(tmp_path / "e.csv", "parent,child,source,source_id\nA,B,epraccur.csv,\nC,D,,row-7\n")
    first, second = _claims(_read(path))
    assert first.source == "epraccur.csv" and second.source == "e" and second.source_id == "row-7"
    forced = _claims(_read(path, source="ods"))
    assert {c.source for c in forced} == {"ods"}


def test_edges_header_missing_columns(tmp_path: Path) -> None:
    path = _write(tmp_path / "e.csv", "\n\nparent,start,end\nA,,\n")
    with pytest.raises(SourceError) as info:
        read_source(path, fmt="edges")
    message = str(info.value)
    assert (
        "e.csv:3:" in message and "child" in message and "child_code" in message and "found parent" in message
    )


def test_nhs_ods_2016_edges_in_place() -> None:
    reader = read_source(shared_file("nhs-ods-2016/edges.csv"), id_scheme="ods")
    items = list(reader)
    assert reader.format == "edges" and not _rejects(items)
    assert reader.stats.parent_claims == reader.stats.rows == 13050
    first = items[0]
    assert isinstance(first, ParentClaim) and first.parent.identifiers == ("ods:00K",) and first.line == 2
    nameless = [c for c in _claims(items) if c.child.name == "ods:Q73"]
    assert len(nameless) == 1


def test_nhs_ods_history_gz_in_place() -> None:
    reader = read_source(shared_file("nhs-ods-history/derived_parent_of_edges.csv.gz"), id_scheme="ods")
    counts = Counter(type(i).__name__ for i in reader)
    assert reader.format == "edges" and counts == Counter({"ParentClaim": reader.stats.rows})


# -- entity lists --


def test_entities_csv_and_jsonl(tmp_path: Path) -> None:
    csv_path = _write(
        tmp_path / "orgs.csv",
        "name,aliases,id\nDepartment of Health and Social Care,DHSC| Dept. of Health & Social Care |DHSC,7\n"
        "UK Health Security Agency,,ods:X1\n",
    )
    first, second = _read(csv_path)
    assert first == EntityClaim(
        Mention("Department of Health and Social Care", (), ("DHSC", "Dept. of Health & Social Care")),
        source="orgs",
        source_id="7",
        line=2,
    )
    assert isinstance(second, EntityClaim) and second.mention.identifiers == ("ods:X1",)
    jsonl_path = _jsonl(
        tmp_path / "orgs.jsonl",
        {"name": "NHS England", "aliases": ["NHSE", "NHS Commissioning Board"], "identifiers": ["ods:X24"]},
        {"name": "NHS", "aliases": "The N.H.S."},
        {"name": "Bad", "aliases": [1, 2]},
    )
    items = _read(jsonl_path)
    assert items[0] == EntityClaim(
        Mention("NHS England", ("ods:X24",), ("NHSE", "NHS Commissioning Board")), source="orgs", line=1
    )
    assert isinstance(items[1], EntityClaim) and items[1].mention.aliases == ("The N.H.S.",)
    assert isinstance(items[2], Reject) and (items[2].field, items[2].code) == ("aliases", "wrong_type")


def test_littlesis_org_names_in_place() -> None:
    reader = read_source(shared_file("littlesis-sample/littlesis_org_names.csv"))
    first = next(iter(reader))
    assert reader.format == "entities"
    assert first == EntityClaim(
        Mention("Walmart", ("littlesis:1",)), source="littlesis_org_names", source_id="1", line=2
    )


# -- detection, gzip, stdin --


@pytest.mark.parametrize(
    ("name", "content", "fmt"),
    [
        ("a.jsonl", json.dumps(_rel("A", "B")) + "\n", "littlesis"),
        ("a.ndjson", json.dumps({"name": "A"}) + "\n", "entities"),
        ("a.json", json.dumps([_rel("A", "B")]), "littlesis"),
        ("a.json", json.dumps(_rel("A", "B"), indent=2), "littlesis"),
        ("a.txt", json.dumps({"parent": "A", "child": "B"}) + "\n", "edges"),
        ("a.csv", "parent,child\nA,B\n", "edges"),
        ("a.csv", "parent_code,child_code\nx:A,x:B\n", "edges"),
        ("a.csv", "name,aliases\nA,\n", "entities"),
        ("a.csv", "entity1,entity2,category\nA,B,11\n", "littlesis"),
        (
            "relationships.json",
            json.dumps([_export_rel(1, 1, 2, entity1="A", entity2="B")]),
            "littlesis-export",
        ),
        ("entities.json", json.dumps([_export_entity(1, "A")]), "littlesis-export"),
        ("a.csv.gz", "parent,child\nA,B\n", "edges"),
        ("a.jsonl.gz", json.dumps({"name": "A"}) + "\n", "entities"),
        ("no_extension", "parent,child\nA,B\n", "edges"),
    ],
)
def test_auto_detection(tmp_path: Path, name: str, content: str, fmt: str) -> None:
    reader = read_source(_write(tmp_path / name, content))
    assert reader.format == fmt and reader.format in FORMATS
    assert not _rejects(list(reader))


@pytest.mark.parametrize(
    ("name", "content"),
    [("a.csv", "x,y\n1,2\n"), ("a.jsonl", '{"x": 1}\n'), ("a.csv", "")],
)
def test_unknown_format_is_a_source_error(tmp_path: Path, name: str, content: str) -> None:
    with pytest.raises(SourceError) as info:
        read_source(_write(tmp_path / name, content))
    assert name in str(info.value)


def test_missing_file_and_bad_arguments(tmp_path: Path) -> None:
    with pytest.raises(SourceError, match="cannot open"):
        read_source(tmp_path / "nope.csv")
    path = _write(tmp_path / "a.csv", "parent,child\nA,B\n")
    with pytest.raises(SourceError, match="unknown format"):
        read_source(path, fmt="xml")
    with pytest.raises(SourceError, match="id scheme"):
        read_source(path, id_scheme="o d s")


def test_gzip_without_gz_extension_and_truncated_gzip(tmp_path: Path) -> None:
    data = gzip.compress(b"parent,child\nA,B\nC,D\n")
    path = _write(tmp_path / "edges.csv", data)
    assert len(_claims(_read(path))) == 2
    truncated = _write(tmp_path / "cut.csv", data[:-12])
    with pytest.raises(SourceError, match="gzip"):
        _read(truncated)


def test_sha256_covers_the_raw_bytes(tmp_path: Path) -> None:
    plain = _write(tmp_path / "e.csv", "parent,child\nA,B\n")
    compressed = _write(tmp_path / "e.csv.gz", "parent,child\nA,B\n")
    for path in (plain, compressed):
        reader = read_source(path)
        list(reader)
        assert reader.sha256 == hashlib.sha256(path.read_bytes()).hexdigest()


def test_stdin(monkeypatch: pytest.MonkeyPatch) -> None:
    data = (json.dumps(SEED) + "\n").encode()
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BufferedReader(io.BytesIO(data))))
    reader = read_source("-")
    (claim,) = list(reader)
    assert reader.path == "-" and reader.format == "littlesis" and isinstance(claim, ParentClaim)
    assert reader.sha256 == hashlib.sha256(data).hexdigest()


def test_stdin_gzip_edges_default_source(monkeypatch: pytest.MonkeyPatch) -> None:
    data = gzip.compress(b"parent,child\nA,B\n")
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BufferedReader(io.BytesIO(data))))
    reader = read_source("-")
    (claim,) = list(reader)
    assert reader.source == "stdin" and isinstance(claim, ParentClaim) and claim.source == "stdin"


def test_iterable_once(tmp_path: Path) -> None:
    reader = read_source(_write(tmp_path / "e.csv", "parent,child\nA,B\n"))
    list(reader)
    with pytest.raises(RuntimeError, match="once"):
        iter(reader)


# -- bad rows --


def test_csv_bad_rows_have_their_start_lines(tmp_path: Path) -> None:
    text = (
        "parent,child,start,end,notes\n"  # 1
        'A,B,2019-05-00,,"a note\nover two lines"\n'  # 2-3
        "A,B,2019-13-45,,\n"  # 4
        "A,B,,soon,\n"  # 5
        "\n"  # 6 blank
        "A,B,too,many,fields,here\n"  # 7
        ",,,,\n"  # 8
        '"   ",B,,,\n'  # 9
        "A\x00B,C,,,\n"  # 10
        "A\x07,C,,,\n"  # 11
        "A,B,2019-02-30,,\n"  # 12
        f"{'x' * 10_000},C,,,\n"  # 13
        '"multi\nline",C,,,\n'  # 14-15
        "E,F,2019,2020-00-00,\n"  # 16
    )
    items = _read(_write(tmp_path / "bad.csv", text))
    assert [(c.line, c.parent.name) for c in _claims(items)] == [(2, "A"), (16, "E")]
    found = [(r.line, r.field, r.code) for r in _rejects(items)]
    assert found == [
        (4, "start", "invalid_date"),
        (5, "end", "invalid_date"),
        (7, None, "wrong_columns"),
        (8, "parent", "missing_name"),
        (9, "parent", "missing_name"),
        (10, "parent", "control_character"),
        (11, "parent", "control_character"),
        (12, "start", "invalid_date"),
        (13, "parent", "name_too_long"),
        (14, "parent", "control_character"),
    ]
    rejects = _rejects(items)
    assert "2019-13-45" in rejects[0].reason and "U+0000" in rejects[5].reason
    assert str(MAX_NAME_CHARS) in rejects[8].reason
    assert rejects[2].raw == "A,B,too,many,fields,here"


def test_invalid_utf8_lines_are_rejected_and_reading_goes_on(tmp_path: Path) -> None:
    csv_path = _write(tmp_path / "e.csv", b"parent,child\nA,B\nC\xff\xfe,D\nE,F\n")
    items = _read(csv_path)
    assert [c.line for c in _claims(items)] == [2, 4]
    (reject,) = _rejects(items)
    assert (reject.line, reject.code) == (3, "invalid_utf8") and reject.raw and "\ufffd" in reject.raw
    jsonl_path = _write(tmp_path / "r.jsonl", b'{"name": "A"}\n{"name": "\xc3("}\n{"name": "B"}\n')
    items = _read(jsonl_path)
    assert [i.line for i in items] == [1, 2, 3] and isinstance(items[1], Reject)
    assert items[1].code == "invalid_utf8"


def test_json_lines_bad_records(tmp_path: Path) -> None:
    lines = [
        json.dumps(_rel("A", "B")),  # 1
        "{not json",  # 2
        '{"category": "Hierarchy", "entity1": "A", "entity1": "C", "entity2": "B"}',  # 3 duplicate key
        '{"category": "Hierarchy", "entity1": "A", "entity2": "B", "start_date": NaN}',  # 4
        "[1, 2]",  # 5
        "",  # 6 blank
        json.dumps(_rel(123, "B")),  # type: ignore[arg-type]  # 7: a number where a name goes
        json.dumps(_rel("A", "B", start_date=2019)),  # 8
        json.dumps(_rel("A", "B", is_current="maybe")),  # 9
        json.dumps(_rel("A", "A")),  # 10
        json.dumps(_rel("A", "B", end_date="2019-02-29")),  # 11
        json.dumps(_rel("C", "D")),  # 12
    ]
    items = _read(_write(tmp_path / "r.jsonl", "\n".join(lines) + "\n"))
    assert [c.line for c in _claims(items)] == [1, 12]
    assert [(r.line, r.field, r.code) for r in _rejects(items)] == [
        (2, None, "malformed_json"),
        (3, None, "malformed_json"),
        (4, None, "malformed_json"),
        (5, None, "malformed_json"),
        (7, "entity1", "wrong_type"),
        (8, "start_date", "wrong_type"),
        (9, "is_current", "invalid_value"),
        (10, "child", "self_loop"),
        (11, "end_date", "invalid_date"),
    ]
    assert "duplicate keys 'entity1'" in _rejects(items)[1].reason


def test_json_array_lines_and_broken_document(tmp_path: Path) -> None:
    pretty = _write(
        tmp_path / "a.json", json.dumps([_rel("A", "B"), _rel("C", "C"), _rel("D", "E")], indent=2)
    )
    items = _read(pretty)
    assert [i.line for i in items] == [2, 7, 12] and isinstance(items[1], Reject)
    broken = _write(tmp_path / "b.json", "[\n" + json.dumps(_rel("A", "B")) + ",\n{oops}\n]")
    reader = read_source(broken)
    iterator = iter(reader)
    assert isinstance(next(iterator), ParentClaim)
    with pytest.raises(SourceError, match=r"b\.json:3: malformed JSON"):
        next(iterator)


@pytest.mark.parametrize(
    "name",
    [
        "'}) DETACH DELETE n //",
        "Robby' WITH true as ignored MATCH (s) DETACH DELETE s; //",
        "`Backtick` \\u0060 $param {x} /* */ ; CALL apoc.x()",
        "\u202eevil\u202c \u200f عربي",
        "<script>alert(1)</script>",
        "  padded  ",
    ],
)
def test_hostile_names_are_kept_verbatim(tmp_path: Path, name: str) -> None:
    (claim,) = _read(_jsonl(tmp_path / "r.jsonl", _rel(name, "NHS")))
    assert isinstance(claim, ParentClaim) and claim.child.name == name.strip()
    path = tmp_path / "e.csv"
    path.write_text("parent,child\n" + '"' + name.replace('"', '""') + '",NHS\n', encoding="utf-8")
    (edge,) = _read(path)
    assert isinstance(edge, ParentClaim) and edge.parent.name == name.strip()


def test_bad_quoting_is_a_malformed_row(tmp_path: Path) -> None:
    path = _write(tmp_path / "q.csv", 'parent,child\nA,"B"x\nC,D\nE,"open quote\nF,G\n')
    items = _read(path)
    assert [c.line for c in _claims(items)] == [3]
    assert [(r.line, r.code) for r in _rejects(items)] == [(2, "malformed_csv"), (4, "malformed_csv")]
    assert "unexpected end of data" in _rejects(items)[1].reason


def test_bom_header(tmp_path: Path) -> None:
    path = _write(tmp_path / "e.csv", "\ufeffparent,child\nA,B\n")
    assert len(_claims(_read(path))) == 1


# -- claim ids --


def test_claim_ids_deterministic_spells_and_duplicates(tmp_path: Path) -> None:
    path = _jsonl(
        tmp_path / "r.jsonl",
        _rel("PHE", "DH", start_date="2013-04-01", end_date="2018-01-07"),
        _rel("PHE", "DH", start_date="2018-01-08", end_date="2021-09-30"),
        _rel("PHE", "DH", start_date="2013-04-01", end_date="2018-01-07"),
        _rel("DH", "PHE", start_date="2013-04-01", end_date="2018-01-07"),
    )
    ids = [c.claim_id for c in _claims(_read(path))]
    assert ids == [c.claim_id for c in _claims(_read(path))]
    assert ids[0] != ids[1] and ids[0] == ids[2] and ids[3] not in (ids[0], ids[1])
    assert all(re.fullmatch(r"claim-[0-9a-f]{24}", i) for i in ids)
    other = _claims(_read(path, source="other"))
    assert other[0].claim_id != ids[0]


# -- streaming --


def _fifo_writer(path: Path, header: bytes, row: bytes, rows: int, written: list[int]) -> threading.Thread:
    def write() -> None:
        try:
            with open(path, "wb") as f:
                f.write(header)
                for n in range(rows):
                    f.write(row.replace(b"{n}", str(n).encode()))
                    written[0] = n + 1
        except BrokenPipeError:
            pass  # the reader stopped early, as it may

    return threading.Thread(target=write, daemon=True)


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs a FIFO")
@pytest.mark.parametrize(
    ("name", "header", "row"),
    [
        ("edges.csv", b"parent,child,start\n", b"Parent {n},Child {n},2019-05-00\n"),
        (
            "relationships.json",
            b"[",
            b'{"type":"relationships","id":{n},"attributes":{"entity1":"C{n}","entity2":"P","category_id":11}},',
        ),
    ],
)
def test_first_claim_of_a_200k_row_file_arrives_before_the_file_is_written(
    tmp_path: Path, name: str, header: bytes, row: bytes
) -> None:
    path = tmp_path / name
    os.mkfifo(path)
    written = [0]
    writer = _fifo_writer(path, header, row, 200_000, written)
    writer.start()
    started = time.monotonic()
    reader = read_source(path, fmt="littlesis-export" if name.endswith(".json") else "auto")
    records = cast(Generator[object, None, None], iter(reader))  # a generator: it can be closed
    first = next(records)
    assert isinstance(first, ParentClaim) and first.child.name in ("Child 0", "C0")
    assert written[0] < 200_000 and time.monotonic() - started < 5
    records.close()  # stopping early closes the file: the writer sees a broken pipe and ends
    writer.join(timeout=30)
    assert not writer.is_alive()
