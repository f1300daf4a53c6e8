"""What graph evidence changes at ingest, measured on the GOV.UK hierarchy written by names alone.

    .venv/bin/python bench/bench_graph_evidence.py [--data ../shared/data/govuk-hierarchy-2021-2026]

The GOV.UK API dumps name every organisation three ways: its title in 2026, its logo text in 2026 (HTML
line breaks and entities read as plain text), and its title in 2017. Each dump's parent links become
name-only edge claims (parent -> child, no slugs), as a register without identifiers would send them;
the slug is the truth.
All claims are reconciled in one batch against an empty graph (what ``resolver ingest`` of such a file
runs), once on names alone (``graph_evidence=False``) and once with the graph evidence, and compared:
organisations, pairwise precision and recall over the distinct names, and every pair the evidence decided
(joined or kept apart), right or wrong by the slugs. A name that two slugs carry is its own label.
"""

from __future__ import annotations

import argparse
import html
import json
import re
import time
from collections.abc import Iterable, Iterator
from itertools import combinations
from pathlib import Path

from resolver.judgements import Judgement
from resolver.model import Mention, ParentClaim
from resolver.reconcile import KnownOrganisation, Reconciliation, Redirect, reconcile

BREAK = re.compile(r"<br\s*/?>", re.IGNORECASE)  # logo texts break lines with HTML
DEFAULT = Path(__file__).resolve().parents[1] / ".." / "shared" / "data" / "govuk-hierarchy-2021-2026"


class EmptyGraph:
    """The GraphView of an empty database."""

    def organisations(self) -> Iterable[KnownOrganisation]:
        return []

    def parent_pairs(self) -> Iterable[tuple[str, str]]:
        return []

    def redirects(self) -> Iterable[Redirect]:
        return []

    def judgements(self) -> Iterable[Judgement]:
        return []


class Table:
    """The MentionTable of distinct names (one record per name)."""

    def __init__(self) -> None:
        self.names: dict[str, str] = {}
        self.ids: dict[str, tuple[str, ...]] = {}
        self.aliases: dict[str, set[str]] = {}
        self.key_of: dict[str, str] = {}

    def add(self, name: str) -> str:
        key = self.key_of.get(name)
        if key is None:
            key = self.key_of[name] = f"m{len(self.key_of):05d}"
            self.names[key], self.ids[key], self.aliases[key] = name, (), set()
        return key


def _slug(link: dict[str, str]) -> str:
    return link["id"].rstrip("/").rsplit("/", 1)[-1]


def _dump(path: Path) -> list[dict[str, object]]:
    text = path.read_text(encoding="utf-8")
    if path.suffix == ".jsonl":
        return [json.loads(line) for line in text.splitlines() if line.strip()]
    results: list[dict[str, object]] = json.loads(text)["results"]
    return results


def _spellings(data: Path) -> Iterator[tuple[str, dict[str, str], list[tuple[str, str]]]]:
    """(source, slug -> name, [(parent slug, child slug)]) per way of naming."""
    for label, path, field in (
        ("title 2026", data / "gov.uk_api_organisations.json", "title"),
        ("logo 2026", data / "gov.uk_api_organisations.json", "logo_formatted_name"),
        ("title 2017", data / "govuk_api_organisations_2017-04-18.jsonl", "title"),
    ):
        names: dict[str, str] = {}
        links: list[tuple[str, str]] = []
        for org in _dump(path):
            details = org["details"]
            assert isinstance(details, dict)
            slug = str(details["slug"])
            raw = org.get(field) if field == "title" else details.get(field)
            if isinstance(raw, str) and raw.strip():
                names[slug] = " ".join(html.unescape(BREAK.sub(" ", raw)).split())
            parents = org.get("parent_organisations") or []
            assert isinstance(parents, list)
            links += [(_slug(p), slug) for p in parents]
        yield label, names, links


def build(data: Path) -> tuple[Table, list[tuple[ParentClaim, str, str, str]], dict[str, set[str]]]:
    table = Table()
    claims: list[tuple[ParentClaim, str, str, str]] = []
    truth: dict[str, set[str]] = {}
    seen: set[tuple[str, str]] = set()
    for label, names, links in _spellings(data):
        for slug, name in names.items():
            truth.setdefault(name, set()).add(slug)
        for p, c in links:
            if p not in names or c not in names or (names[p], names[c]) in seen:
                continue
            seen.add((names[p], names[c]))
            parent, child = Mention(names[p]), Mention(names[c])
            claim = ParentClaim(
                f"{label}:{p}>{c}", parent, child, None, None, None, label, line=len(claims) + 1
            )
            claims.append((claim, label, table.add(names[p]), table.add(names[c])))
    return table, claims, truth


def pairs(groups: Iterable[Iterable[str]]) -> set[tuple[str, str]]:
    out: set[tuple[str, str]] = set()
    for g in groups:
        out.update(combinations(sorted(g), 2))
    return out


def measure(
    table: Table, claims: list[tuple[ParentClaim, str, str, str]], evidence: bool
) -> tuple[Reconciliation, float]:
    start = time.perf_counter()
    rec = reconcile(table, claims, EmptyGraph(), graph_evidence=evidence)
    return rec, time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DEFAULT)
    args = parser.parse_args()
    table, claims, truth = build(args.data)
    label = {name: "|".join(sorted(slugs)) for name, slugs in truth.items()}
    names = sorted(table.key_of)
    by_label: dict[str, list[str]] = {}
    for name in names:
        by_label.setdefault(label[name], []).append(name)
    true_pairs = pairs(by_label.values())
    print(f"{len(names)} distinct names, {len(claims)} name-only claims, {len(by_label)} true organisations")
    results = {}
    for evidence in (False, True):
        rec, seconds = measure(table, claims, evidence)
        groups: dict[str, list[str]] = {}
        for name in names:
            groups.setdefault(rec.org_of[table.key_of[name]], []).append(name)
        found = pairs(groups.values())
        tp = len(found & true_pairs)
        precision = tp / len(found) if found else 1.0
        recall = tp / len(true_pairs) if true_pairs else 1.0
        results[evidence] = (found, rec)
        print(
            f"graph evidence {'on ' if evidence else 'off'}: {len(groups)} organisations, "
            f"pairwise precision {precision:.4f} recall {recall:.4f} ({tp}/{len(found)} found, "
            f"{len(true_pairs)} true), self-loop rejects {len(rec.rejects)}, {seconds:.2f} s"
        )
    off, on = results[False][0], results[True][0]
    gained, lost = on - off, off - on
    right_gained, right_lost = len(gained & true_pairs), len(lost & true_pairs)
    print(f"pairs gained {len(gained)} ({right_gained} right), lost {len(lost)} ({right_lost} right)")
    for d in results[True][1].evidence:
        right = (label[d.left] == label[d.right]) == d.joins
        verdict = "joined" if d.joins else "kept apart"
        print(
            f"  {verdict:10} {'right' if right else 'WRONG'}: {d.left!r} ~ {d.right!r}: {d.weighing.line()}"
        )


if __name__ == "__main__":
    main()
