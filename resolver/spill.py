"""An append-only sequence kept on disk: what a run must hand on in order but need not hold in memory.

Reconciliation decides a million organisations' changes long before the writer sends them; held as
objects they were ~0.6 kB each, the largest share of an ingest client's peak at 1M. A ``Spill``
encodes each item to a plain tuple, writes batches of them with ``marshal`` (the fastest stable codec
of the standard library for tuples of str / int / float / None; pickle of the dataclasses was 6x
slower) into an anonymous temporary file, and decodes them again, batch by batch, on every iteration.

Invariants: items come back in append order, once per iteration; iterations may overlap (each keeps
its own offset and reads with ``os.pread``); the file has no name and is gone when the spill is closed
or the process dies. The file is this process's own, so marshal's "no untrusted data" caveat is met.

>>> with Spill(lambda x: (x,), lambda row: row[0], batch=2) as s:
...     for word in ["a", "b", "c"]:
...         s.append(word)
...     (len(s), list(s), list(s))
(3, ['a', 'b', 'c'], ['a', 'b', 'c'])
"""

from __future__ import annotations

import heapq
import marshal
import os
import struct
import tempfile
import threading
from collections.abc import Callable, Iterator
from types import TracebackType
from typing import Any, Generic, Protocol, TypeVar

T = TypeVar("T")
S = TypeVar("S")


class Sink(Protocol[S]):
    """Where a run's rows go to be read back in order: a list, a ``Spill`` or a ``SortedSpill``."""

    def append(self, item: S, /) -> None: ...
    def __len__(self) -> int: ...
    def __iter__(self) -> Iterator[S]: ...


_HEADER = struct.Struct("<Q")  # the byte length of the marshalled batch that follows


class Spill(Generic[T]):
    """Append ``T``s; iterate them back in order, as often as needed (see the module docstring)."""

    def __init__(
        self,
        encode: Callable[[T], Any],
        decode: Callable[[Any], T],
        *,
        batch: int = 2_000,
        directory: str | None = None,
    ) -> None:
        self._encode = encode
        self._decode = decode
        self._batch = batch
        self._pending: list[Any] = []
        self._len = 0
        self._end = 0  # bytes written so far
        self._lock = (
            threading.Lock()
        )  # guards _pending, _len and _end: appends and reads may be in two threads
        self._file = tempfile.TemporaryFile(dir=directory)  # noqa: SIM115 (closed by close())

    def append(self, item: T) -> None:
        row = self._encode(item)
        with self._lock:
            self._pending.append(row)
            self._len += 1
            if len(self._pending) >= self._batch:
                self._flush()

    def _flush(self) -> None:
        if self._pending:
            blob = marshal.dumps(self._pending)
            os.pwrite(self._file.fileno(), _HEADER.pack(len(blob)) + blob, self._end)
            self._end += _HEADER.size + len(blob)
            self._pending = []

    def __len__(self) -> int:
        return self._len

    def __iter__(self) -> Iterator[T]:
        with self._lock:
            self._flush()
            end = self._end  # items appended after this point are not part of this iteration
        fd = self._file.fileno()
        offset = 0
        decode = self._decode
        while offset < end:
            (size,) = _HEADER.unpack(os.pread(fd, _HEADER.size, offset))
            blob = os.pread(fd, size, offset + _HEADER.size)
            if len(blob) != size:  # a regular file reads whole; anything else is damage
                raise OSError(f"spill file truncated at byte {offset}")
            rows = marshal.loads(blob)
            offset += _HEADER.size + size
            for row in rows:
                yield decode(row)

    def close(self) -> None:
        self._pending = []
        self._file.close()

    def __enter__(self) -> Spill[T]:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()


class SortedSpill(Generic[T]):
    """Append ``T``s in any order; iterate them back sorted by ``key`` (an external merge sort).

    Items gather in memory up to ``run`` of them; a full run is sorted and spilled to a ``Spill`` of
    its own, and iteration merges the spilled runs with the sorted rest (``heapq.merge``: stable, one
    batch per run in memory). A million PARENT_OF links held to be sorted were ~0.45 GB of an ingest's
    peak; in runs of 100,000 they are a tenth of that.

    >>> with SortedSpill(lambda x: (x,), lambda row: row[0], key=abs, run=2) as s:
    ...     for n in [3, -1, 2, -5, 4]:
    ...         s.append(n)
    ...     (len(s), list(s), list(s))
    (5, [-1, 2, 3, 4, -5], [-1, 2, 3, 4, -5])
    """

    def __init__(
        self,
        encode: Callable[[T], Any],
        decode: Callable[[Any], T],
        *,
        key: Callable[[T], Any],
        run: int = 100_000,
        directory: str | None = None,
    ) -> None:
        self._encode = encode
        self._decode = decode
        self._key = key
        self._run = run
        self._directory = directory
        self._pending: list[T] = []
        self._runs: list[Spill[T]] = []
        self._len = 0

    def append(self, item: T) -> None:
        self._pending.append(item)
        self._len += 1
        if len(self._pending) >= self._run:
            self._pending.sort(key=self._key)
            spill = Spill(self._encode, self._decode, directory=self._directory)
            self._runs.append(spill)
            for pending in self._pending:
                spill.append(pending)
            self._pending = []

    def __len__(self) -> int:
        return self._len

    def __iter__(self) -> Iterator[T]:
        self._pending.sort(key=self._key)  # earlier runs hold earlier appends: merge keeps ties in order
        return heapq.merge(*self._runs, list(self._pending), key=self._key)

    def close(self) -> None:
        self._pending = []
        for spill in self._runs:
            spill.close()
        self._runs = []

    def __enter__(self) -> SortedSpill[T]:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()
