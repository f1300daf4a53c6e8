"""The ``ods-succ`` format: NHS ODS successions, identifiers ``ods:<code>``.

- ``succ.csv`` as ODS ships it, with no header row: ``old_code, new_code, reason, effective_date
  (YYYYMMDD), indicator`` (the column names of NHS-R ``ods_get_successors()``). ``reason`` is F (code
  change), O (organisation type change) or R (reconfiguration) when given.
- ``derived_successor_edges.csv(.gz)``: ``predecessor_code, successor_code, reason_code, effective_date
  (YYYY-MM-DD), indicator, predecessor_name_if_known, successor_name_if_known``.

Each row is one SUCCEEDED_BY on the effective day. A code without a known name is named after its
identifier ("ods:5N1"), so it meets the organisation an ODS hierarchy file gave that code.
"""

from __future__ import annotations

import re
from typing import Any

from resolver.dates import parse_partial_date
from resolver.errors import RowError
from resolver.model import SuccessionClaim
from resolver.sources.fields import FieldReader, Record, claim_id_for
from resolver.sources.rows import Row

SCHEME = "ods"
SUCC_COLUMNS = ("old_code", "new_code", "reason", "effective_date", "indicator")
DERIVED = ("predecessor_code", "successor_code", "effective_date")
REASONS = {"F": "code change", "O": "organisation type change", "R": "reconfiguration"}
_CODE_RE = re.compile(r"[A-Za-z0-9]{3,10}")
_COMPACT_DAY = re.compile(r"([0-9]{4})([0-9]{2})([0-9]{2})")


def kind_of(keys: set[str], first_row: list[str]) -> str | None:
    """'derived' for a derived header, 'succ' for a header-less succ.csv (its first row is data)."""
    if set(DERIVED) <= keys:
        return "derived"
    if (
        len(first_row) == len(SUCC_COLUMNS)
        and all(_CODE_RE.fullmatch(c.strip()) for c in first_row[:2])
        and _COMPACT_DAY.fullmatch(first_row[3].strip())
    ):
        return "succ"
    return None


def _text(values: dict[str, Any], column: str) -> str | None:
    """A CSV value, stripped; None when absent or empty (both ODS files are CSV: every value is text)."""
    value = values.get(column)
    return value.strip() or None if isinstance(value, str) else None


def _code(values: dict[str, Any], column: str) -> str:
    text = _text(values, column)
    if text is None or not _CODE_RE.fullmatch(text):
        raise RowError(f"not an ODS code: {text!r}", field=column, code="invalid_identifier")
    return f"{SCHEME}:{text.upper()}"


def read_succession(reader: FieldReader, kind: str, values: dict[str, Any], row: Row) -> Record:
    if kind == "succ":  # header-less: the values come keyed by whatever the first row held
        values = dict(zip(SUCC_COLUMNS, values.values(), strict=False))
    old_col, new_col = ("old_code", "new_code") if kind == "succ" else ("predecessor_code", "successor_code")
    old, new = _code(values, old_col), _code(values, new_col)
    if old == new:
        raise RowError(f"{old} succeeded by itself", field=new_col, code="self_loop")
    day = _text(values, "effective_date")
    if day is not None and (compact := _COMPACT_DAY.fullmatch(day)):
        day = f"{compact[1]}-{compact[2]}-{compact[3]}"
    start = parse_partial_date(day, field="effective_date")
    pred_name = _text(values, "predecessor_name_if_known")
    succ_name = _text(values, "successor_name_if_known")
    pred = reader.mention(pred_name, (old,), "predecessor_name_if_known")
    succ = reader.mention(succ_name, (new,), "successor_name_if_known")
    reason = _text(values, "reason") or _text(values, "reason_code")
    indicator = _text(values, "indicator")
    notes = "; ".join(
        part
        for part in (
            f"reason {reason} ({REASONS.get(reason.upper(), 'unknown code')})" if reason else None,
            f"indicator {indicator}" if indicator else None,
        )
        if part
    )
    source = reader.record_source()
    # Both ODS files state the same fact in the same words: the id rests on codes and day only.
    claim = claim_id_for(
        source, f"succession:{old}>{new}@{start.text if start else ''}", pred, succ, start, None
    )
    return SuccessionClaim(claim, pred, succ, start, None, source, None, notes or None, row.line)
