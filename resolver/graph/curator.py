"""People's corrections in the graph: judgements, merges, unmerges and splits (templates of cypher/curate/).

Every change runs in one managed write transaction (retried on transient errors such as deadlocks), so a
change is whole or absent. Merges, unmerges and splits also take the ingest lock: they never interleave with
an ingest, which would otherwise resolve against a graph changing under it. Judgements need no lock: each
MERGEs one node on its unique key and write-locks it before reading it.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import neo4j
from neo4j import exceptions as nx

from resolver.errors import GraphWriteError, QueryError
from resolver.graph.reader import native
from resolver.graph.templates import TemplateRegistry
from resolver.graph.writer import GraphWriter
from resolver.judgements import Judgement
from resolver.judgements import from_row as judgement_from_row


@dataclass(frozen=True, slots=True)
class RefHit:
    """An organisation a reference reaches: by id, identifier or exact name (``id`` after redirects)."""

    matched_by: str
    requested: str
    id: str
    name: str


def _describe(exc: Exception) -> str:
    if isinstance(exc, nx.Neo4jError):
        return f"{exc.code}: {exc.message}"
    return f"{type(exc).__name__}: {exc}"


class Curator:
    """Reads and writes of the curation loop.

    Example:
        >>> curator = Curator(driver, TemplateRegistry(), database="neo4j")   # doctest: +SKIP
        >>> curator.merge("org-keep", "org-other", by="ana", reason="same body")  # doctest: +SKIP
    """

    def __init__(self, driver: neo4j.Driver, registry: TemplateRegistry, *, database: str) -> None:
        self.driver = driver
        self.registry = registry
        self.database = database

    # -- plumbing -------------------------------------------------------------------------------------

    def _run(self, name: str, params: Mapping[str, Any]) -> list[dict[str, Any]]:
        template = self.registry[name]
        template.check_params(dict(params))
        text = template.cypher()

        @neo4j.unit_of_work(metadata=template.metadata)
        def work(tx: neo4j.ManagedTransaction) -> list[dict[str, Any]]:
            return [native(r.data()) for r in tx.run(text, dict(params))]

        try:
            with self.driver.session(database=self.database) as session:
                if template.mode == "read":
                    return session.execute_read(work)
                return session.execute_write(work)
        except nx.Neo4jError as exc:
            raise QueryError(f"{name}: the server refused the query ({_describe(exc)})") from exc
        except nx.DriverError as exc:
            raise GraphWriteError(f"{name}: lost the connection to Neo4j ({_describe(exc)})") from exc

    def _locked(self, name: str, params: Mapping[str, Any], label: str) -> list[dict[str, Any]]:
        """``name`` run while holding the ingest lock (see module docstring)."""
        with GraphWriter(self.driver, self.registry, database=self.database).lock(label):
            return self._run(name, params)

    # -- reads ----------------------------------------------------------------------------------------

    def ref(self, ref: str) -> list[RefHit]:
        """The organisations ``ref`` (id, identifier key or exact name) reaches."""
        rows = self._run("curate.ref", {"ref": ref})
        return [RefHit(r["matchedBy"], r["requested"], r["id"], r["name"] or "") for r in rows]

    def judgements(self) -> Iterator[Judgement]:
        for row in self._run("ingest.judgements", {}):
            yield judgement_from_row(row)

    def evidence(self, ids: Sequence[str]) -> dict[str, dict[str, Any]]:
        """Names, identifiers, parents and child count per requested id."""
        return {r["requested"]: r for r in self._run("curate.evidence", {"ids": list(ids)})}

    def rows(self, name: str, params: Mapping[str, Any]) -> list[dict[str, Any]]:
        """A read template's rows (quality.duplicate_names, ...)."""
        if self.registry[name].mode != "read":
            raise QueryError(f"{name} is not a read template")
        return self._run(name, params)

    # -- writes ---------------------------------------------------------------------------------------

    def judge(self, judgement: Judgement) -> str | None:
        """Record ``judgement``; returns the verdict it replaced (None for a new pair)."""
        row = judgement.row()
        params = {**row, "at": datetime.fromisoformat(judgement.at) if judgement.at else datetime.now(UTC)}
        rows = self._run("curate.judge", params)
        return rows[0]["replaced"] if rows else None

    def merge(self, keep_id: str, other_id: str, *, by: str, reason: str | None) -> str | None:
        """Merge ``other_id`` into ``keep_id``; returns why it was refused, None when done."""
        params = {"keepId": keep_id, "otherId": other_id, "at": datetime.now(UTC), "by": by, "reason": reason}
        rows = self._locked("curate.merge", params, f"merge {other_id} into {keep_id}")
        if not rows:
            return f"no organisation has the id {keep_id!r} or {other_id!r}"
        refusal: str | None = rows[0]["refusal"]
        return refusal

    def unmerge(self, other_id: str) -> dict[str, Any] | None:
        """Undo the merge of ``other_id``; the MERGED_INTO it removed (keepId, at, by, reason) or None."""
        rows = self._locked("curate.unmerge", {"otherId": other_id}, f"unmerge {other_id}")
        return rows[0] if rows else None

    def split(
        self,
        org_id: str,
        new_id: str,
        *,
        name: str,
        norm_name: str,
        aliases: Sequence[str],
        identifiers: Sequence[str],
    ) -> dict[str, Any] | None:
        """Move ``aliases`` / ``identifiers`` of ``org_id`` to ``new_id``; None when org_id is not current."""
        params = {
            "orgId": org_id,
            "newId": new_id,
            "name": name,
            "normName": norm_name,
            "aliases": list(aliases),
            "identifiers": list(identifiers),
            "now": datetime.now(UTC),
        }
        rows = self._locked("curate.split", params, f"split {org_id}")
        return rows[0] if rows else None
