"""Threshold sweep: pairwise and B-cubed quality at each threshold, as rows and as a PNG plot.

``sweep`` runs a clustering per threshold (the caller's ``run``, one resolve() each: thresholds change
which links are made and which clusters the guard lets meet, so one run cannot be re-cut) and scores
it against the truth. ``plot_sweep`` draws precision, recall and F1 against the threshold with
matplotlib's Agg backend (no display needed).
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass
from pathlib import Path

from resolver.evaluate import Scores, evaluate

DEFAULT_THRESHOLDS = tuple(round(0.70 + 0.02 * i, 2) for i in range(16))  # 0.70 .. 1.00


@dataclass(frozen=True, slots=True)
class SweepRow:
    """Quality at one threshold."""

    threshold: float
    pairwise: Scores
    bcubed: Scores
    clusters: int


def sweep(
    names: Sequence[str],
    truth: Sequence[Hashable],
    thresholds: Sequence[float],
    run: Callable[[float], Sequence[Hashable]],
) -> list[SweepRow]:
    """Score ``run(threshold)`` (predicted labels parallel to ``names``) at every threshold, ascending.

    Example:
        >>> rows = sweep(["a", "b"], [1, 1], [0.5, 0.9], lambda t: [0, 0] if t < 0.8 else [0, 1])
        >>> [(r.threshold, r.pairwise.recall) for r in rows]
        [(0.5, 1.0), (0.9, 0.0)]
    """
    rows = []
    for threshold in sorted(thresholds):
        predicted = run(threshold)
        result = evaluate(names, predicted, truth, worst=0)
        rows.append(SweepRow(threshold, result.pairwise, result.bcubed, result.predicted_clusters))
    return rows


def plot_sweep(rows: Sequence[SweepRow], path: str | Path, title: str = "resolver eval --sweep") -> None:
    """Write a PNG of pairwise precision, recall and F1 (and B-cubed F1) against the threshold."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    xs = [r.threshold for r in rows]
    fig, ax = plt.subplots(figsize=(7, 4.5), dpi=100)
    ax.plot(xs, [r.pairwise.precision for r in rows], marker="o", label="pairwise precision")
    ax.plot(xs, [r.pairwise.recall for r in rows], marker="o", label="pairwise recall")
    ax.plot(xs, [r.pairwise.f1 for r in rows], marker="o", label="pairwise F1")
    ax.plot(xs, [r.bcubed.f1 for r in rows], linestyle="--", label="B-cubed F1")
    ax.set_xlabel("threshold")
    ax.set_ylabel("score")
    ax.set_ylim(0, 1.02)
    ax.grid(True, alpha=0.3)
    ax.legend(loc="lower left")
    ax.set_title(title)
    fig.tight_layout()
    fig.savefig(path, format="png")
    plt.close(fig)


def plot_waterfall(
    steps: Sequence[tuple[str, float, float]],
    log_odds: Sequence[tuple[str, float]],
    path: str | Path,
    title: str = "resolver explain",
) -> None:
    """Write a PNG of explain's two waterfalls: the score's steps (best similarity, then each cap and
    penalty, as ``(step, change, running)``) and each feature's contribution to the match log-odds."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, (left, right) = plt.subplots(1, 2, figsize=(11, 4.5), dpi=100)
    before = 0.0
    for k, (step, change, running) in enumerate(steps):
        base, height = (0.0, running) if step == "score" or k == 0 else (min(before, running), abs(change))
        colour = "tab:blue" if step == "score" or k == 0 else ("tab:green" if change >= 0 else "tab:red")
        left.bar(k, height, bottom=base, color=colour)
        left.text(k, base + height, f"{running:.2f}", ha="center", va="bottom", fontsize=8)
        before = running
    labels = [s.split(":")[0] for s, _, _ in steps]  # "penalty extra: one name is ..." -> "penalty extra"
    left.set_xticks(range(len(steps)), labels, rotation=30, ha="right", fontsize=8)
    left.set_ylim(0, 1.08)
    left.set_ylabel("score")
    left.set_title("score, step by step")
    shown = [(n, v) for n, v in log_odds if abs(v) >= 0.005]
    total = 0.0
    for k, (_, value) in enumerate(shown):
        right.bar(k, value, bottom=total, color="tab:green" if value >= 0 else "tab:red")
        total += value
    right.axhline(0, color="grey", linewidth=0.8)
    right.set_xticks(range(len(shown)), [n for n, _ in shown], rotation=30, ha="right", fontsize=8)
    right.set_ylabel("log-odds (cumulative)")
    right.set_title("match probability: each feature's share")
    fig.suptitle(title)
    fig.tight_layout()
    fig.savefig(path, format="png")
    plt.close(fig)
