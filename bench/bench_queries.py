"""Latency of the read templates over Bolt on a generated hierarchy of organisations (issue #5, item 5).

    .venv/bin/python bench/bench_queries.py                       # 1M organisations, 1,000 queries each
    .venv/bin/python bench/bench_queries.py --orgs 100000 --queries 300
    git worktree add --detach /tmp/old HEAD~5      # another version's templates, timed in turns:
    .venv/bin/python bench/bench_queries.py --compare-cypher /tmp/old/cypher
    .venv/bin/python bench/bench_queries.py --compare-streamed      # rows record by record, in turns

The hierarchy is generated from a seed: a forest of trees of at most --tree-size organisations (so a
descendants query returns at most that many), each node attached to one of the few organisations written
just before it, depth capped at 12; dated spells with day / month / year precision, some ended (a few
with an unknown end), and a second spell on 5% of the pairs. It is loaded with resolver's own
GraphWriter (UNWIND batches in managed transactions). Then hierarchy.ancestors (random organisations),
hierarchy.descendants (organisations near the top of their tree, maxDepth 12) and lookup.by_name
(random names, half with a typo, through GraphReader.by_name as `resolver lookup` runs it) run --queries times
each, after a warm-up, through GraphReader (managed read transactions), as the CLI runs them. Each
hierarchy query runs in turns with an empty read transaction (`RETURN 1`, the same session and
transaction pattern) and, with --compare-*, with the other version: the ratios are against the empty
transactions of the same moments. The empty transaction is also timed alone before and after.

A local server is started in a temporary home (resolver.server.LocalServer, --heap / --pagecache)
unless NEO4J_URI is set; with NEO4J_URI that database is WIPED first. Prints absolute milliseconds and a
JSON summary (also written to --json if given).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import date, timedelta
from functools import partial
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import neo4j  # noqa: E402

from resolver.graph import writer as graph_writer  # noqa: E402
from resolver.graph.connection import make_driver  # noqa: E402
from resolver.graph.reader import GraphReader  # noqa: E402
from resolver.graph.schema import apply_schema  # noqa: E402
from resolver.graph.templates import TemplateRegistry  # noqa: E402
from resolver.model import OrganisationNode, ParentLink, PartialDate  # noqa: E402
from resolver.server import LocalServer, free_port  # noqa: E402
from resolver.settings import Neo4jSettings, ServerSettings  # noqa: E402

MAX_DEPTH = 12
EMPTY = "empty transaction"
_ONSETS = "b c d f g h j k l m n p r s t v w z br ch cl cr dr fl gr kr pl pr sh st th tr".split()  # noqa: SIM905
_VOWELS = "a e i o u ai ea ou ie".split()  # noqa: SIM905
_CODAS = ["", "n", "r", "l", "s", "t", "m", "rd", "nd", "ck", "ll", "ss", "ng"]
_KINDS = """Trust Council Agency Board Authority Commission Office Institute Service Group Department
Foundation Partnership Network Unit Directorate College Centre Practice Hospital Fund Society""".split()  # noqa: SIM905
_QUALIFIERS = "North South East West Central Upper Lower Greater New Old Royal City County".split()  # noqa: SIM905


@dataclass(frozen=True, slots=True)
class Hierarchy:
    orgs: list[OrganisationNode]
    links: list[ParentLink]
    depth: list[int]  # depth of each organisation in its tree (0 = a root)


def _word(rng: random.Random) -> str:
    n = rng.choice((2, 2, 3))
    return "".join(rng.choice(_ONSETS) + rng.choice(_VOWELS) + rng.choice(_CODAS) for _ in range(n)).title()


def _partial(rng: random.Random, day: date) -> PartialDate:
    kind = rng.random()
    if kind < 0.6:
        return PartialDate(day.isoformat(), "day", day, day)
    if kind < 0.85:
        first = day.replace(day=1)
        nxt = (first + timedelta(days=32)).replace(day=1)
        return PartialDate(f"{day.year:04d}-{day.month:02d}-00", "month", first, nxt - timedelta(days=1))
    return PartialDate(f"{day.year:04d}-00-00", "year", date(day.year, 1, 1), date(day.year, 12, 31))


def _spell(rng: random.Random, claim: str, parent: str, child: str) -> ParentLink:
    start_day = date(1990, 1, 1) + timedelta(days=rng.randrange(0, 30 * 365))
    start = _partial(rng, start_day) if rng.random() < 0.9 else None
    end: PartialDate | None = None
    current: bool | None = True
    roll = rng.random()
    if roll < 0.15:
        end = _partial(rng, start_day + timedelta(days=rng.randrange(30, 20 * 365)))
        current = False
    elif roll < 0.2:
        current = False  # ended at an unknown date
    elif roll < 0.4:
        current = None
    return ParentLink(claim, parent, child, start, end, current, "bench", claim)


def generate(n: int, tree_size: int, seed: int) -> Hierarchy:
    rng = random.Random(seed)
    vocab = list(dict.fromkeys(_word(rng) for _ in range(30_000)))
    orgs: list[OrganisationNode] = []
    links: list[ParentLink] = []
    depth: list[int] = []
    tree_start = 0
    for i in range(n):
        name = f"{rng.choice(_QUALIFIERS)} {rng.choice(vocab)} {rng.choice(vocab)} {rng.choice(_KINDS)}"
        org_id = f"b{i:07d}"
        orgs.append(OrganisationNode(org_id, name, name.casefold()))
        if i - tree_start >= tree_size or i == 0:
            tree_start = i
            depth.append(0)
            continue
        parent = rng.randrange(max(tree_start, i - 6), i)
        while depth[parent] >= MAX_DEPTH:
            parent -= 1  # a node of depth 12 has its parent (depth 11) before it in the same tree
        depth.append(depth[parent] + 1)
        pid = orgs[parent].id
        links.append(_spell(rng, f"bench-{i}", pid, org_id))
        if rng.random() < 0.05:
            links.append(_spell(rng, f"bench-{i}-2", pid, org_id))
    return Hierarchy(orgs, links, depth)


@contextmanager
def database(args: argparse.Namespace) -> Iterator[Neo4jSettings]:
    if os.environ.get("NEO4J_URI"):
        yield Neo4jSettings.from_env()
        return
    keep = args.home is not None
    home = args.home.resolve() if keep else Path(tempfile.mkdtemp(prefix="resolver-bench-neo4j-"))
    server_settings = replace(
        ServerSettings.from_env(), home=home, bolt_port=free_port(), heap=args.heap, pagecache=args.pagecache
    )
    server = LocalServer(server_settings)
    settings = Neo4jSettings(uri=server.uri, password="bench-password")
    try:
        t0 = time.perf_counter()
        server.start(settings, timeout=300)
        print(
            f"server: Neo4j at {server.uri} (heap {args.heap}, pagecache {args.pagecache}), "
            f"started in {time.perf_counter() - t0:.1f}s"
        )
        yield settings
    finally:
        server.stop()
        if not keep:
            shutil.rmtree(home, ignore_errors=True)


def measure(run: Callable[[], Any], times: int) -> list[float]:
    out = []
    for _ in range(times):
        t0 = time.perf_counter()
        run()
        out.append((time.perf_counter() - t0) * 1000)
    return out


Step = tuple[str, Callable[[dict[str, Any]], list[Any]]]  # a label and what runs one parameter set


def in_turns(steps: list[Step], params: list[dict[str, Any]], sizes: list[int]) -> dict[str, list[float]]:
    """Time every step on each parameter set, in turns (the order rotates from one set to the next), so a
    machine that slows down meanwhile weighs on every step alike. Steps that return rows must agree; the
    first step's row counts go to ``sizes``."""
    times: dict[str, list[float]] = {label: [] for label, _ in steps}
    for k, p in enumerate(params):
        rows: dict[str, list[Any]] = {}
        for label, run in steps[k % len(steps) :] + steps[: k % len(steps)]:
            t0 = time.perf_counter()
            rows[label] = run(p)
            times[label].append((time.perf_counter() - t0) * 1000)
        answers = [sorted(map(repr, r)) for label, r in rows.items() if label != EMPTY]
        if any(a != answers[0] for a in answers):
            raise SystemExit(f"the versions disagree on {p}")
        sizes.append(len(rows[steps[0][0]]))
    return times


