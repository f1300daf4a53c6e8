"""Input files -> ParentClaim / EntityClaim / Reject records, streamed (the pipeline's ``sources`` stage);
the dated formats also give SuccessionClaim and NameClaim records.

``read_source(path, fmt=..., source=..., id_scheme=...)`` opens the file ("-" is stdin; gzip is detected by
its magic bytes), works out the format, and returns a ``SourceReader``: iterate it once for the records;
``stats`` and ``sha256`` are complete when the iteration has finished. A file that cannot be opened, has
no usable header, or whose format cannot be told raises SourceError (file, line, what was expected); a bad
row is a ``Reject`` (file, 1-based line where the record starts, reason, field, code) and reading goes on.

The package: ``rows`` (bytes -> rows: CSV, JSON lines, JSON documents, gzip, stdin), ``fields`` (the
field reading every format shares, and the claim id), one module per format (``edges``, ``entities``,
``littlesis``, ``littlesis_export``, ``govuk``, ``ror``, ``ods``; each documents its columns; ``observed``
dates facts seen in monthly snapshots), ``reader`` (container and format detection, the record stream) and
``mapping`` (``ReadOptions``: --map, header-less, delimiter, date format). ``fmt="auto"`` picks a format from
the file name, the first byte, and the
first record or header.

Rules:

- Identifiers are "scheme:value" (scheme lower-cased, value verbatim). A bare value takes ``id_scheme``;
  without ``id_scheme`` the read stops with a SourceError naming the file, line and field (a file's name
  never becomes a scheme: renaming the file must change nothing). A URL is a bare value, never a
  scheme. ``entity1_id``/``entity2_id`` and ``littlesis_entity_id`` are always ``littlesis:``. An
  entity list's ``id`` is its record id; it is an identifier only when it is written "scheme:value" or
  ``id_scheme`` is given.
- A side with an identifier but no name is kept: its name is its first identifier ("ods:Q73"), so the
  graph can merge it with the named record of the same identifier. No name and no identifier is a reject.
- Names (and aliases) are stripped of surrounding whitespace and otherwise kept verbatim (RTL marks,
  quotes, Cypher-like text are data). Refused: empty, without any letter or digit (only U+200B), longer
  than MAX_NAME_CHARS, or holding a control character (C0 other than tab, DEL, C1), which names the code
  point. A JSON string holding a lone surrogate ("\\ud800") and a JSON record nested too deeply to read
  are rejects naming the line (and field); the other rows are read.
- A self-loop (parent and child share an identifier, or have no identifiers on one side and the same
  normalised name: "Loop Org" and "loop org") is a reject.
- ``source``: the argument, else a ``source`` column of the row, else the file's stem ("littlesis" for the
  LittleSis formats, "stdin" for "-").
- ``claim_id``: "claim-" + 24 hex of sha256 over (source, source record id) when the row has an id, else
  over (source, parent name and ids, child name and ids, start text, end text). A source that is only the
  file's stem counts as none (and a record id then joins the content), so the same file under another
  name gives the same ids. Re-reading a file gives the same ids; two spells of one pair give two;
  identical rows give one (the ingest dedupes).
"""

from resolver.sources.edges import EDGE_COLUMNS
from resolver.sources.entities import ENTITY_COLUMNS
from resolver.sources.fields import (
    MAX_ID_CHARS,
    MAX_NAME_CHARS,
    ReadStats,
    Record,
    claim_id_for,
    column_key,
)
from resolver.sources.littlesis import LITTLESIS_COLUMNS
from resolver.sources.mapping import ReadOptions, load_mapping_file, parse_columns, parse_delimiter, parse_map
from resolver.sources.reader import FORMATS, LITTLESIS_FORMATS, SourceReader, read_source

__all__ = [
    "EDGE_COLUMNS",
    "ENTITY_COLUMNS",
    "FORMATS",
    "LITTLESIS_COLUMNS",
    "LITTLESIS_FORMATS",
    "MAX_ID_CHARS",
    "MAX_NAME_CHARS",
    "ReadOptions",
    "ReadStats",
    "Record",
    "SourceReader",
    "claim_id_for",
    "column_key",
    "load_mapping_file",
    "parse_columns",
    "parse_delimiter",
    "parse_map",
    "read_source",
]
