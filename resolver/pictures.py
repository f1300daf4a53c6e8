"""Hierarchies as pictures: Mermaid, Graphviz DOT, GraphML and one self-contained HTML page. No click here.

Everything starts from a ``Picture``: organisations (id -> name) and dated edges (parent, child, spell).
``from_tree`` reads the nested dict of ``GraphReader.tree``; ``from_rows`` reads template rows that carry
``parentId``/``childId`` (tree, tree_up, spells_below, changes, ...), a path (``step``, ``relation``) or just
``id``/``name``. Labels and ids are escaped for each format; nothing is fetched from a network.

The HTML page embeds every spell it is given and redraws the tree client-side for the day on its slider with
the as-of rule of cypher/README.md (certain: start surely on or before the day and end surely on or after it;
possible: the day may fall inside the spell). ``#asOf=2014-04-01&mode=certain`` in the address sets both.
"""

from __future__ import annotations

import itertools
import json
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any
from xml.etree import ElementTree as ET

from resolver.render import jsonable

PICTURE_FORMATS: tuple[str, ...] = ("mermaid", "dot", "graphml", "html")
SPELL_FIELDS = (
    "validFrom",
    "validFromLatest",
    "validTo",
    "validToLatest",
    "validFromText",
    "validToText",
    "isCurrent",
    "claimId",
    "source",
)


@dataclass(slots=True)
class Picture:
    """Organisations and the spells between them; ``roots`` are drawn first (the tree's top)."""

    names: dict[str, str] = field(default_factory=dict)
    edges: list[tuple[str, str, dict[str, Any]]] = field(default_factory=list)
    roots: list[str] = field(default_factory=list)
    title: str = ""
    as_of: str | None = None
    mode: str = "possible"

    def node(self, org_id: str, name: str | None) -> None:
        if org_id not in self.names or (name and not self.names[org_id]):
            self.names[org_id] = name or ""


def from_tree(doc: Mapping[str, Any]) -> Picture:
    """A Picture of a nested tree (edges always point from parent to child, also for an upward tree)."""
    up = doc.get("direction") == "up"
    key = "parents" if up else "children"
    pic = Picture(roots=[doc["id"]], as_of=_text(doc.get("asOf")), mode=str(doc.get("mode") or "possible"))
    pic.title = f"{doc['name']} ({'above' if up else 'under'} it on {pic.as_of}, {pic.mode})"
    pic.node(doc["id"], doc["name"])

    def walk(node: Mapping[str, Any]) -> None:
        for other in node.get(key, []):
            pic.node(other["id"], other["name"])
            parent, child = (other["id"], node["id"]) if up else (node["id"], other["id"])
            for spell in other.get("spells") or [{}]:
                pic.edges.append((parent, child, _spell(spell)))
            walk(other)

    walk(doc)
    return pic


def from_rows(rows: Sequence[Mapping[str, Any]], title: str = "") -> Picture:
    """A Picture of template rows: edges from parentId/childId, a chain from a path, else lone nodes."""
    pic = Picture(title=title)
    for r in rows:
        if r.get("parentId") is not None and r.get("childId") is not None:
            pic.node(r["parentId"], r.get("parentName"))
            pic.node(r["childId"], r.get("childName"))
            pic.edges.append((r["parentId"], r["childId"], _spell(r)))
        elif r.get("id") is not None:
            pic.node(r["id"], r.get("name"))
            if r.get("parentId") is not None:  # siblings: id under parentId
                pic.node(r["parentId"], r.get("parentName"))
                pic.edges.append((r["parentId"], r["id"], {}))
    steps = [r for r in rows if "step" in r and "relation" in r]
    for prev, cur in itertools.pairwise(steps):
        if cur["relation"] == "parent":
            pic.edges.append((cur["id"], prev["id"], {}))
        else:
            pic.edges.append((prev["id"], cur["id"], {}))
    children = {c for _, c, _ in pic.edges}
    pic.roots = [n for n in pic.names if n not in children] or list(pic.names)[:1]
    return pic


def _text(value: Any) -> str | None:
    return None if value is None else str(jsonable(value))


