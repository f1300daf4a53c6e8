"""A real uvicorn serving ``resolver.service`` on a free port in a thread (and the schema check)."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

import neo4j
import uvicorn

from resolver.graph.reader import GraphReader
from resolver.graph.snapshot import SnapshotReader
from resolver.graph.templates import TemplateRegistry
from resolver.match import Matcher
from resolver.server import free_port
from resolver.service import Backend, create_app
from resolver.service.app import DEFAULT_MAX_BATCH, DEFAULT_MAX_BODY, DEFAULT_MAX_MATCH
from tests.recon_schemas import validate

__all__ = ["backend_for", "serving", "validate"]


def backend_for(
    driver: neo4j.Driver,
    *,
    max_batch: int = DEFAULT_MAX_BATCH,
    max_body: int = DEFAULT_MAX_BODY,
    max_match: int = DEFAULT_MAX_MATCH,
) -> Backend:
    registry = TemplateRegistry()
    snapshot = SnapshotReader(driver, registry, database="neo4j")
    matcher = Matcher(snapshot.organisations(), snapshot.judgements())
    reader = GraphReader(driver, registry, database="neo4j")
    return Backend(
        matcher=matcher,
        reader=reader,
        snapshot=snapshot,
        max_body=max_body,
        max_batch=max_batch,
        max_match=max_match,
    )


@contextmanager
def serving(backend: Backend) -> Iterator[str]:
    """Run the service under uvicorn on 127.0.0.1 and a free port; yield its base URL."""
    port = free_port()
    config = uvicorn.Config(create_app(backend), host="127.0.0.1", port=port, log_level="warning")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("uvicorn did not start")
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)
