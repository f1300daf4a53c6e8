"""Load the Cypher templates in cypher/: one query per file, named by its path, with a `//` header.

    // name: hierarchy.ancestors
    // description: ...
    // mode: read            (read | write | schema)
    // param orgId: string   description...
    // returns: id, name, depth

Load-time checks: the header name equals the path-derived name; names are unique; the mode is known;
parameter types are known; declared parameters equal the `$params` used in the body (comments and string
literals stripped first). This module is the only place that turns file text into a ``neo4j.Query``.
"""

from __future__ import annotations

import re
import shlex
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any, LiteralString, cast

import neo4j

from resolver.dates import as_of_text, parse_as_of
from resolver.errors import DateError, TemplateError

MODES = ("read", "write", "schema")
TYPES = ("string", "integer", "float", "boolean", "date", "datetime", "list<string>", "list<map>", "map")

_HEADER = re.compile(r"^//\s*(name|description|mode|param|returns)\s*:?\s*(.*)$")
_PARAM = re.compile(r"^([A-Za-z_][A-Za-z0-9_]*)\s*:\s*(\S+)\s*(.*)$")
_USED = re.compile(r"\$([A-Za-z_][A-Za-z0-9_]*)")
_IDENT = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_REMARK = re.compile(r"\([^()]*\)")
# Strings ('...' or "..." with backslash escapes), backquoted names, and comments, removed before
# scanning for $parameters so that a `$` inside text or a comment is not taken for a parameter.
_NOISE = re.compile(r"'(?:\\.|[^'\\])*'|\"(?:\\.|[^\"\\])*\"|`[^`]*`|//[^\n]*|/\*.*?\*/", re.S)


@dataclass(frozen=True, slots=True)
class Param:
    name: str
    type: str
    description: str


@dataclass(frozen=True, slots=True)
class CypherTemplate:
    """One named query. ``text`` is the whole file (header comments included: valid Cypher as is)."""

    name: str
    text: str
    mode: str
    params: tuple[Param, ...]
    path: Path
    description: str = ""
    returns: str = ""

    @property
    def param_names(self) -> tuple[str, ...]:
        return tuple(p.name for p in self.params)

    @property
    def columns(self) -> tuple[str, ...]:
        """The column names of the ``returns:`` header, remarks in brackets dropped; () if it names none.

        >>> t = CypherTemplate("t", "", "read", (), Path("t"), returns="id, parents (list of {id}), depth")
        >>> t.columns
        ('id', 'parents', 'depth')
        """
        names = tuple(n.strip() for n in _REMARK.sub("", self.returns).split(","))
        return names if names and all(_IDENT.match(n) for n in names) else ()

    def packed(self) -> LiteralString | None:
        """The read query with all its rows gathered into one record, or None (not a read template, or a
        header that names no columns).

        The Python driver takes every record as its own Bolt message, two socket reads each: on an 800-row
        descendants answer that was two thirds of the time. One list of rows is one message. ``collect``
        keeps the order in which the subquery's ORDER BY hands its rows over.
        """
        if self.mode != "read" or not self.columns:
            return None
        row = ", ".join(f"`{c}`" for c in self.columns)  # identifiers checked by _IDENT, no values
        return cast(LiteralString, f"CALL () {{\n{self.text}\n}}\nRETURN collect([{row}]) AS rows")  # type: ignore[redundant-cast]

    def cypher(self) -> LiteralString:
        """The query text, for ``tx.run`` inside transactions (which take no ``neo4j.Query``)."""
        # One of the two casts to LiteralString in the code base (``packed`` is the other): the text is a
        # reviewed file from cypher/, and values always travel as parameters. (mypy treats LiteralString
        # as str; pyright does not.)
        return cast(LiteralString, self.text)  # type: ignore[redundant-cast]

    @property
    def metadata(self) -> dict[str, str]:
        """Transaction metadata naming the template (visible in SHOW TRANSACTIONS / query.log)."""
        return {"query": self.name}

    def query(self, timeout: float | None = None) -> neo4j.Query:
        """The driver query for auto-commit and ``execute_query``, tagged with the template name."""
        return neo4j.Query(self.cypher(), metadata=self.metadata, timeout=timeout)

    def check_params(self, given: Mapping[str, Any]) -> None:
        """Raise TemplateError if parameters are missing or unknown."""
        missing = [p for p in self.param_names if p not in given]
        unknown = [p for p in given if p not in self.param_names]
        if missing or unknown:
            parts = []
            if missing:
                parts.append(f"missing {', '.join(missing)}")
            if unknown:
                parts.append(f"unknown {', '.join(unknown)}")
            declared = ", ".join(self.param_names) or "none"
            raise TemplateError(f"template {self.name}: {'; '.join(parts)} (declared: {declared})")


