"""What an ingest holds between reading its files and linking its claims (pure): every distinct mention
once, as a resolution record keyed by ``mention_key``, and the parent claims by claim id, compactly (the
record keys of their mentions instead of the mentions).

At a million claims the compact form matters: claims as ``ParentClaim`` objects with their mentions took
~1.1 kB each.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator, Sequence
from typing import Any, cast, overload

from resolver.model import EntityRecord, Mention, ParentClaim, PartialDate, date_row, from_date_row
from resolver.spill import Sink


def mention_key(m: Mention) -> str:
    """One record per distinct (name, identifiers): the same mention in many rows resolves once."""
    text = m.name + "\x1f" + "\x1e".join(sorted(set(m.identifiers)))
    return "m:" + hashlib.sha1(text.encode("utf-8", "surrogatepass")).hexdigest()[:20]


class _NoAliases(dict[str, set[str]]):
    """Aliases by record key, holding only the keys that have some (most mentions have none, and an empty
    set per mention costs ~200 bytes: 240 MB at a million); a missing key reads as an empty set."""

    def __missing__(self, key: str) -> set[str]:
        return set()


class Records:
    """Distinct mentions as resolution records, with aliases merged across rows."""

    def __init__(self) -> None:
        self.names: dict[str, str] = {}
        self.ids: dict[str, tuple[str, ...]] = {}
        self.aliases: dict[str, set[str]] = _NoAliases()

    def add(self, m: Mention) -> str:
        key = mention_key(m)
        if key not in self.names:
            self.names[key] = m.name
            ids = m.identifiers  # one identifier (the common case) is sorted and distinct already
            self.ids[key] = ids if len(ids) < 2 else tuple(sorted(set(ids)))
        if m.aliases and (more := {a for a in m.aliases if a != m.name}):
            self.aliases.setdefault(key, set()).update(more)
        return key

    def __len__(self) -> int:
        return len(self.names)

    def clear(self) -> None:
        self.names.clear()
        self.ids.clear()
        self.aliases.clear()

    def record(self, key: str, org_id: str | None) -> EntityRecord:
        return EntityRecord(key, self.names[key], tuple(sorted(self.aliases[key])), self.ids[key], org_id)


# A parent claim as held until it is linked: record keys of parent and child instead of their mentions
# (their names and identifiers live once in ``Records``), and the index of the file it came from.
_Held = tuple[
    str,  # claim id
    str,  # parent record key
    str,  # child record key
    PartialDate | None,  # start
    PartialDate | None,  # end
    bool | None,  # is_current
    str,  # source
    str | None,  # source_id
    tuple[str, ...],  # source_urls
    str | None,  # notes
    str | None,  # description
    int | None,  # line
    int,  # index of the file in ``paths``
]


RowSink = Sink[_Held]  # a list of held claims, or a resolver.spill.Spill of them


class HeldClaims(Sequence[tuple[ParentClaim, str, str, str]]):
    """The run's distinct parent claims by claim id, held compactly (a million claims as ``ParentClaim``
    objects with their mentions took ~1.1 kB each). Reads as the (claim, file, parent key, child key)
    rows reconcile takes, each claim rebuilt on the fly with the mentions its record keys stand for.

    ``rows``: where the compact rows go, in claim order: a list (the default), or ingest's
    ``resolver.spill.Spill`` of ``held_row`` / ``from_held_row``, which keeps them on disk (~0.3 kB a
    claim in memory otherwise). Only the claim ids stay in memory, to find duplicates.
    """

    def __init__(self, records: Records, rows: RowSink | None = None) -> None:
        self.records = records
        self.rows: RowSink = [] if rows is None else rows
        self.ids: set[str] = set()
        self.paths: list[str] = []

    def add(self, claim: ParentClaim, path: str) -> bool:
        """Hold ``claim`` (read from ``path``); False when its claim id is held already (a duplicate)."""
        if claim.claim_id in self.ids:
            return False
        self.ids.add(claim.claim_id)
        if not self.paths or self.paths[-1] != path:
            self.paths.append(path)
        add = self.records.add
        self.rows.append(
            (
                claim.claim_id,
                add(claim.parent),
                add(claim.child),
                claim.start,
                claim.end,
                claim.is_current,
                claim.source,
                claim.source_id,
                claim.source_urls,
                claim.notes,
                claim.description,
                claim.line,
                len(self.paths) - 1,
            )
        )
        return True

    def _row(self, h: _Held) -> tuple[ParentClaim, str, str, str]:
        names, ids = self.records.names, self.records.ids
        parent, child = Mention(names[h[1]], ids[h[1]]), Mention(names[h[2]], ids[h[2]])
        claim = ParentClaim(h[0], parent, child, h[3], h[4], h[5], h[6], h[7], h[8], h[9], h[10], h[11])
        return claim, self.paths[h[12]], h[1], h[2]

    def __len__(self) -> int:
        return len(self.rows)

    def key_pairs(self) -> Iterator[tuple[str, str]]:
        """(parent key, child key) per claim, in claim order (``reconcile.key_pairs``)."""
        return ((h[1], h[2]) for h in self.rows)

    def __iter__(self) -> Iterator[tuple[ParentClaim, str, str, str]]:
        return (self._row(h) for h in self.rows)

    @overload
    def __getitem__(self, index: int) -> tuple[ParentClaim, str, str, str]: ...
    @overload
    def __getitem__(self, index: slice) -> Sequence[tuple[ParentClaim, str, str, str]]: ...
    def __getitem__(
        self, index: int | slice
    ) -> tuple[ParentClaim, str, str, str] | Sequence[tuple[ParentClaim, str, str, str]]:
        items = list(self.rows)[index]  # O(n): reconcile only iterates
        if isinstance(items, list):
            return [self._row(h) for h in items]
        return self._row(items)

    def clear(self) -> None:
        self.ids.clear()
        self.rows = []  # a spill is closed by whoever made it


def held_row(h: _Held) -> tuple[Any, ...]:
    """A held claim in plain values (for a ``Spill``); ``from_held_row`` inverts it.

    >>> from datetime import date
    >>> d = PartialDate("2019-05-00", "month", date(2019, 5, 1), date(2019, 5, 31))
    >>> h = ("c1", "m:a", "m:b", d, None, True, "src", None, (), None, None, 7, 0)
    >>> from_held_row(held_row(h)) == h
    True
    """
    return (*h[:3], date_row(h[3]), date_row(h[4]), *h[5:])


def from_held_row(row: tuple[Any, ...]) -> _Held:
    return cast(_Held, (*row[:3], from_date_row(row[3]), from_date_row(row[4]), *row[5:]))