def _spell(row: Mapping[str, Any]) -> dict[str, Any]:
    return {k: jsonable(row.get(k)) for k in SPELL_FIELDS if row.get(k) is not None}


def span_label(spell: Mapping[str, Any]) -> str:
    """'2019-05-00 to 2023-01-31', 'from 2019', 'on or before 2021-08-11', '' when nothing is known.

    >>> span_label({"validFromText": "2019-05-00"}), span_label({"validFromLatest": "2021-08-11"})
    ('from 2019-05-00', 'on or before 2021-08-11')
    """
    start = spell.get("validFromText") or spell.get("validFrom")
    if start is None and spell.get("validFromLatest") is not None:
        start_text = f"on or before {spell['validFromLatest']}"
    else:
        start_text = f"from {start}" if start else ""
    end = spell.get("validToText") or spell.get("validTo")
    if end:
        return f"{start_text} to {end}".strip()
    if spell.get("isCurrent") is False:
        return f"{start_text}, ended (date unknown)".strip(", ")
    return start_text


def _ids(pic: Picture) -> dict[str, str]:
    """Short safe node names (n0, n1, ...) in drawing order: Mermaid and DOT ids must not be free text."""
    order = list(dict.fromkeys([*pic.roots, *pic.names]))
    return {org: f"n{i}" for i, org in enumerate(order)}


def _pairs(pic: Picture) -> Iterator[tuple[str, str, list[dict[str, Any]]]]:
    grouped: dict[tuple[str, str], list[dict[str, Any]]] = {}
    for parent, child, spell in pic.edges:
        grouped.setdefault((parent, child), []).append(spell)
    for (parent, child), spells in grouped.items():
        yield parent, child, spells


def mermaid(pic: Picture) -> str:
    """A Mermaid flowchart (paste into GitHub Markdown, mermaid.live, Notion)."""

    def esc(text: str) -> str:
        return text.replace('"', "#quot;").replace("<", "#lt;").replace(">", "#gt;")

    ids = _ids(pic)
    lines = ["graph TD"]
    if pic.title:
        lines.insert(0, f"%% {pic.title}")
    for org, node in ids.items():
        lines.append(f'  {node}["{esc(pic.names.get(org, ""))}<br/><small>{esc(org)}</small>"]')
    for parent, child, spells in _pairs(pic):
        label = "; ".join(x for x in (span_label(s) for s in spells) if x)
        arrow = f'-->|"{esc(label)}"|' if label else "-->"
        lines.append(f"  {ids[parent]} {arrow} {ids[child]}")
    return "\n".join(lines) + "\n"


def dot(pic: Picture) -> str:
    """A Graphviz digraph (``dot -Tpng tree.dot -o tree.png``)."""

    def q(text: str) -> str:
        return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'

    ids = _ids(pic)
    lines = [
        "digraph hierarchy {",
        "  rankdir=LR;",
        '  node [shape=box, style="rounded", fontname="Helvetica"];',
        '  edge [fontname="Helvetica", fontsize=9, color="#555555"];',
    ]
    if pic.title:
        lines.append(f"  label={q(pic.title)}; labelloc=t;")
    for org, node in ids.items():
        lines.append(f"  {node} [label={q(pic.names.get(org, '') + chr(10) + org)}, tooltip={q(org)}];")
    for parent, child, spells in _pairs(pic):
        label = "; ".join(x for x in (span_label(s) for s in spells) if x)
        lines.append(f"  {ids[parent]} -> {ids[child]} [label={q(label)}];")
    lines.append("}")
    return "\n".join(lines) + "\n"


def graphml(pic: Picture) -> str:
    """GraphML (yEd, Gephi, networkx.read_graphml): node id and name, one edge per spell with its dates."""
    ns = "http://graphml.graphdrawing.org/xmlns"
    root = ET.Element("graphml", {"xmlns": ns})
    ET.SubElement(root, "key", {"id": "name", "for": "node", "attr.name": "name", "attr.type": "string"})
    for f in SPELL_FIELDS:
        kind = "boolean" if f == "isCurrent" else "string"
        ET.SubElement(root, "key", {"id": f, "for": "edge", "attr.name": f, "attr.type": kind})
    graph = ET.SubElement(root, "graph", {"id": "hierarchy", "edgedefault": "directed"})
    for org in dict.fromkeys([*pic.roots, *pic.names]):
        node = ET.SubElement(graph, "node", {"id": org})
        ET.SubElement(node, "data", {"key": "name"}).text = pic.names.get(org, "")
    for i, (parent, child, spell) in enumerate(pic.edges):
        edge = ET.SubElement(graph, "edge", {"id": f"e{i}", "source": parent, "target": child})
        for f in SPELL_FIELDS:
            if spell.get(f) is not None:
                value = spell[f]
                text = ("true" if value else "false") if isinstance(value, bool) else str(value)
                ET.SubElement(edge, "data", {"key": f}).text = text
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"


