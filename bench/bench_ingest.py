"""Benchmark of `resolver ingest` and `resolver load` against a real Neo4j, with the Bolt write ceiling.

    .venv/bin/python bench/bench_ingest.py --orgs 100000      # ~100k organisations, 100k dated edges
    .venv/bin/python bench/bench_ingest.py                    # 1M organisations, 1M dated edges

1. Generates, from a seed, an edge CSV of a register-like hierarchy: ``--orgs`` organisations with
   identifiers (``bench:N``), each under one parent (tree depth up to ~7), a quarter of the parent mentions
   spelled as a variant (case, legal form, typo...), start dates of day, month and year precision, some
   ended spells, and extra re-parenting spells so that there are exactly as many edges as organisations.
2. The register fast path: every mention carries one ``bench:`` identifier, so fuzzy matching cannot change
   the answer; times ``resolve()`` and ``resolve_register()`` on the file's mentions (same result).
   Before anything is timed, a warm-up round (``--warmup`` organisations, another seed) runs an ingest
   and a ceiling: the server's JIT compiles the write plans once, so neither measured path pays for it.
3. ``resolver ingest FILE --format edges --id-scheme bench`` into the empty database, as a subprocess: wall
   time and the client's peak RSS (the per-stage split comes from its own report).
4. The Bolt write ceiling: the graph that ingest made is read back (not timed), the database emptied, and
   the very same nodes and relationships, with the same properties and the same schema in place, written
   with plain ``UNWIND $rows CREATE`` (cypher/bench/create_*) in 10k batches over the same driver; a
   property every row of a batch holds with one value (the run id, the creation time) is sent once per
   batch, as ingest sends it.
5. ``resolver load`` (the bulk path: resolve, write the import CSVs, stop the server, neo4j-admin import,
   restart, apply the schema) into the emptied database, end to end, with its peak RSS; the node and
   relationship counts must equal ingest's. With ``--rerun``, ``resolver ingest`` of the same file on top
   (it must change nothing).
6. The naive baseline: the first ``--naive-rows`` rows, one auto-commit MERGE per row.
Prints absolute figures and the ratios measured in this one run, then a JSON summary. Starts its own Neo4j
(the local runner, in a temporary home; heap --heap, page cache --pagecache): the bulk path needs a server
it manages.
"""

from __future__ import annotations

import argparse
import csv
import gc
import json
import os
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import replace
from datetime import date
from importlib.util import find_spec
from pathlib import Path
from typing import Any

import neo4j

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from bench_resolve import base_names, variant  # noqa: E402

from resolver.graph.connection import make_driver  # noqa: E402
from resolver.graph.schema import apply_schema  # noqa: E402
from resolver.graph.templates import TemplateRegistry  # noqa: E402
from resolver.model import EntityRecord  # noqa: E402
from resolver.server import LocalServer, free_port  # noqa: E402
from resolver.settings import Neo4jSettings, ServerSettings  # noqa: E402

PASSWORD = "resolver-bench-pw"
EXPORT_TIMEOUT = 3600.0  # seconds (a client timeout above the server's default applies from Neo4j 5.3)


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


def run_cli(settings: Neo4jSettings, server: LocalServer, *args: str) -> tuple[float, dict[str, Any], float]:
    """Run ``resolver ARGS --report json`` in a subprocess: wall seconds, its report, own peak RSS (MB)."""
    env = {
        **os.environ,
        **settings.environment(),
        "RESOLVER_NEO4J_HOME": str(server.home),
        "RESOLVER_NEO4J_BOLT_PORT": str(server.settings.bolt_port),
        "RESOLVER_NEO4J_HEAP": server.settings.heap,
        "RESOLVER_NEO4J_PAGECACHE": server.settings.pagecache,
    }
    cmd = [sys.executable, "-m", "resolver", *args, "--report", "json", "--no-progress"]
    started = time.perf_counter()
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, text=True)
    assert proc.stdout is not None
    out = proc.stdout.read()
    _, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    seconds = time.perf_counter() - started
    if proc.returncode not in (0, 1):
        raise SystemExit(f"resolver {args[0]} failed with exit code {proc.returncode}")
    report = json.loads(out)
    # the client's own peak (its report); wait4's is the largest of it and the processes it waited for,
    # e.g. load's neo4j-admin JVM
    return seconds, report, float(report.get("peak_rss_mb") or usage.ru_maxrss / 1024)


