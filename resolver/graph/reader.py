"""Reads through the templates of cypher/lookup/, cypher/hierarchy/ and cypher/quality/.

``GraphReader.run`` is the generic entry (``resolver query run``): read templates run in managed read
transactions (routed to readers, retried on transient errors); write and schema templates only with
``allow_write=True``, as auto-commit queries (``CALL {...} IN TRANSACTIONS`` needs one). Results come back
as plain Python values (``neo4j.time`` dates become ``datetime.date``).

Trees: ``tree(org_id, as_of, mode, depth)`` returns a nested dict
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
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import neo4j
from neo4j import exceptions as nx

from resolver.errors import GraphConnectionError, NotFoundError, QueryError, TemplateError
from resolver.graph.templates import CypherTemplate, TemplateRegistry
from resolver.normalise import normalise_name

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

    def __init__(self, driver: neo4j.Driver, registry: TemplateRegistry, *, database: str) -> None:
        self.driver = driver
        self.registry = registry
        self.database = database

    # -- generic --------------------------------------------------------------------------------------

    def run(
        self, name: str, params: Mapping[str, Any] | None = None, *, allow_write: bool = False
    ) -> list[dict[str, Any]]:
        """Run template ``name``; rows as dicts of plain values.

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
                return self._read(tpl, given)
            with self.driver.session(
                database=self.database, notifications_disabled_classifications=_QUIET
            ) as session:
                result = session.run(tpl.query(), given)
                return [native(r.data()) for r in result]
        except nx.Neo4jError as exc:
            raise QueryError(f"{name}: the server refused the query: {exc.code}: {exc.message}") from exc
        except nx.DriverError as exc:
            raise GraphConnectionError(
                f"{name}: lost the connection to Neo4j ({type(exc).__name__}: {exc})"
            ) from exc

    def rows(self, name: str, params: Mapping[str, Any] | None = None) -> list[dict[str, Any]]:
        """``run`` for read templates only (what the typed methods below use)."""
        return self.run(name, params)

    def _read(self, tpl: CypherTemplate, params: dict[str, Any]) -> list[dict[str, Any]]:
        text = tpl.cypher()

        @neo4j.unit_of_work(metadata=tpl.metadata)
        def work(tx: neo4j.ManagedTransaction) -> list[dict[str, Any]]:
            return [native(r.data()) for r in tx.run(text, params)]

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

    def lookup(self, text: str, limit: int = 10) -> list[Candidate]:
        """Exact id / identifier hits first, then names that normalise alike, then full-text name matches
        (each organisation once), ranked 1..n."""
        found = self.by_id(text.strip())
        words = _WORD.findall(text)
        if words:
            for c in self.by_normalised_name(text, limit) + self.by_name(text, limit):
                if c.id not in {f.id for f in found}:
                    found.append(c)
        return [
            Candidate(
                id=c.id,
                name=c.name,
                matched_by=c.matched_by,
                matched_name=c.matched_name,
                score=c.score,
                rank=i,
                requested=c.requested,
                aliases=c.aliases,
                identifiers=c.identifiers,
            )
            for i, c in enumerate(found[:limit], 1)
        ]

    def resolve_ref(self, name_or_id: str) -> Candidate:
        """The organisation a reference means: an exact id (merged ids followed), else an identifier key,
        else the best name match (an exact name or alias beats a higher-scored fuzzy hit)."""
        ref = name_or_id.strip()
        exact = self.by_id(ref)
        if exact:
            return next((c for c in exact if c.matched_by == "id"), exact[0])
        if not _WORD.search(ref):
            raise NotFoundError(f"no organisation has the id or identifier {ref!r}")
        alike = self.by_normalised_name(ref, 10)
        if alike:
            key = ref.casefold()
            return next((c for c in alike if c.name.casefold() == key), alike[0])
        hits = self.by_name(ref, 10)
        if not hits:
            raise NotFoundError(
                f"no organisation has the id, identifier or a name like {ref!r}; "
                "`resolver lookup` lists candidates, `resolver query run quality.orphans` lists some ids"
            )
        key = ref.casefold()
        for c in hits:
            if c.name.casefold() == key or (c.matched_name or "").casefold() == key:
                return c
        return hits[0]

    # -- hierarchy ------------------------------------------------------------------------------------

    def tree(
        self, org_id: str, as_of: date, mode: str = "possible", depth: int = 5, *, up: bool = False
    ) -> dict[str, Any]:
        """The hierarchy under (or with ``up`` above) an organisation as a nested dict (see module doc)."""
        check_mode(mode)
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
        return doc


def _spell(row: Mapping[str, Any]) -> dict[str, Any]:
    precisions = row.get("precisions") or {}
    texts = row.get("texts") or {}
    return {
        "claimId": row.get("claimId"),
        "validFrom": row.get("validFrom"),
        "validFromLatest": row.get("validFromLatest"),
        "validTo": row.get("validTo"),
        "validToLatest": row.get("validToLatest"),
        "validFromPrecision": precisions.get("from"),
        "validToPrecision": precisions.get("to"),
        "validFromText": texts.get("from"),
        "validToText": texts.get("to"),
        "isCurrent": row.get("isCurrent"),
        "source": row.get("source"),
    }


def _spell_order(spell: Mapping[str, Any]) -> tuple[date, str]:
    return (spell.get("validFrom") or date.min, str(spell.get("claimId") or ""))


def tree_rows(doc: Mapping[str, Any]) -> Iterator[dict[str, Any]]:
    """A nested tree as flat rows in pre-order: depth, id, name, parent, from, to."""
    key = "parents" if doc.get("direction") == "up" else "children"

    def walk(node: Mapping[str, Any], level: int, parent: str | None) -> Iterator[dict[str, Any]]:
        yield {
            "depth": level,
            "id": node["id"],
            "name": node["name"],
            "parent": parent,
            "from": partial_label(node.get("validFrom"), node.get("validFromPrecision")),
            "to": spell_end_label(node),
        }
        for child in node.get(key, []):
            yield from walk(child, level + 1, node["id"])

    yield from walk(doc, 0, None)


def spell_end_label(node: Mapping[str, Any]) -> str | None:
    """'2023-01' for a known end, 'ended (date unknown)' for an ended spell without one, None if open."""
    label = partial_label(node.get("validTo"), node.get("validToPrecision"))
    if label is None and node.get("isCurrent") is False:
        return "ended (date unknown)"
    return label
