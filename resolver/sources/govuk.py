"""The ``govuk`` format: GOV.UK organisations, as the API dumps them and as monthly snapshots observed them.

Every organisation is identified by its slug, ``govuk:<slug>`` (the last segment of its API URL), so the
files of one folder (and of different years) meet on the same organisations. Told apart by their columns:

- ``org_titles_observed.csv`` (``slug, title, first_seen_snapshot, last_seen_snapshot``): one dated name
  per row (``NameClaim``). Titles are repaired of mojibake with ftfy's ``fix_encoding`` (some monthly
  dumps hold ``Treasury Solicitorâ\\x80\\x99s Department`` for ``Treasury Solicitor’s Department``); the
  claim keeps the raw title in its id and says what was repaired in ``notes``.
- ``parent_of_edges_observed.csv`` (``parent_slug, child_slug, first_seen_snapshot, last_seen_snapshot,
  n_snapshots_seen, present_in_first_snapshot, present_in_latest_snapshot``): one PARENT_OF spell per row.
- ``superseded_by_edges_observed.csv`` (``predecessor_slug, successor_slug, first_seen_snapshot,
  last_seen_snapshot, n_snapshots_seen``): one SUCCEEDED_BY per row, dated by the predecessor's
  ``closed_at`` in ``org_status_changes_observed.csv`` beside it (a day), else by when the link was first
  observed.
- the API dump, ``{"results": [...]}`` or JSON lines of the same records (``title``, ``details.slug``,
  ``analytics_identifier``, ``details.abbreviation``, ``details.closed_at``, ``parent_organisations``,
  ``superseding_organisations``, ``superseded_organisations``): an ``EntityClaim`` per organisation
  (the abbreviation an alias, the analytics id ``govuk-analytics:<id>``), an undated PARENT_OF per
  parent link (ended at ``closed_at`` when the child is closed) and a SUCCEEDED_BY per superseding (or
  superseded) link, dated by the predecessor's ``closed_at`` (the day as written, in the offset the API
  gives); a link listed on both organisations makes one claim id.

The observed files date with the snapshots (see ``resolver.sources.observed``): their list is
``snapshots_index/snapshots.csv`` beside the file; names of the organisations come from
``org_titles_observed.csv`` beside it (the title last seen; a slug with no title is named ``govuk:<slug>``).
"""

from __future__ import annotations

import functools
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

import ftfy

from resolver.errors import RowError, SourceError
from resolver.model import EntityClaim, Mention, NameClaim, PartialDate, SuccessionClaim
from resolver.sources.fields import FieldReader, Record, claim_id_for, column_key
from resolver.sources.observed import Snapshots
from resolver.sources.rows import ByteSource, CsvRows, Row

if TYPE_CHECKING:
    from resolver.sources.reader import SourceReader

SCHEME = "govuk"
TITLES = ("slug", "title", "first_seen_snapshot", "last_seen_snapshot")
PARENTS = ("parent_slug", "child_slug", "first_seen_snapshot", "last_seen_snapshot")
SUPERSEDED = ("predecessor_slug", "successor_slug", "first_seen_snapshot", "last_seen_snapshot")
KINDS = {"titles": TITLES, "parents": PARENTS, "superseded": SUPERSEDED}


def kind_of(keys: set[str]) -> str | None:
    """Which GOV.UK file a header (or a JSON record's keys) is, or None."""
    for kind, columns in KINDS.items():
        if set(columns) <= keys:
            return kind
    if {"details", "title"} <= keys and ("analytics_identifier" in keys or "parent_organisations" in keys):
        return "api"
    return None


def repair(title: str) -> str:
    """A title with mojibake undone (UTF-8 read as Windows-1252, once or twice); others unchanged.

    >>> repair("Treasury Solicitor\\u00e2\\u0080\\u0099s Department")
    'Treasury Solicitor’s Department'
    >>> repair("Victoria Climbi\\u00c3\\u00a9 Inquiry"), repair("Her Majesty’s Treasury")
    ('Victoria Climbié Inquiry', 'Her Majesty’s Treasury')
    """
    return ftfy.fix_encoding(title)


