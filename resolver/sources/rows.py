"""Streaming rows out of CSV, JSON-lines and JSON documents (for resolver.sources); no whole-file reads.

``ByteSource`` opens a path (or "-" for stdin) in binary, hashes every raw byte it reads (sha256 of the
file as stored, compressed or not), and decompresses gzip when the first two bytes are the gzip magic,
whatever the extension. The row readers yield ``Row``s: the 1-based physical line where the record
starts, its values, the raw text (cut), or the reason the record cannot be read (invalid UTF-8 on that
line, malformed CSV or JSON, duplicate JSON keys, NaN/Infinity, a non-object JSON record). A bad record
never stops the reading of the next lines; a structural failure (a JSON document broken mid-way, a
truncated gzip stream, an I/O error) raises SourceError with the file and line.

- CSV: decoded per physical line (invalid UTF-8 spoils only its record), a BOM is dropped, blank lines
  are skipped, a record spanning lines (quoted newlines) has the line it starts on, fields have no size
  limit here (the mapping layer caps names), a row whose field count differs from the header's is
  reported, not padded, and bad quoting (text after a closing quote, a quote left open at the end of the
  file) is a malformed row (csv strict mode).
- JSON lines: one object per line; blank lines are skipped.
- JSON documents: streamed by ``resolver.sources.jsondoc.JsonDocument`` with the same rules.
"""

from __future__ import annotations

import codecs
import csv
import hashlib
import json
import re
import sys
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from typing import IO, Any

from resolver.errors import SourceError

CHUNK = 1 << 16
RAW_CHARS = 4_000  # Reject.raw is cut here
SURROGATE_RE = re.compile(r"[\udc80-\udcff]")
_LONE_SURROGATE_RE = re.compile(r"[\ud800-\udfff]")  # from a JSON escape such as "\ud800": not Unicode text
TOO_DEEP = "JSON nested too deeply to read (over about 1,000 levels)"
GZIP_MAGIC = b"\x1f\x8b"


@dataclass(frozen=True, slots=True)
class Row:
    """One record: the line it starts on, its values (keys as given), and why it is unreadable."""

    line: int
    values: dict[str, Any]
    raw: str
    error: str | None = None
    code: str = "invalid"
    field: str | None = None  # the field an error is in, when one is


def cut(text: str) -> str:
    return text if len(text) <= RAW_CHARS else text[:RAW_CHARS] + "..."


def _replaced(text: str) -> str:
    """Undecodable bytes (kept as surrogate escapes) as U+FFFD."""
    if SURROGATE_RE.search(text):
        return text.encode("utf-8", "surrogateescape").decode("utf-8", "replace")
    return text


def shown_raw(text: str) -> str:
    """Raw text for a reject: undecodable bytes shown as U+FFFD."""
    if SURROGATE_RE.search(text):
        text = text.encode("utf-8", "surrogateescape").decode("utf-8", "replace")
    return cut(text)