def default_cypher_dir() -> Path:
    """cypher/ beside the package in a checkout, or the copy packaged into the wheel."""
    here = Path(__file__).resolve().parent.parent
    for candidate in (here.parent / "cypher", here / "cypher"):
        if candidate.is_dir():
            return candidate
    raise TemplateError(
        f"no cypher/ directory found next to {here}; pass --cypher-dir or RESOLVER_CYPHER_DIR"
    )


def load_template(name: str, root: Path | None = None) -> CypherTemplate:
    """One template by name, without loading the whole registry."""
    base = (root or default_cypher_dir()).resolve()
    path = base.joinpath(*name.split(".")).with_suffix(".cypher")
    if not path.is_file():
        raise TemplateError(f"no template named {name!r}: {path} does not exist")
    return parse_template(path, base)


def name_for(path: Path, root: Path) -> str:
    return ".".join(path.relative_to(root).with_suffix("").parts)


def parse_template(path: Path, root: Path) -> CypherTemplate:
    """Parse and check one template file; errors name the file and line."""
    text = path.read_text(encoding="utf-8")
    fields: dict[str, str] = {}
    params: list[Param] = []
    body_start = 0
    lines = text.splitlines()
    for lineno, line in enumerate(lines, 1):
        stripped = line.strip()
        if not stripped.startswith("//"):
            body_start = lineno - 1
            break
        match = _HEADER.match(stripped)
        if not match:
            continue  # free comment lines are allowed in the header
        key, value = match.group(1), match.group(2).strip()
        if key == "param":
            pm = _PARAM.match(value)
            if not pm:
                raise TemplateError(
                    f"{path}:{lineno}: bad param line, expected '// param name: type  description'"
                )
            pname, ptype, pdesc = pm.groups()
            if ptype not in TYPES:
                raise TemplateError(
                    f"{path}:{lineno}: param {pname} has unknown type {ptype!r} ({', '.join(TYPES)})"
                )
            if any(p.name == pname for p in params):
                raise TemplateError(f"{path}:{lineno}: param {pname} declared twice")
            params.append(Param(pname, ptype, pdesc.strip()))
        else:
            fields[key] = value
    else:
        body_start = len(lines)
    expected = name_for(path, root)
    if fields.get("name") != expected:
        raise TemplateError(f"{path}:1: header '// name: {expected}' expected (the path gives the name)")
    mode = fields.get("mode", "")
    if mode not in MODES:
        raise TemplateError(f"{path}: '// mode:' must be one of {', '.join(MODES)}; got {mode!r}")
    body = "\n".join(lines[body_start:])
    if not body.strip():
        raise TemplateError(f"{path}: the template has a header but no query")
    used = set(_USED.findall(_NOISE.sub(" ", body)))
    declared = {p.name for p in params}
    if used - declared:
        raise TemplateError(f"{path}: parameters used but not declared: {', '.join(sorted(used - declared))}")
    if declared - used:
        raise TemplateError(f"{path}: parameters declared but not used: {', '.join(sorted(declared - used))}")
    return CypherTemplate(
        name=expected,
        text=text,
        mode=mode,
        params=tuple(params),
        path=path,
        description=fields.get("description", ""),
        returns=fields.get("returns", ""),
    )


