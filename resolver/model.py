"""Records shared by the pipeline stages. All frozen: a stage returns new records, never mutates.

Naming: Python stays snake_case; the graph row builders in ``resolver.graph.writer`` map to the
lowerCamelCase properties of the graph model.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from datetime import date
from typing import Any, Literal

Precision = Literal["day", "month", "year"]


@dataclass(frozen=True, slots=True)
class PartialDate:
    """A date known to a day, a month or a year: '2019-05-00' is May 2019.

    Invariant: earliest <= latest; both are real calendar days; ``text`` is the input as given.
    ``earliest == date.min`` means no lower bound: "on or before ``latest``" (a first observation), stored
    as an unknown ``validFrom`` with a known ``validFromLatest``.
    """

    text: str
    precision: Precision
    earliest: date
    latest: date


@dataclass(frozen=True, slots=True)
class Mention:
    """A name as one source record gives it, with whatever ties it to a real-world body."""

    name: str
    identifiers: tuple[str, ...] = ()  # "scheme:value", e.g. "ods:A81001", "littlesis:13191"
    aliases: tuple[str, ...] = ()  # other names the source says denote the same body


@dataclass(frozen=True, slots=True)
class ParentClaim:
    """'parent sits over child' for a spell, as one source row says. Becomes one PARENT_OF edge."""

    claim_id: str  # deterministic: the idempotence key of the edge
    parent: Mention
    child: Mention
    start: PartialDate | None
    end: PartialDate | None
    is_current: bool | None
    source: str
    source_id: str | None = None
    source_urls: tuple[str, ...] = ()
    notes: str | None = None
    description: str | None = None
    line: int | None = None  # 1-based line where the record starts in its file


@dataclass(frozen=True, slots=True)
class EntityClaim:
    """An organisation named by a source with no edge (entity lists, LittleSis entities.json)."""

    mention: Mention
    source: str
    source_id: str | None = None
    line: int | None = None


@dataclass(frozen=True, slots=True)
class SuccessionClaim:
    """'predecessor was replaced by successor' on a date, as one source row says (not a merge: both stay).

    Becomes one (predecessor)-[:SUCCEEDED_BY {claimId, validFrom...}]->(successor) edge; ``start`` is the
    day (or the range of days) of the succession, ``end`` is normally unknown.
    """

    claim_id: str
    predecessor: Mention
    successor: Mention
    start: PartialDate | None
    end: PartialDate | None
    source: str
    source_id: str | None = None
    notes: str | None = None
    line: int | None = None


@dataclass(frozen=True, slots=True)
class NameClaim:
    """'the body ``mention`` identifies was called ``mention.name`` during a spell', as one source row says.

    Becomes (:Alias {name})-[:NAME_OF {claimId, validFrom..., validTo..., isCurrent}]->(:Organisation).
    """

    claim_id: str
    mention: Mention
    start: PartialDate | None
    end: PartialDate | None
    is_current: bool | None
    source: str
    source_id: str | None = None
    notes: str | None = None
    line: int | None = None


@dataclass(frozen=True, slots=True)
class Reject:
    """A row a reader or the pipeline refused, with where and why."""

    path: str
    line: int | None
    reason: str
    field: str | None = None
    code: str = "invalid"
    raw: str | None = dataclasses.field(default=None, repr=False)


@dataclass(frozen=True, slots=True)
class EntityRecord:
    """The unit of resolution: one name (plus evidence) that must end in exactly one organisation.

    ``key`` is unique within one resolve call. ``org_id`` is set when the graph already assigned
    this name to an organisation: it is kept (stable ids) and two different org_ids never merge.
    ``scope`` is where the name belongs (a country code, a register): records of two different scopes
    never merge ("Ministry of Health" of Kenya and of Ghana).
    """

    key: str
    name: str
    aliases: tuple[str, ...] = ()
    identifiers: tuple[str, ...] = ()
    org_id: str | None = None
    scope: str | None = None


# -- What the graph writer stores; the row builders map these to camelCase properties. --


@dataclass(frozen=True, slots=True)
class OrganisationNode:
    """(:Organisation {id, name, normName}); ``id`` is stable across runs and never reused."""

    id: str
    name: str
    norm_name: str


@dataclass(frozen=True, slots=True)
class AliasLink:
    """(:Alias {name, normName})-[:ALIAS_OF {score, method, runId}]->(:Organisation {id: org_id})."""

    name: str
    norm_name: str
    org_id: str
    score: float
    method: str


@dataclass(frozen=True, slots=True)
class IdentifierLink:
    """(:Identifier {key: 'scheme:value', scheme, value})-[:IDENTIFIES]->(:Organisation {id: org_id})."""

    key: str
    org_id: str

    @property
    def scheme(self) -> str:
        return self.key.split(":", 1)[0]

    @property
    def value(self) -> str:
        return self.key.split(":", 1)[1] if ":" in self.key else self.key


@dataclass(frozen=True, slots=True)
class OrganisationChange:
    """One organisation to create or rename, with the aliases and identifiers it gains (all may be empty):
    what reconciliation decides and the writers (Bolt and bulk) write, one object for both."""

    node: OrganisationNode
    aliases: tuple[AliasLink, ...] = ()
    identifiers: tuple[IdentifierLink, ...] = ()

    def as_row(self) -> tuple[Any, ...]:
        """Plain values only (``resolver.spill`` keeps changes on disk as these); ``from_row`` inverts it.

        >>> c = OrganisationChange(OrganisationNode("o1", "A", "a"), (AliasLink("A", "a", "o1", 1.0, "x"),),
        ...                        (IdentifierLink("ods:X", "o1"),))
        >>> OrganisationChange.from_row(c.as_row()) == c
        True
        """
        n = self.node
        aliases = tuple((a.name, a.norm_name, a.score, a.method) for a in self.aliases if a.org_id == n.id)
        if len(aliases) != len(self.aliases) or any(i.org_id != n.id for i in self.identifiers):
            raise ValueError(f"a change of {n.id} carries another organisation's alias or identifier")
        return (n.id, n.name, n.norm_name, aliases, tuple(i.key for i in self.identifiers))

    @staticmethod
    def from_row(row: tuple[Any, ...]) -> OrganisationChange:
        org_id, name, norm_name, aliases, identifiers = row
        return OrganisationChange(
            OrganisationNode(org_id, name, norm_name),
            tuple(AliasLink(a, n, org_id, s, m) for a, n, s, m in aliases),
            tuple(IdentifierLink(key, org_id) for key in identifiers),
        )


@dataclass(frozen=True, slots=True)
class ParentLink:
    """One dated spell: (parent)-[:PARENT_OF {claimId, ...}]->(child), keyed by claim_id."""

    claim_id: str
    parent_id: str
    child_id: str
    start: PartialDate | None
    end: PartialDate | None
    is_current: bool | None
    source: str
    source_id: str | None = None
    source_urls: tuple[str, ...] = ()
    notes: str | None = None
    description: str | None = None

    def as_row(self) -> tuple[Any, ...]:
        """Plain values only (``resolver.spill`` keeps links on disk as these); ``from_row`` inverts it.

        >>> may = PartialDate("2019-05-00", "month", date(2019, 5, 1), date(2019, 5, 31))
        >>> link = ParentLink("c1", "org-a", "org-b", may, None, True, "ods", "r1", ("https://x",))
        >>> ParentLink.from_row(link.as_row()) == link
        True
        """
        return (
            self.claim_id,
            self.parent_id,
            self.child_id,
            date_row(self.start),
            date_row(self.end),
            *(self.is_current, self.source, self.source_id, self.source_urls, self.notes, self.description),
        )

    @staticmethod
    def from_row(row: tuple[Any, ...]) -> ParentLink:
        claim_id, parent_id, child_id, start, end, *rest = row
        return ParentLink(claim_id, parent_id, child_id, from_date_row(start), from_date_row(end), *rest)


def date_row(d: PartialDate | None) -> tuple[str, str, int, int] | None:
    """A partial date in plain values (day ordinals), for ``resolver.spill``; ``from_date_row`` inverts it."""
    return None if d is None else (d.text, d.precision, d.earliest.toordinal(), d.latest.toordinal())


def from_date_row(row: tuple[str, Precision, int, int] | None) -> PartialDate | None:
    if row is None:
        return None
    text, precision, earliest, latest = row
    return PartialDate(text, precision, date.fromordinal(earliest), date.fromordinal(latest))


@dataclass(frozen=True, slots=True)
class SuccessionLink:
    """(predecessor)-[:SUCCEEDED_BY {claimId, ...}]->(successor), keyed by claim_id."""

    claim_id: str
    predecessor_id: str
    successor_id: str
    start: PartialDate | None
    end: PartialDate | None
    source: str
    source_id: str | None = None
    notes: str | None = None


@dataclass(frozen=True, slots=True)
class NameLink:
    """(:Alias {name})-[:NAME_OF {claimId, ...}]->(:Organisation {id: org_id}): a dated name, by claim_id."""

    claim_id: str
    name: str
    norm_name: str
    org_id: str
    start: PartialDate | None
    end: PartialDate | None
    is_current: bool | None
    source: str
    source_id: str | None = None
    notes: str | None = None
