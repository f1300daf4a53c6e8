"""`resolver serve` against a real uvicorn and a real Neo4j, with a real HTTP client (httpx).

Every reconciliation response is validated against the spec's JSON schemas (tests/data/reconciliation-0.2).
The seed hierarchy (tests/integration/hierarchy_seed.py) is the graph.
"""

from __future__ import annotations

import json
import statistics
import threading
import time
from collections.abc import Iterator
from datetime import date
from typing import Any

import httpx
import neo4j
import pytest
from neo4j import exceptions as nx

from tests.integration.hierarchy_seed import seed_hierarchy
from tests.integration.service_kit import backend_for, serving, validate


@pytest.fixture(scope="module")
def base(session_driver: neo4j.Driver, registry: Any) -> Iterator[str]:
    with session_driver.session(database="neo4j") as session:
        session.run(registry["admin.delete_all"].query()).consume()
    seed_hierarchy(session_driver)
    with serving(backend_for(session_driver, max_batch=20, max_body=20_000, max_match=50)) as url:
        yield url


def get(base: str, path: str, **params: Any) -> httpx.Response:
    return httpx.get(base + path, params=params, timeout=60)


def test_manifest_validates_and_jsonp_wraps_it(base: str) -> None:
    manifest = get(base, "/reconcile").json()
    validate("manifest", manifest)
    assert manifest["versions"] == ["0.2"]
    assert manifest["defaultTypes"] == [{"id": "Organisation", "name": "Organisation"}]
    assert manifest["preview"]["url"] == f"{base}/preview?id={{{{id}}}}"
    jsonp = get(base, "/reconcile", callback="jQuery123_456")
    assert jsonp.headers["content-type"].startswith("application/javascript")
    text = jsonp.text
    assert text.startswith("/**/jQuery123_456(") and text.endswith(");")
    assert json.loads(text[len("/**/jQuery123_456(") : -2]) == manifest
    assert get(base, "/reconcile", callback="alert(1)//").status_code == 400


BATCH = {
    "q0": {"query": "The N.H.S. Digital", "type": "Organisation", "limit": 3},
    "q1": {"query": "Riverside Surgry"},
    "q2": {"query": "Ministry of Magic"},
    "q3": {"query": "whatever", "properties": [{"pid": "identifier", "v": "ods:X24"}]},
    "q4": {"query": "NHS Digital", "type": "Person"},
    "q5": {"query": "Old NHS Name"},
    "q6": {"query": "NHS As A Platform", "properties": [{"pid": "parent", "v": "NHS, UK Health Agency"}]},
}


def check_batch(result: dict[str, Any]) -> None:
    validate("reconciliation-result-batch", result)
    assert set(result) == set(BATCH)
    nhsd = result["q0"]["result"]
    assert nhsd[0]["id"] == "org-nhsd" and nhsd[0]["match"] is True and 0 < nhsd[0]["score"] <= 1
    assert "description" not in nhsd[0]  # its spells under DHSC ended in 2023: no parent today
    assert result["q1"]["result"][0]["id"] == "org-practice" and result["q1"]["result"][0]["match"]
    assert result["q2"]["result"] == []
    assert result["q3"]["result"][0]["id"] == "org-nhs"  # the identifier wins over the text
    assert result["q4"]["result"] == []  # another type
    assert result["q5"]["result"][0]["id"] == "org-nhs"  # a merged organisation's name
    naap = result["q6"]["result"][0]
    assert naap["id"] == "org-naap" and {"id": "parent_match", "value": True} in naap["features"]
    assert naap["description"] == "under NHS, UK Health Agency"


def test_batched_queries_by_form_query_string_and_json_body(base: str) -> None:
    validate("reconciliation-query-batch", BATCH)
    text = json.dumps(BATCH)
    by_form = httpx.post(base + "/reconcile", data={"queries": text}, timeout=60)
    assert by_form.status_code == 200, by_form.text
    check_batch(by_form.json())
    by_get = get(base, "/reconcile", queries=text)
    assert by_get.json() == by_form.json()
    by_json = httpx.post(
        base + "/reconcile", content=text, headers={"content-type": "application/json"}, timeout=60
    )
    assert by_json.json() == by_form.json()


def test_preview_view_and_suggest(base: str) -> None:
    page = get(base, "/preview", id="org-naap")
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    assert "NHS As A Platform" in page.text and "NHS, UK Health Agency" in page.text
    assert "National Health Service" in get(base, "/view/org-nhs").text  # the merged name is an alias
    suggested = get(base, "/suggest/entity", prefix="nhs")
    validate("suggest-entities-response", suggested.json())
    names = [s["name"] for s in suggested.json()["result"]]
    assert "NHSX" in names and "NHS Digital" in names
    assert get(base, "/suggest/entity", prefix="nhs", callback="cb").text.startswith("/**/cb(")