def summary(samples: list[float]) -> dict[str, float]:
    ordered = sorted(samples)
    q = statistics.quantiles(ordered, n=100, method="inclusive")
    return {
        "p50_ms": round(statistics.median(ordered), 3),
        "p90_ms": round(q[89], 3),
        "p99_ms": round(q[98], 3),
        "max_ms": round(ordered[-1], 3),
        "mean_ms": round(statistics.fmean(ordered), 3),
    }


def typo(rng: random.Random, name: str) -> str:
    words = name.split()
    k = rng.randrange(1, len(words) - 1)  # one of the two generated words
    w = words[k]
    pos = rng.randrange(1, len(w))
    words[k] = w[:pos] + w[pos + 1 :]  # drop one letter
    return " ".join(words)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--orgs", type=int, default=1_000_000, help="organisations generated (default 1,000,000)")
    ap.add_argument("--queries", type=int, default=1000, help="queries measured per template (default 1,000)")
    ap.add_argument("--warmup", type=int, default=300, help="unmeasured queries per template first")
    ap.add_argument("--tree-size", type=int, default=1000, help="organisations per tree (bounds descendants)")
    ap.add_argument("--seed", type=int, default=5)
    ap.add_argument("--batch-size", type=int, default=10_000, help="rows per UNWIND batch")
    ap.add_argument("--heap", default="4g", help="local server heap (default 4g)")
    ap.add_argument("--pagecache", default="4g", help="local server page cache (default 4g)")
    ap.add_argument("--json", type=Path, help="also write the JSON summary here")
    ap.add_argument(
        "--compare-cypher",
        type=Path,
        help="a cypher/ folder of another version (e.g. a git worktree of an older commit): its "
        "ancestors and descendants are timed on the same parameters, in turns with this version's",
    )
    ap.add_argument(
        "--compare-streamed",
        action="store_true",
        help="also time ancestors and descendants read record by record (as before rows were gathered "
        "into one record), in turns with the gathered reads, on the same parameters",
    )
    ap.add_argument(
        "--home",
        type=Path,
        help="keep the local server home here; a later run with the same --orgs/--seed reuses its graph",
    )
    args = ap.parse_args()

    t0 = time.perf_counter()
    h = generate(args.orgs, args.tree_size, args.seed)
    gen_s = time.perf_counter() - t0
    print(
        f"generated {len(h.orgs):,} organisations, {len(h.links):,} spells, max depth {max(h.depth)} "
        f"in {gen_s:.1f}s"
    )
    registry = TemplateRegistry()
    result: dict[str, Any] = {
        "orgs": len(h.orgs),
        "spells": len(h.links),
        "maxDepth": max(h.depth),
        "queries": args.queries,
        "generateSeconds": round(gen_s, 1),
    }
    with database(args) as settings:
        driver = make_driver(settings)
        try:
            present = loaded(driver, settings)
            if present == (len(h.orgs), len(h.links)):
                print(f"reusing the loaded graph: {present[0]:,} organisations, {present[1]:,} spells")
            else:
                if present != (0, 0):
                    with driver.session(database=settings.database) as s:  # CALL IN TRANSACTIONS: auto-commit
                        s.run(registry["admin.delete_all"].query()).consume()
                result["loadSeconds"] = load(driver, registry, settings, h, args.batch_size)
            result["latency"] = run_queries(driver, registry, settings, h, args)
        finally:
            driver.close()
    print(json.dumps(result, indent=2))
    if args.json:
        args.json.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")


