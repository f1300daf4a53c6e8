"""Development sets: named (names, truth) lists read in place from a data directory (pure reading).

Each set says where its file lives under the data directory, which column holds the names and which
the true organisation, and which rows to keep. The GOV.UK sets are derived from the organisations API
dumps: every title a slug carried over time (monthly snapshots 2021-2026 and the 2017 dump), its logo
name and its abbreviation are names of one organisation (``govuk``); ``govuk-renames`` also joins a
body renamed under a new slug ("changed_name") to its successor, which names alone rarely can.

Invariant: ``load_set`` returns parallel, equally long lists in file order, and the same lists for the
same files; it never writes anything.
"""

from __future__ import annotations

import csv
import gzip
import html
import io
import json
import os
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

DATA_ENV = "RESOLVER_DATA_DIR"
DEFAULT_DATA_DIR = "../shared/data"
_TAG_RE = re.compile(r"<[^>]*>")


@dataclass(frozen=True, slots=True)
class EvalSet:
    """A development set: ``path`` under the data directory, its name and truth columns, and filters
    (column -> value a kept row must have; ``exclude``: column -> value a kept row must not have).
    ``loader`` replaces the CSV reading for sets derived from several files."""

    name: str
    path: str
    name_column: str = "name"
    truth_column: str = "entity"
    where: tuple[tuple[str, str], ...] = ()
    exclude: tuple[tuple[str, str], ...] = ()
    description: str = ""
    scope_column: str | None = None  # a country or register column: names of two scopes never merge
    unshared: bool = False  # leave out names given letter for letter to two bodies of one scope
    loader: Callable[[Path], tuple[list[str], list[str]]] | None = field(default=None, compare=False)


@dataclass(frozen=True, slots=True)
class LoadedSet:
    """The names of one set, the true organisation of each and its scope (or None), parallel."""

    spec: EvalSet
    names: list[str]
    truth: list[str]
    scopes: list[str | None]


def data_dir(given: str | None = None) -> Path:
    """The development data directory: ``given``, else $RESOLVER_DATA_DIR, else ../shared/data."""
    return Path(given or os.environ.get(DATA_ENV) or DEFAULT_DATA_DIR)


def _read_text(path: Path) -> str:
    raw = path.read_bytes()
    if path.suffix == ".gz":
        raw = gzip.decompress(raw)
    return raw.decode("utf-8").removeprefix("\ufeff")


def read_csv_set(spec: EvalSet, root: Path) -> tuple[list[str], list[str], list[str | None]]:
    """Names, truth and scopes of a CSV set (header row, optionally gzipped), filters applied, empty
    names out."""
    path = root / spec.path
    reader = csv.DictReader(io.StringIO(_read_text(path), newline=""))
    wanted = {spec.name_column, spec.truth_column, *(c for c, _ in spec.where + spec.exclude)}
    missing = (wanted | ({spec.scope_column} if spec.scope_column else set())) - set(reader.fieldnames or ())
    if missing:
        raise ValueError(f"{path}: no column {', '.join(sorted(missing))}; found {reader.fieldnames}")
    names: list[str] = []
    truth: list[str] = []
    scopes: list[str | None] = []
    for row in reader:
        if any(row[c] != v for c, v in spec.where) or any(row[c] == v for c, v in spec.exclude):
            continue
        name = row[spec.name_column]
        if name and name.strip():
            names.append(name)
            truth.append(row[spec.truth_column])
            scopes.append(row[spec.scope_column] or None if spec.scope_column else None)
    if spec.unshared:
        return _unshared_scoped(names, truth, scopes)
    return names, truth, scopes


def _unshared_scoped(
    names: list[str], truth: list[str], scopes: list[str | None]
) -> tuple[list[str], list[str], list[str | None]]:
    """``_unshared`` within each scope: a register listing "Argosy University" for nineteen campuses of
    one country, or "MSU" for ten universities, gives a matcher nothing to tell them apart by."""
    owners: dict[tuple[str, str | None], set[str]] = {}
    keys = [(" ".join(n.casefold().split()), s) for n, s in zip(names, scopes, strict=True)]
    for key, label in zip(keys, truth, strict=True):
        owners.setdefault(key, set()).add(label)
    keep = [len(owners[k]) == 1 for k in keys]
    return (
        [x for x, k in zip(names, keep, strict=True) if k],
        [x for x, k in zip(truth, keep, strict=True) if k],
        [x for x, k in zip(scopes, keep, strict=True) if k],
    )


def _govuk_orgs(root: Path) -> list[dict[str, object]]:
    folder = root / "govuk-hierarchy-2021-2026"
    latest = json.loads(_read_text(folder / "gov.uk_api_organisations.json"))["results"]
    older = [
        json.loads(line)
        for line in _read_text(folder / "govuk_api_organisations_2017-04-18.jsonl").splitlines()
    ]
    return [*older, *latest]


def _logo_name(text: str) -> str:
    return " ".join(html.unescape(_TAG_RE.sub(" ", text)).split())


def govuk_names(root: Path) -> dict[str, list[str]]:
    """slug -> its distinct names: titles over time, logo names, abbreviations (first seen first)."""
    names: dict[str, dict[str, None]] = {}
    folder = root / "govuk-hierarchy-2021-2026"
    for row in csv.DictReader(io.StringIO(_read_text(folder / "org_titles_observed.csv"), newline="")):
        names.setdefault(row["slug"], {})[row["title"].strip()] = None
    for org in _govuk_orgs(root):
        details = org["details"]
        assert isinstance(details, dict)
        slug = str(details["slug"])
        forms = names.setdefault(slug, {})
        forms[str(org["title"]).strip()] = None
        for extra in (details.get("logo_formatted_name"), details.get("abbreviation")):
            if isinstance(extra, str) and _logo_name(extra):
                forms[_logo_name(extra)] = None
    return {slug: [n for n in forms if n] for slug, forms in names.items()}


