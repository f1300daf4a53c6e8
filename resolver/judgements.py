"""Judgements: a person's decision that two organisations or names are the same, different, or unsure.

Pure (no database). A judgement names its two sides as references: ``("org", id)`` for an organisation
(an id, or an identifier the judge command turned into one) or ``("name", text)`` for an exact surface
form. One judgement per unordered pair (``judgement_key``); the latest decision wins and earlier ones
stay in ``history``. Files (``resolver judgements export|import``, ``cluster --judgements``) are CSV with
a header or JSON lines, one judgement a row: ``left, right, verdict`` and optionally ``leftKind``,
``rightKind`` ('org' or 'name'; 'name' when absent), ``by``, ``at``, ``note``, ``score``.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from resolver.errors import SourceError

Verdict = Literal["same", "different", "unsure"]
RefKind = Literal["org", "name"]
VERDICTS: tuple[Verdict, ...] = ("same", "different", "unsure")
KINDS: tuple[RefKind, ...] = ("org", "name")
FILE_COLUMNS = ("left", "leftKind", "right", "rightKind", "verdict", "by", "at", "note", "score", "features")


def judgement_key(left: tuple[str, str], right: tuple[str, str]) -> str:
    """The pair's key, the same whichever side comes first.

    Example:
        >>> judgement_key(("name", "NHS"), ("org", "org-1"))
        'name:NHS | org:org-1'
        >>> judgement_key(("org", "org-1"), ("name", "NHS"))
        'name:NHS | org:org-1'
    """
    a, b = sorted((f"{left[0]}:{left[1]}", f"{right[0]}:{right[1]}"))
    return a + " | " + b


@dataclass(frozen=True, slots=True)
class Judgement:
    """(:Judgement {key, left, leftKind, right, rightKind, verdict, by, at, note, score, features})."""

    left: str
    right: str
    verdict: Verdict
    left_kind: RefKind = "name"
    right_kind: RefKind = "name"
    by: str = ""
    at: str = ""  # ISO 8601 time of the decision
    note: str | None = None
    score: float | None = None  # the engine's score of the two names when judged
    features: Mapping[str, float] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.verdict not in VERDICTS:
            raise ValueError(f"verdict must be one of {', '.join(VERDICTS)}; got {self.verdict!r}")
        if self.left_kind not in KINDS or self.right_kind not in KINDS:
            kinds = f"{self.left_kind!r}, {self.right_kind!r}"
            raise ValueError(f"a reference kind is 'org' or 'name'; got {kinds}")

    @property
    def key(self) -> str:
        return judgement_key((self.left_kind, self.left), (self.right_kind, self.right))

    def row(self) -> dict[str, Any]:
        """The file / graph row (lowerCamelCase, features as a JSON object text)."""
        return {
            "key": self.key,
            "left": self.left,
            "leftKind": self.left_kind,
            "right": self.right,
            "rightKind": self.right_kind,
            "verdict": self.verdict,
            "by": self.by,
            "at": self.at,
            "note": self.note,
            "score": self.score,
            "features": json.dumps(dict(self.features), sort_keys=True) if self.features else None,
        }


def from_row(row: Mapping[str, Any], *, where: str = "") -> Judgement:
    """A Judgement from a file or graph row; raises ValueError naming the field and the fix."""

    def text(name: str) -> str:
        value = row.get(name)
        return "" if value is None else str(value).strip()

    for required in ("left", "right", "verdict"):
        if not text(required):
            raise ValueError(f"{where}field {required!r} is empty: a judgement needs left, right, verdict")
    verdict = text("verdict").lower()
    if verdict not in VERDICTS:
        raise ValueError(f"{where}field 'verdict': {verdict!r} is not one of {', '.join(VERDICTS)}")
    kinds = []
    for side in ("leftKind", "rightKind"):
        kind = text(side).lower() or "name"
        if kind not in KINDS:
            raise ValueError(f"{where}field {side!r}: {kind!r} is not 'org' or 'name'")
        kinds.append(kind)
    score_text = text("score")
    try:
        score = float(score_text) if score_text else None
    except ValueError:
        raise ValueError(f"{where}field 'score': {score_text!r} is not a number") from None
    raw_features = row.get("features")
    features: dict[str, float] = {}
    if isinstance(raw_features, Mapping):
        features = {str(k): float(v) for k, v in raw_features.items()}
    elif raw_features:
        try:
            features = {str(k): float(v) for k, v in json.loads(str(raw_features)).items()}
        except (ValueError, AttributeError):
            raise ValueError(f"{where}field 'features': not a JSON object of numbers") from None
    return Judgement(
        left=text("left"),
        right=text("right"),
        verdict=verdict,
        left_kind=kinds[0],
        right_kind=kinds[1],
        by=text("by"),
        at=text("at"),
        note=text("note") or None,
        score=score,
        features=features,
    )


def parse(text: str, path: str) -> Iterator[tuple[int, Judgement | None, str | None]]:
    """Judgements of a CSV or JSON-lines text: (line, judgement, None) or (line, None, error).

    A row without a verdict (a review file not yet labelled) is skipped silently.

    Example:
        >>> [j.verdict for _, j, _ in parse("left,right,verdict\\nNHS,NHS England,different\\n", "x.csv")]
        ['different']
    """
    rows: Iterable[tuple[int, Mapping[str, Any]]]
    if text.lstrip().startswith("{"):
        rows = _json_rows(text, path)
    else:
        reader = csv.DictReader(io.StringIO(text, newline=""))
        if reader.fieldnames is None:
            raise SourceError("empty file: expected a header row with left, right, verdict", path=path)
        missing = {"left", "right", "verdict"} - {f.strip() for f in reader.fieldnames}
        if missing:
            raise SourceError(
                f"header lacks {', '.join(sorted(missing))}: a judgements file needs left, right, verdict",
                path=path,
                line=1,
            )
        rows = ((reader.line_num, {k.strip(): v for k, v in r.items() if k}) for r in reader)
    for line, row in rows:
        if not str(row.get("verdict") or "").strip():
            continue
        try:
            yield line, from_row(row, where=f"{path}:{line}: "), None
        except ValueError as exc:
            yield line, None, str(exc)


def _json_rows(text: str, path: str) -> Iterator[tuple[int, Mapping[str, Any]]]:
    for number, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        try:
            obj = json.loads(line)
        except ValueError as exc:
            raise SourceError(
                f"invalid JSON ({exc}): one judgement object per line", path=path, line=number
            ) from exc
        if not isinstance(obj, dict):
            raise SourceError("a JSON line must be an object", path=path, line=number)
        yield number, obj


def to_csv(judgements: Iterable[Judgement]) -> str:
    """CSV text with FILE_COLUMNS (what ``parse`` reads back)."""
    out = io.StringIO()
    writer = csv.DictWriter(out, FILE_COLUMNS, extrasaction="ignore", lineterminator="\n")
    writer.writeheader()
    for j in judgements:
        writer.writerow({k: "" if v is None else v for k, v in j.row().items()})
    return out.getvalue()


def to_json_lines(judgements: Iterable[Judgement]) -> str:
    """One JSON object a line (what ``parse`` reads back)."""
    lines = []
    for j in judgements:
        row = {k: v for k, v in j.row().items() if k != "key"}
        row["features"] = dict(j.features)
        lines.append(json.dumps(row, ensure_ascii=False, sort_keys=True))
    return "".join(line + "\n" for line in lines)


def record_links(
    judgements: Iterable[Judgement], refs: Mapping[tuple[str, str], Sequence[str]]
) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    """(must_link, cannot_link) pairs of record keys for ``resolve``.

    ``refs`` maps a reference ``(kind, value)`` to the record keys it denotes (a name: the records that
    carry it; an organisation: its records). "same" links every left record to every right one, "different"
    forbids every such pair; "unsure" adds nothing. Sorted, so the result does not depend on input order.

    Example:
        >>> j = Judgement("Herefordshire Council", "Hertfordshire County Council", "different")
        >>> record_links([j], {("name", "Herefordshire Council"): ["1"],
        ...                    ("name", "Hertfordshire County Council"): ["2", "3"]})
        ([], [('1', '2'), ('1', '3')])
    """
    must: set[tuple[str, str]] = set()
    cannot: set[tuple[str, str]] = set()
    for j in judgements:
        if j.verdict == "unsure":
            continue
        target = must if j.verdict == "same" else cannot
        for a in refs.get((j.left_kind, j.left), ()):
            for b in refs.get((j.right_kind, j.right), ()):
                if a != b:
                    target.add((a, b))
    return sorted(must), sorted(cannot)


def read_file(path: str) -> list[Judgement]:
    """Every judgement of a CSV / JSON-lines file; raises SourceError at the first unreadable row."""
    try:
        with open(path, encoding="utf-8-sig") as f:
            text = f.read()
    except OSError as exc:
        raise SourceError(f"cannot open: {exc.strerror or exc}", path=path) from exc
    found = []
    for line, judgement, error in parse(text, path):
        if judgement is None:
            raise SourceError(f"{error}; fix the row or remove it", path=path, line=line)
        found.append(judgement)
    return found


def links_for_records(
    judgements: Iterable[Judgement], records: Iterable[Any]
) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    """(must_link, cannot_link) for ``resolve`` over records (``EntityRecord``s) without a graph: a name
    reference denotes the records carrying that exact name or alias, an organisation reference the records
    whose ``org_id`` it is (``cluster --ids``)."""
    refs: dict[tuple[str, str], list[str]] = {}
    for r in records:
        for form in (r.name, *r.aliases):
            refs.setdefault(("name", form), []).append(r.key)
        if r.org_id:
            refs.setdefault(("org", r.org_id), []).append(r.key)
    return record_links(judgements, refs)