def slug_of(value: Any, fld: str) -> str:
    """The slug of an API link (``{"id": ".../organisations/<slug>"}``) or of a bare slug."""
    if isinstance(value, dict):
        value = value.get("id") or value.get("web_url")
    if not isinstance(value, str) or not value.strip():
        raise RowError(f"expected a GOV.UK organisation slug or link, found {value!r}", field=fld)
    slug = value.strip().rstrip("/").rsplit("/", 1)[-1]
    if not slug:
        raise RowError(f"no slug in {value!r}", field=fld)
    return slug


def _csv_rows(path: Path) -> Iterator[tuple[int, dict[str, str]]]:
    source = ByteSource(str(path))
    try:
        rows = CsvRows(source)
        header = [column_key(c) for c in rows.header]
        for row in rows:
            if row.error is None:
                yield row.line, dict(zip(header, row.values.values(), strict=False))
    finally:
        source.close()


def _stamp(path: Path) -> tuple[str, float, int]:
    st = path.stat()
    return str(path.resolve()), st.st_mtime, st.st_size


@functools.lru_cache(maxsize=8)
def _snapshots(stamp: tuple[str, float, int]) -> Snapshots:
    days = []
    for line, values in _csv_rows(Path(stamp[0])):
        try:
            days.append(date.fromisoformat(values.get("snapshot_date", "")))
        except ValueError:
            raise SourceError("expected snapshot_date as YYYY-MM-DD", path=stamp[0], line=line) from None
    return Snapshots(days)


@functools.lru_cache(maxsize=8)
def _titles(stamp: tuple[str, float, int]) -> dict[str, str]:
    """slug -> the title last seen (repaired)."""
    best: dict[str, tuple[str, str]] = {}
    for _, values in _csv_rows(Path(stamp[0])):
        slug, title, last = (
            values.get("slug", ""),
            values.get("title", ""),
            values.get("last_seen_snapshot", ""),
        )
        if slug and title.strip() and (slug not in best or last > best[slug][0]):
            best[slug] = (last, repair(title.strip()))
    return {slug: title for slug, (_, title) in best.items()}


@functools.lru_cache(maxsize=8)
def _closed_at(stamp: tuple[str, float, int]) -> dict[str, str]:
    """slug -> the closed_at last observed (the day, as the API writes it)."""
    closed: dict[str, tuple[str, str]] = {}
    for _, values in _csv_rows(Path(stamp[0])):
        slug, when, seen = (
            values.get("slug", ""),
            values.get("closed_at", ""),
            values.get("observed_from_snapshot", ""),
        )
        if slug and when.strip() and (slug not in closed or seen > closed[slug][0]):
            closed[slug] = (seen, when.strip()[:10])
    return {slug: day for slug, (_, day) in closed.items()}


def _beside(path: str, *names: str) -> Path | None:
    if path == "-":
        return None
    folder = Path(path).parent
    for name in names:
        if (folder / name).exists():
            return folder / name
    return None


class GovukContext:
    """What the observed files need from the files beside them, loaded once per folder."""

    def __init__(self, path: str, kind: str) -> None:
        self.path = path
        self.names: dict[str, str] = {}
        self.closed: dict[str, str] = {}
        index = _beside(path, "snapshots_index/snapshots.csv", "snapshots.csv")
        if index is None:
            raise SourceError(
                "GOV.UK observed files are dated by their snapshots: expected snapshots_index/snapshots.csv "
                "(snapshot_date, commit, n_orgs) beside the file",
                path=path,
            )
        self.snapshots = _snapshots(_stamp(index))
        titles = _beside(path, "org_titles_observed.csv")
        if titles is not None and kind != "titles":
            self.names = _titles(_stamp(titles))
        status = _beside(path, "org_status_changes_observed.csv")
        if status is not None and kind == "superseded":
            self.closed = _closed_at(_stamp(status))

    def mention(self, slug: str) -> Mention:
        ident = f"{SCHEME}:{slug}"
        return Mention(name=self.names.get(slug, ident), identifiers=(ident,))