def html(pic: Picture, *, depth: int = 20) -> str:
    """One self-contained page: a collapsible tree, spells on hover, a date slider and a mode switch."""
    days = [
        d
        for _, _, s in pic.edges
        for d in (s.get("validFrom"), s.get("validFromLatest"), s.get("validTo"), s.get("validToLatest"))
        if d
    ]
    today = date.today().isoformat()
    first = min([*days, pic.as_of or today])[:4] + "-01-01"
    last = max([*days, pic.as_of or today, today])
    data = {
        "title": pic.title,
        "roots": pic.roots,
        "names": pic.names,
        "edges": [[p, c, s] for p, c, s in pic.edges],
        "asOf": (pic.as_of or today) if len(pic.as_of or "") == 10 else _first_day(pic.as_of, today),
        "mode": pic.mode,
        "first": first,
        "last": last,
        "depth": depth,
    }
    payload = json.dumps(data, ensure_ascii=False).replace("</", "<\\/")
    return _PAGE.replace("__DATA__", payload).replace("__TITLE__", _html_escape(pic.title or "hierarchy"))


def _first_day(as_of: str | None, today: str) -> str:
    if not as_of:
        return today
    return as_of + ("-01-01" if len(as_of) == 4 else "-01")


def _html_escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")


def render_picture(pic: Picture, fmt: str, *, depth: int = 20) -> str:
    """The picture in one of PICTURE_FORMATS."""
    if fmt == "mermaid":
        return mermaid(pic)
    if fmt == "dot":
        return dot(pic)
    if fmt == "graphml":
        return graphml(pic)
    if fmt == "html":
        return html(pic, depth=depth)
    raise ValueError(f"unknown picture format {fmt!r}; choose one of {', '.join(PICTURE_FORMATS)}")


_PAGE = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>__TITLE__</title>
<style>
body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Helvetica, Arial, sans-serif; margin: 1.5em;
       color: #1d2433; }
