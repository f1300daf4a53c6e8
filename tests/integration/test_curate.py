"""The curation loop against the real server: judgements, merge / unmerge / split, review, import / export."""

from __future__ import annotations

import csv
import json
import os
import pty
import re
import select
import signal
import sys
import threading
import time
from datetime import date
from pathlib import Path
from typing import Any

import neo4j
from click.testing import CliRunner

from resolver import curate
from resolver.cli import cli
from resolver.graph.curator import Curator
from resolver.graph.reader import GraphReader
from resolver.graph.templates import TemplateRegistry
from resolver.settings import Neo4jSettings
from tests.conftest import shared_file
from tests.integration.test_ingest import count, run_ingest, snapshot

AS_OF = date(2026, 1, 1)


def curator(driver: neo4j.Driver) -> Curator:
    return Curator(driver, TemplateRegistry(), database="neo4j")


def reader(driver: neo4j.Driver) -> GraphReader:
    return GraphReader(driver, TemplateRegistry(), database="neo4j")


def edges(path: Path, rows: list[tuple[str, str, str, str]]) -> Path:
    """An edges CSV: (parent, child, parent_id, child_id); ids may be empty."""
    with path.open("w", encoding="utf-8", newline="") as f:
        w = csv.writer(f)
        w.writerow(["parent", "child", "start", "end", "parent_id", "child_id"])
        for parent, child, pid, cid in rows:
            w.writerow([parent, child, "2019-05-00", "", pid, cid])
    return path


def org_of(driver: neo4j.Driver, name: str) -> str:
    return reader(driver).resolve_ref(name).id


def invoke(*args: str) -> Any:
    result = CliRunner().invoke(cli, list(args), catch_exceptions=False)
    return result


def tree_names(driver: neo4j.Driver, ref: str) -> list[str]:
    doc = reader(driver).tree(org_of(driver, ref), AS_OF)
    return sorted(child["name"] for child in doc["children"])


# -- GOV.UK loaded twice under two identifier schemes: found by review, fixed by merge --------------


def govuk_files(tmp_path: Path) -> tuple[Path, Path, str, int]:
    """Ministry of Justice and its live children, once keyed by slug, once by analytics id."""
    doc = json.loads(shared_file("govuk-hierarchy-2021-2026/gov.uk_api_organisations.json").read_text())
    orgs = {o["details"]["slug"]: o for o in doc["results"]}
    moj = orgs["ministry-of-justice"]
    children = [
        orgs[c["id"].rsplit("/", 1)[1]]
        for c in moj["child_organisations"]
        if c["id"].rsplit("/", 1)[1] in orgs
    ]
    children = [c for c in children if c["details"]["govuk_status"] == "live"][:12]
    assert len(children) >= 5
    by_slug, by_analytics = [], []
    for c in children:
        by_slug.append((moj["title"], c["title"], moj["details"]["slug"], c["details"]["slug"]))
        by_analytics.append(
            (moj["title"], c["title"], moj["analytics_identifier"], c["analytics_identifier"])
        )
    a = edges(tmp_path / "govuk-by-slug.csv", by_slug)
    b = edges(tmp_path / "govuk-by-analytics-id.csv", by_analytics)
    return a, b, moj["title"], len(children)


