"""`resolver serve`: a read-only HTTP service over the graph (Starlette; uvicorn runs it).

Endpoints (JSON unless said; every GET takes ``callback=`` for JSONP, as OpenRefine's suggest needs):
- ``GET|POST /reconcile``: the Reconciliation Service API 0.2. Without ``queries``: the manifest. With
  ``queries`` (query string, form field, or a JSON body {"q0": {...}}): the result batch.
- ``GET /preview?id=`` (HTML for OpenRefine's preview pane), ``GET /view/{id}`` (the same, a page),
  ``GET /suggest/entity?prefix=`` (entity suggest).
- ``GET /lookup?q=&limit=``: ``resolver lookup``; ``GET /tree/{id}?asOf=&mode=&depth=&up=``: ``resolver
  tree --format json``; ``POST /match``: a JSON list of names (or {"name", "identifiers"} objects) matched
  like ``resolver match``; ``GET /health``.

Read-only: names are matched against a snapshot read once at start (restart to see new data); every
graph read runs in a read transaction of a READ access-mode session, which the server refuses to write
in. Only GET, POST and OPTIONS are routed (others: 405). Request bodies are capped (413), batches too
(400); every error is JSON {"error": {"status", "message"}}.
"""

from __future__ import annotations

import html
import json
from collections.abc import Awaitable, Callable, MutableMapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.middleware.cors import CORSMiddleware
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.routing import Route

from resolver.errors import (
    ConfigError,
    GraphConnectionError,
    NotFoundError,
    QueryError,
    ResolverError,
    TemplateError,
)
from resolver.graph.reader import GraphReader
from resolver.graph.snapshot import SnapshotReader
from resolver.match import Matcher, MatchQuery
from resolver.match_io import result_columns
from resolver.service import reconcile as rc

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

DEFAULT_MAX_BODY = 1_000_000  # bytes
DEFAULT_MAX_BATCH = 100  # reconciliation queries per batch (OpenRefine sends 10)
DEFAULT_MAX_MATCH = 1_000  # names per POST /match


@dataclass(slots=True)
class Backend:
    """What the service reads: the in-memory matcher and the graph (read transactions only)."""

    matcher: Matcher
    reader: GraphReader
    snapshot: SnapshotReader
    name: str = "resolver organisations"
    max_body: int = DEFAULT_MAX_BODY
    max_batch: int = DEFAULT_MAX_BATCH
    max_match: int = DEFAULT_MAX_MATCH

    def schemes(self) -> list[str]:
        return sorted({key.split(":", 1)[0] for key in self.matcher.identifier})

    def parents_today(self, ids: Sequence[str]) -> dict[str, tuple[tuple[str, str], ...]]:
        return self.snapshot.parents(ids, date.today())


def _json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, default=lambda v: v.isoformat())


def respond(request: Request, data: Any, status: int = 200) -> Response:
    """JSON, or JSONP when the request names a ``callback``."""
    callback = request.query_params.get("callback")
    if callback and request.method == "GET":
        body = f"/**/{rc.valid_callback(callback)}({_json(data)});"
        return Response(body, status_code=status, media_type="application/javascript")
    return Response(_json(data), status_code=status, media_type="application/json")


def error(status: int, message: str) -> Response:
    return Response(
        _json({"error": {"status": status, "message": message}}),
        status_code=status,
        media_type="application/json",
    )


class BodyLimit:
    """Refuse request bodies over ``limit`` bytes (413): by Content-Length, and while streaming."""

    def __init__(self, app: ASGIApp, limit: int) -> None:
        self.app = app
        self.limit = limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = dict(scope.get("headers") or [])
        length = headers.get(b"content-length")
        message = f"request body over {self.limit:,} bytes: send smaller batches"
        if length is not None and (not length.isdigit() or int(length) > self.limit):
            await error(413, message)(scope, receive, send)
            return
        seen = 0

        async def limited() -> Message:
            nonlocal seen
            msg = await receive()
            if msg["type"] == "http.request":
                seen += len(msg.get("body", b""))
                if seen > self.limit:
                    raise HTTPException(413, message)
            return msg

        await self.app(scope, limited, send)