header { position: sticky; top: 0; background: #fff; padding-bottom: .6em; border-bottom: 1px solid #dde; }
h1 { font-size: 1.15em; margin: 0 0 .4em; }
#controls { display: flex; gap: 1em; align-items: center; flex-wrap: wrap; }
#slider { width: min(60vw, 640px); }
#day { font-weight: 600; font-variant-numeric: tabular-nums; }
#summary { color: #556; }
ul.tree { list-style: none; padding-left: 1.3em; border-left: 1px dotted #bbc; margin: .2em 0; }
ul.tree.top { border-left: none; padding-left: 0; }
summary { cursor: pointer; }
li.leaf { padding-left: 1.05em; }
.org { font-weight: 600; }
.id { color: #778; font-size: .85em; margin-left: .35em; }
.span { color: #446; font-size: .85em; margin-left: .5em; }
.empty { color: #a33; }
</style></head>
<body>
<header>
<h1 id="title"></h1>
<div id="controls">
  <label>as of <input id="slider" type="range" min="0" max="1" step="1"></label>
  <span id="day"></span>
  <label><select id="mode"><option value="possible">possible</option>
    <option value="certain">certain</option></select></label>
  <span id="summary"></span>
</div>
</header>
<main id="tree"></main>
<script id="data" type="application/json">__DATA__</script>
<script>
"use strict";
const DATA = JSON.parse(document.getElementById("data").textContent);
const DAY = 86400000;
const toDay = (s) => Date.parse(s + "T00:00:00Z");
const fromDay = (n) => new Date(n).toISOString().slice(0, 10);
const first = toDay(DATA.first), last = toDay(DATA.last);
const slider = document.getElementById("slider"), modeBox = document.getElementById("mode");
slider.max = String(Math.round((last - first) / DAY));

// The as-of rule of cypher/README.md, for one day t (ISO dates compare as text).
function active(s, t, mode) {
  if (mode === "certain") {
    const startOk = s.validFromLatest != null && s.validFromLatest <= t;
    const endOk = s.validTo == null ? s.isCurrent !== false : t <= s.validTo;
    return startOk && endOk;
  }
  return (s.validFrom == null || s.validFrom <= t) && (s.validToLatest == null || t <= s.validToLatest);
}

function spanText(s) {
  const start = s.validFromText || s.validFrom;
  let text = start ? "from " + start
    : (s.validFromLatest ? "on or before " + s.validFromLatest : "start unknown");
  const end = s.validToText || s.validTo;
  if (end) text += " to " + end; else if (s.isCurrent === false) text += ", ended (date unknown)";
  return text;
}

function el(tag, cls, text) {
  const e = document.createElement(tag);
  if (cls) e.className = cls;
  if (text != null) e.textContent = text;
  return e;
}

function label(id, spells) {
  const span = el("span");
  span.appendChild(el("span", "org", DATA.names[id] || "?"));
  span.appendChild(el("span", "id", id));
  if (spells.length) {
    span.appendChild(el("span", "span", spells.map(spanText).join("; ")));
    span.title = spells.map((s) => spanText(s) + (s.source ? " [" + s.source + "]" : "")
                                   + (s.claimId ? " claim " + s.claimId : "")).join("\\n");
  }
  return span;
}

function draw() {
  const t = fromDay(first + Number(slider.value) * DAY), mode = modeBox.value;
  document.getElementById("day").textContent = t;
  const kids = new Map();
  for (const [p, c, s] of DATA.edges) {
    if (!active(s, t, mode)) continue;
    if (!kids.has(p)) kids.set(p, new Map());
    const m = kids.get(p);
    if (!m.has(c)) m.set(c, []);
    m.get(c).push(s);
  }
  let shown = 0;
  function branch(id, spells, level, onPath) {
    const li = el("li");
    li.dataset.id = id;
    const under = [...(kids.get(id) || new Map()).entries()]
      .filter(([c]) => !onPath.has(c))
      .sort((a, b) => (DATA.names[a[0]] || "").localeCompare(DATA.names[b[0]] || ""));
    shown += 1;
    if (!under.length || level >= DATA.depth) {
      li.className = "leaf";
      li.appendChild(label(id, spells));
      return li;
    }
    const details = el("details");
    details.open = level < 3;
    const summary = el("summary");
    summary.appendChild(label(id, spells));
    details.appendChild(summary);
    const ul = el("ul", "tree");
    for (const [c, ss] of under) ul.appendChild(branch(c, ss, level + 1, new Set([...onPath, c])));
    details.appendChild(ul);
    li.appendChild(details);
    return li;
  }
  const top = el("ul", "tree top");
  for (const root of DATA.roots) top.appendChild(branch(root, [], 0, new Set([root])));
  const main = document.getElementById("tree");
  main.replaceChildren(top);
  const active_edges = [...kids.values()].reduce((n, m) => n + m.size, 0);
  document.getElementById("summary").textContent =
    (shown - DATA.roots.length) + " organisations below on " + t + " (" + mode + "); "
    + DATA.edges.length + " spells in the page";
  if (!active_edges) main.appendChild(el("p", "empty", "nothing " + mode + "ly active on " + t));
  history.replaceState(null, "", "#asOf=" + t + "&mode=" + mode);
}

const hash = new URLSearchParams(location.hash.slice(1));
const start = hash.get("asOf") || DATA.asOf;
modeBox.value = hash.get("mode") === "certain" ? "certain" : (hash.get("mode") || DATA.mode);
slider.value = String(Math.max(0, Math.round((toDay(start) - first) / DAY)));
document.getElementById("title").textContent = DATA.title;
slider.addEventListener("input", draw);
modeBox.addEventListener("change", draw);
draw();
</script>
</body></html>
"""