def test_one_file_under_two_identifier_schemes_is_found_by_review_and_fixed_by_merge(
    graph: neo4j.Driver, neo4j_env: Neo4jSettings, tmp_path: Path
) -> None:
    a, b, moj, n = govuk_files(tmp_path)
    run_ingest(graph, a, id_scheme="govuk")
    run_ingest(graph, b, id_scheme="govuk")
    assert count(graph, "MATCH (o:Organisation {name: $n}) RETURN count(o)", n=moj) == 2

    result = invoke("review", "--band", "0", "--limit", "100", "--format", "ndjson")
    assert result.exit_code == 0, result.output
    rows = [json.loads(line) for line in result.output.splitlines()]
    assert len(rows) == n + 1  # every body once, as a pair of its two organisations
    assert all(
        r["reason"].startswith("one normalised name") and r["leftName"] == r["rightName"] for r in rows
    )
    assert any(r["leftParents"] == [moj] for r in rows)
    assert all({r["leftIdentifiers"][0][:6], r["rightIdentifiers"][0][:6]} == {"govuk:"} for r in rows)

    for r in rows:
        merged = invoke("merge", r["left"], r["right"], "--reason", "two id schemes")
        assert merged.exit_code == 0, merged.output
    assert count(graph, "MATCH (o:Organisation) WHERE NOT (o)-[:MERGED_INTO]->() RETURN count(o)") == n + 1
    children = tree_names(graph, moj)
    assert len(children) == len(set(children)) == n  # each body once
    # both ids of the ministry lead to the same tree, and the old ids keep resolving
    for scheme_id in ("govuk:ministry-of-justice", "govuk:D18"):
        assert reader(graph).resolve_ref(scheme_id).id == org_of(graph, moj)
    dupes = reader(graph).rows("quality.duplicate_spells", {"limit": 100})
    assert len(dupes) == n and all(len(d["claimIds"]) == 2 for d in dupes)
    again = invoke("review", "--band", "0", "--format", "ndjson")
    assert again.output.strip() == ""
    # a re-ingest of either file after the merges creates nothing new
    report = run_ingest(graph, b, id_scheme="govuk")
    assert (report.organisations_created, report.edges_created) == (0, 0)
    assert len(tree_names(graph, moj)) == n


# -- merge: followed everywhere, undone exactly ---------------------------------------------------


def two_ministries(graph: neo4j.Driver, tmp_path: Path) -> tuple[str, str]:
    """'Ministry of Justice' twice (two ids of one scheme), each with a child, under a common parent."""
    path = edges(
        tmp_path / "moj.csv",
        [
            ("Ministry of Justice", "HM Prison and Probation Service", "moj", "hmpps"),
            ("Ministry of Justice", "Legal Aid Agency", "D18", "laa"),
            ("HM Government", "Ministry of Justice", "gov", "moj"),
            ("Legal Aid Agency", "Legal Aid Digital Team", "laa", "ladt"),
            ("Cabinet Office", "Government Legal Department", "co", "gld"),
        ],
    )
    run_ingest(graph, path, id_scheme="x")
    keep = reader(graph).resolve_ref("x:moj").id
    other = reader(graph).resolve_ref("x:D18").id
    assert keep != other
    return keep, other


def test_a_merge_is_followed_by_every_template_and_by_lookup_and_tree(
    graph: neo4j.Driver, neo4j_env: Neo4jSettings, tmp_path: Path
) -> None:
    keep, other = two_ministries(graph, tmp_path)
    outcome = curate.merge(curator(graph), keep, [other], by="test", reason="one ministry")
    assert outcome.actions == [f"merged {other} into {keep}"] and not outcome.refused
    r = reader(graph)
    assert [c.id for c in r.by_id(other)] == [keep]
    assert {c.id for c in r.lookup("Ministry of Justice")} == {keep}
    assert tree_names(graph, other) == ["HM Prison and Probation Service", "Legal Aid Agency"]
    up = r.tree(other, AS_OF, up=True)
    assert [p["name"] for p in up["parents"]] == ["HM Government"]
    grandchild = r.resolve_ref("x:ladt").id
    params = {"asOf": AS_OF, "mode": "possible", "maxDepth": 5}
    checked = 0
    for tpl in TemplateRegistry():
        names = {p.name for p in tpl.params}
        if tpl.mode != "read" or not names & {"orgId", "fromId", "toId"}:
            continue

        def run(ref: str, name: str = tpl.name, declared: set[str] = names) -> list[dict[str, Any]]:
            values: dict[str, Any] = {k: v for k, v in params.items() if k in declared}
            values |= {k: ref for k in ("orgId", "fromId") if k in declared}
            if "toId" in declared:
                values["toId"] = grandchild
            return r.rows(name, values)

        assert run(other) == run(keep), tpl.name
        checked += 1
    assert checked >= 9
    assert r.rows("quality.orphans", {"limit": 100}) == []
    result = invoke("tree", other, "--as-of", "2026-01-01", "--format", "csv")
    assert "Legal Aid Digital Team" in result.output and result.output.count("Ministry of Justice") == 1


