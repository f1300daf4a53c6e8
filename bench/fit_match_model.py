"""Fit the match-probability model `resolver explain` reports: a logistic regression over the named
features of resolver.score, on the candidate pairs blocking proposes in the development sets.

    .venv/bin/python bench/fit_match_model.py            # writes resolver/match_model.json
    .venv/bin/python bench/fit_match_model.py --check    # fit and print, write nothing

Each set weighs the same (its pairs' weights sum to 1), so the large sets do not decide alone; a pair is
a true match when its two names share a truth label. L2-regularised, Newton's method; the JSON holds the
intercept, one weight per feature, and per-set counts. It explains scores, it does not decide merges.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from resolver.block import block, candidate_pairs  # noqa: E402
from resolver.evalsets import data_dir, load_set  # noqa: E402
from resolver.normalise import normalise_name  # noqa: E402
from resolver.score import FEATURES, score_pair  # noqa: E402

SETS = ("dnb", "cleanco", "littlesis", "councils", "govuk", "ror")
ROR_NAMES = 30_000  # the first rows of ROR (whole organisations: the file is sorted by id)
L2 = 1e-3  # per unit of total weight: a light shrink, so separated features stay finite


def pairs_of(name: str, root: Path) -> tuple[np.ndarray, np.ndarray]:
    loaded = load_set(name, root)
    names, truth = loaded.names, loaded.truth
    if name == "ror":
        names, truth = names[:ROR_NAMES], truth[:ROR_NAMES]
    labels: dict[str, set[str]] = {}
    for n, t in zip(names, truth, strict=True):
        labels.setdefault(n, set()).add(t)
    distinct = sorted(labels)
    norms = [normalise_name(n) for n in distinct]
    blocks = block(norms, max_bucket=200)
    lo, hi = candidate_pairs(blocks.buckets, len(norms))
    rows, ys = [], []
    for i, j in zip(lo.tolist(), hi.tolist(), strict=True):
        pair = score_pair(norms[i], norms[j], blocks.common)
        rows.append([v for _, v in pair.features])
        ys.append(1.0 if labels[distinct[i]] & labels[distinct[j]] else 0.0)
    return np.asarray(rows, dtype=np.float64), np.asarray(ys, dtype=np.float64)


def fit(x: np.ndarray, y: np.ndarray, w: np.ndarray) -> np.ndarray:
    """Weighted L2 logistic regression by Newton's method; x carries a leading column of ones."""
    beta = np.zeros(x.shape[1])
    penalty = np.full(x.shape[1], L2 / w.sum())
    penalty[0] = 0.0  # the intercept is not shrunk
    for _ in range(50):
        p = 1 / (1 + np.exp(-(x @ beta)))
        grad = x.T @ (w * (p - y)) + penalty * beta
        hess = (x * (w * p * (1 - p))[:, None]).T @ x + np.diag(penalty)
        step = np.linalg.solve(hess, grad)
        beta -= step
        if np.abs(step).max() < 1e-8:
            break
    return beta


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", default=None)
    parser.add_argument("--check", action="store_true", help="print only, write nothing")
    args = parser.parse_args()
    root = data_dir(args.data)
    xs, ys, ws, counts = [], [], [], {}
    for name in SETS:
        x, y = pairs_of(name, root)
        counts[name] = {"pairs": len(y), "matches": int(y.sum())}
        print(name, counts[name], flush=True)
        if len(y):
            xs.append(x)
            ys.append(y)
            ws.append(np.full(len(y), 1.0 / len(y)))
    x = np.concatenate(xs)
    x1 = np.hstack([np.ones((len(x), 1)), x])
    y, w = np.concatenate(ys), np.concatenate(ws)
    beta = fit(x1, y, w)
    p = 1 / (1 + np.exp(-(x1 @ beta)))
    names = list(FEATURES)
    model = {
        "about": "logistic match probability over resolver.score features (bench/fit_match_model.py)",
        "intercept": round(float(beta[0]), 6),
        "weights": {n: round(float(b), 6) for n, b in zip(names, beta[1:], strict=True)},
        "fitted_on": counts,
    }
    print(json.dumps(model, indent=1))
    for lo in np.arange(0, 1, 0.1):  # calibration: predicted vs observed per probability bin
        sel = (p >= lo) & (p < lo + 0.1)
        if sel.any():
            print(f"p in [{lo:.1f}, {lo + 0.1:.1f}): {sel.sum():7d} pairs, observed {y[sel].mean():.3f}")
    if not args.check:
        (ROOT / "resolver" / "match_model.json").write_text(json.dumps(model, indent=1) + "\n")


if __name__ == "__main__":
    main()
