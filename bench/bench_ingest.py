"""Benchmark of `resolver ingest` (issue #4, item 7) against a real Neo4j.

    .venv/bin/python bench/bench_ingest.py                    # 1M organisations, 1M dated edges
    .venv/bin/python bench/bench_ingest.py --orgs 100000      # a quicker look

1. Generates, from a seed, an edge CSV of a register-like hierarchy: ``--orgs`` organisations with
   identifiers (``bench:N``), each under one parent (tree depth up to ~7), a quarter of the parent mentions
   spelled as a variant (case, legal form, typo...), start dates of day, month and year precision, some
   ended spells, and extra re-parenting spells so that there are exactly as many edges as organisations.
2. Runs the naive baseline first, on an empty database: the first ``--naive-rows`` rows, one auto-commit
   MERGE per row (cypher/bench/merge_edge_row.cypher), then empties the database.
3. Runs ``resolver ingest FILE --format edges --id-scheme bench`` as a subprocess: wall time, rows/s,
   the client's peak RSS; then the same command again (a re-run that must change nothing).
Prints absolute figures and the ratio of the two rates measured in this one run, then a JSON summary.
Starts its own Neo4j (the local runner, in a temporary home; heap --heap, page cache --pagecache)
unless NEO4J_URI is set.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import random
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import replace
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from bench_resolve import base_names, variant  # noqa: E402

from resolver.graph.connection import make_driver  # noqa: E402
from resolver.graph.schema import apply_schema  # noqa: E402
from resolver.graph.templates import TemplateRegistry  # noqa: E402
from resolver.server import LocalServer, free_port  # noqa: E402
from resolver.settings import Neo4jSettings, ServerSettings  # noqa: E402

PASSWORD = "resolver-bench-pw"


def partial_date(rng: random.Random, lo: int, hi: int) -> str:
    year = rng.randint(lo, hi)
    kind = rng.random()
    if kind < 0.6:
        d = date(year, rng.randint(1, 12), rng.randint(1, 28))
        return d.isoformat()
    if kind < 0.85:
        return f"{year}-{rng.randint(1, 12):02d}-00"
    return f"{year}-00-00"


def generate(path: Path, orgs: int, seed: int) -> int:
    """Write the edge CSV; returns the number of edges (== orgs)."""
    rng = random.Random(seed)
    names = base_names(orgs, seed)
    edges = 0
    with path.open("w", encoding="utf-8", newline="") as f:
        w = csv.writer(f)
        w.writerow(["parent", "child", "start", "end", "parent_id", "child_id", "source_id"])

        def row(parent: int, child: int) -> None:
            nonlocal edges
            pname = names[parent] if rng.random() >= 0.25 else variant(rng, names[parent])
            start = partial_date(rng, 1990, 2015)
            end = partial_date(rng, 2016, 2024) if rng.random() < 0.1 else ""
            w.writerow([pname, names[child], start, end, parent, child, f"e{edges}"])
            edges += 1

        for child in range(1, orgs):
            row(rng.randrange(max(0, child // 8 - 1), child) if child > 8 else 0, child)
        while edges < orgs:  # re-parenting spells between existing organisations
            child = rng.randrange(2, orgs)
            row(rng.randrange(0, child), child)
    return edges


def naive_loop(settings: Neo4jSettings, registry: TemplateRegistry, csv_path: Path, rows: int) -> float:
    """Seconds for ``rows`` rows written one auto-commit MERGE transaction per row."""
    query = registry["bench.merge_edge_row"].query()
    with csv_path.open(encoding="utf-8") as f:
        data = [r for _, r in zip(range(rows), csv.DictReader(f), strict=False)]
    driver = make_driver(settings)
    try:
        started = time.perf_counter()
        with driver.session(database=settings.database) as session:
            for r in data:
                start = r["start"]
                session.run(
                    query,
                    parentId=f"bench:{r['parent_id']}",
                    parentName=r["parent"],
                    childId=f"bench:{r['child_id']}",
                    childName=r["child"],
                    claimId=r["source_id"],
                    validFrom=date.fromisoformat(start) if start and not start.endswith("-00") else None,
                ).consume()
        return time.perf_counter() - started
    finally:
        driver.close()


def run_ingest(settings: Neo4jSettings, csv_path: Path, batch_size: int) -> tuple[float, dict[str, object]]:
    env = {**os.environ, **settings.environment()}
    cmd = [
        sys.executable,
        "-m",
        "resolver",
        "ingest",
        str(csv_path),
        "--format",
        "edges",
        "--id-scheme",
        "bench",
        "--source",
        "bench",
        "--batch-size",
        str(batch_size),
        "--report",
        "json",
        "--progress",
    ]
    started = time.perf_counter()
    proc = subprocess.run(cmd, env=env, stdout=subprocess.PIPE, text=True, check=False)
    seconds = time.perf_counter() - started
    if proc.returncode not in (0, 1):
        raise SystemExit(f"resolver ingest failed with exit code {proc.returncode}")
    return seconds, json.loads(proc.stdout)


def clear(settings: Neo4jSettings, registry: TemplateRegistry) -> None:
    driver = make_driver(settings)
    try:
        with driver.session(database=settings.database) as session:
            session.run(registry["admin.delete_all"].query()).consume()
    finally:
        driver.close()


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--orgs", type=int, default=1_000_000)
    parser.add_argument("--naive-rows", type=int, default=5_000)
    parser.add_argument("--batch-size", type=int, default=5_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--heap", default="4g", help="server heap for the runner it starts")
    parser.add_argument("--pagecache", default="2g", help="server page cache for the runner it starts")
    parser.add_argument("--no-rerun", action="store_true", help="skip the second (no-change) run")
    args = parser.parse_args()

    work = Path(tempfile.mkdtemp(prefix="resolver-bench-ingest-"))
    server: LocalServer | None = None
    try:
        if os.environ.get("NEO4J_URI"):
            settings = Neo4jSettings.from_env()
        else:
            server_settings = replace(
                ServerSettings.from_env(),
                home=work / "neo4j",
                bolt_port=free_port(),
                heap=args.heap,
                pagecache=args.pagecache,
            )
            server = LocalServer(server_settings)
            settings = Neo4jSettings(uri=server.uri, password=PASSWORD)
            server.start(settings, timeout=240)
        registry = TemplateRegistry()
        driver = make_driver(settings)
        try:
            apply_schema(driver, registry, database=settings.database)
        finally:
            driver.close()
        clear(settings, registry)

        csv_path = work / "edges.csv"
        t = time.perf_counter()
        edges = generate(csv_path, args.orgs, args.seed)
        print(
            f"generated {edges:,} edges over {args.orgs:,} organisations in {time.perf_counter() - t:.1f} s "
            f"({csv_path.stat().st_size / 1e6:.0f} MB)",
            file=sys.stderr,
        )

        naive_s = naive_loop(settings, registry, csv_path, args.naive_rows)
        naive_rate = args.naive_rows / naive_s
        print(
            f"naive per-row MERGE loop: {args.naive_rows:,} rows in {naive_s:.1f} s "
            f"= {naive_rate:,.0f} rows/s",
            file=sys.stderr,
        )
        clear(settings, registry)

        before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
        wall, report = run_ingest(settings, csv_path, args.batch_size)
        peak_mb = max(before, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss) / 1024
        rate = edges / wall
        print(
            f"resolver ingest: {edges:,} edges in {wall:.1f} s = {rate:,.0f} edges/s; client peak RSS "
            f"{peak_mb:,.0f} MB; {rate / naive_rate:.0f}x the per-row loop",
            file=sys.stderr,
        )
        rerun_wall = None
        if not args.no_rerun:
            rerun_wall, rerun = run_ingest(settings, csv_path, args.batch_size)
            print(
                f"re-run (changes nothing): {rerun_wall:.1f} s, edges created {rerun['edges_created']}",
                file=sys.stderr,
            )
        print(
            json.dumps(
                {
                    "orgs": args.orgs,
                    "edges": edges,
                    "ingest_seconds": round(wall, 2),
                    "edges_per_second": round(rate),
                    "client_peak_rss_mb": round(peak_mb),
                    "naive_rows": args.naive_rows,
                    "naive_seconds": round(naive_s, 2),
                    "naive_rows_per_second": round(naive_rate),
                    "ratio": round(rate / naive_rate, 1),
                    "rerun_seconds": None if rerun_wall is None else round(rerun_wall, 2),
                    "report": report,
                },
                indent=2,
            )
        )
    finally:
        if server is not None:
            server.stop()
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