def create_app(backend: Backend) -> Starlette:
    """The ASGI application over ``backend`` (see the module docstring)."""

    def base(request: Request) -> str:
        return str(request.base_url).rstrip("/")

    async def queries_text(request: Request) -> str | None:
        text = request.query_params.get("queries")
        if text is not None or request.method != "POST":
            return text
        kind = request.headers.get("content-type", "")
        if kind.startswith("application/json"):
            return (await request.body()).decode("utf-8", "replace")
        form = await request.form(max_files=0, max_fields=50)
        value = form.get("queries")
        return value if isinstance(value, str) else None

    async def reconcile(request: Request) -> Response:
        text = await queries_text(request)
        if text is None:
            return respond(request, rc.manifest(base(request), name=backend.name, schemes=backend.schemes()))
        queries = rc.parse_batch(text, max_batch=backend.max_batch, schemes=backend.schemes())

        def work() -> dict[str, Any]:
            matched = backend.matcher.match([q.match_query() for q in queries], top=rc.MAX_LIMIT)
            ids = [c.id for r in matched for c in r.candidates]
            parents = backend.parents_today(ids) if ids else {}
            return rc.results(queries, matched, parents)

        return respond(request, await run_in_threadpool(work))

    def entity_html(org_id: str) -> str:
        org = backend.matcher.get(org_id)
        if org is None:
            raise NotFoundError(f"no organisation has the id {org_id!r}")
        parents = backend.parents_today([org.id]).get(org.id, ())
        rows = [("id", org.id)]
        if parents:
            rows.append(("under (today)", "; ".join(name for _, name in parents)))
        if org.aliases:
            rows.append(("also known as", "; ".join(org.aliases[:10])))
        if org.identifiers:
            rows.append(("identifiers", "; ".join(org.identifiers[:10])))
        cells = "".join(
            f"<tr><th style='text-align:left;padding-right:8px'>{html.escape(k)}</th>"
            f"<td>{html.escape(v)}</td></tr>"
            for k, v in rows
        )
        return (
            "<html><body style='font-family:sans-serif;font-size:13px;margin:6px'>"
            f"<b>{html.escape(org.name)}</b><table>{cells}</table></body></html>"
        )

    async def preview(request: Request) -> Response:
        org_id = request.query_params.get("id", "")
        if not org_id:
            raise rc.RequestError("preview needs ?id=<organisation id>")
        return HTMLResponse(await run_in_threadpool(entity_html, org_id))

    async def view(request: Request) -> Response:
        return HTMLResponse(await run_in_threadpool(entity_html, request.path_params["org_id"]))

    async def suggest(request: Request) -> Response:
        prefix = request.query_params.get("prefix", "")
        cursor = _int(request.query_params.get("cursor", "0"), "cursor", 0, 10_000)
        found = backend.matcher.suggest(prefix, limit=cursor + 10)[cursor:]
        return respond(request, rc.suggestions([(o.id, o.name) for o in found]))

    async def lookup(request: Request) -> Response:
        q = request.query_params.get("q", "")
        if not q.strip():
            raise rc.RequestError("lookup needs ?q=<name, id or scheme:value>")
        limit = _int(request.query_params.get("limit", "10"), "limit", 1, 100)
        found = await run_in_threadpool(backend.reader.lookup, q, limit)
        return respond(request, [c.row() for c in found])

    async def tree(request: Request) -> Response:
        params = request.query_params
        as_of = _date(params.get("asOf"))
        mode = params.get("mode", "possible")
        depth = _int(params.get("depth", "5"), "depth", 1, 20)
        up = params.get("up", "false").lower() in ("1", "true", "yes")
        org = backend.matcher.get(request.path_params["org_id"])
        if org is None:
            raise NotFoundError(f"no organisation has the id {request.path_params['org_id']!r}")
        doc = await run_in_threadpool(lambda: backend.reader.tree(org.id, as_of, mode, depth, up=up))
        return respond(request, doc)

    async def match(request: Request) -> Response:
        try:
            items = json.loads(await request.body())
        except ValueError as exc:
            raise rc.RequestError(f"the body is not JSON: {exc}") from None
        if not isinstance(items, list):
            raise rc.RequestError('POST /match takes a JSON list: ["Home Office", {"name": "DfE"}]')
        if len(items) > backend.max_match:
            raise rc.RequestError(f"{len(items)} names in one request; at most {backend.max_match}")
        top = _int(request.query_params.get("top", "2"), "top", 1, 25)
        queries = [_match_query(k, item) for k, item in enumerate(items)]
        matched = await run_in_threadpool(backend.matcher.match, queries, top=max(top, 2))
        out = []
        for q, r in zip(queries, matched, strict=True):
            row = {"name": q.name, **result_columns(r, 3)}
            row["match_candidates"] = row["match_candidates"][:top]
            out.append(row)
        return respond(request, out)

    async def health(request: Request) -> Response:
        return respond(request, {"status": "ok", "organisations": len(backend.matcher)})

    async def not_allowed(request: Request) -> Response:
        return error(405, f"{request.method} is not allowed: this service only reads (GET, POST)")

    async def on_http(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, HTTPException)
        if exc.status_code == 405:
            return await not_allowed(request)
        return error(exc.status_code, str(exc.detail))

    async def on_error(request: Request, exc: Exception) -> Response:
        if isinstance(exc, rc.RequestError | TemplateError | ConfigError | QueryError):
            return error(400, str(exc))
        if isinstance(exc, NotFoundError):
            return error(404, str(exc))
        if isinstance(exc, GraphConnectionError):
            return error(503, str(exc))
        if isinstance(exc, ResolverError):
            return error(500, str(exc))
        return error(500, f"internal error: {type(exc).__name__}")

    routes = [
        Route("/", reconcile, methods=["GET", "POST"]),
        Route("/reconcile", reconcile, methods=["GET", "POST"]),
        Route("/preview", preview, methods=["GET"]),
        Route("/view/{org_id:path}", view, methods=["GET"]),
        Route("/suggest/entity", suggest, methods=["GET"]),
        Route("/lookup", lookup, methods=["GET"]),
        Route("/tree/{org_id:path}", tree, methods=["GET"]),
        Route("/match", match, methods=["POST"]),
        Route("/health", health, methods=["GET"]),
    ]
    middleware = [
        Middleware(BodyLimit, limit=backend.max_body),
        Middleware(CORSMiddleware, allow_origins=["*"], allow_methods=["GET", "POST"], allow_headers=["*"]),
    ]
    handlers: dict[Any, Callable[[Request, Exception], Awaitable[Response]]] = {
        HTTPException: on_http,
        ResolverError: on_error,
        rc.RequestError: on_error,
        Exception: on_error,
    }
    return Starlette(routes=routes, middleware=middleware, exception_handlers=handlers)


def _int(text: str, name: str, low: int, high: int) -> int:
    try:
        value = int(text)
    except ValueError:
        raise rc.RequestError(f"{name} must be a whole number; got {text!r}") from None
    if not low <= value <= high:
        raise rc.RequestError(f"{name} must be between {low} and {high}; got {value}")
    return value


def _date(text: str | None) -> date:
    if not text:
        return date.today()
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise rc.RequestError(f"asOf {text!r} is not a date; write it as YYYY-MM-DD") from None


def _match_query(k: int, item: Any) -> MatchQuery:
    if isinstance(item, str):
        return MatchQuery(item)
    if isinstance(item, dict) and isinstance(item.get("name", ""), str):
        ids = item.get("identifiers") or ([item["id"]] if item.get("id") else [])
        if not isinstance(ids, list) or not all(isinstance(i, str) for i in ids):
            raise rc.RequestError(f"item {k}: identifiers must be a list of 'scheme:value' strings")
        return MatchQuery(item.get("name", ""), tuple(ids))
    raise rc.RequestError(f"item {k}: give a name string or an object with 'name' (and 'identifiers')")
