"""Benchmarks of the resolution engine (issue #3, section 7). Pure Python, no database.

    .venv/bin/python bench/bench_resolve.py                 # all three parts, 1M names
    .venv/bin/python bench/bench_resolve.py --names 100000 --skip-naive
    .venv/bin/python bench/bench_resolve.py --names 200000 --compare ../main --rounds 2   # two engines

(a) resolve() on N names with realistic variants generated from a seed: wall time, peak memory
    (the process's peak RSS, generation included), comparisons, names/s, and F1 against the
    generator's truth;
(b) in the same run, a naive all-pairs rapidfuzz loop (every pair, fuzz.WRatio with
    utils.default_process, as neo4j-graphrag's FuzzyMatchResolver computes it) on a subset,
    against resolve() on the same subset, reported as a time ratio;
(c) quality of resolve() against that FuzzyMatchResolver rule (WRatio >= 0.8 over all pairs) on the
    development sets in ../shared/data: its clusters (union-find over the accepted pairs, where
    FuzzyMatchResolver merges sets in one pass) and its accepted pairs before any closure.
With ``--compare DIR`` only part (a) runs, in turns: this engine and the one in DIR (another checkout
of the project, only read: RESOLVER_BENCH_ENGINE points the imports at it, no bytecode is written),
each in a fresh process, ``--rounds`` times, and the ratio of the median times is printed.
"""

from __future__ import annotations

import argparse
import csv
import gzip
import json
import os
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np
from rapidfuzz import fuzz, process, utils

ROOT = Path(__file__).resolve().parents[1]
ENGINE = Path(os.environ.get("RESOLVER_BENCH_ENGINE") or ROOT)  # --compare runs another checkout
sys.path.insert(0, str(ENGINE))

from resolver.cluster import cluster  # noqa: E402
from resolver.evaluate import evaluate  # noqa: E402
from resolver.model import EntityRecord  # noqa: E402
from resolver.pipeline import resolve  # noqa: E402

SHARED = ROOT.parent / "shared" / "data"

# -- (a) a reproducible generator of organisation names and their variants ------------------------

_ONSETS = "b c d f g h j k l m n p r s t v w z br ch cl cr dr fl gr kr pl pr sh st th tr".split()  # noqa: SIM905
_VOWELS = "a e i o u ai ea ou ie".split()  # noqa: SIM905
_CODAS = ["", "", "n", "r", "l", "s", "t", "m", "rd", "nd", "ck", "ll", "ss", "rt", "ng"]
_INDUSTRY = """Logistics Energy Foods Capital Media Pharma Engineering Motors Insurance Textiles Software
Mining Shipping Construction Consulting Estates Retail Chemicals Airlines Telecom Brewing Dairy Steel
Printing Packaging Security Healthcare Biotech Finance Leasing Marine Aerospace Robotics Farms Timber
Glass Ceramics Electronics Optics Plastics Paper Travel Hotels Studios Publishing Investments""".split()  # noqa: SIM905
_GENERIC = "Group Holdings Services Partners International Solutions Systems Industries Trust".split()  # noqa: SIM905
_LEGAL = {
    "Ltd": ["Ltd", "Limited", "Ltd.", "LTD"],
    "PLC": ["PLC", "plc", "Public Limited Company", "P.L.C."],
    "Inc": ["Inc", "Inc.", "Incorporated"],
    "LLC": ["LLC", "L.L.C.", "Llc"],
    "GmbH": ["GmbH", "Gmbh", "G.m.b.H."],
    "SA": ["SA", "S.A.", "Sa"],
    "Corp": ["Corp", "Corporation", "Corp."],
}
_PUBLIC = ["District Council", "City Council", "Borough Council", "County Council", "NHS Trust", "College"]


def _word(rng: random.Random) -> str:
    return "".join(
        rng.choice(_ONSETS) + rng.choice(_VOWELS) + rng.choice(_CODAS)
        for _ in range(rng.choice((1, 2, 2, 2, 3)))
    )