def test_plain_json_endpoints(base: str) -> None:
    found = get(base, "/lookup", q="NHS Digital", limit=2).json()
    assert found[0]["id"] == "org-nhsd"
    tree = get(base, "/tree/org-dhsc", asOf="2019-05-15", mode="possible").json()
    assert tree["id"] == "org-dhsc" and tree["asOf"] == "2019-05-15"
    assert "org-nhsd" in {c["id"] for c in tree["children"]}
    matched = httpx.post(
        base + "/match?top=3",
        json=["Riverside Surgry", {"name": "x", "identifiers": ["ods:X24"]}, "Zzyzx"],
        timeout=60,
    ).json()
    assert [m["match_decision"] for m in matched] == ["matched", "matched", "none"]
    assert matched[1]["match_id"] == "org-nhs" and matched[1]["match_method"] == "identifier"


@pytest.mark.parametrize(
    ("method", "path", "kwargs", "status"),
    [
        ("PUT", "/reconcile", {}, 405),
        ("DELETE", "/tree/org-nhs", {}, 405),
        ("POST", "/reconcile", {"data": {"queries": "{not json"}}, 400),
        (
            "POST",
            "/reconcile",
            {"data": {"queries": json.dumps({f"q{i}": {"query": "x"} for i in range(21)})}},
            400,
        ),
        (
            "POST",
            "/reconcile",
            {"content": b"x" * 30_000, "headers": {"content-type": "application/json"}},
            413,
        ),
        ("POST", "/match", {"json": ["x"] * 51}, 400),
        ("POST", "/match", {"json": {"not": "a list"}}, 400),
        ("GET", "/preview?id=no-such-org", {}, 404),
        ("GET", "/tree/org-nhs?asOf=yesterday", {}, 400),
        ("GET", "/tree/org-nhs?mode=sometimes", {}, 400),
        ("GET", "/lookup", {}, 400),
        ("GET", "/nowhere", {}, 404),
    ],
)
def test_errors_are_json(base: str, method: str, path: str, kwargs: dict[str, Any], status: int) -> None:
    response = httpx.request(method, base + path, timeout=60, **kwargs)
    assert response.status_code == status, response.text
    body = response.json()
    assert body["error"]["status"] == status and body["error"]["message"]


def test_streamed_body_over_the_cap_is_refused(base: str) -> None:
    def chunks() -> Iterator[bytes]:  # no Content-Length: the cap applies while reading
        for _ in range(30):
            yield b"x" * 1000

    response = httpx.post(base + "/match", content=chunks(), timeout=60)
    assert response.status_code == 413


def test_cors_for_browser_clients(base: str) -> None:
    response = httpx.options(
        base + "/reconcile",
        headers={"origin": "http://localhost:3333", "access-control-request-method": "POST"},
        timeout=60,
    )
    assert response.status_code == 200
    assert response.headers["access-control-allow-origin"] == "*"


def test_reads_run_where_the_server_refuses_writes(session_driver: neo4j.Driver, base: str) -> None:
    """The service's sessions are READ access mode with read transactions: a write there is refused."""
    with (
        session_driver.session(database="neo4j", default_access_mode=neo4j.READ_ACCESS) as session,
        pytest.raises(nx.ClientError),
    ):
        session.execute_read(lambda tx: tx.run("CREATE (:Intruder)").consume())
    records, _, _ = session_driver.execute_query("MATCH (n:Intruder) RETURN count(n) AS n")
    assert records[0]["n"] == 0


def test_eight_concurrent_clients(base: str) -> None:
    """8 clients for a bounded time, mixing reconciliation batches, lookups and previews: no errors.
    p50/p99 are printed here; the figures to quote come from bench/bench_match.py."""
    batch = json.dumps(
        {f"q{i}": {"query": q} for i, q in enumerate(["NHS Digitl", "Riverside Surgery", "NHSX"])}
    )
    latencies: list[float] = []
    errors: list[str] = []
    lock = threading.Lock()
    stop = time.monotonic() + 6.0

    def client(k: int) -> None:
        with httpx.Client(base_url=base, timeout=60) as http:
            n = 0
            while time.monotonic() < stop:
                start = time.perf_counter()
                if n % 3 == 0:
                    r = http.post("/reconcile", data={"queries": batch})
                elif n % 3 == 1:
                    r = http.get("/lookup", params={"q": "NHS Digital"})
                else:
                    r = http.get("/preview", params={"id": "org-nhsd"})
                took = time.perf_counter() - start
                with lock:
                    latencies.append(took)
                    if r.status_code != 200:
                        errors.append(f"client {k}: {r.status_code} {r.text[:200]}")
                n += 1

    threads = [threading.Thread(target=client, args=(k,)) for k in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors, errors[:5]
    assert len(latencies) >= 8
    cuts = statistics.quantiles(latencies, n=100)
    print(
        f"\n8 clients, {len(latencies)} requests: p50 {cuts[49] * 1000:.1f} ms, p99 {cuts[98] * 1000:.1f} ms"
    )


def test_dates_in_tree_are_iso(base: str) -> None:
    tree = get(base, "/tree/org-naap", asOf=date(2019, 6, 15).isoformat(), up="true").json()
    assert tree["direction"] == "up"
    assert tree["parents"][0]["validFrom"] == "2019-05-01"
