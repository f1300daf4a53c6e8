"""What an ingest holds between reading its files and linking its claims (pure): every distinct mention
once, as a resolution record keyed by ``mention_key``, and the parent claims by claim id, compactly (the
record keys of their mentions instead of the mentions).

At a million claims the compact form matters: claims as ``ParentClaim`` objects with their mentions took
~1.1 kB each.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator, Sequence
from typing import overload

from resolver.model import EntityRecord, Mention, ParentClaim, PartialDate


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


class HeldClaims(Sequence[tuple[ParentClaim, str, str, str]]):
    """The run's distinct parent claims by claim id, held compactly (a million claims as ``ParentClaim``
    objects with their mentions took ~1.1 kB each). Reads as the (claim, file, parent key, child key)
    rows reconcile takes, each claim rebuilt on the fly with the mentions its record keys stand for."""

    def __init__(self, records: Records) -> None:
        self.records = records
        self.rows: dict[str, _Held] = {}
        self.paths: list[str] = []

    def add(self, claim: ParentClaim, path: str) -> bool:
        """Hold ``claim`` (read from ``path``); False when its claim id is held already (a duplicate)."""
        if claim.claim_id in self.rows:
            return False
        if not self.paths or self.paths[-1] != path:
            self.paths.append(path)
        add = self.records.add
        self.rows[claim.claim_id] = (
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
        return True

    def _row(self, claim_id: str, h: _Held) -> tuple[ParentClaim, str, str, str]:
        names, ids = self.records.names, self.records.ids
        parent, child = Mention(names[h[0]], ids[h[0]]), Mention(names[h[1]], ids[h[1]])
        claim = ParentClaim(claim_id, parent, child, h[2], h[3], h[4], h[5], h[6], h[7], h[8], h[9], h[10])
        return claim, self.paths[h[11]], h[0], h[1]

    def __len__(self) -> int:
        return len(self.rows)

    def key_pairs(self) -> Iterator[tuple[str, str]]:
        """(parent key, child key) per claim, in claim order (``reconcile.key_pairs``)."""
        return ((h[0], h[1]) for h in self.rows.values())

    def __iter__(self) -> Iterator[tuple[ParentClaim, str, str, str]]:
        return (self._row(claim_id, h) for claim_id, h in self.rows.items())

    @overload
    def __getitem__(self, index: int) -> tuple[ParentClaim, str, str, str]: ...
    @overload
    def __getitem__(self, index: slice) -> Sequence[tuple[ParentClaim, str, str, str]]: ...
    def __getitem__(
        self, index: int | slice
    ) -> tuple[ParentClaim, str, str, str] | Sequence[tuple[ParentClaim, str, str, str]]:
        items = list(self.rows.items())[index]  # O(n): reconcile only iterates
        if isinstance(index, slice):
            return [self._row(*item) for item in items]
        return self._row(*items)

    def clear(self) -> None:
        self.rows.clear()
