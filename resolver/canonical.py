"""Canonical organisations: stable ids, a display name and every alias with its evidence (pure).

Ids: an organisation id already held by a member record is kept (clustering never lets two meet);
otherwise ``org-`` + 16 hex digits of sha1 over the cluster's smallest member identity (normalised name
plus sorted identifiers). The same input therefore gives the same ids; when two clusters of one call
share an identity (cannot-links split "The Surgery" without identifiers) or a new id equals a kept one,
the smallest record key of the cluster is hashed in too, so ids within a call are distinct.

Display name: the most informative full form, not an acronym nor a placeholder made of an identifier
("ods:5N1"): forms used by more records first, then non-acronyms, mixed case over all capitals, more
words, longer; ties by the text itself.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from resolver.normalise import NormalisedName

# A name a reader made from an identifier because the source gave none ("ods:5N1"): never the display name
# while the organisation has a real one.
_PLACEHOLDER = re.compile(r"[a-z][a-z0-9_.+-]{0,31}:(?!//)\S+")

METHODS = (
    "existing",
    "identifier",
    "source-alias",
    "judgement",
    "exact",
    "normalised",
    "acronym",
    "head",
    "fuzzy",
)


@dataclass(frozen=True, slots=True)
class AliasEvidence:
    """One surface form of an organisation and why it was attached (``method`` is one of METHODS)."""

    name: str
    norm_name: str
    score: float
    method: str


@dataclass(frozen=True, slots=True)
class Organisation:
    """A canonical organisation: stable id, display name, member records, identifiers, aliases."""

    id: str
    name: str
    norm_name: str
    record_keys: tuple[str, ...]
    identifiers: tuple[str, ...]
    aliases: tuple[AliasEvidence, ...]


@dataclass(frozen=True, slots=True)
class ClusterIds:
    """What fixes one cluster's id: a kept id, else its identity, with a tie-break for collisions."""

    existing: str | None
    identity: str
    smallest_key: str


def make_org_id(identity: str) -> str:
    """``org-`` + the first 16 hex digits of sha1(identity).

    Example:
        >>> make_org_id("nhs|")
        'org-a6f0cd0e1ec5d2c5'
    """
    return "org-" + hashlib.sha1(identity.encode("utf-8")).hexdigest()[:16]


def identity(norm_key: str, identifiers: Iterable[str]) -> str:
    """A member's identity: its normalised name and its sorted identifiers."""
    return norm_key + "|" + ",".join(sorted(identifiers))


def assign_ids(clusters: Sequence[ClusterIds]) -> list[str]:
    """One distinct id per cluster, in input order: kept ids as they are, derived ones from identities.

    An identity shared by several clusters, or whose id a kept one already uses, is salted with the
    cluster's smallest record key; neither depends on the order of ``clusters``.
    """
    kept = {c.existing for c in clusters if c.existing is not None}
    counts: dict[str, int] = {}
    for c in clusters:
        if c.existing is None:
            counts[c.identity] = counts.get(c.identity, 0) + 1
    ids = []
    for c in clusters:
        if c.existing is not None:
            ids.append(c.existing)
            continue
        candidate = make_org_id(c.identity)
        if counts[c.identity] > 1 or candidate in kept:
            candidate = make_org_id(c.identity + "\x00" + c.smallest_key)
        ids.append(candidate)
    return ids


def display_rank(surface: str, norm: NormalisedName, uses: int, acronyms: set[str]) -> tuple[object, ...]:
    """Sort key of a candidate display name: smaller is better (see the module docstring)."""
    is_acronym = norm.key in acronyms or (
        len(norm.tokens) == 1 and norm.display.isupper() and len(norm.key) <= 6
    )
    shouting = norm.display.isupper()
    placeholder = _PLACEHOLDER.fullmatch(surface) is not None
    return (
        placeholder,
        is_acronym,
        -uses,
        shouting,
        -len(norm.tokens),
        -len(norm.display),
        norm.display,
        surface,
    )


def choose_display(candidates: Iterable[tuple[str, NormalisedName, int]]) -> tuple[str, NormalisedName]:
    """Pick the display form among (surface, normalised, number of records using it).

    Example:
        >>> from resolver.normalise import normalise_name as n
        >>> full = "National Health Service (NHS)"
        >>> choose_display([("NHS", n("NHS"), 3), (full, n(full), 1)])[1].display
        'National Health Service (NHS)'
    """
    items = list(candidates)
    acronyms = {n.acronym for _, n, _ in items if n.acronym}
    surface, norm, _ = min(items, key=lambda item: display_rank(item[0], item[1], item[2], acronyms))
    return surface, norm


def display_name(surface: str, norm: NormalisedName) -> str:
    """The name shown for an organisation whose chosen form is ``surface``.

    A qualified LittleSis-style name keeps its qualifier: "Apple, Fruit company" is not "Apple".
    """
    name = norm.display if norm.qualifier is None else " ".join(surface.split())
    return name or surface


def build_organisation(
    org_id: str,
    record_keys: Sequence[str],
    identifiers: Sequence[str],
    forms: Sequence[tuple[str, NormalisedName, int]],
    evidence: dict[str, tuple[str, float]],
) -> Organisation:
    """Assemble one organisation; ``evidence`` maps each surface form to (method, score).

    Forms without evidence get "exact" when they read as the display name and "normalised" otherwise.
    """
    surface, norm = choose_display(forms)
    aliases = []
    for form, form_norm, _ in sorted(forms):  # surface forms are distinct: sorts by form
        found = evidence.get(form)
        if found is None:
            found = ("exact", 1.0) if form == surface else ("normalised", 1.0)
        aliases.append(AliasEvidence(form, form_norm.key, found[1], found[0]))
    return Organisation(
        id=org_id,
        name=display_name(surface, norm),
        norm_name=norm.key,
        record_keys=tuple(sorted(record_keys)),
        identifiers=tuple(sorted(set(identifiers))) if identifiers else (),
        aliases=tuple(aliases),
    )
