"""The name index ``resolver.match.Matcher`` searches, and its cache on disk.

Building the index normalises every name and alias of the graph and computes its blocking keys: at a
million organisations that is most of a ``resolver match`` run. The index is a pure function of the
names (in order, with the organisation each belongs to), ``max_bucket`` and the code that normalises and
blocks, so ``IndexCache`` keeps it in a file under a SHA-256 of exactly those (``index_digest``): a graph
whose names changed in any way, other settings, or another version of ``normalise``, ``vocabulary``,
``block`` or this module give another digest, and the index is built afresh (and the file replaced).

The file is written with ``marshal`` (built-in types only: loading it runs no code), atomically, private
(0600 in a 0700 directory); a file that is stale, truncated or from another Python is ignored.
"""

from __future__ import annotations

import hashlib
import marshal
import os
import sys
import tempfile
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from importlib import metadata
from itertools import chain
from pathlib import Path
from typing import Protocol

import numpy as np

from resolver import block, normalise, vocabulary
from resolver.block import HALF_BUCKET, blocking_keys, common_words, token_frequencies
from resolver.gcpause import paused_gc
from resolver.normalise import NormalisedName, acronym_forms, normalise_name

FORMAT = 2  # bump when the layout of the file changes
_MAGIC = "resolver-match-index"


def unit_key(norm: NormalisedName) -> str:
    """The index key of a normalised name: its key, and its qualifier when it has one."""
    return norm.key if norm.qualifier is None else norm.key + "\x1f" + norm.qualifier


class UnitList(Protocol):
    def __len__(self) -> int: ...
    def __getitem__(self, u: int, /) -> NormalisedName: ...


class IntLists(Protocol):
    def __len__(self) -> int: ...
    def __getitem__(self, u: int, /) -> list[int]: ...


class KeyIndex(Protocol):
    def get(self, key: str, /) -> int | None: ...
    def __contains__(self, key: object, /) -> bool: ...


class KeyLists(Protocol):
    def get(self, key: str, /) -> list[int] | None: ...


@dataclass(slots=True)
class NameIndex:
    """Distinct normalised names ("units") of the graph and the ways to reach them.

    ``unit_orgs[u]``: organisations (positions) carrying unit ``u``; ``unit_form[u]``: the first surface
    form seen for it; ``blocks``: blocking key -> units (the caps of ``resolver.block.block``);
    ``acronyms``: acronym form -> multi-word units that spell it; ``prefix_keys`` (sorted, casefolded
    surface forms) and ``prefix_orgs``: for suggestions by prefix.
    """

    units: UnitList
    unit_orgs: IntLists
    unit_form: list[str]
    unit_of: KeyIndex
    freq: dict[str, int]
    common: frozenset[str]
    blocks: KeyLists
    acronyms: dict[str, list[int]]
    prefix_keys: list[str]
    prefix_orgs: list[int]


def build_index(forms: Sequence[tuple[str, int]], max_bucket: int) -> NameIndex:
    """The index of ``forms`` ((surface name, organisation position) pairs, in order).

    Example:
        >>> idx = build_index([("Department for Education", 0), ("DfE", 0), ("Ministry of Justice", 1)], 200)
        >>> idx.unit_form, idx.unit_orgs, idx.acronyms["moj"]
        (['Department for Education', 'DfE', 'Ministry of Justice'], [[0], [0], [1]], [2])
    """
    with paused_gc():
        cache: dict[str, NormalisedName] = {}
        unit_of: dict[str, int] = {}
        units: list[NormalisedName] = []
        unit_orgs: list[list[int]] = []
        unit_form: list[str] = []
        prefixes: list[tuple[str, int]] = []
        for surface, org in forms:
            norm = cache.get(surface)
            if norm is None:
                norm = cache[surface] = normalise_name(surface)
            prefixes.append((surface.casefold(), org))
            if not norm.key:
                continue
            key = unit_key(norm)
            u = unit_of.get(key)
            if u is None:
                unit_of[key] = len(units)
                units.append(norm)
                unit_orgs.append([org])
                unit_form.append(surface)
            elif org not in unit_orgs[u]:
                unit_orgs[u].append(org)
        freq = dict(token_frequencies(units))
        common = common_words(freq, len(units))  # type: ignore[arg-type]
        index: dict[str, list[int]] = {}
        for u, norm in enumerate(units):
            for k in blocking_keys(norm, freq, max_bucket):
                bucket = index.get(k)
                if bucket is None:
                    index[k] = [u]
                else:
                    bucket.append(u)
        # The same caps as block(): a key that common says nothing about identity.
        blocks = {
            k: v
            for k, v in index.items()
            if len(v) <= max_bucket and not (len(v) > HALF_BUCKET and k[0] in "az")
        }
        acronyms: dict[str, list[int]] = {}
        for u, norm in enumerate(units):
            if norm.acronym is not None and len(norm.tokens) >= 2:
                for a in acronym_forms(norm):
                    acronyms.setdefault(a, []).append(u)
        prefixes.sort()
        return NameIndex(
            units,
            unit_orgs,
            unit_form,
            unit_of,
            freq,
            common,
            blocks,
            acronyms,
            [p for p, _ in prefixes],
            [o for _, o in prefixes],
        )


