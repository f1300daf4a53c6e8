"""Pictures of a hierarchy: Mermaid, DOT, GraphML text, and the HTML page in a real headless Chromium."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from datetime import date
from pathlib import Path
from xml.etree import ElementTree as ET

import pytest

from resolver.pictures import Picture, dot, from_rows, from_tree, graphml, html, mermaid, span_label

# The seed's shape: NAAP from May 2019 (month), NHSX from 2019 (year, ended at an unknown date), NHS Digital
# with two spells and a gap in 2016, a snapshot agency seen from 2021-08-11 ("on or before").
ROWS = [
    {
        "parentId": "org-dhsc",
        "parentName": "Department of Health and Social Care",
        "childId": "org-nhs",
        "childName": "NHS",
        "validFrom": date(2013, 4, 1),
        "validFromLatest": date(2013, 4, 1),
        "validFromText": "2013-04-01",
        "isCurrent": True,
        "claimId": "c1",
    },
    {
        "parentId": "org-nhs",
        "parentName": "NHS",
        "childId": "org-naap",
        "childName": "NHS As A Platform",
        "validFrom": date(2019, 5, 1),
        "validFromLatest": date(2019, 5, 31),
        "validFromText": "2019-05-00",
        "claimId": "c2",
    },
    {
        "parentId": "org-nhs",
        "parentName": "NHS",
        "childId": "org-nhsx",
        "childName": 'NHSX "<b>"',
        "validFrom": date(2019, 1, 1),
        "validFromLatest": date(2019, 12, 31),
        "validFromText": "2019-00-00",
        "isCurrent": False,
        "claimId": "c3",
    },
    {
        "parentId": "org-dhsc",
        "parentName": "Department of Health and Social Care",
        "childId": "org-nhsd",
        "childName": "NHS Digital",
        "validFrom": date(2013, 4, 1),
        "validFromLatest": date(2013, 4, 1),
        "validTo": date(2016, 3, 31),
        "validToLatest": date(2016, 3, 31),
        "isCurrent": False,
        "claimId": "c4",
    },
    {
        "parentId": "org-dhsc",
        "parentName": "Department of Health and Social Care",
        "childId": "org-nhsd",
        "childName": "NHS Digital",
        "validFrom": date(2017, 1, 1),
        "validFromLatest": date(2017, 1, 1),
        "validTo": date(2023, 1, 31),
        "validToLatest": date(2023, 1, 31),
        "isCurrent": False,
        "claimId": "c5",
    },
    {
        "parentId": "org-dhsc",
        "parentName": "Department of Health and Social Care",
        "childId": "org-snap",
        "childName": "Snapshot Agency",
        "validFromLatest": date(2021, 8, 11),
        "isCurrent": True,
        "claimId": "c6",
    },
]


def picture() -> Picture:
    pic = from_rows(ROWS, title="DHSC")
    pic.as_of, pic.mode = "2020-05-15", "possible"
    return pic


def test_span_labels() -> None:
    assert span_label({"validFromText": "2019-05-00"}) == "from 2019-05-00"
    assert span_label({"validFromText": "2019", "isCurrent": False}) == "from 2019, ended (date unknown)"
    assert span_label({"validFromLatest": "2021-08-11"}) == "on or before 2021-08-11"
    assert span_label({"validFrom": "2013-04-01", "validTo": "2016-03-31"}) == "from 2013-04-01 to 2016-03-31"


def test_from_rows_roots_and_two_spells_of_one_pair() -> None:
    pic = picture()
    assert pic.roots == ["org-dhsc"]
    assert [c for p, c, _ in pic.edges].count("org-nhsd") == 2


def test_mermaid_and_dot_escape_names() -> None:
    text = mermaid(picture())
    assert "graph TD" in text and "#quot;#lt;b#gt;#quot;" in text and "<b>" not in text.replace("<br/>", "")
    assert '|"from 2013-04-01 to 2016-03-31; from 2017-01-01 to 2023-01-31"|' in text  # one arrow, two spells
    graph = dot(picture())
    assert graph.startswith("digraph hierarchy {") and 'NHSX \\"<b>\\"\\norg-nhsx' in graph
    assert graph.count("->") == 5


def test_graphml_is_valid_xml_with_one_edge_per_spell() -> None:
    root = ET.fromstring(graphml(picture()))
    ns = {"g": "http://graphml.graphdrawing.org/xmlns"}
    assert len(root.findall(".//g:edge", ns)) == 6
    names = {d.text for d in root.iterfind(".//g:node/g:data", ns)}
    assert 'NHSX "<b>"' in names


def test_from_tree_points_edges_downwards_even_upwards() -> None:
    doc = {
        "id": "c",
        "name": "C",
        "direction": "up",
        "asOf": "2020",
        "mode": "certain",
        "parents": [{"id": "p", "name": "P", "spells": [{"claimId": "x"}], "parents": []}],
    }
    pic = from_tree(doc)
    assert pic.edges == [("p", "c", {"claimId": "x"})] and pic.as_of == "2020"


def test_html_is_self_contained() -> None:
    page = html(picture())
    assert "<script src" not in page and "<link" not in page and "http" not in page.split("<script id=")[0]
    assert "</script>" not in page.split('type="application/json">')[1].split("</script>")[0]


def _chromium() -> str:
    for name in ("chromium", "chromium-browser", "google-chrome"):
        found = shutil.which(name)
        if found:
            return found
    message = "no headless Chromium (apt-get install chromium; scripts/test.sh does it under CI)"
    if os.environ.get("CI"):
        pytest.fail(message)
    pytest.skip(message)


def _browse(page: Path, fragment: str, *extra: str) -> str:
    args = [
        _chromium(),
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--no-first-run",
        "--virtual-time-budget=3000",
        *extra,
        f"{page.as_uri()}#{fragment}",
    ]
    done = subprocess.run(args, capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr[-2000:]
    return done.stdout


def _shown(dom: str) -> set[str]:
    return set(re.findall(r'<li[^>]*data-id="([^"]+)"', dom))


def test_html_page_in_headless_chromium(tmp_path: Path) -> None:
    """Load the page, let its script draw, read the DOM: the tree for the day in the address, filtered
    client-side with the as-of rule; then take a screenshot."""
    page = tmp_path / "tree.html"
    page.write_text(html(picture()), encoding="utf-8")
    dom = _browse(page, "asOf=2020-05-15&mode=possible", "--dump-dom")
    # the snapshot agency may have existed before it was first seen: possible, not certain
    assert _shown(dom) == {"org-dhsc", "org-nhs", "org-naap", "org-nhsx", "org-nhsd", "org-snap"}
    assert "from 2019-05-00" in dom and "<details" in dom  # collapsible, spells shown (and on hover)
    assert 'title="from 2019-05-00 claim c2"' in dom
    # certain in May 2019: NAAP (May, day unknown) and NHSX (year 2019) drop out
    assert _shown(_browse(page, "asOf=2019-05-15&mode=certain", "--dump-dom")) == {
        "org-dhsc",
        "org-nhs",
        "org-nhsd",
    }
    # the gap year of NHS Digital, and the snapshot agency "on or before 2021-08-11"
    assert "org-nhsd" not in _shown(_browse(page, "asOf=2016-06-01&mode=possible", "--dump-dom"))
    assert "org-snap" in _shown(_browse(page, "asOf=2021-08-11&mode=certain", "--dump-dom"))
    assert "org-snap" not in _shown(_browse(page, "asOf=2021-08-10&mode=certain", "--dump-dom"))
    shot = tmp_path / "tree.png"
    _browse(page, "asOf=2020-05-15", f"--screenshot={shot}", "--window-size=1100,700")
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and shot.stat().st_size > 10_000