def test_merge_then_unmerge_returns_the_exact_snapshot(graph: neo4j.Driver, tmp_path: Path) -> None:
    keep, other = two_ministries(graph, tmp_path)
    before = snapshot(graph)
    c = curator(graph)
    curate.merge(c, keep, [other], by="test", reason=None)
    assert snapshot(graph) != before
    assert (
        count(
            graph,
            "MATCH ()-[r:PARENT_OF]->() WHERE r.originalChildId IS NOT NULL "
            "OR r.originalParentId IS NOT NULL "
            "RETURN count(r)",
        )
        == 1
    )
    curate.unmerge(c, other, by="test", judgement=False)
    assert snapshot(graph) == before

    # a chain: other into keep, keep into a third; undone from the top, the graph is whole again
    third = reader(graph).resolve_ref("x:co").id
    curate.merge(c, keep, [other], by="test", reason=None)
    assert curate.merge(c, third, [keep], by="test", reason=None).refused == []
    assert tree_names(graph, "x:co") == [
        "Government Legal Department",
        "HM Prison and Probation Service",
        "Legal Aid Agency",
    ]
    curate.unmerge(c, keep, by="test", judgement=False)
    assert tree_names(graph, "x:co") == ["Government Legal Department"]
    assert tree_names(graph, keep) == ["HM Prison and Probation Service", "Legal Aid Agency"]
    curate.unmerge(c, other, by="test", judgement=False)
    assert snapshot(graph) == before
    # a parent and its own child are never merged
    refused = curate.merge(c, reader(graph).resolve_ref("x:gov").id, [keep], by="test", reason=None).refused
    assert "PARENT_OF" in refused[0]

    # with the default 'different' judgement the snapshot gains exactly that judgement
    curate.merge(c, keep, [other], by="test", reason=None)
    out = curate.unmerge(c, other, by="test")
    after = snapshot(graph)
    nodes = after[0] - before[0]
    assert sum(nodes.values()) == 1 and '"Judgement"' in next(iter(nodes))
    assert after[1] == before[1]
    assert out.judgement is not None and out.judgement.verdict == "different"


# -- judgements: honoured by later ingests ----------------------------------------------------------


def surrey(tmp_path: Path) -> Path:
    return edges(
        tmp_path / "surrey.csv",
        [
            ("Home Office", "Surrey Police", "", ""),
            ("Surrey County Council", "Surrey Police Authority", "", ""),
        ],
    )


def test_a_different_judgement_splits_the_cluster_and_survives_reingest(
    graph: neo4j.Driver, neo4j_env: Neo4jSettings, tmp_path: Path
) -> None:
    path = surrey(tmp_path)
    run_ingest(graph, path)
    assert org_of(graph, "Surrey Police") == org_of(
        graph, "Surrey Police Authority"
    )  # the engine joined them

    result = invoke("judge", "Surrey Police", "Surrey Police Authority", "different", "--note", "two bodies")
    assert result.exit_code == 0, result.output
    assert "split 1 name(s)" in result.output
    assert org_of(graph, "Surrey Police") != org_of(graph, "Surrey Police Authority")

    report = run_ingest(graph, path)  # the next run moves the claims that use the name
    assert report.organisations_created == 0
    assert tree_names(graph, "Surrey County Council") == ["Surrey Police Authority"]
    assert tree_names(graph, "Home Office") == ["Surrey Police"]
    assert count(graph, "MATCH (j:Judgement {verdict: 'different'}) RETURN count(j)") == 1

    # a new file with new spellings of both: still two organisations
    more = edges(
        tmp_path / "more.csv",
        [
            ("Home Office", "Surrey Police.", "", ""),
            ("Surrey County Council", "Surrey Police Authority.", "", ""),
        ],
    )
    run_ingest(graph, more)
    assert tree_names(graph, "Home Office") == ["Surrey Police"]
    assert org_of(graph, "Surrey Police.") != org_of(graph, "Surrey Police Authority.")


