"""The Reconciliation Service API 0.2 (W3C Entity Reconciliation Community Group), as pure functions.

Parsing a batch of queries, the manifest, and the result batch built from ``resolver.match`` results;
no HTTP and no database here (``resolver.service.app`` wires them). Spec:
https://reconciliation-api.github.io/specs/0.2/ ; the JSON schemas of ``0.2/schemas/`` in the
reconciliation-api/specs repository validate every response in the tests.

Candidates carry ``score`` in [0, 1] (the engine's), ``match`` true only for the best candidate of a
``matched`` decision, the type ``Organisation``, and ``features``: the name score, and when the query
gave a ``parent`` property, whether the candidate's parent today is that one.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from resolver.match import MatchCandidate, MatchQuery, MatchResult

VERSION = "0.2"
TYPE_ID = "Organisation"
TYPE = {"id": TYPE_ID, "name": "Organisation"}
DEFAULT_LIMIT = 3
MAX_LIMIT = 25
PARENT_PROPERTY = "parent"
IDENTIFIER_PROPERTY = "identifier"
PARENT_BONUS = 0.05  # a candidate whose parent is the one the query names moves up by this much
_CALLBACK_RE = re.compile(r"^[A-Za-z_$][A-Za-z0-9_$.]{0,63}$")


class RequestError(ValueError):
    """A request the service cannot answer as asked (HTTP 400), with what to fix."""


@dataclass(frozen=True, slots=True)
class ReconQuery:
    """One query of a batch: its key ("q0"), the text, the limit, and the properties that matter here."""

    key: str
    query: str
    limit: int
    identifiers: tuple[str, ...]
    parents: tuple[str, ...]  # ids or names of the parent the query says the organisation sits under
    wrong_type: bool  # asked for a type other than Organisation: no candidates

    def match_query(self) -> MatchQuery:
        return MatchQuery(self.query, self.identifiers)


def valid_callback(name: str) -> str:
    """A JSONP callback name, or RequestError (it is echoed into JavaScript)."""
    if not _CALLBACK_RE.match(name):
        raise RequestError(f"callback {name[:40]!r} is not a JavaScript identifier (letters, digits, _ $ .)")
    return name


def manifest(base: str, *, name: str, schemes: Sequence[str]) -> dict[str, Any]:
    """The service manifest for a service whose root URL is ``base`` (no trailing slash)."""
    return {
        "versions": [VERSION],
        "name": name,
        "identifierSpace": f"{base}/organisations/",
        "schemaSpace": f"{base}/schema/",
        "documentation": f"{base}/",
        "serviceVersion": "resolver 0.1",
        "defaultTypes": [TYPE],
        "view": {"url": f"{base}/view/{{{{id}}}}"},
        "preview": {"url": f"{base}/preview?id={{{{id}}}}", "width": 430, "height": 150},
        "suggest": {"entity": {"service_url": base, "service_path": "/suggest/entity"}},
        "properties": [  # not in the 0.2 manifest schema; documents what the queries may carry
            {"id": PARENT_PROPERTY, "name": "parent organisation (id or name)"},
            {"id": IDENTIFIER_PROPERTY, "name": "identifier (scheme:value)"},
            *({"id": s, "name": f"{s} identifier"} for s in schemes),
        ],
    }


def parse_batch(text: str, *, max_batch: int, schemes: Sequence[str] = ()) -> list[ReconQuery]:
    """The queries of a batch: a JSON object of {key: query}. RequestError names what is wrong."""
    try:
        raw = json.loads(text)
    except ValueError as exc:
        raise RequestError(f"queries is not JSON: {exc}") from None
    if not isinstance(raw, dict):
        raise RequestError('queries must be a JSON object such as {"q0": {"query": "Home Office"}}')
    if len(raw) > max_batch:
        raise RequestError(f"{len(raw)} queries in one batch; at most {max_batch} (send several batches)")
    return [parse_query(str(key), value, schemes) for key, value in raw.items()]


def parse_query(key: str, value: Any, schemes: Sequence[str] = ()) -> ReconQuery:
    if not isinstance(value, dict):
        raise RequestError(f"query {key!r} must be an object with a 'query' string")
    text = value.get("query", "")
    if not isinstance(text, str):
        raise RequestError(f"query {key!r}: 'query' must be a string")
    limit = value.get("limit", DEFAULT_LIMIT)
    if isinstance(limit, bool) or not isinstance(limit, int | float) or limit < 1:
        raise RequestError(f"query {key!r}: 'limit' must be a positive number")
    kinds = value.get("type")
    types = [kinds] if isinstance(kinds, str) else list(kinds or [])
    identifiers: list[str] = []
    parents: list[str] = []
    for prop in value.get("properties") or []:
        if not isinstance(prop, dict) or "pid" not in prop or "v" not in prop:
            raise RequestError(f"query {key!r}: each property needs 'pid' and 'v'")
        pid = str(prop["pid"])
        values = prop["v"] if isinstance(prop["v"], list) else [prop["v"]]
        texts = [str(v.get("id") or v.get("name") or "") if isinstance(v, dict) else str(v) for v in values]
        texts = [t.strip() for t in texts if t.strip()]
        if pid == PARENT_PROPERTY:
            parents.extend(texts)
        elif pid == IDENTIFIER_PROPERTY:
            identifiers.extend(texts)
        elif pid in schemes:
            identifiers.extend(t if t.startswith(pid + ":") else f"{pid}:{t}" for t in texts)
    if not text.strip() and not identifiers:
        raise RequestError(f"query {key!r} has neither a 'query' text nor an identifier property")
    return ReconQuery(
        key=key,
        query=text,
        limit=min(int(limit), MAX_LIMIT),
        identifiers=tuple(identifiers),
        parents=tuple(parents),
        wrong_type=bool(types) and TYPE_ID not in types,
    )


def _parent_hit(parents: Sequence[tuple[str, str]], wanted: Sequence[str]) -> bool:
    folded = {w.casefold() for w in wanted}
    return any(pid in wanted or name.casefold() in folded for pid, name in parents)


def candidate(
    c: MatchCandidate,
    *,
    match: bool,
    parents: Sequence[tuple[str, str]] = (),
    wanted_parents: Sequence[str] = (),
) -> dict[str, Any]:
    """One candidate of a result; ``parents`` are its parents today ((id, name) pairs)."""
    features: list[dict[str, Any]] = [{"id": "name_score", "value": round(c.score, 4)}]
    score = c.score
    if wanted_parents:
        hit = _parent_hit(parents, wanted_parents)
        features.append({"id": "parent_match", "value": hit})
        if hit:
            score = min(1.0, score + PARENT_BONUS)
    out: dict[str, Any] = {
        "id": c.id,
        "name": c.name,
        "score": round(score, 4),
        "match": match,
        "type": [TYPE],
        "features": features,
    }
    if parents:
        out["description"] = "under " + "; ".join(name for _, name in parents)
    return out


def results(
    queries: Sequence[ReconQuery],
    matched: Sequence[MatchResult],
    parents_of: Mapping[str, Sequence[tuple[str, str]]],
) -> dict[str, Any]:
    """The result batch: {key: {"result": [candidates best first]}}."""
    out: dict[str, Any] = {}
    for q, r in zip(queries, matched, strict=True):
        if q.wrong_type:
            out[q.key] = {"result": []}
            continue
        items = [
            candidate(
                c,
                match=(k == 0 and r.decision == "matched"),
                parents=parents_of.get(c.id, ()),
                wanted_parents=q.parents,
            )
            for k, c in enumerate(r.candidates[: q.limit])
        ]
        if q.parents:  # the parent property reorders; only a best candidate keeps its match flag
            items.sort(key=lambda item: -float(item["score"]))
            for k, item in enumerate(items):
                item["match"] = bool(item["match"]) and k == 0
        out[q.key] = {"result": items}
    return out


def suggestions(found: Sequence[tuple[str, str]]) -> dict[str, Any]:
    """The suggest (entity) response for (id, name) pairs."""
    return {"result": [{"id": i, "name": n, "notable": [TYPE]} for i, n in found]}