def base_names(count: int, seed: int) -> list[str]:
    """``count`` distinct organisation names drawn from templates over pseudo-word vocabularies."""
    rng = random.Random(seed)
    surnames = sorted({_word(rng).capitalize() for _ in range(60_000)})  # sorted: set order varies by run
    places = sorted(
        {_word(rng).capitalize() + rng.choice(["", "ton", "field", "bury", "ford"]) for _ in range(20_000)}
    )
    legal = list(_LEGAL)
    templates: list[Callable[[], str]] = [
        lambda: f"{rng.choice(surnames)} {rng.choice(_INDUSTRY)} {rng.choice(legal)}",
        lambda: f"{rng.choice(surnames)} & {rng.choice(surnames)} {rng.choice(legal)}",
        lambda: f"{rng.choice(surnames)}, {rng.choice(surnames)} and {rng.choice(surnames)}",
        lambda: f"{rng.choice(surnames)} {rng.choice(_INDUSTRY)} {rng.choice(_GENERIC)} {rng.choice(legal)}",
        lambda: f"{rng.choice(places)} {rng.choice(_INDUSTRY)} {rng.choice(_GENERIC)}",
        lambda: f"The {rng.choice(surnames)} {rng.choice(_INDUSTRY)} Company",
        lambda: f"{rng.choice(places)} {rng.choice(_PUBLIC)}",
        lambda: f"{rng.choice(surnames)} {rng.choice(legal)}",
    ]
    weights = [30, 12, 8, 15, 10, 5, 5, 15]
    names: dict[str, None] = {}
    while len(names) < count:
        names[rng.choices(templates, weights)[0]()] = None
    return list(names)


def _typo(rng: random.Random, word: str) -> str:
    i = rng.randrange(1, len(word) - 1)
    kind = rng.randrange(4)
    letter = rng.choice("abcdefghijklmnopqrstuvwxyz")
    if kind == 0:
        return word[:i] + letter + word[i + 1 :]
    if kind == 1:
        return word[:i] + word[i + 1 :]
    if kind == 2:
        return word[:i] + letter + word[i:]
    return word[: i - 1] + word[i] + word[i - 1] + word[i + 1 :]


def variant(rng: random.Random, name: str) -> str:
    """One realistic re-spelling: case, legal form spelling, '&'/'and', 'The', a typo, punctuation."""
    words = name.split()
    for _ in range(rng.choice((1, 1, 2))):
        kind = rng.randrange(8)
        last = words[-1].rstrip(".")
        if kind == 0 and last in _LEGAL:
            words[-1] = rng.choice(_LEGAL[last])
        elif kind == 1 and last in _LEGAL and len(words) > 2:
            words = words[:-1]
        elif kind == 2:
            words = [{"&": "and", "and": "&"}.get(w, w) for w in words]
        elif kind == 3:
            words = words[1:] if words[0] == "The" else ["The", *words]
        elif kind == 4:
            long = [i for i, w in enumerate(words) if len(w) >= 6 and w.isalpha()]
            if long:
                i = rng.choice(long)
                words[i] = _typo(rng, words[i])
        elif kind == 5:
            words[-2] = words[-2] + "," if len(words) > 2 and not words[-2].endswith(",") else words[-2]
        elif kind == 6:
            words = [w.replace("e", "é", 1) if rng.random() < 0.3 else w for w in words]
        else:
            return rng.choice((str.upper, str.lower))(" ".join(words))
    return " ".join(words)


