"""Resolution quality on every development set (read in place), as one table.

    .venv/bin/python bench/bench_quality.py                     # every set
    .venv/bin/python bench/bench_quality.py dnb govuk --json out.json

Per set: items, pairwise precision / recall / F1, B-cubed F1 and the seconds resolve() took. The
same numbers as `resolver eval --set NAME`; this script runs them all in one process.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from resolver.evalsets import SETS, data_dir, load_set  # noqa: E402
from resolver.evaluate import evaluate  # noqa: E402
from resolver.model import EntityRecord  # noqa: E402
from resolver.pipeline import resolve  # noqa: E402


def run(name: str, root: Path, unscoped: bool = False) -> dict[str, object]:
    loaded = load_set(name, root)
    records = [
        EntityRecord(str(i), n, scope=None if unscoped else s)
        for i, (n, s) in enumerate(zip(loaded.names, loaded.scopes, strict=True))
    ]
    start = time.perf_counter()
    res = resolve(records)
    seconds = time.perf_counter() - start
    result = evaluate(loaded.names, [res.org_of[r.key] for r in records], loaded.truth)
    p = result.pairwise
    return {
        "set": name,
        "items": result.items,
        "precision": p.precision,
        "recall": p.recall,
        "f1": p.f1,
        "bcubed_f1": result.bcubed.f1,
        "seconds": round(seconds, 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("sets", nargs="*", default=list(SETS))
    parser.add_argument("--data", default=None, help="development data directory")
    parser.add_argument("--json", default=None, help="also write the rows here")
    parser.add_argument("--unscoped", action="store_true", help="ignore the sets' scope (country) columns")
    args = parser.parse_args()
    root = data_dir(args.data)
    rows = []
    print(f"{'set':15} {'items':>7} {'P':>6} {'R':>6} {'F1':>6} {'B3 F1':>6} {'s':>6}")
    for name in args.sets:
        row = run(name, root, args.unscoped)
        rows.append(row)
        print(
            f"{name:15} {row['items']:>7} {row['precision']:>6.3f} {row['recall']:>6.3f} {row['f1']:>6.3f} "
            f"{row['bcubed_f1']:>6.3f} {row['seconds']:>6}",
            flush=True,
        )
    if args.json:
        Path(args.json).write_text(json.dumps(rows, indent=1))


if __name__ == "__main__":
    main()