class TemplateRegistry:
    """Every template under a root, by name. Loaded eagerly so a bad file fails at start-up."""

    def __init__(self, root: Path | None = None) -> None:
        self.root = (root or default_cypher_dir()).resolve()
        self._templates: dict[str, CypherTemplate] = {}
        for path in sorted(self.root.rglob("*.cypher")):
            tpl = parse_template(path, self.root)
            self._templates[tpl.name] = tpl  # path-derived names cannot collide

    def __getitem__(self, name: str) -> CypherTemplate:
        try:
            return self._templates[name]
        except KeyError:
            close = [n for n in self._templates if name.split(".")[-1] in n]
            hint = (
                f"; did you mean {', '.join(close)}?" if close else "; `resolver query list` shows them all"
            )
            raise TemplateError(f"no template named {name!r} under {self.root}{hint}") from None

    def __iter__(self) -> Iterator[CypherTemplate]:
        return iter(sorted(self._templates.values(), key=lambda t: t.name))

    def __len__(self) -> int:
        return len(self._templates)

    def group(self, prefix: str) -> list[CypherTemplate]:
        """Templates whose name starts with ``prefix.`` (e.g. 'schema'), in name order."""
        return [t for t in self if t.name.startswith(prefix + ".")]


def coerce(param: Param, raw: str) -> Any:
    """Turn a command-line string into the declared type; errors name the parameter."""
    try:
        if param.type == "string":
            return raw
        if param.type == "integer":
            return int(raw)
        if param.type == "float":
            return float(raw)
        if param.type == "boolean":
            low = raw.strip().lower()
            if low in ("true", "yes", "1"):
                return True
            if low in ("false", "no", "0"):
                return False
            raise ValueError("expected true or false")
        if param.type == "date":  # a day, month or year as canonical text: the templates read all three
            return as_of_text(parse_as_of(raw, field=param.name))
        if param.type == "datetime":
            return datetime.fromisoformat(raw)
        if param.type == "list<string>":
            return [s for s in raw.split(",") if s]
        raise ValueError(f"type {param.type} cannot be given on the command line")
    except (ValueError, DateError) as exc:
        raise TemplateError(f"parameter {param.name} ({param.type}): cannot read {raw!r}: {exc}") from exc


_EXAMPLES = {
    "orgId": "ods:X24",
    "fromId": "ods:A81001",
    "toId": "ods:X24",
    "asOf": "2020-01-01",
    "mode": "possible",
    "fromDate": "2019-01-01",
    "toDate": "2019-12-31",
    "maxDepth": "5",
    "limit": "10",
    "ref": "ods:X24",
    "query": "nhs~1 digital",
    "normName": "nhs digital",
}


def cypher_literal(param: Param, raw: str) -> str:
    r"""A Cypher literal for a parameter value typed as text (dates as ``date('...')`` for a day).

    >>> print(cypher_literal(Param("asOf", "date", ""), "2020-01-01"))
    date('2020-01-01')
    >>> print(cypher_literal(Param("q", "string", ""), "O'Neil"))
    'O\'Neil'
    """
    value = coerce(param, raw)
    if param.type == "date" and isinstance(value, str) and len(value) == 10:
        return f"date('{value}')"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return str(value)
    if isinstance(value, list):
        return "[" + ", ".join(_quote(str(v)) for v in value) + "]"
    return _quote(str(value))


def _quote(text: str) -> str:
    return "'" + text.replace("\\", "\\\\").replace("'", "\\'") + "'"


def parameter_blocks(tpl: CypherTemplate, given: Mapping[str, str] | None = None) -> tuple[str, str]:
    """The Browser ``:params {...}`` line and the cypher-shell command (``-P '{...}'``, 5.x map syntax)
    for a template's parameters (values from ``given``, else examples)."""
    given = given or {}
    literals = [
        (p.name, cypher_literal(p, given.get(p.name, _EXAMPLES.get(p.name, str(dummy_value(p))))))
        for p in tpl.params
    ]
    mapping = "{" + ", ".join(f"{k}: {v}" for k, v in literals) + "}"
    browser = ":params " + mapping
    quoted = f'"{mapping}"' if not re.search(r'["$`\\!]', mapping) else shlex.quote(mapping)
    shell = f"cypher-shell -P {quoted} -f {shlex.quote(str(tpl.path))}"
    return browser, shell


def dummy_value(param: Param) -> Any:
    """A typed placeholder, used to EXPLAIN every template in tests."""
    return {
        "string": "x",
        "integer": 1,
        "float": 0.5,
        "boolean": True,
        "date": date(2020, 1, 1),
        "datetime": datetime(2020, 1, 1),
        "list<string>": ["x"],
        "list<map>": [],
        "map": {},
    }[param.type]