def loaded(driver: neo4j.Driver, settings: Neo4jSettings) -> tuple[int, int]:
    rec = driver.execute_query(
        "RETURN COUNT { (:Organisation) } AS orgs, COUNT { ()-[:PARENT_OF]->() } AS spells",
        database_=settings.database,
    ).records[0]
    return int(rec["orgs"]), int(rec["spells"])


def load(
    driver: neo4j.Driver, registry: TemplateRegistry, settings: Neo4jSettings, h: Hierarchy, batch: int
) -> dict[str, float]:
    apply_schema(driver, registry, database=settings.database)
    writer = graph_writer.GraphWriter(driver, registry, database=settings.database, batch_size=batch)
    done = [0]
    started = time.perf_counter()

    def progress(n: int) -> None:
        done[0] += n
        if done[0] % 100_000 < n:
            print(f"  {done[0]:,} rows written, {time.perf_counter() - started:.0f}s", flush=True)

    t0 = time.perf_counter()
    wrap = getattr(graph_writer, "OrganisationWrite", None)
    if wrap is not None:  # the writer takes organisations with their aliases and identifiers, and a run id
        writer.write_organisations([wrap(node) for node in h.orgs], "bench", progress)
    else:
        writer.write_organisations(h.orgs, progress)  # type: ignore[arg-type]
    t_orgs = time.perf_counter() - t0
    done[0] = 0
    writer.write_parent_links(h.links, "bench", progress)
    t_all = time.perf_counter() - t0
    driver.execute_query(
        registry["admin.await_indexes"].query(), {"timeoutSeconds": 600}, database_=settings.database
    )
    t_idx = time.perf_counter() - t0
    print(
        f"loaded: organisations {t_orgs:.1f}s ({len(h.orgs) / t_orgs:,.0f}/s), spells "
        f"{t_all - t_orgs:.1f}s ({len(h.links) / (t_all - t_orgs):,.0f}/s), total {t_all:.1f}s "
        f"(indexes online after {t_idx:.1f}s)"
    )
    return {"organisations": round(t_orgs, 1), "spells": round(t_all - t_orgs, 1), "total": round(t_all, 1)}