def export_graph(settings: Neo4jSettings, registry: TemplateRegistry) -> dict[str, list[dict[str, Any]]]:
    """The nodes and relationships ingest made, as rows of the bench.create_* templates."""
    rows: dict[str, list[dict[str, Any]]] = {}
    driver = make_driver(settings)
    try:
        with driver.session(database=settings.database) as session:
            # one read of millions of rows outlasts the runner's 300 s transaction timeout at 1M
            nodes = neo4j.Query(registry["bench.export_nodes"].cypher(), timeout=EXPORT_TIMEOUT)
            for rec in session.run(nodes):
                rows.setdefault(rec["label"], []).append(rec["props"])
            rels = neo4j.Query(registry["bench.export_relationships"].cypher(), timeout=EXPORT_TIMEOUT)
            for rec in session.run(rels):
                rows.setdefault(rec["type"], []).append(
                    {"start": rec["start"], "end": rec["end"], "props": rec["props"]}
                )
    finally:
        driver.close()
    return rows


CEILING_ORDER = (
    ("Organisation", "bench.create_organisations"),
    ("Alias", "bench.create_aliases"),
    ("Identifier", "bench.create_identifiers"),
    ("ALIAS_OF", "bench.create_alias_of"),
    ("IDENTIFIES", "bench.create_identifies"),
    ("PARENT_OF", "bench.create_parent_of"),
)


def factor(rows: list[dict[str, Any]], nested: bool) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """``rows`` without the properties every one of them holds with one value, and those properties.

    Ingest sends such values once per batch (its run id, its time); sent once per row they cost the
    client a packing and the server a reading each (200k timestamps took 17 of a 21 s organisation
    write), so the ceiling sends them once too. ``nested``: the properties are ``row["props"]``.

    >>> factor([{"a": 1, "t": 5}, {"a": 2, "t": 5}], nested=False)
    ([{'a': 1}, {'a': 2}], {'t': 5})
    """
    props = [r["props"] if nested else r for r in rows]
    if not props:
        return rows, {}
    first = props[0]
    shared = {k: v for k, v in first.items() if all(k in p and p[k] == v for p in props[1:])}
    if len(props) == 1:
        shared = {}
    if not shared:
        return rows, {}
    trimmed = [{k: v for k, v in p.items() if k not in shared} for p in props]
    if nested:
        return [{**r, "props": t} for r, t in zip(rows, trimmed, strict=True)], shared
    return trimmed, shared


def ceiling(
    settings: Neo4jSettings, registry: TemplateRegistry, graph: dict[str, list[dict[str, Any]]], batch: int
) -> float:
    """Seconds to CREATE ``graph`` again in ``batch``-row transactions, one at a time (the batches are
    prepared, shared values factored out, before the clock starts)."""
    work = []
    for kind, name in CEILING_ORDER:
        rows = graph.get(kind, [])
        for i in range(0, len(rows), batch):
            part, shared = factor(rows[i : i + batch], nested=kind.isupper())
            work.append((registry[name].query(), {"rows": part, "shared": shared}))
    driver = make_driver(settings)
    try:
        started = time.perf_counter()
        for query, params in work:
            driver.execute_query(query, params, database_=settings.database)
        return time.perf_counter() - started
    finally:
        driver.close()