@cache
def code_version() -> str:
    """A digest of the code the index depends on: these modules, the libraries they normalise with and
    the Unicode tables (and the Python that marshals the file)."""
    libraries = " ".join(f"{name}={metadata.version(name)}" for name in ("anyascii", "rapidfuzz"))
    h = hashlib.sha256(
        f"{_MAGIC} {FORMAT} {sys.version_info[:2]} {unicodedata.unidata_version} {libraries}".encode()
    )
    for module in (normalise, vocabulary, block, sys.modules[__name__]):
        h.update(Path(str(module.__file__)).read_bytes())
    return h.hexdigest()


def index_digest(forms: Sequence[tuple[str, int]], max_bucket: int) -> str:
    """What the index of ``forms`` depends on, as one SHA-256 (see the module docstring).

    >>> index_digest([("Home Office", 0)], 200) == index_digest([("Home Office", 0)], 200)
    True
    >>> index_digest([("Home Office", 0)], 200) == index_digest([("Home Office", 1)], 200)
    False
    """
    h = hashlib.sha256(f"{code_version()} {max_bucket}\n".encode())
    step = 50_000
    for start in range(0, len(forms), step):
        chunk = forms[start : start + step]
        h.update(
            "".join(f"{surface}\x1f{org}\x1e" for surface, org in chunk).encode("utf-8", "surrogatepass")
        )
    return h.hexdigest()


def key_hash(key: str) -> int:
    """A stable 64-bit hash of a key (Python's own ``hash`` of a string changes between processes).

    >>> key_hash("t:education") == key_hash("t:education"), 0 <= key_hash("x") < 2**64
    (True, True)
    """
    return int.from_bytes(
        hashlib.blake2b(key.encode("utf-8", "surrogatepass"), digest_size=8).digest(), "little"
    )


class Postings:
    """Lists of ints stored flat: ``offsets[i]:offsets[i + 1]`` of ``values`` is list ``i``."""

    def __init__(self, offsets: np.ndarray, values: np.ndarray) -> None:
        self.offsets = offsets
        self.values = values

    @classmethod
    def of(cls, lists: Sequence[Sequence[int]]) -> Postings:
        lengths = np.fromiter((len(x) for x in lists), dtype=np.int64, count=len(lists))
        offsets = np.zeros(len(lists) + 1, dtype=np.int64)
        np.cumsum(lengths, out=offsets[1:])
        values = np.fromiter(chain.from_iterable(lists), dtype=np.int32, count=int(offsets[-1]))
        return cls(offsets, values)

    def __len__(self) -> int:
        return len(self.offsets) - 1

    def __getitem__(self, i: int) -> list[int]:
        values: list[int] = self.values[self.offsets[i] : self.offsets[i + 1]].tolist()
        return values


class HashedTable:
    """A read-only ``str -> list[int]`` table looked up by ``key_hash`` (sorted hashes, binary search).

    Two keys sharing a 64-bit hash would share a bucket: harmless for blocking, which only proposes
    candidates that the scorer then judges; ``UnitKeys`` checks the key itself.
    """

    def __init__(self, hashes: np.ndarray, postings: Postings) -> None:
        self.hashes = hashes
        self.postings = postings

    @classmethod
    def of(cls, table: dict[str, list[int]]) -> HashedTable:
        keys = list(table)
        hashes = np.fromiter((key_hash(k) for k in keys), dtype=np.uint64, count=len(keys))
        order = np.argsort(hashes, kind="stable")
        return cls(hashes[order], Postings.of([table[keys[i]] for i in order.tolist()]))

    def get(self, key: str) -> list[int] | None:
        h = np.uint64(key_hash(key))
        i = int(np.searchsorted(self.hashes, h))
        if i < len(self.hashes) and self.hashes[i] == h:
            return self.postings[i]
        return None


class UnitKeys:
    """``unit_key -> unit`` read-only, by hash, checked against the unit's own key."""

    def __init__(self, table: HashedTable, keys: list[str]) -> None:
        self.table = table
        self.keys = keys

    def get(self, key: str) -> int | None:
        for u in self.table.get(key) or ():
            if self.keys[u] == key:
                return u
        return None

    def __contains__(self, key: object) -> bool:
        return isinstance(key, str) and self.get(key) is not None


_FIELDS = "\x1f"