def _unshared(names: list[str], truth: list[str]) -> tuple[list[str], list[str]]:
    """Leave out names GOV.UK gives, letter for letter (case and spacing aside), to two bodies of the
    truth ("DCMS", "HMPPS" under two slugs each): they cannot tell a matcher anything."""
    owners: dict[str, set[str]] = {}
    for name, label in zip(names, truth, strict=True):
        owners.setdefault(" ".join(name.casefold().split()), set()).add(label)
    keep = [len(owners[" ".join(n.casefold().split())]) == 1 for n in names]
    return [n for n, k in zip(names, keep, strict=True) if k], [
        t for t, k in zip(truth, keep, strict=True) if k
    ]


def load_govuk(root: Path) -> tuple[list[str], list[str]]:
    """Every name of every GOV.UK slug, truth the slug (names two slugs share left out)."""
    names: list[str] = []
    truth: list[str] = []
    for slug, forms in sorted(govuk_names(root).items()):
        names.extend(forms)
        truth.extend([slug] * len(forms))
    return _unshared(names, truth)


def load_govuk_abbreviations(root: Path) -> tuple[list[str], list[str]]:
    """The 2026 dump only: each slug's title, logo name and abbreviation (names two slugs share out)."""
    names: list[str] = []
    truth: list[str] = []
    latest = json.loads(_read_text(root / "govuk-hierarchy-2021-2026" / "gov.uk_api_organisations.json"))
    for org in sorted(latest["results"], key=lambda o: str(o["details"]["slug"])):
        details = org["details"]
        forms = dict.fromkeys(
            _logo_name(x)
            for x in (org["title"], details.get("logo_formatted_name"), details.get("abbreviation"))
            if isinstance(x, str)
        )
        forms.pop("", None)
        names.extend(forms)
        truth.extend([str(details["slug"])] * len(forms))
    return _unshared(names, truth)


def load_govuk_renames(root: Path) -> tuple[list[str], list[str]]:
    """As ``govuk``, with a body closed as "changed_name" and superseded by one successor joined to it."""
    successor: dict[str, str] = {}
    for org in _govuk_orgs(root):
        details = org["details"]
        assert isinstance(details, dict)
        after = org.get("superseding_organisations") or []
        assert isinstance(after, list)
        if details.get("govuk_closed_status") == "changed_name" and len(after) == 1:
            successor[str(details["slug"])] = str(after[0]["id"]).rstrip("/").rsplit("/", 1)[-1]

    def final(slug: str) -> str:
        seen = {slug}
        while slug in successor and successor[slug] not in seen:
            slug = successor[slug]
            seen.add(slug)
        return slug

    names: list[str] = []
    slugs: list[str] = []
    for slug, forms in sorted(govuk_names(root).items()):
        names.extend(forms)
        slugs.extend([final(slug)] * len(forms))
    return _unshared(names, slugs)


SETS: dict[str, EvalSet] = {
    s.name: s
    for s in (
        EvalSet(
            "dnb",
            "dnb-company-variants/names.csv",
            description="D&B-style company name variants",
            scope_column="country",
        ),
        EvalSet(
            "cleanco",
            "cleanco-companies/names.csv",
            description="distinct companies with legal forms",
            scope_column="country",
        ),
        EvalSet(
            "littlesis",
            "littlesis-sample/derived_alias_truth.csv",
            "alias",
            "littlesis_entity_id",
            where=(("is_identifier_alias", "False"),),
            description="LittleSis entity aliases (identifier aliases left out)",
        ),
        EvalSet(
            "councils",
            "uk-local-authorities/lookup_name_to_registry.csv",
            "la-name",
            "local-authority-code",
            description="UK local authority name variants",
        ),
        EvalSet(
            "ror",
            "ror-registry/ror_names.csv.gz",
            truth_column="ror_id",
            description="ROR labels, aliases and acronyms (names two bodies of a country share left out)",
            scope_column="country_code",
            unshared=True,
        ),
        EvalSet(
            "govuk",
            "govuk-hierarchy-2021-2026",
            truth_column="slug",
            description="GOV.UK titles over time, logo names and abbreviations, one slug each",
            loader=load_govuk,
        ),
        EvalSet(
            "govuk-abbreviations",
            "govuk-hierarchy-2021-2026",
            truth_column="slug",
            description="GOV.UK 2026: each body's title, logo name and abbreviation",
            loader=load_govuk_abbreviations,
        ),
        EvalSet(
            "govuk-renames",
            "govuk-hierarchy-2021-2026",
            truth_column="slug",
            description="govuk plus renamed bodies joined to their successor (former names)",
            loader=load_govuk_renames,
        ),
    )
}


def load_set(name: str, root: Path | None = None) -> LoadedSet:
    """Load a registered set from ``root`` (default: ``data_dir()``); KeyError names the known sets."""
    spec = SETS.get(name)
    if spec is None:
        raise KeyError(f"no evaluation set {name!r}; known: {', '.join(SETS)}")
    root = root or data_dir()
    if spec.loader is not None:
        names, truth = spec.loader(root)
        return LoadedSet(spec, names, truth, [None] * len(names))
    return LoadedSet(spec, *read_csv_set(spec, root))
