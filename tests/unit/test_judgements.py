"""Judgement files and links (pure)."""

from __future__ import annotations

import pytest

from resolver.errors import SourceError
from resolver.judgements import Judgement, links_for_records, parse, record_links, to_csv, to_json_lines
from resolver.model import EntityRecord

J = [
    Judgement(
        "org-1",
        "org-2",
        "same",
        "org",
        "org",
        by="ana",
        at="2026-11-30T10:00:00+00:00",
        score=0.91,
        features={"token_set": 1.0},
    ),
    Judgement(
        "Herefordshire Council", "Hertfordshire County Council", "different", note="two councils, 'quoted'"
    ),
]


@pytest.mark.parametrize("write", [to_csv, to_json_lines])
def test_files_round_trip(write) -> None:  # type: ignore[no-untyped-def]
    back = [j for _, j, _ in parse(write(J), "x")]
    assert back == J


def test_rows_without_verdict_are_skipped_and_bad_rows_named() -> None:
    text = "left,right,verdict\nA,B,\nA,B,maybe\n,B,same\nA,B,Same\n"
    got = list(parse(text, "queue.csv"))
    assert [(line, j is not None) for line, j, _ in got] == [(3, False), (4, False), (5, True)]
    assert "queue.csv:3: field 'verdict': 'maybe'" in str(got[0][2])
    assert "field 'left' is empty" in str(got[1][2])


def test_header_without_the_needed_columns_is_refused() -> None:
    with pytest.raises(SourceError, match="needs left, right, verdict"):
        list(parse("a,b\n1,2\n", "x.csv"))


def test_key_is_order_free_and_verdict_checked() -> None:
    assert Judgement("A", "B", "same").key == Judgement("B", "A", "different").key
    with pytest.raises(ValueError, match="verdict"):
        Judgement("A", "B", "maybe")  # type: ignore[arg-type]


def test_record_links() -> None:
    js = [Judgement("A", "B", "same"), Judgement("A", "C", "different"), Judgement("A", "D", "unsure")]
    refs = {("name", "A"): ["1"], ("name", "B"): ["2"], ("name", "C"): ["3"], ("name", "D"): ["4"]}
    assert record_links(js, refs) == ([("1", "2")], [("1", "3")])


def test_links_for_records_by_name_alias_and_org_id() -> None:
    records = [
        EntityRecord("1", "A"),
        EntityRecord("2", "X", aliases=("B",)),
        EntityRecord("3", "Y", org_id="o9"),
    ]
    js = [Judgement("A", "B", "different"), Judgement("A", "o9", "same", "name", "org")]
    assert links_for_records(js, records) == ([("1", "3")], [("1", "2")])