def fast_path(csv_path: Path) -> dict[str, float]:
    """Seconds of the engine and of the register fast path on the file's distinct mentions."""
    from resolver.pipeline import resolve
    from resolver.register import resolve_register

    mentions: dict[tuple[str, str], EntityRecord] = {}
    with csv_path.open(encoding="utf-8") as f:
        for r in csv.DictReader(f):
            for side in ("parent", "child"):
                key = (r[side], f"bench:{r[side + '_id']}")
                mentions.setdefault(key, EntityRecord(f"m:{len(mentions):08d}", key[0], (), (key[1],)))
    records = list(mentions.values())
    gc.collect()
    t = time.perf_counter()
    fast = resolve_register(records)
    fast_s = time.perf_counter() - t
    gc.collect()
    t = time.perf_counter()
    engine = resolve(records)
    engine_s = time.perf_counter() - t
    assert fast is not None and dict(fast.org_of) == dict(engine.org_of), "the fast path must agree"
    return {"mentions": len(records), "engine_seconds": engine_s, "fast_path_seconds": fast_s}


def counts(settings: Neo4jSettings, registry: TemplateRegistry) -> tuple[int, int]:
    driver = make_driver(settings)
    try:
        rec = driver.execute_query(registry["bench.counts"].query(), database_=settings.database).records[0]
        return int(rec["nodes"]), int(rec["rels"])
    finally:
        driver.close()


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
    parser.add_argument("--batch-size", type=int, default=5_000, help="resolver ingest --batch-size")
    parser.add_argument("--ceiling-batch", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--heap", default="4g", help="server heap for the runner it starts")
    parser.add_argument("--pagecache", default="2g", help="server page cache for the runner it starts")
    parser.add_argument("--rerun", action="store_true", help="also ingest the file again on top of the load")
    parser.add_argument(
        "--warmup",
        type=int,
        default=20_000,
        help="organisations of an untimed round of ingest and ceiling first (0: none): the server's JIT "
        "is cold after start, and whichever ran first paid for it",
    )
    parser.add_argument("--skip-fast-path", action="store_true", help="skip timing resolve() in-process")
    args = parser.parse_args()
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # so `finally` stops the server

    work = Path(tempfile.mkdtemp(prefix="resolver-bench-ingest-"))
    server_settings = replace(
        ServerSettings.from_env(),
        home=work / "neo4j",
        bolt_port=free_port(),
        heap=args.heap,
        pagecache=args.pagecache,
    )
    server = LocalServer(server_settings)
    settings = Neo4jSettings(uri=server.uri, password=PASSWORD)
    out: dict[str, Any] = {"orgs": args.orgs}
    # the driver packs in Rust when neo4j-rust-ext is installed (a dependency): ~3x less client CPU
    out["driver"] = {"neo4j": neo4j.__version__, "rust_extension": find_spec("neo4j._rust") is not None}

    def say(text: str) -> None:
        print(text, file=sys.stderr, flush=True)

    try:
        server.start(settings, timeout=240)
        registry = TemplateRegistry()
        driver = make_driver(settings)
        try:
            apply_schema(driver, registry, database=settings.database)
        finally:
            driver.close()

        csv_path = work / "edges.csv"
        t = time.perf_counter()
        edges = out["edges"] = generate(csv_path, args.orgs, args.seed)
        say(
            f"generated {edges:,} edges over {args.orgs:,} organisations in {time.perf_counter() - t:.1f} s "
            f"({csv_path.stat().st_size / 1e6:.0f} MB)"
        )
        if not args.skip_fast_path:
            fp = out["fast_path"] = fast_path(csv_path)
            say(
                f"register fast path: {fp['mentions']:,} mentions resolved in "
                f"{fp['fast_path_seconds']:.1f} s "
                f"instead of {fp['engine_seconds']:.1f} s by the engine (same organisations)"
            )

        common = ["--format", "edges", "--id-scheme", "bench", "--source", "bench"]
        if args.warmup:
            warm_path = work / "warmup.csv"
            generate(warm_path, args.warmup, args.seed + 1)
            warm_ingest, _, _ = run_cli(settings, server, "ingest", str(warm_path), *common)
            warm_graph = export_graph(settings, registry)
            clear(settings, registry)
            warm_ceiling = ceiling(settings, registry, warm_graph, args.ceiling_batch)
            clear(settings, registry)
            del warm_graph
            warm_path.unlink()
            out["warmup"] = {"orgs": args.warmup, "ingest_seconds": round(warm_ingest, 2)}
            out["warmup"]["ceiling_seconds"] = round(warm_ceiling, 2)
            say(
                f"warm-up (not counted): {args.warmup:,} organisations, ingest {warm_ingest:.1f} s, "
                f"ceiling {warm_ceiling:.1f} s"
            )
        wall, report, rss = run_cli(
            settings, server, "ingest", str(csv_path), *common, "--batch-size", str(args.batch_size)
        )
        out["ingest"] = {"seconds": round(wall, 2), "peak_rss_mb": round(rss), "report": report}
        say(
            f"resolver ingest: {wall:.1f} s = {edges / wall:,.0f} edges/s; client peak RSS {rss:,.0f} MB; "
            f"stages {report['seconds']}"
        )
        ingest_counts = counts(settings, registry)

        graph = export_graph(settings, registry)
        clear(settings, registry)
        ceiling_s = ceiling(settings, registry, graph, args.ceiling_batch)
        out["ceiling"] = {"seconds": round(ceiling_s, 2), "rows": {k: len(v) for k, v in graph.items()}}
        del graph
        say(
            f"Bolt ceiling (plain UNWIND CREATE of the same graph, {args.ceiling_batch:,}-row batches): "
            f"{ceiling_s:.1f} s = {edges / ceiling_s:,.0f} edges/s"
        )
        if counts(settings, registry) != ingest_counts:
            raise SystemExit(
                f"the ceiling wrote {counts(settings, registry)} (nodes, rels), ingest {ingest_counts}"
            )
        clear(settings, registry)

        wall_b, report_b, rss_b = run_cli(settings, server, "load", str(csv_path), *common)
        out["load"] = {"seconds": round(wall_b, 2), "peak_rss_mb": round(rss_b), "report": report_b}
        say(
            f"resolver load (bulk): {wall_b:.1f} s = {edges / wall_b:,.0f} edges/s; client peak RSS "
            f"{rss_b:,.0f} MB; stages {report_b['seconds']}"
        )
        if counts(settings, registry) != ingest_counts:
            raise SystemExit(f"load wrote {counts(settings, registry)} (nodes, rels), ingest {ingest_counts}")
        if args.rerun:
            wall_r, report_r, _ = run_cli(settings, server, "ingest", str(csv_path), *common)
            out["rerun"] = {"seconds": round(wall_r, 2), "edges_created": report_r["edges_created"]}
            say(
                f"ingest on top of the load (a re-run): {wall_r:.1f} s, "
                f"edges created {report_r['edges_created']}"
            )
        clear(settings, registry)

        naive_s = naive_loop(settings, registry, csv_path, args.naive_rows)
        naive_rate = args.naive_rows / naive_s
        out["naive"] = {
            "rows": args.naive_rows,
            "seconds": round(naive_s, 2),
            "rows_per_second": round(naive_rate),
        }
        say(
            f"naive per-row MERGE loop: {args.naive_rows:,} rows in {naive_s:.1f} s "
            f"= {naive_rate:,.0f} rows/s"
        )

        out["ratios"] = {
            "ingest_over_ceiling": round(wall / ceiling_s, 2),
            "bolt_ingest_over_load": round(wall / wall_b, 2),
            "load_over_ceiling": round(wall_b / ceiling_s, 2),
            "ingest_rate_over_naive": round(edges / wall / naive_rate, 1),
        }
        r = out["ratios"]
        say(
            f"ratios: ingest takes {r['ingest_over_ceiling']}x the ceiling; "
            f"load is {r['bolt_ingest_over_load']}x "
            f"faster than ingest ({r['load_over_ceiling']}x the ceiling); ingest is "
            f"{r['ingest_rate_over_naive']}x the per-row loop"
        )
        print(json.dumps(out, indent=2))
    finally:
        server.stop()
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