class ByteSource:
    """Binary input with hashing, gzip detection, line reading and a look-ahead buffer."""

    def __init__(self, path: str) -> None:
        self.path = path
        self._digest = hashlib.sha256()
        try:
            self._raw: IO[bytes] = sys.stdin.buffer if path == "-" else open(path, "rb", buffering=0)  # noqa: SIM115
        except OSError as exc:
            raise SourceError(f"cannot open: {exc.strerror or exc}", path=path) from exc
        self._read_raw = getattr(self._raw, "read1", self._raw.read)
        self._stream: Any = None  # decompressor or None
        self._pending = b""
        self._buf = bytearray()
        self._eof = False
        self.line = 1  # physical line at the start of the buffer
        first = self._raw_chunk()
        if first.startswith(GZIP_MAGIC):
            self._stream = zlib.decompressobj(zlib.MAX_WBITS | 16)
            self._pending = first
        else:
            self._buf += first
            self._eof = not first
        self.gzip = self._stream is not None

    # -- raw side --
    def _raw_chunk(self) -> bytes:
        try:
            data: bytes = self._read_raw(CHUNK)
        except OSError as exc:
            raise SourceError(f"cannot read: {exc.strerror or exc}", path=self.path, line=self.line) from exc
        self._digest.update(data)
        return data

    def _more(self) -> bool:
        """Append decoded bytes to the buffer; False at the end of the input."""
        if self._eof:
            return False
        if self._stream is None:
            data = self._raw_chunk()
            if not data:
                self._eof = True
                return False
            self._buf += data
            return True
        while True:
            data = self._pending or self._raw_chunk()
            self._pending = b""
            try:
                if not data:
                    if not self._stream.eof:
                        raise SourceError(
                            "truncated gzip stream (the file ends inside compressed data)",
                            path=self.path,
                            line=self.line,
                        )
                    self._eof = True
                    return False
                out = self._stream.decompress(data)
                while self._stream.eof and self._stream.unused_data:  # concatenated gzip members
                    rest = self._stream.unused_data
                    self._stream = zlib.decompressobj(zlib.MAX_WBITS | 16)
                    out += self._stream.decompress(rest)
            except zlib.error as exc:
                raise SourceError(
                    f"not a readable gzip stream: {exc}", path=self.path, line=self.line
                ) from exc
            if out:
                self._buf += out
                return True

    @property
    def sha256(self) -> str:
        return self._digest.hexdigest()

    def finish(self) -> None:
        """Read what is left of the raw input (so the digest covers every byte) and close it."""
        try:
            while self._raw_chunk():
                pass
        finally:
            self.close()

    def close(self) -> None:
        if self._raw is not sys.stdin.buffer:
            self._raw.close()

    # -- decoded side --
    def peek_line(self) -> bytes:
        """The first line still unread (without consuming it), or b'' at the end."""
        start = 0
        while (end := self._buf.find(b"\n", start)) < 0:
            start = len(self._buf)
            if not self._more():
                return bytes(self._buf)
        return bytes(self._buf[: end + 1])

    def first_byte(self) -> bytes:
        """The first non-whitespace byte still unread (b'' when none), without consuming anything."""
        start = 0
        while True:
            stripped = self._buf[start:].lstrip(b" \t\r\n\xef\xbb\xbf")
            if stripped:
                return bytes(stripped[:1])
            start = len(self._buf)
            if not self._more():
                return b""

    def lines(self) -> Iterator[bytes]:
        """Physical lines with their endings; ``self.line`` is the number of the line last yielded."""
        self.line = 0
        start = 0
        while True:
            end = self._buf.find(b"\n", start)
            if end < 0:
                start = len(self._buf)
                if self._more():
                    continue
                if self._buf:
                    self.line += 1
                    data = bytes(self._buf)
                    self._buf.clear()
                    yield data
                return
            data = bytes(self._buf[: end + 1])
            del self._buf[: end + 1]
            start = 0
            self.line += 1
            yield data

    def chunks(self) -> Iterator[bytes]:
        """The unread bytes in pieces."""
        while self._buf or self._more():
            data = bytes(self._buf)
            self._buf.clear()
            yield data


# -- CSV --


class CsvRows:
    """CSV rows after the header; ``header`` is read eagerly (SourceError if there is none).

    ``delimiter`` is "," or a tab (or any one character); ``columns`` names the columns of a header-less
    file (every line is then a row, and ``header_line`` is 0); ``encoding`` is the text encoding of the
    bytes (UTF-8 unless the file says otherwise, e.g. cp1252). ``lenient`` rows that cannot be read still
    carry what was read (short rows padded with "", long ones cut, bad bytes as U+FFFD), for a caller
    that echoes every row.
    """

    def __init__(
        self,
        source: ByteSource,
        *,
        delimiter: str = ",",
        columns: list[str] | None = None,
        lenient: bool = False,
        encoding: str = "utf-8",
    ) -> None:
        self._source = source
        self._encoding = encoding
        self._lenient = lenient  # bad rows keep their values (padded, U+FFFD for bad bytes) beside the error
        self._bad_lines: set[int] = set()
        self._texts: dict[int, str] = {}
        csv.field_size_limit(2**31 - 1)  # long fields are refused per row by the mapping layer
        # bad quoting is an error, not data
        self._reader = csv.reader(self._decoded_lines(), delimiter=delimiter, strict=True)
        self.header: list[str] = list(columns or [])
        self.header_line = 0
        while not self.header:
            start = self._reader.line_num + 1
            try:
                fields = next(self._reader)
            except StopIteration:
                raise SourceError("empty file: expected a header row", path=source.path) from None
            except csv.Error as exc:
                raise SourceError(f"unreadable header: {exc}", path=source.path, line=start) from exc
            if any(f.strip() for f in fields):
                if self._bad_lines:
                    raise SourceError("header is not valid UTF-8", path=source.path, line=start)
                self.header, self.header_line = fields, start
        self._texts.clear()

    def _decoded_lines(self) -> Iterator[str]:
        for data in self._source.lines():
            if self._source.line == 1 and data.startswith(codecs.BOM_UTF8):
                data = data[3:]
            try:
                text = data.decode(self._encoding)
            except UnicodeDecodeError:
                text = data.decode(self._encoding, "surrogateescape")
                self._bad_lines.add(self._source.line)
            self._texts[self._source.line] = text
            yield text

    def __iter__(self) -> Iterator[Row]:
        width = len(self.header)
        reader = self._reader
        while True:
            start = reader.line_num + 1
            try:
                fields = next(reader)
            except StopIteration:
                return
            except csv.Error as exc:
                yield Row(
                    start, {}, self._raw(start, reader.line_num), f"malformed CSV: {exc}", "malformed_csv"
                )
                continue
            end = reader.line_num
            raw = self._raw(start, end)
            if not fields or (len(fields) == 1 and not fields[0].strip() and width > 1):
                continue  # a blank line
            bad = sorted(n for n in self._bad_lines if start <= n <= end)
            if bad:
                self._bad_lines.difference_update(bad)
                values = self._kept([_replaced(f) for f in fields])
                yield Row(start, values, raw, f"invalid UTF-8 on line {bad[0]}", "invalid_utf8")
            elif len(fields) != width:
                reason = f"{len(fields)} fields where the header (line {self.header_line}) has {width}"
                yield Row(start, self._kept(fields), raw, reason, "wrong_columns")
            else:
                yield Row(start, dict(zip(self.header, fields, strict=True)), raw)

    def _kept(self, fields: list[str]) -> dict[str, Any]:
        """A bad row's values in lenient mode (padded or cut to the header), else none."""
        if not self._lenient:
            return {}
        width = len(self.header)
        return dict(zip(self.header, (fields + [""] * width)[:width], strict=True))

    def _raw(self, start: int, end: int) -> str:
        parts = [self._texts.pop(n, "") for n in range(start, end + 1)]
        return shown_raw("".join(parts).rstrip("\r\n"))