def generate(count: int, seed: int) -> tuple[list[str], list[int]]:
    """``count`` names with their true organisation: each organisation has 1-6 spellings (mean ~2.5)."""
    rng = random.Random(seed + 1)
    bases = base_names(count // 2 + 1, seed)
    names: list[str] = []
    truth: list[int] = []
    for org, base in enumerate(bases):
        for k in range(min(6, 1 + int(rng.expovariate(0.5)))):
            names.append(base if k == 0 else variant(rng, base))
            truth.append(org)
            if len(names) == count:
                return names, truth
    return names, truth


# -- helpers ----------------------------------------------------------------------------------------


def peak_rss_mb() -> float:
    """The process's peak resident set size so far, in MB (Linux reports KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def run_resolver(names: Sequence[str]) -> tuple[list[str], float, int]:
    """resolve() the names; return (org id per name, seconds, comparisons)."""
    records = [EntityRecord(key=str(i), name=n) for i, n in enumerate(names)]
    start = time.perf_counter()
    result = resolve(records)
    seconds = time.perf_counter() - start
    return [result.org_of[str(i)] for i in range(len(names))], seconds, result.stats.comparisons


def graphrag_rule(
    names: Sequence[str], truth: Sequence[str], threshold: float = 0.8
) -> tuple[list[int], list[float]]:
    """FuzzyMatchResolver's rule over all pairs: WRatio(default_process) / 100 >= 0.8.

    Returns the clusters (union-find over the accepted pairs) and [precision, recall, F1] of the
    accepted pairs themselves, before any closure, which is kinder to the rule.
    """
    matrix = process.cdist(
        names,
        list(names),
        scorer=fuzz.WRatio,
        processor=utils.default_process,
        score_cutoff=threshold * 100,
        dtype=np.uint8,
        workers=-1,
    )
    lo, hi = np.nonzero(np.triu(matrix, k=1))
    labels = np.asarray(truth)
    correct = int(np.count_nonzero(labels[lo] == labels[hi]))
    sizes = np.unique(labels, return_counts=True)[1]
    true_pairs = int((sizes * (sizes - 1) // 2).sum())
    precision = correct / len(lo) if len(lo) else 1.0
    recall = correct / true_pairs if true_pairs else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    scores = [round(precision, 6), round(recall, 6), round(f1, 6)]
    return list(cluster(len(names), lo, hi, np.ones(len(lo))).labels), scores


def naive_loop(names: Sequence[str], budget: float | None) -> tuple[float, int, int]:
    """Every pair scored in a Python loop, as FuzzyMatchResolver does; returns (seconds, pairs, total).

    With a ``budget`` in seconds the loop stops after it and the time is extrapolated by pair count.
    """
    total = len(names) * (len(names) - 1) // 2
    done = 0
    start = time.perf_counter()
    for i, a in enumerate(names):
        for b in names[i + 1 :]:
            fuzz.WRatio(a, b, processor=utils.default_process)
        done += len(names) - i - 1
        if budget is not None and time.perf_counter() - start > budget:
            break
    seconds = time.perf_counter() - start
    return seconds * total / max(done, 1), done, total


# -- (c) development sets ---------------------------------------------------------------------------


def _csv(
    path: Path, name: str, truth: str, keep: Callable[[dict[str, str]], bool] = lambda r: True
) -> tuple[list[str], list[str]]:
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rt", encoding="utf-8", newline="") as f:
        rows = [r for r in csv.DictReader(f) if keep(r) and r[name].strip()]
    return [r[name] for r in rows], [r[truth] for r in rows]


def dev_sets(ror_limit: int) -> dict[str, tuple[list[str], list[str]]]:
    """The development sets with truth; ROR cut to its first ror_limit names (in id order)."""
    sets = {
        "dnb-company-variants": _csv(SHARED / "dnb-company-variants/names.csv", "name", "entity"),
        "cleanco-companies": _csv(SHARED / "cleanco-companies/names.csv", "name", "entity"),
        "littlesis-sample": _csv(
            SHARED / "littlesis-sample/derived_alias_truth.csv",
            "alias",
            "littlesis_entity_id",
            lambda r: r["is_identifier_alias"] == "False",
        ),
        "uk-local-authorities": _csv(
            SHARED / "uk-local-authorities/lookup_name_to_registry.csv", "la-name", "local-authority-code"
        ),
    }
    names, truth = _csv(SHARED / "ror-registry/ror_names.csv.gz", "name", "ror_id")
    sets[f"ror-registry (first {ror_limit} names)"] = (names[:ror_limit], truth[:ror_limit])
    return sets


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--names", type=int, default=1_000_000, help="names for part (a)")
    parser.add_argument("--seed", type=int, default=20260101)
    parser.add_argument("--naive-size", type=int, default=20_000, help="subset for part (b)")
    parser.add_argument(
        "--naive-budget", type=float, default=None, help="stop (b)'s loop after N s; extrapolate"
    )
    parser.add_argument("--skip-naive", action="store_true")
    parser.add_argument("--ror-limit", type=int, default=5_000, help="ROR names in part (c)")
    parser.add_argument("--json", type=Path, help="also write the figures as JSON here")
    parser.add_argument("--compare", type=Path, help="another checkout: part (a) for both, in turns")
    parser.add_argument("--rounds", type=int, default=1, help="turns per engine with --compare")
    parser.add_argument("--only-a", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.compare:
        compare(args.compare.resolve(), args.names, args.seed, args.rounds, args.json)
        return
    report: dict[str, object] = {}

    start = time.perf_counter()
    names, truth = generate(args.names, args.seed)
    generated = time.perf_counter() - start
    labels, seconds, comparisons = run_resolver(names)
    quality = evaluate(names, labels, truth, worst=0)
    report["a"] = {
        "names": len(names),
        "true_organisations": len(set(truth)),
        "generate_s": round(generated, 2),
        "resolve_s": round(seconds, 2),
        "names_per_s": round(len(names) / seconds),
        "comparisons": comparisons,
        "peak_rss_mb": round(peak_rss_mb()),
        "pairwise_f1": quality.pairwise.f1,
        "bcubed_f1": quality.bcubed.f1,
    }
    print(f"(a) {json.dumps(report['a'])}", flush=True)
    if args.only_a:
        if args.json:
            args.json.write_text(json.dumps(report, indent=2) + "\n")
        return

    if not args.skip_naive:
        subset = names[: args.naive_size]
        sub_labels, sub_seconds, _ = run_resolver(subset)
        naive_seconds, done, total = naive_loop(subset, args.naive_budget)
        report["b"] = {
            "names": len(subset),
            "resolve_s": round(sub_seconds, 3),
            "naive_loop_s": round(naive_seconds, 1),
            "naive_pairs_scored": done,
            "naive_pairs_total": total,
            "extrapolated": done < total,
            "ratio_naive_over_resolve": round(naive_seconds / sub_seconds),
            "resolve_f1": evaluate(subset, sub_labels, truth[: len(subset)], worst=0).pairwise.f1,
        }
        print(f"(b) {json.dumps(report['b'])}", flush=True)

    report["c"] = {}
    for label, (dev_names, dev_truth) in dev_sets(args.ror_limit).items():
        ours, _, _ = run_resolver(dev_names)
        theirs, their_pairs = graphrag_rule(dev_names, dev_truth)
        mine, rule = (
            evaluate(dev_names, ours, dev_truth, worst=0),
            evaluate(dev_names, theirs, dev_truth, worst=0),
        )
        row = {
            "names": len(dev_names),
            "resolver_pairwise": [mine.pairwise.precision, mine.pairwise.recall, mine.pairwise.f1],
            "graphrag_rule_pairwise": [rule.pairwise.precision, rule.pairwise.recall, rule.pairwise.f1],
            "graphrag_rule_raw_pairs": their_pairs,
            "resolver_bcubed_f1": mine.bcubed.f1,
            "graphrag_rule_bcubed_f1": rule.bcubed.f1,
        }
        report["c"][label] = row  # type: ignore[index]
        print(f"(c) {label}: {json.dumps(row)}", flush=True)
    if args.json:
        args.json.write_text(json.dumps(report, indent=2) + "\n")


def compare(other: Path, names: int, seed: int, rounds: int, out: Path | None) -> None:
    """Part (a) for this checkout and ``other``, alternately, each run in a fresh process."""
    runs: dict[str, list[dict[str, float]]] = {"this": [], "other": []}
    with tempfile.TemporaryDirectory() as tmp:
        for r in range(rounds):
            for label, engine in (("other", other), ("this", ROOT)):
                path = Path(tmp) / f"{label}{r}.json"
                env = {**os.environ, "RESOLVER_BENCH_ENGINE": str(engine), "PYTHONDONTWRITEBYTECODE": "1"}
                cmd = [sys.executable, "-B", __file__, "--names", str(names), "--seed", str(seed)]
                subprocess.run([*cmd, "--only-a", "--json", str(path)], env=env, check=True)
                runs[label].append(json.loads(path.read_text())["a"])
    summary = {
        label: {
            "resolve_s": statistics.median(x["resolve_s"] for x in rs),
            "peak_rss_mb": max(x["peak_rss_mb"] for x in rs),
            "pairwise_f1": rs[0]["pairwise_f1"],
        }
        for label, rs in runs.items()
    }
    summary["ratio"] = {"resolve_s": round(summary["this"]["resolve_s"] / summary["other"]["resolve_s"], 3)}
    print(f"compare {other}: {json.dumps(summary)}", flush=True)
    if out:
        out.write_text(json.dumps({"runs": runs, "summary": summary}, indent=2) + "\n")


if __name__ == "__main__":
    main()
