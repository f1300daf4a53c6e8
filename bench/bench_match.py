"""`resolver match` on a list of names against a large graph, next to per-row lookups, and the service.

    .venv/bin/python bench/bench_match.py                          # 100k names against 1M organisations
    .venv/bin/python bench/bench_match.py --orgs 100000 --names 20000 --home /tmp/bench-match-home

The graph: --orgs generated organisation names (bench_resolve.base_names: company, public-body and
partnership templates over pseudo-words), written with resolver's GraphWriter. The list: --names rows,
80% a re-spelling of a graph organisation (bench_resolve.variant: case, legal form, '&', 'The', a typo,
punctuation, accents) and 20% names the graph does not hold. Measured in one run:
1. `resolver match LIST -o OUT` as a user runs it (a child process: graph read, index, matching, writing),
   twice: "cold" with an empty index cache (the index is built and kept), then "warm" (the index read
   from the cache), each with the share of rows assigned their true organisation and of absent names
   left `none`, and the load average of the machine;
2. per-row lookups, as `resolver lookup` runs them (GraphReader.lookup in this process, --lookups rows,
   extrapolated to the list), and a few `resolver lookup` processes;
3. `resolver serve` (a child process, its index from the same cache) with 8 clients posting
   reconciliation batches of 10 names for --service-seconds: requests, errors, p50/p99.

A local server is started in a temporary home (or --home, kept and reused when it holds the same graph)
unless NEO4J_URI is set; with NEO4J_URI that database is WIPED first. Prints a JSON summary (also
written to --json).
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import random
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import httpx  # noqa: E402
from bench_resolve import base_names, variant  # noqa: E402

from resolver.graph.bulk import BulkWriter, run_import  # noqa: E402
from resolver.graph.connection import make_driver  # noqa: E402
from resolver.graph.reader import GraphReader  # noqa: E402
from resolver.graph.schema import apply_schema  # noqa: E402
from resolver.graph.templates import TemplateRegistry  # noqa: E402
from resolver.graph.writer import GraphWriter, OrganisationWrite  # noqa: E402
from resolver.model import OrganisationNode  # noqa: E402
from resolver.normalise import normalise_name  # noqa: E402
from resolver.server import LocalServer, free_port  # noqa: E402
from resolver.settings import Neo4jSettings, ServerSettings  # noqa: E402

RESOLVER = str(Path(sys.executable).with_name("resolver"))


@contextmanager
def database(args: argparse.Namespace) -> Iterator[tuple[Neo4jSettings, LocalServer | None]]:
    if os.environ.get("NEO4J_URI"):
        yield Neo4jSettings.from_env(), None
        return
    keep = args.home is not None
    home = args.home.resolve() if keep else Path(tempfile.mkdtemp(prefix="resolver-bench-match-"))
    server = LocalServer(
        replace(
            ServerSettings.from_env(),
            home=home,
            bolt_port=free_port(),
            heap=args.heap,
            pagecache=args.pagecache,
        )
    )
    settings = Neo4jSettings(uri=server.uri, password="bench-password")
    try:
        server.start(settings, timeout=300)
        yield settings, server
    finally:
        server.stop()
        if not keep:
            shutil.rmtree(home, ignore_errors=True)


def graph_names(n: int, seed: int) -> list[str]:
    return base_names(n, seed)


def make_list(names: list[str], count: int, seed: int) -> tuple[list[str], list[str | None]]:
    """``count`` mentions: 80% a variant of a graph name (truth: its id), 20% absent (truth: None)."""
    rng = random.Random(seed + 7)
    present = {normalise_name(x).key for x in names}
    absent = [x for x in base_names(count, seed + 1000) if normalise_name(x).key not in present]
    out: list[str] = []
    truth: list[str | None] = []
    for _ in range(count):
        if rng.random() < 0.8 or not absent:
            k = rng.randrange(len(names))
            out.append(variant(rng, names[k]) if rng.random() < 0.9 else names[k])
            truth.append(f"b{k:07d}")
        else:
            out.append(absent.pop())
            truth.append(None)
    return out, truth


def load(settings: Neo4jSettings, server: LocalServer | None, names: list[str]) -> float | None:
    """Write the organisations unless the graph already holds exactly these; seconds taken (None: reused).

    With the local runner's server: the bulk path `resolver load` takes (header CSVs, the server stopped,
    ``neo4j-admin database import``, restarted, schema applied); else Bolt batches into the wiped database.
    """
    registry = TemplateRegistry()
    with make_driver(settings) as driver:
        rec = driver.execute_query(
            "MATCH (o:Organisation) RETURN count(o) AS n, min(o.id) AS lo, max(o.id) AS hi",
            database_=settings.database,
        ).records[0]
        if rec["n"] == len(names) and rec["hi"] == f"b{len(names) - 1:07d}":
            print(f"reusing the loaded graph: {len(names):,} organisations")
            return None
        if rec["n"] and server is None:
            driver.execute_query(registry["admin.delete_all"].query(), database_=settings.database)
    t0 = time.perf_counter()
    items = (
        OrganisationWrite(OrganisationNode(f"b{k:07d}", name, normalise_name(name).key))
        for k, name in enumerate(names)
    )
    if server is not None:
        with tempfile.TemporaryDirectory(prefix="bench-match-import-") as tmp:
            bulk = BulkWriter(Path(tmp))
            bulk.write_organisations(items, "bench-match")
            files = bulk.close()
            server.stop()
            run_import(
                files,
                java=server.settings.java,
                lib_dir=server.lib_dir,
                home=server.home,
                database=settings.database,
            )
            server.start(settings, timeout=600)
        with make_driver(settings) as driver:
            apply_schema(driver, registry, database=settings.database)
    else:
        with make_driver(settings) as driver:
            apply_schema(driver, registry, database=settings.database)
            writer = GraphWriter(driver, registry, database=settings.database, batch_size=10_000)
            writer.write_organisations(items, "bench-match")
    took = time.perf_counter() - t0
    print(f"loaded {len(names):,} organisations in {took:.0f}s ({'bulk import' if server else 'Bolt'})")
    return took


def run_match(settings: Neo4jSettings, path: Path, out: Path, cache: Path) -> tuple[float, float, str]:
    """Seconds on the clock and CPU seconds (the process and its workers) of one `resolver match`."""
    env = {**os.environ, **settings.environment(), "RESOLVER_INDEX_CACHE": str(cache)}
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    done = subprocess.run(
        [RESOLVER, "match", str(path), "-o", str(out)], env=env, capture_output=True, text=True, check=False
    )
    took = time.perf_counter() - t0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime)
    if done.returncode != 0:
        raise SystemExit(f"resolver match failed ({done.returncode}): {done.stderr[-2000:]}")
    return took, cpu, done.stderr.strip().splitlines()[-1]


def quality(out: Path, truth: list[str | None]) -> dict[str, float]:
    with out.open(encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    assert len(rows) == len(truth)
    present = [(r, t) for r, t in zip(rows, truth, strict=True) if t is not None]
    absent = [r for r, t in zip(rows, truth, strict=True) if t is None]
    return {
        "presentAssignedCorrectly": round(sum(r["match_id"] == t for r, t in present) / len(present), 4),
        "presentWrongOrganisation": round(
            sum(r["match_id"] not in ("", t) for r, t in present) / len(present), 4
        ),
        "absentNone": round(sum(r["match_decision"] == "none" for r in absent) / max(1, len(absent)), 4),
    }


def per_row_lookups(settings: Neo4jSettings, names: list[str], count: int) -> dict[str, float]:
    driver = make_driver(settings)
    reader = GraphReader(driver, TemplateRegistry(), database=settings.database)
    rng = random.Random(3)
    sample = rng.sample(names, min(count, len(names)))
    try:
        for name in sample[:20]:  # warm-up
            reader.lookup(name, 5)
        times = []
        for name in sample:
            t0 = time.perf_counter()
            reader.lookup(name, 5)
            times.append(time.perf_counter() - t0)
    finally:
        driver.close()
    env = {**os.environ, **settings.environment()}
    processes = []
    for name in sample[:5]:
        t0 = time.perf_counter()
        subprocess.run([RESOLVER, "lookup", name, "--limit", "5"], env=env, capture_output=True, check=False)
        processes.append(time.perf_counter() - t0)
    mean = statistics.fmean(times)
    return {
        "lookups": len(times),
        "meanMs": round(mean * 1000, 1),
        "p50Ms": round(statistics.median(times) * 1000, 1),
        "processMeanSeconds": round(statistics.fmean(processes), 2),
        "extrapolatedSecondsForList": round(mean * len(names), 0),
        "extrapolatedProcessSecondsForList": round(statistics.fmean(processes) * len(names), 0),
    }


def service(settings: Neo4jSettings, names: list[str], seconds: float, cache: Path) -> dict[str, Any]:
    port = free_port()
    env = {**os.environ, **settings.environment(), "RESOLVER_INDEX_CACHE": str(cache)}
    proc = subprocess.Popen(
        [RESOLVER, "serve", "--port", str(port)], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )
    base = f"http://127.0.0.1:{port}"
    try:
        started = time.perf_counter()
        while True:
            if proc.poll() is not None:
                raise SystemExit(f"resolver serve exited: {proc.stderr.read().decode()[-2000:]}")  # type: ignore[union-attr]
            try:
                if httpx.get(base + "/health", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.5)
        ready = time.perf_counter() - started
        latencies: list[float] = []
        errors: list[str] = []
        lock = threading.Lock()
        stop = time.monotonic() + seconds

        def client(k: int) -> None:
            rng = random.Random(k)
            with httpx.Client(base_url=base, timeout=60) as http:
                while time.monotonic() < stop:
                    batch = {f"q{i}": {"query": rng.choice(names)} for i in range(10)}
                    t0 = time.perf_counter()
                    r = http.post("/reconcile", data={"queries": json.dumps(batch)})
                    took = time.perf_counter() - t0
                    with lock:
                        latencies.append(took)
                        if r.status_code != 200:
                            errors.append(f"{r.status_code}: {r.text[:200]}")

        threads = [threading.Thread(target=client, args=(k,)) for k in range(8)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        cuts = statistics.quantiles(latencies, n=100) if len(latencies) > 1 else [latencies[0]] * 99
        return {
            "startSeconds": round(ready, 1),
            "clients": 8,
            "seconds": seconds,
            "batches": len(latencies),
            "namesPerSecond": round(10 * len(latencies) / seconds, 1),
            "errors": len(errors),
            "p50Ms": round(cuts[49] * 1000, 1),
            "p99Ms": round(cuts[98] * 1000, 1),
        }
    finally:
        proc.terminate()
        proc.wait(timeout=30)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--orgs", type=int, default=1_000_000, help="organisations in the graph (default 1M)")
    ap.add_argument("--names", type=int, default=100_000, help="rows in the list (default 100k)")
    ap.add_argument("--lookups", type=int, default=300, help="per-row lookups measured (default 300)")
    ap.add_argument("--service-seconds", type=float, default=20.0, help="service load duration")
    ap.add_argument("--seed", type=int, default=11)
    ap.add_argument("--heap", default="4g")
    ap.add_argument("--pagecache", default="2g")
    ap.add_argument("--home", type=Path, help="keep the server home here and reuse its graph")
    ap.add_argument("--json", type=Path)
    ap.add_argument("--load-only", action="store_true", help="load (or check) the graph, then stop")
    args = ap.parse_args()

    t0 = time.perf_counter()
    names = graph_names(args.orgs, args.seed)
    mentions, truth = make_list(names, args.names, args.seed)
    print(
        f"generated {len(names):,} organisations and {len(mentions):,} mentions "
        f"in {time.perf_counter() - t0:.0f}s"
    )
    result: dict[str, Any] = {"orgs": len(names), "names": len(mentions)}
    with database(args) as (settings, server), tempfile.TemporaryDirectory() as tmp:
        result["loadSeconds"] = load(settings, server, names)
        if args.load_only:
            return
        path = Path(tmp) / "list.csv"
        with path.open("w", encoding="utf-8", newline="") as f:
            w = csv.writer(f)
            w.writerow(["name", "row"])
            w.writerows([m, k] for k, m in enumerate(mentions))
        out = Path(tmp) / "matched.csv"
        cache = Path(tmp) / "index-cache"  # empty: the first run builds the index and keeps it
        for run in ("cold", "warm"):
            took, cpu, line = run_match(settings, path, out, cache)
            print(
                f"resolver match ({run}): {took:.1f}s, {cpu:.1f} CPU s ({line}); "
                f"load average {os.getloadavg()[0]:.1f}"
            )
            result[f"match{run.title()}"] = {
                "seconds": round(took, 1),
                "cpuSeconds": round(cpu, 1),
                "rowsPerSecond": round(len(mentions) / took),
                "summary": line,
                "loadAverage": round(os.getloadavg()[0], 1),
            } | quality(out, truth)
        result["perRowLookup"] = per_row_lookups(settings, mentions, args.lookups)
        print(f"per-row lookup: {result['perRowLookup']}")
        if args.service_seconds > 0:
            result["service"] = service(settings, mentions, args.service_seconds, cache)
    print(json.dumps(result, indent=2))
    if args.json:
        args.json.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
