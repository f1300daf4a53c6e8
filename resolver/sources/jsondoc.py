"""Records of one JSON document, streamed: a top-level array of objects (LittleSis bulk export: one line of
megabytes), an API page ``{"data": [...], ...}`` (or ``"results"``: the GOV.UK API), an object of records
keyed by name, or a single record. Arrays are parsed element by element from a growing buffer; the rows,
their line numbers and their problems follow the rules of ``resolver.sources.rows``."""

from __future__ import annotations

import codecs
import json
from collections.abc import Iterator
from typing import Any

from resolver.errors import SourceError
from resolver.sources.rows import (
    CHUNK,
    RAW_CHARS,
    SURROGATE_RE,
    TOO_DEEP,
    ByteSource,
    Row,
    StrictJson,
    shown_raw,
)

RECORD_KEYS = frozenset(
    {"name", "entity1", "entity2", "entity1_id", "entity2_id", "attributes", "parent", "child"}
)
_WS = " \t\r\n"


class JsonDocument:
    """Records of one JSON document (array, API page, object of records, or one record), streamed."""

    def __init__(self, source: ByteSource) -> None:
        self._source = source
        self._decoder = codecs.getincrementaldecoder("utf-8")("surrogateescape")
        self._chunks = source.chunks()
        self._buf = ""
        self._pos = 0
        self._line = 1  # the line at self._mark: newlines are counted once, never from the buffer start
        self._mark = 0
        self._eof = False
        self._strict = StrictJson()
        self._field: str | None = None  # the field of the last value's problem

    def _fill(self) -> bool:
        if self._eof:
            return False
        self._at()
        self._buf = self._buf[self._pos :]
        self._pos = self._mark = 0
        want = max(CHUNK, len(self._buf))  # grow geometrically: a long element is re-parsed O(log n) times
        got = 0
        while got < want:
            data = next(self._chunks, None)
            if data is None:
                self._buf += self._decoder.decode(b"", final=True)
                self._eof = True
                break
            text = self._decoder.decode(data)
            self._buf += text
            got += len(text)
        return got > 0 or bool(self._buf)

    def _at(self) -> int:
        """The line at the read position."""
        self._line += self._buf.count("\n", self._mark, self._pos)
        self._mark = self._pos
        return self._line

    def _skip_ws(self) -> str:
        """The next non-whitespace character ('' at the end), not consumed."""
        while True:
            while self._pos < len(self._buf) and self._buf[self._pos] in _WS + "\ufeff":
                self._pos += 1
            if self._pos < len(self._buf):
                return self._buf[self._pos]
            if not self._fill():
                return ""

    def _fail(self, what: str) -> SourceError:
        return SourceError(f"malformed JSON document: {what}", path=self._source.path, line=self._at())

    def _expect(self, chars: str) -> str:
        char = self._skip_ws()
        if not char or char not in chars:
            found = repr(char) if char else "the end of the file"
            raise self._fail(f"expected {' or '.join(map(repr, chars))}, found {found}")
        self._pos += 1
        return char

    def _value(self) -> tuple[int, Any, str, str | None]:
        """(start line, value, raw text, problem) of the next JSON value."""
        self._skip_ws()
        while True:
            try:
                value, end = self._strict.decoder.raw_decode(self._buf, self._pos)
            except json.JSONDecodeError as exc:
                self._strict.clear()
                near_end = exc.pos >= len(self._buf) - 16 or exc.msg.startswith("Unterminated string")
                if not self._eof and near_end and self._fill():
                    continue
                raise self._fail(exc.msg) from None
            except RecursionError:
                self._strict.clear()
                self._field = None
                line = self._at()
                text = self._skip_value()
                return line, None, text, TOO_DEEP
            break
        line = self._at()
        text = self._buf[self._pos : end]
        self._pos = end
        problem = "; ".join(self._strict.problems) or None
        self._field = self._strict.field
        self._strict.clear()
        if SURROGATE_RE.search(text):
            problem, self._field = "invalid UTF-8", None
        return line, value, text, problem

    def _skip_value(self) -> str:
        """Step over one JSON value without parsing it (brackets and strings only); its text, cut."""
        depth, k, in_string, escaped = 0, 0, False, False
        head = ""
        while True:
            if self._pos + k >= len(self._buf):
                head = head or self._buf[self._pos : self._pos + RAW_CHARS]
                if not self._fill():
                    raise self._fail("the file ends inside a value")
                continue
            char = self._buf[self._pos + k]
            k += 1
            if in_string:
                if escaped:
                    escaped = False
                elif char == "\\":
                    escaped = True
                elif char == '"':
                    in_string = False
                    if depth == 0:
                        break
            elif char == '"':
                in_string = True
            elif char in "[{":
                depth += 1
            elif char in "]}":
                depth -= 1
                if depth == 0:
                    break
            elif depth == 0 and char in ",]}" + _WS:
                k -= 1
                break
        text = head or self._buf[self._pos : self._pos + min(k, RAW_CHARS)]
        self._pos += k
        return text

    def _row(self, line: int, value: Any, text: str, problem: str | None) -> Row:
        raw = shown_raw(text)
        if problem:
            code = {"invalid UTF-8": "invalid_utf8", TOO_DEEP: "too_deep"}.get(problem, "malformed_json")
            fld = self._field
            return Row(line, {}, raw, problem, "invalid_unicode" if fld else code, fld)
        if not isinstance(value, dict):
            return Row(
                line, {}, raw, f"a record must be a JSON object, not {type(value).__name__}", "malformed_json"
            )
        return Row(line, value, raw)

    def _array(self) -> Iterator[Row]:
        self._expect("[")
        if self._skip_ws() == "]":
            self._pos += 1
            return
        while True:
            yield self._row(*self._value())
            if self._expect(",]") == "]":
                return

    def __iter__(self) -> Iterator[Row]:
        first = self._skip_ws()
        if first == "[":
            yield from self._array()
        elif first == "{":
            yield from self._object()
        elif first:
            raise self._fail(f"expected '[' or '{{' at the start, found {first!r}")
        if self._skip_ws():
            raise self._fail("more data after the end of the document")

    def _object(self) -> Iterator[Row]:
        start = self._at()
        self._expect("{")
        single: dict[str, Any] = {}
        records = False
        problems: list[str] = []
        if self._skip_ws() == "}":
            self._pos += 1
            yield Row(start, {}, "{}")
            return
        while True:
            line, key, _, problem = self._value()
            if not isinstance(key, str):
                raise self._fail("an object key must be a string")
            self._expect(":")
            page = key in ("data", "results") and not records and not RECORD_KEYS & single.keys()
            if page and self._skip_ws() == "[":
                yield from self._array()  # an API page: the records are in "data", "meta" etc. ignored
                records = True
            else:
                line, value, text, problem = self._value()
                is_record = isinstance(value, dict) and bool(RECORD_KEYS & value.keys())
                if records or (not single and is_record and key not in RECORD_KEYS | {"data"}):
                    records = True  # an object of records keyed by name
                    yield self._row(line, value, text, problem)
                elif page and isinstance(value, dict):
                    yield self._row(line, value, text, problem)  # an API page of one record
                    records = True
                else:
                    if problem:
                        problems.append(problem)
                    if key in single:
                        problems.append(f"duplicate key {key!r}")
                    single[key] = value
            if self._expect(",}") == "}":
                break
        if not records:
            raw = json.dumps(single, ensure_ascii=False, default=str)
            if problems:
                yield Row(start, {}, shown_raw(raw), "; ".join(problems), "malformed_json")
            else:
                yield Row(start, single, shown_raw(raw))