def test_names_joined_by_a_chain_are_reviewed_and_split(
    graph: neo4j.Driver, neo4j_env: Neo4jSettings, tmp_path: Path
) -> None:
    path = edges(
        tmp_path / "councils.csv",
        [
            ("West Midlands", "Herefordshire Council", "", ""),
            ("East of England", "Hertfordshire Council", "", ""),
            ("Home Counties", "Hertfordshire County Council", "", ""),
        ],
    )
    run_ingest(graph, path)
    assert org_of(graph, "Herefordshire Council") == org_of(graph, "Hertfordshire County Council")
    result = invoke("review", "--band", "0", "--format", "ndjson")
    [row] = [json.loads(line) for line in result.output.splitlines()]
    assert (row["leftKind"], row["rightKind"], row["decision"]) == ("name", "name", "different")
    assert {row["left"], row["right"]} == {"Herefordshire Council", "Hertfordshire County Council"}
    assert "chain" in row["reason"] and len(row["leftParents"]) == 3

    assert invoke("judge", row["left"], row["right"], "different").exit_code == 0
    assert org_of(graph, "Herefordshire Council") != org_of(graph, "Hertfordshire County Council")
    run_ingest(graph, path)
    assert org_of(graph, "Herefordshire Council") != org_of(graph, "Hertfordshire County Council")
    assert invoke("review", "--band", "0", "--format", "ndjson").output.strip() == ""


def test_a_same_judgement_merges_and_later_ingests_keep_it(
    graph: neo4j.Driver, neo4j_env: Neo4jSettings, tmp_path: Path
) -> None:
    path = edges(
        tmp_path / "kent.csv",
        [("Home Office", "Kent Police", "", ""), ("Kent County Council", "Kent Constabulary", "", "")],
    )
    run_ingest(graph, path)
    assert org_of(graph, "Kent Police") != org_of(graph, "Kent Constabulary")
    result = invoke("judge", "Kent Police", "Kent Constabulary", "same", "--by", "ana")
    assert result.exit_code == 0 and "merged" in result.output
    assert org_of(graph, "Kent Police") == org_of(graph, "Kent Constabulary")
    report = run_ingest(graph, path)
    assert (report.organisations_created, report.edges_created) == (0, 0)
    # a new spelling joins the one organisation both names now denote
    run_ingest(graph, edges(tmp_path / "k2.csv", [("Home Office", "Kent Constabulary", "", "")]))
    assert count(graph, "MATCH (o:Organisation) WHERE NOT (o)-[:MERGED_INTO]->() RETURN count(o)") == 3
    [j] = list(curator(graph).judgements())
    assert (j.verdict, j.by, j.left_kind) == ("same", "ana", "name") and j.score is not None and j.features


# -- two reviewers at once, export / import, interactive review -----------------------------------


