"""How a user tells the readers what a file's columns mean: ``ReadOptions`` and its parsers.

- ``columns``: field -> column, from ``--map parent=title,child=child_title,start=first_seen`` (repeatable)
  or the ``[map]`` table of a mapping file. A mapped field reads only that column; the other fields keep
  their built-in aliases. Field and column names are compared after ``column_key``.
- ``header``: the column names of a header-less file (``--no-header --columns a,b,c``); a column named
  "-" is skipped on purpose (no unread-column warning).
- ``delimiter``: "," or tab; None picks it from the extension (.tsv, .tab) or, failing that, the first
  line (tabs and no commas -> tab).
- ``date_format``: a strptime shape ("%Y%m%d") for every date field, instead of the ISO partial dates.
- ``encoding``: the text encoding of a CSV/TSV file (default UTF-8), e.g. cp1252 for Windows exports.
- a mapping file (TOML, for repeat jobs) may also give ``format``, ``source``, ``id_scheme``,
  ``delimiter``, ``columns`` (a header-less file's names) and ``date_format``; flags override it::

      format = "edges"
      id_scheme = "ods"
      columns = ["child_id", "parent_id", "-", "start", "end", "-"]
      date_format = "%Y%m%d"
      [map]
      start = "first_seen"
"""

from __future__ import annotations

import codecs
import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from resolver.errors import ConfigError
from resolver.sources.fields import column_key

SKIP = "-"  # a header-less column read by nobody, on purpose
FILE_KEYS = ("format", "source", "id_scheme", "delimiter", "columns", "date_format", "encoding", "map")


@dataclass(frozen=True, slots=True)
class ReadOptions:
    """Column mapping and layout for one read (see the module docstring); the default reads as before."""

    columns: Mapping[str, str] = field(default_factory=dict)
    header: tuple[str, ...] | None = None
    delimiter: str | None = None
    date_format: str | None = None
    encoding: str = "utf-8"

    def __post_init__(self) -> None:
        try:
            codecs.lookup(self.encoding)
        except LookupError:
            raise ConfigError(f"unknown encoding {self.encoding!r} (e.g. utf-8, cp1252, latin-1)") from None
        if self.delimiter is not None and len(self.delimiter) != 1:
            raise ConfigError(f"delimiter {self.delimiter!r} is not one character (use ',' or 'tab')")
        if self.header is not None and not self.header:
            raise ConfigError("--columns names no column")


def parse_delimiter(text: str | None) -> str | None:
    """'tab', '\\t' or a tab -> tab; 'comma' -> ','; one character as is; None stays None."""
    if text is None:
        return None
    named = {"tab": "\t", "\\t": "\t", "comma": ",", "semicolon": ";", "pipe": "|"}
    value = named.get(text.lower(), text)
    if len(value) != 1:
        raise ConfigError(f"--delimiter {text!r} is not one character (use ',' or 'tab')")
    return value


def parse_map(items: Iterable[str]) -> dict[str, str]:
    """``["parent=title,child=child_title", "start=first_seen"]`` -> {"parent": "title", ...}.

    >>> parse_map(["parent=Title , start = First Seen"])
    {'parent': 'title', 'start': 'first_seen'}
    """
    mapped: dict[str, str] = {}
    for item in items:
        for pair in item.split(","):
            if not pair.strip():
                continue
            name, sep, column = pair.partition("=")
            if not sep or not name.strip() or not column.strip():
                raise ConfigError(f"--map {pair.strip()!r} is not FIELD=COLUMN (e.g. --map parent=title)")
            key = column_key(name)
            if key in mapped and mapped[key] != column_key(column):
                raise ConfigError(
                    f"--map gives field {key!r} twice ({mapped[key]!r}, {column_key(column)!r})"
                )
            mapped[key] = column_key(column)
    return mapped


def parse_columns(text: str) -> tuple[str, ...]:
    """``"child_id, parent_id,-,start"`` -> ("child_id", "parent_id", "-", "start")."""
    names = tuple(column_key(c) if c.strip() != SKIP else SKIP for c in text.split(","))
    if not all(names):
        raise ConfigError(f"--columns {text!r} has an empty name (use - for a column to skip)")
    return names


def load_mapping_file(path: Path) -> dict[str, Any]:
    """A TOML mapping file's settings, checked: keys of FILE_KEYS only, of the right types."""
    try:
        with path.open("rb") as handle:
            data = tomllib.load(handle)
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read the mapping file: {exc.strerror or exc}") from exc
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: not valid TOML: {exc}") from exc
    unknown = sorted(set(data) - set(FILE_KEYS))
    if unknown:
        raise ConfigError(f"{path}: unknown key {unknown[0]!r}; a mapping file has {', '.join(FILE_KEYS)}")
    for key in ("format", "source", "id_scheme", "delimiter", "date_format", "encoding"):
        if key in data and not isinstance(data[key], str):
            raise ConfigError(f"{path}: {key} must be a string")
    if "columns" in data and not (
        isinstance(data["columns"], list) and all(isinstance(c, str) for c in data["columns"])
    ):
        raise ConfigError(f'{path}: columns must be a list of strings, e.g. columns = ["child_id", "-"]')
    mapped = data.get("map", {})
    if not isinstance(mapped, dict) or not all(isinstance(v, str) for v in mapped.values()):
        raise ConfigError(f'{path}: [map] must hold FIELD = "column" lines')
    data["map"] = parse_map(f"{k}={v}" for k, v in mapped.items())
    if "columns" in data:
        data["columns"] = parse_columns(",".join(data["columns"]))
    return data