def call(reader: GraphReader, name: str, params: dict[str, Any]) -> list[Any]:
    """Run one query as the CLI would: lookups through GraphReader.by_name (exact words first, fuzzy if
    the best hit lacks a word typed), hierarchy templates through GraphReader.rows."""
    if name == "lookup.by_name":
        return reader.by_name(params["text"], params["limit"])
    return reader.rows(name, params)


def run_queries(
    driver: neo4j.Driver,
    registry: TemplateRegistry,
    settings: Neo4jSettings,
    h: Hierarchy,
    args: argparse.Namespace,
) -> dict[str, Any]:
    reader = GraphReader(driver, registry, database=settings.database)
    other = None
    other_name = ""
    if args.compare_cypher:
        other = GraphReader(driver, TemplateRegistry(args.compare_cypher), database=settings.database)
        other_name = str(args.compare_cypher)
    elif args.compare_streamed:
        other = GraphReader(driver, registry, database=settings.database, pack_rows=False)
        other_name = "record by record"
    rng = random.Random(args.seed + 1)
    n = len(h.orgs)
    near_top = [i for i, d in enumerate(h.depth) if d <= 2]
    total = args.warmup + args.queries

    def day() -> date:
        return date(1995, 1, 1) + timedelta(days=rng.randrange(0, 30 * 365))

    plans: dict[str, list[dict[str, Any]]] = {
        "hierarchy.ancestors": [
            {"orgId": h.orgs[rng.randrange(n)].id, "asOf": day(), "mode": rng.choice(("certain", "possible"))}
            for _ in range(total)
        ],
        "hierarchy.descendants": [
            {
                "orgId": h.orgs[rng.choice(near_top)].id,
                "asOf": day(),
                "mode": rng.choice(("certain", "possible")),
                "maxDepth": MAX_DEPTH,
            }
            for _ in range(total)
        ],
        "lookup.by_name": [],
    }
    for _ in range(total):
        name = h.orgs[rng.randrange(n)].name
        text = typo(rng, name) if rng.random() < 0.5 else name
        plans["lookup.by_name"].append({"text": text, "limit": 10})

    def trivial(tx: neo4j.ManagedTransaction) -> None:
        list(tx.run("RETURN 1 AS one"))

    def baseline() -> list[Any]:
        with driver.session(database=settings.database, default_access_mode=neo4j.READ_ACCESS) as s:
            s.execute_read(trivial)
        return []

    measure(baseline, args.warmup)
    out: dict[str, Any] = {"baseline RETURN 1": summary(measure(baseline, args.queries))}
    print(
        f"{'baseline RETURN 1':24s} p50 {out['baseline RETURN 1']['p50_ms']:7.2f} ms  "
        f"p99 {out['baseline RETURN 1']['p99_ms']:7.2f} ms  (one managed read transaction, no data)"
    )
    for name, params in plans.items():
        sizes: list[int] = []
        for p in params[: args.warmup]:
            call(reader, name, p)
        it = iter(params[args.warmup :])

        def one(name: str = name, it: Iterator[dict[str, Any]] = it, sizes: list[int] = sizes) -> None:
            sizes.append(len(call(reader, name, next(it))))

        if name.startswith("hierarchy."):
            # an empty transaction in turns with every query: the floor of the same moments
            steps: list[Step] = [(name, partial(call, reader, name)), (EMPTY, lambda _p: baseline())]
            if other is not None:
                steps.append((other_name, partial(call, other, name)))
            times = in_turns(steps, params[args.warmup :], sizes)
            samples = times[name]
            out[f"{name} ({EMPTY})"] = summary(times[EMPTY])
            if other is not None:
                out[f"{name} ({other_name})"] = summary(times[other_name])
        else:
            samples = measure(one, args.queries)
        stats = summary(samples)
        stats["meanRows"] = round(statistics.fmean(sizes), 1)
        stats["maxRows"] = max(sizes)
        out[name] = stats
        print(
            f"{name:24s} p50 {stats['p50_ms']:7.2f} ms  p99 {stats['p99_ms']:7.2f} ms  "
            f"max {stats['max_ms']:7.2f} ms  (rows: mean {stats['meanRows']}, max {stats['maxRows']})"
        )
        for label in (EMPTY, other_name):
            if label and f"{name} ({label})" in out:
                o = out[f"{name} ({label})"]
                print(
                    f"{'  ' + label[:22]:24s} p50 {o['p50_ms']:7.2f} ms  p99 {o['p99_ms']:7.2f} ms  "
                    "(in turns with it)"
                )
    # the same empty transaction again after the templates, so a machine that slowed down meanwhile shows
    after = summary(measure(baseline, args.queries))
    base = out["baseline RETURN 1"]
    base["p50_ms_after"], base["p99_ms_after"] = after["p50_ms"], after["p99_ms"]
    for name in ("hierarchy.ancestors", "hierarchy.descendants"):
        if name in out:
            floor = out[f"{name} ({EMPTY})"]
            out[name]["p50_vs_empty"] = round(out[name]["p50_ms"] / floor["p50_ms"], 2)
            out[name]["p99_vs_empty"] = round(out[name]["p99_ms"] / floor["p99_ms"], 2)
            ok = out[name]["p50_vs_empty"] <= 2 and out[name]["p99_vs_empty"] <= 5
            print(
                f"{name:24s} p50 {out[name]['p50_vs_empty']:.2f}x, p99 {out[name]['p99_vs_empty']:.2f}x "
                f"the empty transaction run in turns with it (target 2x / 5x: {'met' if ok else 'missed'})"
            )
    if "lookup.by_name" in out:
        hits = 0
        check = random.Random(args.seed + 2)
        for _ in range(200):
            i = check.randrange(n)
            found = reader.by_name(typo(check, h.orgs[i].name), 10)
            hits += any(c.id == h.orgs[i].id for c in found)
        out["lookup.by_name"]["typoRecallAt10"] = hits / 200
    return out


if __name__ == "__main__":
    main()