def _slug(reader: FieldReader, values: dict[str, Any], column: str) -> str:
    text = reader.text(values, (column,), column)
    if text is None:
        raise RowError("empty slug", field=column, code="missing_name")
    reader.identifier(text, column, SCHEME)  # the same checks as any identifier
    return text


def _closed_day(text: str | None, fld: str) -> PartialDate | None:
    if not text:
        return None
    try:
        day = date.fromisoformat(text.strip()[:10])
    except ValueError:
        raise RowError(f"{text!r} is not a date or timestamp", field=fld) from None
    return PartialDate(text.strip(), "day", day, day)


def read_observed(reader: SourceReader, kind: str, values: dict[str, Any], row: Row) -> Record | None:
    """A row of one of the observed CSV files (``kind``: titles, parents, superseded)."""
    ctx = reader.context
    if not isinstance(ctx, GovukContext):
        ctx = reader.context = GovukContext(reader.path, kind)
    snaps = ctx.snapshots
    first = reader.text(values, ("first_seen_snapshot",), "first_seen_snapshot") or ""
    last = reader.text(values, ("last_seen_snapshot",), "last_seen_snapshot") or ""
    start = snaps.start(first, "first_seen_snapshot")
    end = snaps.end(last, "last_seen_snapshot")
    source = reader.record_source()
    if kind == "titles":
        slug = _slug(reader, values, "slug")
        raw = reader.text(values, ("title",), "title")
        if raw is None:
            raise RowError("empty title", field="title", code="missing_name")
        title = repair(raw)
        notes = f"title repaired from mojibake {raw!a}" if title != raw else None
        mention = reader.mention(title, (f"{SCHEME}:{slug}",), "title")
        claim = claim_id_for(source, None, mention, Mention(raw), start, end)
        return NameClaim(claim, mention, start, end, end is None, source, None, notes, row.line)
    if kind == "parents":
        parent = ctx.mention(_slug(reader, values, "parent_slug"))
        child = ctx.mention(_slug(reader, values, "child_slug"))
        seen = reader.text(values, ("n_snapshots_seen",), "n_snapshots_seen", number=True)
        return reader.parent_claim(
            row,
            parent,
            child,
            start,
            end,
            is_current=end is None,
            source=None,
            source_id=None,
            urls=[],
            notes=f"observed in {seen} monthly GOV.UK API snapshots" if seen else None,
            description=None,
        )
    pred_slug = _slug(reader, values, "predecessor_slug")
    pred, succ = ctx.mention(pred_slug), ctx.mention(_slug(reader, values, "successor_slug"))
    if pred.identifiers == succ.identifiers:
        raise RowError("an organisation succeeded by itself", field="successor_slug", code="self_loop")
    closed = _closed_day(ctx.closed.get(pred_slug), "closed_at")
    when = closed or start
    notes = (
        f"closed_at of the predecessor; link observed {first} to {last}"
        if closed
        else f"link first observed {first} (no closed_at known)"
    )
    claim = claim_id_for(source, None, pred, succ, when, None)
    return SuccessionClaim(claim, pred, succ, when, None, source, None, notes, row.line)


# -- the API dump ---------------------------------------------------------------------------------------


@functools.lru_cache(maxsize=4)
def _api_index(stamp: tuple[str, float, int]) -> dict[str, tuple[str, str | None]]:
    """slug -> (title, closed_at) of every organisation of an API dump (a first pass over the file)."""
    from resolver.sources.reader import SourceReader  # the reader module imports this one

    index: dict[str, tuple[str, str | None]] = {}
    prescan = SourceReader(stamp[0], "govuk", "govuk", None)
    for raw in prescan.raw_values():
        details = raw.get("details")
        title = raw.get("title")
        if isinstance(details, dict) and isinstance(details.get("slug"), str) and isinstance(title, str):
            closed = details.get("closed_at")
            index[details["slug"]] = (repair(title.strip()), closed if isinstance(closed, str) else None)
    return index