def test_two_reviewers_judging_at_once_lose_nothing(graph: neo4j.Driver, tmp_path: Path) -> None:
    names = [f"Body {i}" for i in range(40)]
    run_ingest(
        graph,
        edges(tmp_path / "bodies.csv", [("Parent Office", n, "", f"b{i}") for i, n in enumerate(names)]),
        id_scheme="x",
    )
    c = curator(graph)
    pairs = [(f"x:b{i}", f"x:b{i + 1}") for i in range(0, 39)]
    errors: list[BaseException] = []

    def reviewer(who: str, verdict: Any) -> None:
        try:
            for a, b in pairs:
                curate.judge(c, a, b, verdict, by=who, apply=False)
        except BaseException as exc:
            errors.append(exc)

    threads = [
        threading.Thread(target=reviewer, args=("ana", "different")),
        threading.Thread(target=reviewer, args=("ben", "unsure")),
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    rows = graph.execute_query(
        "MATCH (j:Judgement) RETURN j.by AS by, j.verdict AS v, j.history AS h"
    ).records
    assert len(rows) == len(pairs)
    for r in rows:  # both decisions are there: the last one, and the other in history
        assert len(r["h"]) == 1
        other = "ben: unsure" if r["by"] == "ana" else "ana: different"
        assert other in r["h"][0]


def test_judgements_export_and_import_round_trip(
    graph: neo4j.Driver, neo4j_env: Neo4jSettings, tmp_path: Path
) -> None:
    run_ingest(graph, surrey(tmp_path))
    invoke("judge", "Home Office", "Surrey County Council", "different", "--note", "a ministry, a council")
    invoke("judge", "Surrey Police", "Surrey Police Authority", "unsure")
    for fmt in ("csv", "ndjson"):
        exported = invoke("judgements", "export", "--format", fmt).output
        path = tmp_path / f"j.{fmt}"
        path.write_text(exported)
        before = [j.row() for j in curator(graph).judgements()]
        graph.execute_query("MATCH (j:Judgement) DETACH DELETE j")
        result = invoke("judgements", "import", str(path), "--record-only")
        assert result.exit_code == 0 and "imported 2 judgement(s); 0 row(s) rejected" in result.output
        after = [j.row() for j in curator(graph).judgements()]
        assert after == before
    bad = tmp_path / "bad.csv"
    bad.write_text("left,right,verdict\nA,B,maybe\n")
    result = CliRunner().invoke(cli, ["judgements", "import", str(bad)])
    assert result.exit_code == 1 and "bad.csv:2: field 'verdict'" in result.output


def test_interactive_review_under_a_pty(
    graph: neo4j.Driver, neo4j_settings: Neo4jSettings, tmp_path: Path
) -> None:
    path = edges(
        tmp_path / "d.csv",
        [
            ("Ministry of Justice", "Legal Aid Agency", "moj", "laa"),
            ("Ministry of Justice", "Legal Aid Agency", "D18", "LAA2"),
        ],
    )
    run_ingest(graph, path, id_scheme="x")
    env = {**os.environ, **neo4j_settings.environment(), "RESOLVER_REVIEWER": "tty-user", "COLUMNS": "120"}

    def session(keys: str) -> str:
        pid, fd = pty.fork()
        if pid == 0:  # the child: the command on a terminal
            os.execve(sys.executable, [sys.executable, "-m", "resolver", "review", "-i", "--band", "0"], env)
        out = b""
        pending = list(keys)
        answered = 0  # bytes of output up to the last key sent
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            ready, _, _ = select.select([fd], [], [], 0.5)
            if ready:
                try:
                    chunk = os.read(fd, 4096)
                except OSError:  # the command ended and closed the terminal
                    break
                if not chunk:
                    break
                out += chunk
            if pending and b"q quit" in out[answered:]:
                time.sleep(0.5)  # let it enter raw mode; the Enter delivers the key in cooked mode too
                os.write(fd, pending.pop(0).encode() + b"\r")
                answered = len(out)
        else:
            os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
        return re.sub(r"\x1b\[[0-9;?]*[A-Za-z]", "", out.decode("utf-8", "replace"))  # no colours

    first = session("sq")  # the first pair: same (merges it); then quit
    assert "pair 1 of 2" in first and "pair 2 of 2" in first and "merged" in first
    assert "saved 1 judgement(s)" in first
    assert count(graph, "MATCH (j:Judgement {verdict: 'same', by: 'tty-user'}) RETURN count(j)") == 1
    second = session("q")  # resumes: what is left is the pair not judged yet
    assert "pair 1 of 1" in second and "saved 0 judgement(s)" in second
