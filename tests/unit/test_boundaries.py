"""Layer boundaries: only resolver/graph imports neo4j; only resolver/cli imports click."""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[2] / "resolver"


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module.split(".")[0])
    return found


def test_only_graph_imports_neo4j() -> None:
    offenders = [
        str(p.relative_to(PACKAGE))
        for p in PACKAGE.rglob("*.py")
        if "neo4j" in _imports(p) and p.relative_to(PACKAGE).parts[0] != "graph"
    ]
    assert offenders == []


def test_only_cli_imports_click() -> None:
    offenders = [
        str(p.relative_to(PACKAGE))
        for p in PACKAGE.rglob("*.py")
        if "click" in _imports(p) and p.relative_to(PACKAGE).parts[0] != "cli"
    ]
    assert offenders == []


def test_no_query_text_built_outside_templates() -> None:
    """Driver calls take a Query from a template, never literal or formatted text."""
    literal = (ast.JoinedStr, ast.BinOp, ast.Constant)
    offenders = []
    for path in PACKAGE.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)):
                continue
            if node.func.attr in {"run", "execute_query"} and node.args and isinstance(node.args[0], literal):
                offenders.append(f"{path.relative_to(PACKAGE)}:{node.lineno}")
    assert offenders == []
