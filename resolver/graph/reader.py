"""Reads through the templates of cypher/lookup/, cypher/hierarchy/ and cypher/quality/.

``GraphReader.run`` is the generic entry (``resolver query run``): read templates run in managed read
transactions (routed to readers, retried on transient errors); write and schema templates only with
``allow_write=True``, as auto-commit queries (``CALL {...} IN TRANSACTIONS`` needs one). Results come back
as plain Python values (``neo4j.time`` dates become ``datetime.date``).

Lookups (``lookup``, ``resolve_ref``) put exact hits first: an id or identifier returns only its exact hit;
names are searched by normalised form, full text and (for acronym-like text) initials, then rescored on
the engine's 0-1 scale (resolver.ranking) with a "no good match" cut-off; ``resolve_ref`` raises
AmbiguousError when several organisations share the best score.

Trees: ``tree(org_id, as_of, mode, depth)`` (as_of a date or a day/month/year text) returns a nested dict
``{"id", "name", "validFrom", "validTo", "validFromText", "validToText", "validFromPrecision",
"validToPrecision", "spells", "children": [...]}`` where the dates describe the spell(s) that tie the node
to the node above it (``None`` on the root). With ``up=True`` the tree grows upwards and the nested key is
``"parents"``; a node's dates then describe its spell over the node below it. Two spells between one pair
active on the day make one node with two entries in ``"spells"`` (the top-level dates are the earliest
start's). An organisation reached along two paths (two parents) appears under each; a cycle stops where
it would repeat an organisation of its own branch. ``name`` is the node's name as of that day (a dated
NAME_OF spell, see ``lookup.names_as_of``), else its current name.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import neo4j
from neo4j import exceptions as nx

from resolver.dates import as_of_text, parse_as_of
from resolver.errors import (
    AmbiguousError,
    GraphConnectionError,
    NotFoundError,
    QueryError,
    TemplateError,
)
from resolver.graph.templates import CypherTemplate, TemplateRegistry
from resolver.normalise import normalise_name
from resolver.ranking import NO_GOOD_MATCH, Scored, acronym_key, ambiguous, rank

MODES = ("certain", "possible")
# Unknown labels, types and property keys depend on the data, not on the query (a graph without any merge
# yet has no MERGED_INTO type): the server would warn on every call. Other notifications stay on.
_QUIET = [neo4j.NotificationDisabledClassification.UNRECOGNIZED]
MAX_DEPTH = 20  # the fixed hop bound written in the hierarchy templates
LUCENE_SPECIAL = re.compile(r'([+\-&|!(){}\[\]^"~*?:\\/])')
_WORD = re.compile(r"\w+")


@dataclass(frozen=True, slots=True)
class Candidate:
    """An organisation found for a reference: by id, by identifier or by a name (with its score)."""

    id: str
    name: str
    matched_by: str  # 'id', 'identifier', 'normalised name' or 'name'
    matched_name: str | None = None
    score: float | None = None
    rank: int | None = None
    requested: str | None = None  # the id the reference named, before MERGED_INTO redirects
    aliases: tuple[str, ...] = ()
    identifiers: tuple[str, ...] = ()

    def row(self) -> dict[str, Any]:
        return {
            "rank": self.rank,
            "id": self.id,
            "name": self.name,
            "matchedBy": self.matched_by,
            "matchedName": self.matched_name,
            "score": None if self.score is None else round(self.score, 4),
            "aliases": list(self.aliases),
            "identifiers": list(self.identifiers),
        }


@dataclass(slots=True)
class TreeNode:
    """One organisation in a tree, with the active spells that tie it to the node above (or below)."""

    id: str
    name: str
    spells: list[dict[str, Any]] = field(default_factory=list)
    branches: list[TreeNode] = field(default_factory=list)

    def as_dict(self, key: str) -> dict[str, Any]:
        first = self.spells[0] if self.spells else {}
        return {
            "id": self.id,
            "name": self.name,
            "validFrom": first.get("validFrom"),
            "validTo": first.get("validTo"),
            "validFromText": first.get("validFromText"),
            "validToText": first.get("validToText"),
            "validFromPrecision": first.get("validFromPrecision"),
            "validToPrecision": first.get("validToPrecision"),
            "isCurrent": first.get("isCurrent"),
            "spells": self.spells,
            key: [b.as_dict(key) for b in self.branches],
        }


def escape_lucene(text: str) -> str:
    """Backslash every character the Lucene query parser gives a meaning to."""
    return LUCENE_SPECIAL.sub(r"\\\1", text)


def fulltext_query(text: str, *, fuzzy: bool = True) -> str:
    """A Lucene query for typed text: the exact phrase (boosted), each word, and (``fuzzy``) each word of
    four letters or more within one edit (two from eight letters).

    Words are lower-cased, so 'AND', 'OR', 'NOT' are never operators; raise NotFoundError if there is no
    word in ``text`` at all.
    """
    words = _WORD.findall(text.casefold())
    if not words:
        raise NotFoundError(
            f"nothing to search for in {text!r}: give a name with at least one letter or digit"
        )
    parts: list[str] = []
    if len(words) > 1:
        parts.append('"' + escape_lucene(" ".join(words)) + '"^4')
    for w in dict.fromkeys(words):
        e = escape_lucene(w)
        parts.append(f"{e}^2")
        if fuzzy and len(w) >= 4:
            parts.append(f"{e}~{1 if len(w) < 8 else 2}")
    return " ".join(parts)


def native(value: Any) -> Any:
    """neo4j.time values to datetime; lists and maps recursively; everything else as is."""
    if isinstance(value, list):
        return [native(v) for v in value]
    if isinstance(value, dict):
        return {k: native(v) for k, v in value.items()}
    to_native = getattr(value, "to_native", None)
    if callable(to_native):
        return to_native()
    return value


def partial_label(day: date | None, precision: str | None) -> str | None:
    """'2019-05' for a month, '2019' for a year, '2019-05-28' for a day; None when unknown."""
    if day is None:
        return None
    if precision == "year":
        return f"{day.year:04d}"
    if precision == "month":
        return f"{day.year:04d}-{day.month:02d}"
    return day.isoformat()


def check_mode(mode: str) -> str:
    if mode not in MODES:
        raise TemplateError(f"mode must be 'certain' or 'possible'; got {mode!r}")
    return mode


def _name_candidate(r: Mapping[str, Any], matched_by: str) -> Candidate:
    """A Candidate from a lookup.by_name / by_norm_name row (score and rank only where the row has them)."""
    return Candidate(
        id=r["id"],
        name=r["name"] or "",
        matched_by=matched_by,
        matched_name=r["matchedName"],
        score=float(r["score"]) if r.get("score") is not None else None,
        rank=int(r["rank"]) if r.get("rank") is not None else None,
        aliases=tuple(r["aliases"]),
        identifiers=tuple(r["identifiers"]),
    )


class GraphReader:
    """Typed reads of the graph through the templates.

    Example:
        >>> reader = GraphReader(driver, TemplateRegistry(), database="neo4j")   # doctest: +SKIP
        >>> reader.tree(reader.resolve_ref("NHS").id, date(2020, 1, 1))          # doctest: +SKIP
    """

    def __init__(
        self, driver: neo4j.Driver, registry: TemplateRegistry, *, database: str, pack_rows: bool = True
    ) -> None:
        self.driver = driver
        self.registry = registry
        self.database = database
        self.pack_rows = pack_rows  # read whole answers as one record (CypherTemplate.packed)

    # -- generic --------------------------------------------------------------------------------------

    def run(
        self, name: str, params: Mapping[str, Any] | None = None, *, allow_write: bool = False
    ) -> list[dict[str, Any]]:
        """Run template ``name``; rows as dicts of plain values (see ``run_keys``)."""
        return self.run_keys(name, params, allow_write=allow_write)[1]

    def run_keys(
        self,
        name: str,
        params: Mapping[str, Any] | None = None,
        *,
        allow_write: bool = False,
        limit: int | None = None,
    ) -> tuple[list[str], list[dict[str, Any]]]:
        """Run template ``name``: its column names (known even with no rows) and at most ``limit`` rows.

        Raises TemplateError for a write/schema template without ``allow_write``, for missing or unknown
        parameters and for a ``mode`` other than 'certain'/'possible'; QueryError when the server refuses
        the query; GraphConnectionError when it cannot be reached.
        """
        tpl = self.registry[name]
        given = dict(params or {})
        tpl.check_params(given)
        if "mode" in given and any(p.name == "mode" for p in tpl.params):
            check_mode(given["mode"])
        if tpl.mode != "read" and not allow_write:
            raise TemplateError(
                f"template {name} is a {tpl.mode} template (it changes the database); refused without "
                "--write (allow_write=True). Nothing was run."
            )
        try:
            if tpl.mode == "read":
                return self._read(tpl, given, limit)
            with self.driver.session(
                database=self.database, notifications_disabled_classifications=_QUIET
            ) as session:
                result = session.run(tpl.query(), given)
                return list(result.keys()), _take(result, limit)
        except nx.Neo4jError as exc:
            message = (exc.message or "").replace("\n", " ")
            raise QueryError(f"{name}: the server refused the query: {exc.code}: {message}") from exc
        except nx.DriverError as exc:
            raise GraphConnectionError(
                f"{name}: lost the connection to Neo4j ({type(exc).__name__}: {exc})"
            ) from exc

    def rows(self, name: str, params: Mapping[str, Any] | None = None) -> list[dict[str, Any]]:
        """``run`` for read templates only (what the typed methods below use)."""
        return self.run(name, params)

    def _read(
        self, tpl: CypherTemplate, params: dict[str, Any], limit: int | None = None
    ) -> tuple[list[str], list[dict[str, Any]]]:
        packed = tpl.packed() if limit is None and self.pack_rows else None

        @neo4j.unit_of_work(metadata=tpl.metadata)
        def work(tx: neo4j.ManagedTransaction) -> tuple[list[str], list[dict[str, Any]]]:
            if packed is not None:  # every row in one record (see CypherTemplate.packed)
                keys = list(tpl.columns)
                return keys, [_plain(keys, row) for row in tx.run(packed, params).single(strict=True)[0]]
            result = tx.run(tpl.cypher(), params)
            return list(result.keys()), _take(result, limit)

        with self.driver.session(
            database=self.database,
            default_access_mode=neo4j.READ_ACCESS,
            notifications_disabled_classifications=_QUIET,
        ) as session:
            return session.execute_read(work)

    # -- lookups --------------------------------------------------------------------------------------

    def by_id(self, ref: str) -> list[Candidate]:
        """Organisations an id (merged ids followed) or an identifier key 'scheme:value' names."""
        rows = self.rows("lookup.by_id", {"ref": ref})
        return [
            Candidate(
                id=r["id"],
                name=r["name"] or "",
                matched_by=r["matchedBy"],
                requested=r["requested"],
                aliases=tuple(r["aliases"]),
                identifiers=tuple(r["identifiers"]),
            )
            for r in rows
        ]

    def by_normalised_name(self, text: str, limit: int = 10) -> list[Candidate]:
        """Organisations with a name or alias that normalises as ``text`` does ("The N.H.S." finds "NHS")."""
        key = normalise_name(text).key
        if not key:
            return []
        rows = self.rows("lookup.by_norm_name", {"normName": key, "limit": limit})
        return [_name_candidate(r, "normalised name") for r in rows]

    def by_name(self, text: str, limit: int = 10) -> list[Candidate]:
        """Organisations whose name or alias resembles ``text`` (full-text, typo tolerant), best first.

        Exact words first (cheap); when the best hit does not contain every word typed, the query is
        run again with fuzzy words (edit distance 1 or 2), which costs several times more on a large index.
        """
        if limit < 1:
            raise TemplateError(f"limit must be at least 1; got {limit}")
        exact = self._by_name(fulltext_query(text, fuzzy=False), limit)
        words = set(_WORD.findall(text.casefold()))
        if exact and words <= set(_WORD.findall((exact[0].matched_name or "").casefold())):
            return exact
        return self._by_name(fulltext_query(text), limit)

    def _by_name(self, query: str, limit: int) -> list[Candidate]:
        rows = self.rows("lookup.by_name", {"query": query, "limit": limit})
        return [_name_candidate(r, "name") for r in rows]

    def by_acronym(self, key: str, limit: int = 10) -> list[Candidate]:
        """Organisations one of whose names has initials ``key`` ("dhsc"): a full-text search for words
        starting with each letter (names matching more letters rank higher), checked by ``rank``."""
        query = " ".join(f"{escape_lucene(letter)}*" for letter in dict.fromkeys(key))
        return self._by_name(query, max(limit, 10) * 5)

    def lookup(self, text: str, limit: int = 10, *, cutoff: float = NO_GOOD_MATCH) -> list[Candidate]:
        """Exact before fuzzy: an id or identifier returns only its exact hit(s). Otherwise organisations
        found by normalised name, full text and (for acronym-like text) initials, each once, rescored on
        the 0-1 scale of ``explain`` (resolver.ranking), best first; below ``cutoff`` they are dropped."""
        exact = self.by_id(text.strip())
        if exact:
            return [_ranked(c, i, score=1.0) for i, c in enumerate(exact, 1)]
        if not _WORD.search(text):
            return []
        found: dict[str, Candidate] = {}
        pools = [self.by_normalised_name(text, limit), self.by_name(text, limit)]
        key = acronym_key(text)
        if key:
            pools.append(self.by_acronym(key, limit))
        for pool in pools:
            for c in pool:
                found.setdefault(c.id, c)
        scored = rank(
            text,
            [(c.id, [c.matched_name or "", c.name, *c.aliases]) for c in found.values()],
            cutoff,
        )
        return [
            _ranked(found[s.id], i, score=s.score, matched_by=s.method, matched_name=s.matched_name)
            for i, s in enumerate(scored[:limit], 1)
        ]

    def resolve_ref(
        self, name_or_id: str, *, first: bool = False, cutoff: float = NO_GOOD_MATCH
    ) -> Candidate:
        """The one organisation a reference means: an exact id (merged ids followed) or identifier key,
        else the best name match. NotFoundError when nothing scores ``cutoff`` or more ("no good match");
        AmbiguousError when several organisations share the best score, unless ``first``."""
        ref = name_or_id.strip()
        exact = self.by_id(ref)
        if exact:
            return next((c for c in exact if c.matched_by == "id"), exact[0])
        if not _WORD.search(ref):
            raise NotFoundError(f"no organisation has the id or identifier {ref!r}")
        hits = self.lookup(ref, 10, cutoff=cutoff)
        if not hits:
            raise NotFoundError(
                f"no good match for {ref!r}: no organisation has that id or identifier, nor a name "
                f"scoring {cutoff} or more; `resolver lookup {ref!r} --min-score 0` lists the nearest"
            )
        tied = tied_at_top(hits)
        if tied and not first:
            same = [c for c in hits if c.name.casefold() == ref.casefold()]
            if len(same) == 1:
                return same[0]
            raise AmbiguousError(
                f"{ref!r} is ambiguous: {len(tied)} organisations match it equally well; give an id "
                "(or --first to take the first):\n"
                + "\n".join(
                    f"  {c.id}  {c.name}  ({c.matched_by}: {c.matched_name})" for c in hits[: len(tied)]
                ),
                candidates=[c.id for c in hits[: len(tied)]],
            )
        return hits[0]

    def known(self, ref: str) -> Candidate:
        """The organisation an id, merged id or identifier names; NotFoundError suggesting lookup if none."""
        found = self.by_id(ref.strip())
        if not found:
            raise NotFoundError(
                f"no organisation has the id or identifier {ref!r}; find it with `resolver lookup {ref!r}` "
                "(ids look like org-1a2b3c, identifiers like ods:A81001)"
            )
        return found[0]

    # -- hierarchy ------------------------------------------------------------------------------------

    def tree(
        self,
        org_id: str,
        as_of: date | str,
        mode: str = "possible",
        depth: int = 5,
        *,
        up: bool = False,
    ) -> dict[str, Any]:
        """The hierarchy under (or with ``up`` above) an organisation as a nested dict (see module doc).

        ``as_of`` is a date or a day, month or year text ('2014-04'); the mode decides what a period means.
        An empty tree carries ``"why"``: what is there on other terms (possibly active, other days).
        """
        check_mode(mode)
        as_of = as_of_text(parse_as_of(as_of.isoformat() if isinstance(as_of, date) else as_of))
        if not 1 <= depth <= MAX_DEPTH:
            raise TemplateError(f"depth must be between 1 and {MAX_DEPTH}; got {depth}")
        roots = self.by_id(org_id)
        if not roots:
            raise NotFoundError(f"no organisation has the id {org_id!r}")
        root = roots[0]
        rows = self.rows(
            "hierarchy.tree_up" if up else "hierarchy.tree",
            {"orgId": root.id, "asOf": as_of, "mode": mode, "maxDepth": depth},
        )
        # edges grouped by the node nearer the root, then by the farther node (several spells per pair)
        edges: dict[str, dict[str, list[dict[str, Any]]]] = defaultdict(lambda: defaultdict(list))
        names: dict[str, str] = {root.id: root.name}
        for r in rows:
            near, far = (r["childId"], r["parentId"]) if up else (r["parentId"], r["childId"])
            names[r["parentId"]] = r["parentName"] or ""
            names[r["childId"]] = r["childName"] or ""
            edges[near][far].append(_spell(r))
        # each node shows its name of that day (a dated NAME_OF spell), else its current name
        dated = self.rows("lookup.names_as_of", {"orgIds": list(names), "asOf": as_of, "mode": mode})
        names.update({r["id"]: r["name"] for r in dated if r["name"]})

        def build(node_id: str, level: int, on_branch: frozenset[str]) -> TreeNode:
            node = TreeNode(node_id, names.get(node_id, ""))
            if level >= depth:
                return node
            for far, spells in edges.get(node_id, {}).items():
                if far in on_branch:
                    continue  # a cycle: do not walk round it again
                branch = build(far, level + 1, on_branch | {far})
                branch.spells = sorted(spells, key=_spell_order)
                node.branches.append(branch)
            node.branches.sort(key=lambda b: (b.name.casefold(), b.id))
            return node

        doc = build(root.id, 0, frozenset({root.id})).as_dict("parents" if up else "children")
        doc["asOf"] = as_of
        doc["mode"] = mode
        doc["direction"] = "up" if up else "down"
        doc["why"] = None if rows else self._why_empty(root, as_of, mode, up=up)
        return doc

    def _why_empty(self, root: Candidate, as_of: str, mode: str, *, up: bool) -> str:
        """Why a tree has nothing under (above) its root: a hint an analyst can act on."""
        what = "parent" if up else "child"
        template = "hierarchy.parents" if up else "hierarchy.children"
        params = {"orgId": root.id, "asOf": as_of}
        if mode == "certain":
            maybe = self.rows(template, {**params, "mode": "possible"})
            if maybe:
                return (
                    f"nothing certainly active on {as_of} ({len(maybe)} possibly active: try --mode possible)"
                )
        history = [
            r
            for r in self.rows("hierarchy.history", {"orgId": root.id})
            if r["role"] == ("child" if up else "parent")
        ]
        if not history:
            return f"{root.name} has no {what} in the graph on any day"
        starts = sorted(r["validFrom"] for r in history if r["validFrom"] is not None)
        when = f" (the earliest from {starts[0].isoformat()})" if starts else ""
        return (
            f"nothing active on {as_of}; {len(history)} {what} spell(s) on other days{when}: "
            "see hierarchy.history"
        )

    def spells_below(self, org_id: str, depth: int = 5) -> list[dict[str, Any]]:
        """Every spell under an organisation whatever the dates, as flat edge rows (for the HTML picture)."""
        if not 1 <= depth <= MAX_DEPTH:
            raise TemplateError(f"depth must be between 1 and {MAX_DEPTH}; got {depth}")
        return self.rows("hierarchy.spells_below", {"orgId": org_id, "maxDepth": depth})


SPELL_KEYS = (
    "claimId",
    "validFrom",
    "validFromLatest",
    "validTo",
    "validToLatest",
    "validFromPrecision",
    "validToPrecision",
    "validFromText",
    "validToText",
    "isCurrent",
    "source",
)


def _spell(row: Mapping[str, Any]) -> dict[str, Any]:
    return {k: row.get(k) for k in SPELL_KEYS}


def _take(result: neo4j.Result, limit: int | None) -> list[dict[str, Any]]:
    """At most ``limit`` records of a result as plain dicts (the rest is left unread).

    Values are read by position against the result's keys: ``Record.data()`` walks every value through
    the driver's generic transform, which was 40% of the client's time on an 800-row descendants answer.
    A record holding nodes, relationships or paths still goes through ``data()`` (their properties)."""
    keys = list(result.keys())
    rows: list[dict[str, Any]] = []
    for record in result:
        if limit is not None and len(rows) >= limit:
            break
        rows.append(_plain(keys, tuple(record)))
    return rows


def _plain(keys: list[str], values: Sequence[Any]) -> dict[str, Any]:
    """One row as a dict of plain values, nodes and relationships as ``Record.data()`` gives them."""
    if any(isinstance(v, _GRAPH_VALUES) for v in values):
        record = neo4j.Record(zip(keys, values, strict=True))  # type: ignore[no-untyped-call]
        return dict(native(record.data()))
    return {k: native(v) for k, v in zip(keys, values, strict=True)}


_GRAPH_VALUES = (neo4j.graph.Node, neo4j.graph.Relationship, neo4j.graph.Path, list, dict)


def _ranked(c: Candidate, rank_: int, *, score: float, **changes: Any) -> Candidate:
    values = {f: getattr(c, f) for f in Candidate.__dataclass_fields__}
    values.update(changes, rank=rank_, score=score)
    return Candidate(**values)


def tied_at_top(candidates: list[Candidate]) -> list[Candidate]:
    """The name candidates sharing the best score when there are several; [] for an exact id hit."""
    if not candidates or candidates[0].matched_by in ("id", "identifier"):
        return []
    tied = ambiguous([Scored(c.id, c.score or 0.0, c.matched_by, c.matched_name or "") for c in candidates])
    return candidates[: len(tied)]


def _spell_order(spell: Mapping[str, Any]) -> tuple[date, str]:
    return (spell.get("validFrom") or date.min, str(spell.get("claimId") or ""))


TREE_COLUMNS = ("depth", "id", "name", "parent", "from", "to", "claimId", "source")


def tree_rows(doc: Mapping[str, Any]) -> Iterator[dict[str, Any]]:
    """A nested tree as flat rows in pre-order, one row per spell (the root has one row with no spell):
    depth, id, name, parent, from, to, claimId, source."""
    key = "parents" if doc.get("direction") == "up" else "children"

    def walk(node: Mapping[str, Any], level: int, parent: str | None) -> Iterator[dict[str, Any]]:
        for spell in node.get("spells") or [node]:
            yield {
                "depth": level,
                "id": node["id"],
                "name": node["name"],
                "parent": parent,
                "from": start_label(spell),
                "to": spell_end_label(spell),
                "claimId": spell.get("claimId"),
                "source": spell.get("source"),
            }
        for child in node.get(key, []):
            yield from walk(child, level + 1, node["id"])

    yield from walk(doc, 0, None)


def start_label(spell: Mapping[str, Any]) -> str | None:
    """'2019-05' for a month, 'on or before 2021-08-11' for a snapshot bound, None when unknown."""
    label = partial_label(spell.get("validFrom"), spell.get("validFromPrecision"))
    if label is None and spell.get("validFromLatest") is not None:
        return f"on or before {spell['validFromLatest'].isoformat()}"
    return label


def spell_end_label(node: Mapping[str, Any]) -> str | None:
    """'2023-01' for a known end, 'ended (date unknown)' for an ended spell without one, None if open."""
    one_sided = "validToLatest" in node and node["validToLatest"] is None
    if node.get("validTo") is not None and (one_sided or node.get("validToPrecision") == "on_or_after"):
        return f"on or after {node['validTo'].isoformat()}"
    label = partial_label(node.get("validTo"), node.get("validToPrecision"))
    if label is None and node.get("isCurrent") is False:
        return "ended (date unknown)"
    return label
