"""The GOV.UK organisations of ../shared/data/govuk-hierarchy-2021-2026 (read in place) loaded through
``resolver.ingest``, and a seeded list of messy spellings of their titles for the matching tests.

Loading: an entities CSV (title, abbreviation as alias, ``govuk:<slug>`` identifier) and an edges CSV
(every current ``parent_organisations`` link, undated) written to a temporary folder, then ingested.
"""

from __future__ import annotations

import csv
import json
import random
import re
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import neo4j

from resolver.graph.templates import TemplateRegistry
from resolver.graph.writer import GraphWriter
from resolver.ingest import IngestOptions, ingest
from tests.conftest import shared_file

DATA = "govuk-hierarchy-2021-2026/gov.uk_api_organisations.json"
SLUG = re.compile(r"/organisations/([^/?#]+)$")


@dataclass(frozen=True, slots=True)
class GovOrg:
    slug: str
    title: str
    abbreviation: str | None
    parents: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Mention:
    text: str
    slug: str | None  # None: a body the graph does not hold
    kind: str


def unmangle(text: str) -> str:
    """Undo the mojibake some monthly dumps hold ("Solicitorâ\x80\x99s": UTF-8 read as Latin-1)."""
    try:
        return text.encode("latin-1").decode("utf-8")
    except (UnicodeEncodeError, UnicodeDecodeError):
        return text


def read_orgs() -> dict[str, GovOrg]:
    results = json.loads(shared_file(DATA).read_text(encoding="utf-8"))["results"]
    orgs: dict[str, GovOrg] = {}
    for r in results:
        details = r.get("details") or {}
        slug = details.get("slug")
        if not slug or not r.get("title"):
            continue
        parents = tuple(
            m.group(1) for p in r.get("parent_organisations") or [] if (m := SLUG.search(p.get("id") or ""))
        )
        abbreviation = (details.get("abbreviation") or "").strip() or None
        orgs[slug] = GovOrg(
            slug, unmangle(r["title"].strip()), abbreviation and unmangle(abbreviation), parents
        )
    return orgs


def load(driver: neo4j.Driver, folder: Path) -> dict[str, GovOrg]:
    """Ingest the organisations and their parents; return them by slug."""
    orgs = read_orgs()
    entities = folder / "govuk-entities.csv"
    with entities.open("w", encoding="utf-8", newline="") as f:
        w = csv.writer(f)
        w.writerow(["name", "aliases", "id"])
        for o in orgs.values():
            alias = o.abbreviation if o.abbreviation and o.abbreviation != o.title else ""
            w.writerow([o.title, alias, f"govuk:{o.slug}"])
    edges = folder / "govuk-edges.csv"
    with edges.open("w", encoding="utf-8", newline="") as f:
        w = csv.writer(f)
        w.writerow(["parent", "child", "parent_id", "child_id"])
        for o in orgs.values():
            for p in o.parents:
                if p in orgs and p != o.slug:
                    w.writerow([orgs[p].title, o.title, f"govuk:{p}", f"govuk:{o.slug}"])
    writer = GraphWriter(driver, TemplateRegistry(), database="neo4j")
    report = ingest([str(entities)], writer, IngestOptions(fmt="entities", source="govuk"))
    assert report.rejected == 0
    report = ingest([str(edges)], writer, IngestOptions(fmt="edges", source="govuk"))
    assert report.rejected == 0
    return orgs


def _typo(text: str, rng: random.Random) -> str:
    words = text.split()
    long = [i for i, w in enumerate(words) if len(w) >= 6 and w.isalpha()]
    if not long:
        return text
    i = rng.choice(long)
    w = words[i]
    k = rng.randrange(1, len(w) - 1)
    edit = rng.choice(("drop", "swap", "double"))
    if edit == "drop":
        w = w[:k] + w[k + 1 :]
    elif edit == "swap":
        w = w[:k] + w[k + 1] + w[k] + w[k + 2 :]
    else:
        w = w[:k] + w[k] + w[k:]
    words[i] = w
    return " ".join(words)


ABSENT = (
    "Department for Lunar Affairs",
    "Ministry of Magic",
    "Office for Teapot Standards",
    "Hovercraft Licensing Authority",
    "Royal Commission on Quantum Gardening",
    "National Institute of Origami",
    "Board of Jellyfish Welfare",
    "Agency for Interplanetary Postage",
    "Crossword Puzzle Regulator",
    "Commission for Unicorn Protection",
    "Acme Widgets Ltd",
    "Northumbrian Kite Flying Council",
    "Bureau of Sandcastle Inspection",
    "Office of the Time Travel Ombudsman",
    "Directorate of Bagpipe Tuning",
    "Zeppelin Safety Executive",
    "Society for Cheese Rolling",
    "Moonbase Planning Inspectorate",
    "Fjord Fisheries Directorate",
    "Trampoline Standards Agency",
)


def messy_list(orgs: dict[str, GovOrg], seed: int = 13, per_kind: int = 80) -> list[Mention]:
    """Messy spellings of titles unique among the organisations (so 'correct' is one organisation):
    upper and lower case, a department prefix, the abbreviation, a typo, dropped or added articles,
    '&' for 'and', 'Dept' for 'Department'; plus ABSENT names the graph does not hold."""
    rng = random.Random(seed)
    titles = Counter(o.title.casefold() for o in orgs.values())
    abbreviations = Counter((o.abbreviation or "").casefold() for o in orgs.values())
    unique = sorted(o.slug for o in orgs.values() if titles[o.title.casefold()] == 1)
    out: list[Mention] = []

    def pick(pred: object = None) -> list[GovOrg]:
        pool = [orgs[s] for s in unique if pred is None or pred(orgs[s])]  # type: ignore[operator]
        return rng.sample(pool, min(per_kind, len(pool)))

    for o in pick():
        out.append(Mention(o.title.upper(), o.slug, "upper case"))
    for o in pick():
        out.append(Mention(o.title.lower(), o.slug, "lower case"))
    for o in pick(lambda o: any(p in orgs for p in o.parents)):
        parent = orgs[next(p for p in o.parents if p in orgs)]
        out.append(Mention(f"{parent.abbreviation or parent.title} - {o.title}", o.slug, "department prefix"))
    for o in pick(
        lambda o: (
            o.abbreviation
            and o.abbreviation != o.title
            and abbreviations[o.abbreviation.casefold()] == 1
            and o.abbreviation.casefold() not in titles
        )
    ):
        out.append(Mention(str(o.abbreviation), o.slug, "abbreviation"))
    for o in pick(lambda o: any(len(w) >= 6 and w.isalpha() for w in o.title.split())):
        out.append(Mention(_typo(o.title, rng), o.slug, "typo"))
    for o in pick():
        t = o.title
        text = t[4:] if t.startswith("The ") else "The " + t
        out.append(Mention(text, o.slug, "article dropped or added"))
    for o in pick(lambda o: " and " in o.title):
        out.append(Mention(o.title.replace(" and ", " & "), o.slug, "ampersand"))
    for o in pick(lambda o: o.title.startswith("Department ")):
        out.append(Mention("Dept " + o.title[len("Department ") :], o.slug, "Dept"))
    out.extend(Mention(name, None, "absent") for name in ABSENT)
    return out