def _unit_row(n: NormalisedName) -> str:
    fields = (n.acronym, n.legal_form, n.qualifier, n.tag, n.segments)
    optional = ("" if x is None else "=" + x for x in fields)
    return _FIELDS.join((n.display, n.key, " ".join(n.tokens), "1" if n.acronym_explicit else "0", *optional))


def _parse_unit(row: str) -> NormalisedName:
    display, key, tokens, explicit, acronym, legal, qualifier, tag, segments = row.split(_FIELDS)
    return NormalisedName(
        display,
        key,
        tuple(tokens.split(" ")) if tokens else (),
        acronym[1:] if acronym else None,
        legal[1:] if legal else None,
        qualifier[1:] if qualifier else None,
        explicit == "1",
        tag[1:] if tag else None,
        segments[1:] if segments else None,
    )


class Units:
    """The normalised names of a loaded index, made from their stored rows when first asked for."""

    def __init__(self, rows: list[str]) -> None:
        self.rows = rows
        self.made: dict[int, NormalisedName] = {}

    def __len__(self) -> int:
        return len(self.rows)

    def __getitem__(self, u: int) -> NormalisedName:
        n = self.made.get(u)
        if n is None:
            n = self.made[u] = _parse_unit(self.rows[u])
        return n


class IndexCache:
    """One index kept in ``path`` with the digest it was built for.

    Example:
        >>> import tempfile
        >>> forms = [("Department for Education", 0), ("DfE", 0)]
        >>> digest = index_digest(forms, 200)
        >>> with tempfile.TemporaryDirectory() as tmp:
        ...     cache = IndexCache(Path(tmp) / "graph.idx")
        ...     before = cache.load(digest)
        ...     cache.save(digest, build_index(forms, 200))
        ...     after = cache.load(digest)
        >>> before is None, after.unit_form if after else None
        (True, ['Department for Education', 'DfE'])
    """

    def __init__(self, path: Path) -> None:
        self.path = path

    def load(self, digest: str) -> NameIndex | None:
        """The index kept for ``digest``, or None (no file, another digest, or an unreadable file)."""
        try:
            with self.path.open("rb") as f, paused_gc():
                if marshal.load(f) != (_MAGIC, FORMAT, digest):
                    return None
                rows, keys, unit_form, freq, common, acronyms, prefix_keys = marshal.load(f)
                arrays = np.load(f, allow_pickle=False)
                unit_orgs = Postings(arrays["orgs_offsets"], arrays["orgs_values"])
                unit_table = HashedTable(
                    arrays["unit_hashes"], Postings(arrays["unit_offsets"], arrays["unit_values"])
                )
                blocks = HashedTable(
                    arrays["block_hashes"], Postings(arrays["block_offsets"], arrays["block_values"])
                )
                prefix_orgs = arrays["prefix_orgs"].tolist()
            return NameIndex(
                Units(rows),
                unit_orgs,
                unit_form,
                UnitKeys(unit_table, keys),
                freq,
                frozenset(common),
                blocks,
                acronyms,
                prefix_keys,
                prefix_orgs,
            )
        except (OSError, EOFError, ValueError, TypeError, KeyError):
            return None

    def save(self, digest: str, index: NameIndex) -> None:
        """Keep ``index`` (as built by ``build_index``) for ``digest``, replacing the file atomically; a
        failure to write is ignored (the cache only saves time)."""
        assert isinstance(index.unit_of, dict) and isinstance(index.blocks, dict)
        units = [index.units[u] for u in range(len(index.units))]
        keys = [unit_key(n) for n in units]
        unit_table = HashedTable.of({k: [u] for u, k in enumerate(keys)})
        blocks = HashedTable.of(index.blocks)
        unit_orgs = Postings.of([index.unit_orgs[u] for u in range(len(units))])
        header = (
            [_unit_row(n) for n in units],
            keys,
            index.unit_form,
            index.freq,
            tuple(index.common),
            index.acronyms,
            index.prefix_keys,
        )
        tmp_name = ""
        try:
            self.path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
            fd, tmp_name = tempfile.mkstemp(prefix=".index-", dir=self.path.parent)
            with os.fdopen(fd, "wb") as f:
                marshal.dump((_MAGIC, FORMAT, digest), f)
                marshal.dump(header, f)
                np.savez(
                    f,
                    orgs_offsets=unit_orgs.offsets,
                    orgs_values=unit_orgs.values,
                    unit_hashes=unit_table.hashes,
                    unit_offsets=unit_table.postings.offsets,
                    unit_values=unit_table.postings.values,
                    block_hashes=blocks.hashes,
                    block_offsets=blocks.postings.offsets,
                    block_values=blocks.postings.values,
                    prefix_orgs=np.asarray(index.prefix_orgs, dtype=np.int32),
                )
            os.replace(tmp_name, self.path)
        except (OSError, ValueError):
            if tmp_name:
                Path(tmp_name).unlink(missing_ok=True)
