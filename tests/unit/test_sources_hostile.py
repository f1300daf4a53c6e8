"""Hostile input the readers must survive: each defect found by trying real and hostile files, with the
reject it must give (line, field, code) and the good rows around it still read."""

from __future__ import annotations

import json
from pathlib import Path

from resolver.model import ParentClaim, Reject
from resolver.sources import read_source

DEEP = "[" * 100_000 + "]" * 100_000


def _items(path: Path) -> tuple[list[ParentClaim], list[Reject]]:
    items = list(read_source(path))
    return [i for i in items if isinstance(i, ParentClaim)], [i for i in items if isinstance(i, Reject)]


def test_case_only_self_loop_is_a_reject(tmp_path: Path) -> None:
    path = tmp_path / "loop.jsonl"
    path.write_text(
        json.dumps({"parent": "Loop Org", "child": "loop org"})
        + "\n"
        + json.dumps({"parent": "Loop Org", "child": "LOOP  ORG."})
        + "\n"
        + json.dumps({"parent": "Loop Org", "child": "Loop Org Trust"})
        + "\n"
    )
    claims, rejects = _items(path)
    assert [(r.line, r.field, r.code) for r in rejects] == [
        (1, "child", "self_loop"),
        (2, "child", "self_loop"),
    ]
    assert [c.child.name for c in claims] == ["Loop Org Trust"]


def test_name_of_zero_width_spaces_only_is_a_reject(tmp_path: Path) -> None:
    path = tmp_path / "zw.csv"
    path.write_text("parent,child\n\u200b,B\nA,\u200b\u200b\nA,B\u200b\n", encoding="utf-8")
    claims, rejects = _items(path)
    assert [(r.line, r.field, r.code) for r in rejects] == [
        (2, "parent", "missing_name"),
        (3, "child", "missing_name"),
    ]
    assert "U+200B" in rejects[0].reason
    assert [c.child.name for c in claims] == ["B\u200b"]  # a name with letters keeps its marks verbatim


def test_lone_surrogate_rejects_the_row_naming_the_field(tmp_path: Path) -> None:
    good = [json.dumps({"parent": f"P{i}", "child": f"C{i}"}) for i in range(3)]
    lines = [
        good[0],
        '{"parent": "A", "child": "x\\ud800"}',
        good[1],
        '{"parent": "B", "child": "C", "notes": ["\\udfff"]}',
        good[2],
    ]
    jsonl = tmp_path / "s.jsonl"
    jsonl.write_text("\n".join(lines) + "\n")
    claims, rejects = _items(jsonl)
    assert len(claims) == 3
    assert [(r.line, r.field, r.code) for r in rejects] == [
        (2, "child", "invalid_unicode"),
        (4, "notes", "invalid_unicode"),
    ]
    assert "lone surrogate U+D800 at position 2" in rejects[0].reason
    document = tmp_path / "s.json"
    document.write_text("[" + ",\n".join(lines) + "]")
    claims, rejects = _items(document)
    assert len(claims) == 3 and [(r.line, r.field) for r in rejects] == [(2, "child"), (4, "notes")]


def test_deeply_nested_json_rejects_that_record_and_keeps_the_rest(tmp_path: Path) -> None:
    good = [json.dumps({"parent": f"P{i}", "child": f"C{i}"}) for i in range(3)]
    jsonl = tmp_path / "d.jsonl"
    jsonl.write_text(f'{good[0]}\n{{"parent": {DEEP}, "child": "C"}}\n{good[1]}\n{DEEP}\n{good[2]}\n')
    claims, rejects = _items(jsonl)
    assert len(claims) == 3 and [(r.line, r.code) for r in rejects] == [(2, "too_deep"), (4, "too_deep")]
    document = tmp_path / "d.json"
    document.write_text(f'[{good[0]},\n{{"parent": {DEEP}, "child": "C"}},\n{good[1]},\n{DEEP},\n{good[2]}]')
    claims, rejects = _items(document)
    assert len(claims) == 3 and [(r.line, r.code) for r in rejects] == [(2, "too_deep"), (4, "too_deep")]
    assert len(rejects[0].raw or "") <= 4_003  # the raw text is cut, not 200 kB
