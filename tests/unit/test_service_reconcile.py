"""The reconciliation API's pure half: parsing batches, the manifest, result batches (schema-checked)."""

from __future__ import annotations

import json

import pytest

from resolver.match import Matcher, MatchQuery, SnapshotOrganisation
from resolver.service import reconcile as rc
from tests.recon_schemas import validate

MATCHER = Matcher(
    [
        SnapshotOrganisation(
            "o-dft", "Department for Transport", ("DfT",), ("govuk:department-for-transport",)
        ),
        SnapshotOrganisation("o-ate", "Active Travel England"),
        SnapshotOrganisation("o-s1", "The Surgery", (), ("ods:A1",)),
        SnapshotOrganisation("o-s2", "The Surgery", (), ("ods:B2",)),
    ]
)


def test_manifest_satisfies_the_schema() -> None:
    manifest = rc.manifest("http://127.0.0.1:8000", name="test", schemes=["govuk", "ods"])
    validate("manifest", manifest)
    assert manifest["view"]["url"] == "http://127.0.0.1:8000/view/{{id}}"


def test_batch_parsing_and_results() -> None:
    batch = {
        "q0": {"query": "Active Travel Englnd", "limit": 2},
        "q1": {"query": "the surgery"},
        "q2": {"query": "x", "properties": [{"pid": "ods", "v": "A1"}]},
        "q3": {"query": "Active Travel England", "type": ["Person"]},
        "q4": {"query": "Active Travel England", "properties": [{"pid": "parent", "v": {"id": "o-dft"}}]},
    }
    validate("reconciliation-query-batch", batch)
    queries = rc.parse_batch(json.dumps(batch), max_batch=10, schemes=["ods", "govuk"])
    assert queries[2].identifiers == ("ods:A1",) and queries[4].parents == ("o-dft",)
    matched = MATCHER.match([q.match_query() for q in queries], top=rc.MAX_LIMIT)
    out = rc.results(queries, matched, {"o-ate": (("o-dft", "Department for Transport"),)})
    validate("reconciliation-result-batch", out)
    assert out["q0"]["result"][0]["id"] == "o-ate" and out["q0"]["result"][0]["match"] is True
    assert out["q0"]["result"][0]["description"] == "under Department for Transport"
    assert [c["match"] for c in out["q1"]["result"]] == [False, False]  # ambiguous: no match flag
    assert out["q2"]["result"][0]["id"] == "o-s1"
    assert out["q3"]["result"] == []
    assert {"id": "parent_match", "value": True} in out["q4"]["result"][0]["features"]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("{not json", "not JSON"),
        ("[1, 2]", "must be a JSON object"),
        (json.dumps({f"q{i}": {"query": "x"} for i in range(3)}), "at most 2"),
        (json.dumps({"q0": "Home Office"}), "must be an object"),
        (json.dumps({"q0": {"query": 5}}), "must be a string"),
        (json.dumps({"q0": {"query": "x", "limit": 0}}), "positive number"),
        (json.dumps({"q0": {"query": " "}}), "neither"),
        (json.dumps({"q0": {"query": "x", "properties": [{"pid": "parent"}]}}), "'pid' and 'v'"),
    ],
)
def test_bad_batches_say_what_is_wrong(text: str, message: str) -> None:
    with pytest.raises(rc.RequestError, match=message):
        rc.parse_batch(text, max_batch=2)


def test_suggestions_and_callbacks() -> None:
    validate("suggest-entities-response", rc.suggestions([(o.id, o.name) for o in MATCHER.suggest("act")]))
    assert rc.valid_callback("jQuery_1.cb") == "jQuery_1.cb"
    for bad in ("alert(1)", "a b", "", "x" * 100):
        with pytest.raises(rc.RequestError):
            rc.valid_callback(bad)


def test_identifier_only_query() -> None:
    (q,) = rc.parse_batch(
        json.dumps({"q0": {"properties": [{"pid": "identifier", "v": ["ods:B2"]}]}}), max_batch=5
    )
    (r,) = MATCHER.match([q.match_query()])
    assert r.best is not None and r.best.id == "o-s2" and MatchQuery("", ("ods:B2",)) == q.match_query()