def read_api(reader: SourceReader, values: dict[str, Any], row: Row) -> list[Record]:
    return list(_api_records(reader, values, row))


def _api_records(reader: SourceReader, values: dict[str, Any], row: Row) -> Iterator[Record]:
    """One API organisation: its EntityClaim, then a PARENT_OF per parent and a SUCCEEDED_BY per successor."""
    index: dict[str, tuple[str, str | None]] = {}
    if reader.path != "-":
        index = _api_index(_stamp(Path(reader.path)))
    details = values.get("details")
    if not isinstance(details, dict):
        raise RowError("expected an object", field="details", code="wrong_type")
    slug = slug_of(details.get("slug") or values.get("id"), "details.slug")
    title = reader.text(values, ("title",), "title")
    if title is None:
        raise RowError("no title", field="title", code="missing_name")
    title = repair(title)
    identifiers = [reader.identifier(slug, "details.slug", SCHEME)]
    analytics = reader.text(values, ("analytics_identifier",), "analytics_identifier")
    if analytics:
        identifiers.append(reader.identifier(analytics, "analytics_identifier", "govuk-analytics"))
    abbreviation = details.get("abbreviation")
    aliases = [abbreviation.strip()] if isinstance(abbreviation, str) and abbreviation.strip() else []
    mention = reader.mention(title, tuple(identifiers), "title", aliases)
    source = reader.record_source()
    yield EntityClaim(mention, source, slug, row.line)

    closed_text = details.get("closed_at")
    closed = _closed_day(closed_text if isinstance(closed_text, str) else None, "details.closed_at")
    status = details.get("govuk_status")
    child = Mention(title, (f"{SCHEME}:{slug}",))

    def other(link: Any, fld: str) -> Mention:
        other_slug = slug_of(link, fld)
        name = index.get(other_slug, (f"{SCHEME}:{other_slug}", None))[0]
        return Mention(name, (f"{SCHEME}:{other_slug}",))

    for link in _links(values, "parent_organisations"):
        parent = other(link, "parent_organisations")
        yield reader.parent_claim(
            row,
            parent,
            child,
            None,
            closed if status == "closed" else None,
            is_current=None if status is None else status != "closed",
            source=None,
            source_id=f"{slug_of(link, 'parent_organisations')}>{slug}",
            urls=[],
            notes="listed in the GOV.UK organisations API (no start date)",
            description=None,
        )
    for link in _links(values, "superseding_organisations"):
        succ = other(link, "superseding_organisations")
        if succ.identifiers == child.identifiers:
            continue
        source_id = f"{slug}>{slug_of(link, 'superseding_organisations')}"
        claim = claim_id_for(source, source_id, child, succ, None, None)
        notes = "closed_at of the predecessor" if closed else "no closed_at in the API"
        yield SuccessionClaim(claim, child, succ, closed, None, source, source_id, notes, row.line)
    # the same link seen from the successor (one claim id: the ingest keeps one), dated by the
    # predecessor's closed_at from the first pass
    for link in _links(values, "superseded_organisations"):
        pred = other(link, "superseded_organisations")
        if pred.identifiers == child.identifiers:
            continue
        pred_slug = slug_of(link, "superseded_organisations")
        source_id = f"{pred_slug}>{slug}"
        claim = claim_id_for(source, source_id, pred, child, None, None)
        when = _closed_day(index.get(pred_slug, ("", None))[1], "superseded_organisations")
        notes = "closed_at of the predecessor" if when else "no closed_at in the API"
        yield SuccessionClaim(claim, pred, child, when, None, source, source_id, notes, row.line)


def _links(values: dict[str, Any], key: str) -> list[Any]:
    links = values.get(key)
    if links is None:
        return []
    if not isinstance(links, list):
        raise RowError("expected a list of organisation links", field=key, code="wrong_type")
    return links
