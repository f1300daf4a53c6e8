"""Batched, idempotent writes of resolved organisations and dated PARENT_OF spells.

Every write is an ``UNWIND $rows`` template from cypher/write/ run in a managed transaction (the driver
retries transient failures), MERGE-ing only on constrained keys: re-running a batch changes nothing, so a
run killed half way and re-run converges on the graph of one clean run. Nodes are written before the
edges that need them. The row builders here are the one place that maps the snake_case records of
``resolver.model`` to the lowerCamelCase properties of the graph.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass
from datetime import UTC, date, datetime
from itertools import islice
from typing import Any

import neo4j
from neo4j import exceptions as nx

from resolver.errors import GraphWriteError
from resolver.graph.templates import TemplateRegistry
from resolver.judgements import Judgement
from resolver.judgements import from_row as judgement_from_row
from resolver.model import (
    NameLink,
    OrganisationChange,
    ParentLink,
    PartialDate,
    SuccessionLink,
)
from resolver.reconcile import Redirect

DEFAULT_BATCH_SIZE = 5000
# Batches written at once: each transaction uses one server core while the client waits (measured on
# 47,822 NHS edges: 1.4-2x faster with 2). Edge batches lock their endpoints; they go in parent order, so
# two batches in flight rarely share a node, and a deadlock between them is a transient error the driver
# retries (the batch is idempotent).
DEFAULT_CONCURRENCY = 2

Progress = Callable[[int], None]


@dataclass(frozen=True, slots=True)
class GraphOrganisation:
    """An organisation as the graph holds it, with its alias names and identifier keys."""

    id: str
    name: str
    norm_name: str
    aliases: tuple[str, ...]
    identifiers: tuple[str, ...]


@dataclass(slots=True)
class WriteCounts:
    """Rows sent and what the server reports it changed (zero on a re-run of the same rows)."""

    rows: int = 0
    nodes_created: int = 0
    relationships_created: int = 0
    relationships_deleted: int = 0
    properties_set: int = 0

    def add(self, counters: neo4j.SummaryCounters, rows: int) -> None:
        self.rows += rows
        self.nodes_created += counters.nodes_created
        self.relationships_created += counters.relationships_created
        self.relationships_deleted += counters.relationships_deleted
        self.properties_set += counters.properties_set


# What reconciliation decides for an organisation is what is written: one object, no copy per row.
OrganisationWrite = OrganisationChange


def organisation_row(item: OrganisationWrite) -> dict[str, Any]:
    return {
        "id": item.node.id,
        "name": item.node.name,
        "normName": item.node.norm_name,
        "aliases": [
            {"name": a.name, "normName": a.norm_name, "score": float(a.score), "method": a.method}
            for a in item.aliases
        ],
        "identifiers": [{"key": i.key, "scheme": i.scheme, "value": i.value} for i in item.identifiers],
    }


class AliasUses:
    """Which alias names of a first load only one organisation carries (those are CREATEd; the rest are
    MERGEd once and linked to each), counted in 16 MB whatever the run's size.

    Names are counted by hash bucket, saturating at 2. A name alone in its bucket is surely unique; one
    sharing a bucket with another name is taken as shared. That errs only towards MERGE, which makes the
    same node (a little slower), never towards CREATE-ing a duplicate: equal names share a bucket.
    A Counter of the names cost ~150 MB at a million aliases read back from a spill.

    >>> uses = AliasUses(["A", "B", "A"])
    >>> uses.unique("A"), uses.unique("B")
    (False, True)
    """

    BUCKETS = 1 << 24

    def __init__(self, names: Iterable[str]) -> None:
        self._counts = counts = bytearray(self.BUCKETS)
        mask = self.BUCKETS - 1
        for name in names:
            i = hash(name) & mask
            if counts[i] < 2:
                counts[i] += 1

    def unique(self, name: str) -> bool:
        return self._counts[hash(name) & (self.BUCKETS - 1)] == 1


def organisation_row_new(item: OrganisationWrite, uses: AliasUses) -> dict[str, Any]:
    """The row of write.organisations_new: alias names no other organisation of the run carries are
    ``newAliases`` (CREATEd), shared ones ``aliases`` (MERGEd once, linked to each)."""
    row = organisation_row(item)
    aliases = row.pop("aliases")
    unique = [uses.unique(a["name"]) for a in aliases]
    row["newAliases"] = [a for a, one in zip(aliases, unique, strict=True) if one]
    row["aliases"] = [a for a, one in zip(aliases, unique, strict=True) if not one]
    return row


def _bound(prefix: str, value: PartialDate | None) -> dict[str, Any]:
    if value is None:
        return {prefix: None, f"{prefix}Latest": None, f"{prefix}Precision": None, f"{prefix}Text": None}
    return {
        prefix: None if value.earliest == date.min else value.earliest,  # "on or before latest"
        f"{prefix}Latest": value.latest,
        f"{prefix}Precision": value.precision,
        f"{prefix}Text": value.text,
    }


def parent_row(link: ParentLink) -> dict[str, Any]:
    """The PARENT_OF row: every property is present (null removes a stale value on re-run)."""
    props: dict[str, Any] = {
        **_bound("validFrom", link.start),
        **_bound("validTo", link.end),
        "isCurrent": link.is_current,
        "source": link.source,
        "sourceId": link.source_id,
        "sourceUrls": list(link.source_urls) or None,
        "notes": link.notes,
        "description": link.description,
    }
    return {"claimId": link.claim_id, "parentId": link.parent_id, "childId": link.child_id, "props": props}


def succession_row(link: SuccessionLink) -> dict[str, Any]:
    """The SUCCEEDED_BY row (every property present, as for PARENT_OF)."""
    props: dict[str, Any] = {
        **_bound("validFrom", link.start),
        **_bound("validTo", link.end),
        "source": link.source,
        "sourceId": link.source_id,
        "notes": link.notes,
    }
    return {
        "claimId": link.claim_id,
        "predecessorId": link.predecessor_id,
        "successorId": link.successor_id,
        "props": props,
    }


def name_row(link: NameLink) -> dict[str, Any]:
    """The NAME_OF row: the alias (created if missing), its organisation and the dated spell."""
    props: dict[str, Any] = {
        **_bound("validFrom", link.start),
        **_bound("validTo", link.end),
        "isCurrent": link.is_current,
        "source": link.source,
        "sourceId": link.source_id,
        "notes": link.notes,
    }
    return {
        "claimId": link.claim_id,
        "name": link.name,
        "normName": link.norm_name,
        "orgId": link.org_id,
        "props": props,
    }


def parent_row_new(link: ParentLink, run_id: str) -> dict[str, Any]:
    """The row of write.parent_of_new: every property, claimId and runId included, in ``props``."""
    row = parent_row(link)
    row["props"].update(claimId=link.claim_id, runId=run_id)
    return row


def _describe(exc: Exception) -> str:
    if isinstance(exc, nx.Neo4jError):
        return f"{exc.code}: {exc.message}"
    return f"{type(exc).__name__}: {exc}"


def batched(rows: Iterable[dict[str, Any]], size: int) -> Iterator[list[dict[str, Any]]]:
    it = iter(rows)
    while batch := list(islice(it, size)):
        yield batch


def now() -> datetime:
    return datetime.now(UTC)


class GraphWriter:
    """Writes through the templates of cypher/write/ into one database.

    Example:
        >>> writer = GraphWriter(driver, TemplateRegistry(), database="neo4j")     # doctest: +SKIP
        >>> writer.write_organisations([OrganisationWrite(OrganisationNode("org-1", "NHS", "nhs"))], "run-1")
        ... # doctest: +SKIP
    """

    def __init__(
        self,
        driver: neo4j.Driver,
        registry: TemplateRegistry,
        *,
        database: str,
        batch_size: int = DEFAULT_BATCH_SIZE,
        concurrency: int = DEFAULT_CONCURRENCY,
    ) -> None:
        if batch_size < 1 or concurrency < 1:
            raise ValueError("batch_size and concurrency must be at least 1")
        self.concurrency = concurrency
        self.driver = driver
        self.registry = registry
        self.database = database
        self.batch_size = batch_size

    # -- reads of the state new names are resolved against ------------------------------------------

    def organisations(self) -> Iterator[GraphOrganisation]:
        """Every current organisation, streamed."""
        try:
            with self.driver.session(database=self.database, default_access_mode=neo4j.READ_ACCESS) as s:
                for rec in s.run(self.registry["ingest.organisations"].query()):
                    yield GraphOrganisation(
                        rec["id"],
                        rec["name"] or "",
                        rec["normName"] or "",
                        tuple(rec["aliases"]),
                        tuple(rec["identifiers"]),
                    )
        except (nx.Neo4jError, nx.DriverError) as exc:
            raise GraphWriteError(f"reading the graph's organisations failed ({_describe(exc)})") from exc

    def parent_pairs(self) -> Iterator[tuple[str, str]]:
        try:
            with self.driver.session(database=self.database, default_access_mode=neo4j.READ_ACCESS) as s:
                for rec in s.run(self.registry["ingest.parent_pairs"].query()):
                    yield rec["parentId"], rec["childId"]
        except (nx.Neo4jError, nx.DriverError) as exc:
            raise GraphWriteError(f"reading the graph's PARENT_OF pairs failed ({_describe(exc)})") from exc

    def redirects(self) -> Iterator[Redirect]:
        """Organisations merged into another, with the organisation each now denotes."""
        for rec in self._stream("ingest.redirects"):
            yield Redirect(rec["id"], rec["target"], tuple(rec["aliases"]), tuple(rec["identifiers"]))

    def judgements(self) -> Iterator[Judgement]:
        """Every judgement, oldest first."""
        for rec in self._stream("ingest.judgements"):
            yield judgement_from_row(dict(rec))

    def _stream(self, name: str) -> Iterator[neo4j.Record]:
        try:
            with self.driver.session(database=self.database, default_access_mode=neo4j.READ_ACCESS) as s:
                yield from s.run(self.registry[name].query())
        except (nx.Neo4jError, nx.DriverError) as exc:
            raise GraphWriteError(f"{name}: reading the graph failed ({_describe(exc)})") from exc

    # -- writes ---------------------------------------------------------------------------------------

    def _write(
        self,
        name: str,
        rows: Iterable[dict[str, Any]],
        params: Mapping[str, Any] | None = None,
        progress: Progress | None = None,
        *,
        concurrency: int = 1,
    ) -> WriteCounts:
        """Run template ``name`` over ``rows`` in batches, one managed transaction each."""
        template = self.registry[name]
        text = template.cypher()
        extra = dict(params or {})
        counts = WriteCounts()

        @neo4j.unit_of_work(metadata=template.metadata)
        def work(tx: neo4j.ManagedTransaction, batch: list[dict[str, Any]]) -> neo4j.SummaryCounters:
            return tx.run(text, {"rows": batch, **extra}).consume().counters

        def run(batch: list[dict[str, Any]]) -> tuple[neo4j.SummaryCounters, int]:
            with self.driver.session(database=self.database) as session:  # sessions are per thread
                return session.execute_write(work, batch), len(batch)

        def collect(done: Iterable[Future[tuple[neo4j.SummaryCounters, int]]]) -> None:
            for future in done:
                try:
                    counters, size = future.result()
                except (nx.Neo4jError, nx.DriverError) as exc:
                    raise GraphWriteError(
                        f"{name}: a batch failed after retries ({_describe(exc)}); what was written is "
                        "consistent: re-run the same command to finish"
                    ) from exc
                counts.add(counters, size)
                if progress is not None:
                    progress(size)

        # Batches run `concurrency` at a time (one transaction uses one server core while the client
        # waits); at most twice that many are in flight, so memory stays bounded. Batches of one call
        # never depend on each other: each MERGEs on constrained keys, and a deadlock between two of them
        # is a transient error the driver retries.
        with ThreadPoolExecutor(concurrency, thread_name_prefix="resolver-write") as pool:
            pending: set[Future[tuple[neo4j.SummaryCounters, int]]] = set()
            try:
                for batch in batched(rows, self.batch_size):
                    pending.add(pool.submit(run, batch))
                    if len(pending) >= 2 * concurrency:
                        done, pending = wait(pending, return_when=FIRST_COMPLETED)
                        collect(done)
                done, pending = wait(pending)
                collect(done)
            finally:
                for future in pending:
                    future.cancel()
        return counts

    def is_empty(self) -> bool:
        """True when the graph holds no organisation (merged ones included), alias, identifier or edge."""
        try:
            records = self.driver.execute_query(
                self.registry["ingest.graph_size"].query(),
                database_=self.database,
                routing_=neo4j.RoutingControl.READ,
            ).records
        except (nx.Neo4jError, nx.DriverError) as exc:
            raise GraphWriteError(f"counting the graph's nodes failed ({_describe(exc)})") from exc
        return int(records[0]["size"]) == 0

    def write_organisations(
        self,
        items: Iterable[OrganisationWrite],
        run_id: str,
        progress: Progress | None = None,
        *,
        fresh: bool = False,
    ) -> WriteCounts:
        """Organisations first, with their aliases and identifiers: the edges written next need them.

        ``fresh``: the graph was empty when the ingest lock was taken (``is_empty``), so every row is
        new and is CREATEd (no MERGE: nothing can match). A run killed half way leaves a graph that is
        no longer empty; its re-run MERGEs.
        """
        params = {"now": now(), "runId": run_id}
        rows: Iterable[dict[str, Any]]
        if not fresh:
            rows = map(organisation_row, items)
            return self._write("write.organisations", rows, params, progress, concurrency=self.concurrency)
        if iter(items) is items:  # an iterator: two passes need it held (a list or a spill reads twice)
            items = list(items)
        uses = AliasUses(a.name for item in items for a in item.aliases)
        rows = (organisation_row_new(item, uses) for item in items)
        return self._write("write.organisations_new", rows, params, progress, concurrency=self.concurrency)

    def write_parent_links(
        self,
        links: Iterable[ParentLink],
        run_id: str,
        progress: Progress | None = None,
        *,
        fresh: bool = False,
        in_order: bool = False,
    ) -> WriteCounts:
        """One PARENT_OF edge per link, MERGEd on claimId (``fresh``: CREATEd, see write_organisations).

        Batches go ``concurrency`` at a time in parent order: a parent's edges land in one or two
        consecutive batches, so concurrent batches seldom lock the same node. ``in_order``: the links
        come sorted by (parent id, child id) already, and are streamed, not held to be sorted.
        """
        ordered = links if in_order else sorted(links, key=lambda link: (link.parent_id, link.child_id))
        rows: Iterable[dict[str, Any]]
        if fresh:
            rows = (parent_row_new(link, run_id) for link in ordered)
            return self._write("write.parent_of_new", rows, None, progress, concurrency=self.concurrency)
        rows = map(parent_row, ordered)
        return self._write("write.parent_of", rows, {"runId": run_id}, progress, concurrency=self.concurrency)

    def write_succession_links(
        self, links: Iterable[SuccessionLink], run_id: str, progress: Progress | None = None
    ) -> WriteCounts:
        return self._write("write.succeeded_by", map(succession_row, links), {"runId": run_id}, progress)

    def write_name_links(
        self, links: Iterable[NameLink], run_id: str, progress: Progress | None = None
    ) -> WriteCounts:
        return self._write("write.name_of", map(name_row, links), {"runId": run_id}, progress)

    # -- runs -----------------------------------------------------------------------------------------

    def start_run(
        self, run_id: str, *, source: str, fmt: str, files: Sequence[str], sha256: Sequence[str]
    ) -> None:
        params = {
            "runId": run_id,
            "source": source,
            "format": fmt,
            "files": list(files),
            "sha256": list(sha256),
            "now": now(),
        }
        self.driver.execute_query(self.registry["write.run_start"].query(), params, database_=self.database)

    def finish_run(
        self, run_id: str, *, status: str, rows_read: int, rows_written: int, rows_rejected: int
    ) -> None:
        params = {
            "runId": run_id,
            "status": status,
            "rowsRead": rows_read,
            "rowsWritten": rows_written,
            "rowsRejected": rows_rejected,
            "now": now(),
        }
        self.driver.execute_query(self.registry["write.run_finish"].query(), params, database_=self.database)

    def lock(self, run_id: str) -> IngestLock:
        """The ingest lock (a context manager); see ``IngestLock``."""
        return IngestLock(self, run_id)


class IngestLock:
    """Serialises ingests into one database.

    Taken by write-locking the single ``IngestLock`` node inside a transaction that stays open until the
    ingest ends and is then rolled back (nothing of it is ever committed). A second ingest blocks on the
    node until the first releases it, so it resolves against the graph the first one wrote. If the holder
    dies (SIGKILL), the server rolls its transaction back when the connection drops and the lock frees.
    """

    def __init__(self, writer: GraphWriter, run_id: str) -> None:
        self.writer = writer
        self.run_id = run_id
        self._session: neo4j.Session | None = None
        self._tx: neo4j.Transaction | None = None

    def __enter__(self) -> IngestLock:
        w = self.writer
        w.driver.execute_query(w.registry["write.lock_ensure"].query(), database_=w.database)
        self._session = w.driver.session(database=w.database)
        try:
            # timeout 0: no limit (a live holder may run long; a dead one's connection drops and frees it)
            acquire = w.registry["write.lock_acquire"]
            self._tx = self._session.begin_transaction(metadata=acquire.metadata, timeout=0)
            self._tx.run(acquire.cypher(), {"runId": self.run_id}).consume()
        except BaseException:
            self._session.close()
            raise
        return self

    def __exit__(self, *exc: object) -> None:
        try:
            if self._tx is not None:
                self._tx.rollback()
        except (nx.Neo4jError, nx.DriverError):
            pass  # the server already dropped it; the lock is free either way
        finally:
            if self._session is not None:
                self._session.close()
