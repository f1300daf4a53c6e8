"""Read-only graph reads for matching: the snapshot ``resolver.match.Matcher`` is built from, and batched
rollups (direct and ultimate parents of many organisations, each on its own day) in one query.

Every query here runs in a managed read transaction in a READ access-mode session: the server refuses
any write inside one, so the matching commands and the HTTP service cannot change the graph.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

import neo4j
from neo4j import exceptions as nx

from resolver.errors import GraphConnectionError, QueryError
from resolver.graph.reader import check_mode, native
from resolver.graph.templates import TemplateRegistry
from resolver.match import Judgement, SnapshotOrganisation

_QUIET = [neo4j.NotificationDisabledClassification.UNRECOGNIZED]
ROLLUP_BATCH = 5_000  # (organisation, day) pairs per rollup query


@dataclass(frozen=True, slots=True)
class Rollup:
    """An organisation's direct parents and ultimate parents on one day ((id, name) pairs, sorted)."""

    parents: tuple[tuple[str, str], ...]
    tops: tuple[tuple[str, str], ...]


class SnapshotReader:
    """Reads for ``resolver match`` and ``resolver serve`` (read transactions only)."""

    def __init__(self, driver: neo4j.Driver, registry: TemplateRegistry, *, database: str) -> None:
        self.driver = driver
        self.registry = registry
        self.database = database

    def _read(
        self,
        name: str,
        params: Mapping[str, Any],
        each: Callable[[neo4j.Record], None],
        reset: Callable[[], None] | None = None,
    ) -> None:
        """Run read template ``name``, handing each record to ``each``; ``reset`` runs before every
        attempt (the driver retries a transaction that failed transiently from the start)."""
        tpl = self.registry[name]
        tpl.check_params(dict(params))
        text = tpl.cypher()

        @neo4j.unit_of_work(metadata=tpl.metadata)
        def work(tx: neo4j.ManagedTransaction) -> None:
            if reset is not None:
                reset()
            for record in tx.run(text, dict(params)):
                each(record)

        try:
            with self.driver.session(
                database=self.database,
                default_access_mode=neo4j.READ_ACCESS,
                notifications_disabled_classifications=_QUIET,
            ) as session:
                session.execute_read(work)
        except nx.Neo4jError as exc:
            raise QueryError(f"{name}: the server refused the query: {exc.code}: {exc.message}") from exc
        except nx.DriverError as exc:
            raise GraphConnectionError(
                f"{name}: lost the connection to Neo4j ({type(exc).__name__}: {exc})"
            ) from exc

    def organisations(self, progress: Callable[[int], None] | None = None) -> list[SnapshotOrganisation]:
        """Every organisation (merged ones too, with ``merged_into``), its aliases and identifiers.

        One query answering one record per kind with two parallel lists: at a million organisations a
        record per row costs the driver a minute, the lists a few seconds (the server holds them in
        memory meanwhile). Aliases and identifiers are sorted, so the same graph always gives the same
        snapshot (the index cache of ``resolver.match_index`` relies on it).
        """
        names: dict[str, str] = {}
        aliases: dict[str, list[str]] = {}
        identifiers: dict[str, list[str]] = {}
        merged: dict[str, str] = {}
        tables = {"alias": aliases, "identifier": identifiers}

        def reset() -> None:
            for table in (names, aliases, identifiers, merged):
                table.clear()

        def each(r: neo4j.Record) -> None:
            kind, ids, values = r
            if kind == "name":
                names.update(zip(ids, values, strict=True))
                if progress is not None:
                    progress(len(ids))
            elif kind == "merged":
                merged.update(zip(ids, values, strict=True))
            else:
                table = tables[kind]
                for org, value in zip(ids, values, strict=True):
                    known = table.get(org)
                    if known is None:
                        table[org] = [value]
                    else:
                        known.append(value)

        self._read("match.organisations", {}, each, reset=reset)
        empty: tuple[str, ...] = ()
        return [
            SnapshotOrganisation(
                org,
                name,
                tuple(sorted(aliases[org])) if org in aliases else empty,
                tuple(sorted(identifiers[org])) if org in identifiers else empty,
                merged.get(org),
            )
            for org, name in names.items()
        ]

    def judgements(self) -> list[Judgement]:
        """Judgements people recorded (none on a graph without any)."""
        out: list[Judgement] = []
        self._read(
            "match.judgements", {}, lambda r: out.append(Judgement(r["left"], r["right"], r["verdict"]))
        )
        return out

    def parents(
        self, ids: Iterable[str], as_of: date, mode: str = "possible"
    ) -> dict[str, tuple[tuple[str, str], ...]]:
        """Direct parents of each organisation on ``as_of`` (organisations without one are left out)."""
        check_mode(mode)
        out: dict[str, tuple[tuple[str, str], ...]] = {}

        def each(r: neo4j.Record) -> None:
            out[r["id"]] = tuple((p["id"], p["name"] or "") for p in r["parents"])

        wanted = sorted(set(ids))
        for start in range(0, len(wanted), ROLLUP_BATCH):
            params = {"ids": wanted[start : start + ROLLUP_BATCH], "asOf": as_of, "mode": mode}
            self._read("match.parents", params, each)
        return out

    def rollups(
        self, pairs: Iterable[tuple[str, date]], mode: str = "possible"
    ) -> dict[tuple[str, date], Rollup]:
        """Direct and ultimate parents of each (organisation id, day), ROLLUP_BATCH pairs per query."""
        check_mode(mode)
        out: dict[tuple[str, date], Rollup] = {}

        def each(r: neo4j.Record) -> None:
            day = native(r["asOf"])
            out[(r["id"], day)] = Rollup(
                parents=tuple((p["id"], p["name"] or "") for p in r["parents"]),
                tops=tuple((t["id"], t["name"] or "") for t in r["tops"]),
            )

        for batch in _batches(sorted(set(pairs)), ROLLUP_BATCH):
            rows = [{"id": org_id, "asOf": day} for org_id, day in batch]
            self._read("match.rollup", {"rows": rows, "mode": mode}, each)
        return out


def _batches(items: list[tuple[str, date]], size: int) -> Iterator[list[tuple[str, date]]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]