# -- JSON --


class StrictJson:
    """A JSON decoder that notes duplicate keys, NaN/Infinity and lone surrogates ("\\ud800", which no
    UTF-8 writer can store) instead of accepting them silently."""

    def __init__(self) -> None:
        self.problems: list[str] = []
        self.field: str | None = None  # the key holding the first lone surrogate
        self.decoder = json.JSONDecoder(object_pairs_hook=self._pairs, parse_constant=self._constant)

    def clear(self) -> None:
        self.problems.clear()
        self.field = None

    def _surrogate(self, key: str, value: Any) -> bool:
        texts = [key, value] if isinstance(value, str) else [key]
        if isinstance(value, list):
            texts += [v for v in value if isinstance(v, str)]
        for text in texts:
            found = _LONE_SURROGATE_RE.search(text)
            if found and self.field is None:
                self.field = key
                self.problems.append(
                    f"{key}: lone surrogate U+{ord(found[0]):04X} at position {found.start() + 1} "
                    "(not Unicode text)"
                )
                return True
        return False

    def _pairs(self, pairs: list[tuple[str, Any]]) -> dict[str, Any]:
        for key, value in pairs:
            if (isinstance(value, str | list) or not key.isascii()) and self._surrogate(key, value):
                break
        result = dict(pairs)
        if len(result) != len(pairs):
            seen: set[str] = set()
            dups = sorted({k for k, _ in pairs if k in seen or seen.add(k)})  # type: ignore[func-returns-value]
            self.problems.append(f"duplicate keys {', '.join(map(repr, dups))}")
        return result

    def _constant(self, name: str) -> None:
        self.problems.append(f"{name} is not a JSON value")

    def check(self, value: Any) -> str | None:
        problem = "; ".join(self.problems) or None
        self.problems.clear()
        if problem is None and isinstance(value, str) and _LONE_SURROGATE_RE.search(value):
            problem = "lone surrogate (not Unicode text)"
        if problem is None and not isinstance(value, dict):
            problem = f"a record must be a JSON object, not {type(value).__name__}"
        return problem


def json_lines(source: ByteSource) -> Iterator[Row]:
    strict = StrictJson()
    for data in source.lines():
        number = source.line
        if number == 1 and data.startswith(codecs.BOM_UTF8):
            data = data[3:]
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError as exc:
            raw = shown_raw(data.decode("utf-8", "surrogateescape").rstrip("\r\n"))
            yield Row(number, {}, raw, f"invalid UTF-8 (byte {exc.start + 1})", "invalid_utf8")
            continue
        if not text.strip():
            continue
        raw = cut(text.rstrip("\r\n"))
        try:
            value = strict.decoder.decode(text)
        except ValueError as exc:
            strict.clear()
            yield Row(number, {}, raw, f"malformed JSON: {exc}", "malformed_json")
            continue
        except RecursionError:
            strict.clear()
            yield Row(number, {}, raw, TOO_DEEP, "too_deep")
            continue
        fld = strict.field
        problem = strict.check(value)
        if problem:
            yield Row(number, {}, raw, problem, "invalid_unicode" if fld else "malformed_json", fld)
            strict.field = None
        else:
            yield Row(number, value, raw)
