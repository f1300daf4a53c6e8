"""Every template in cypher/ loads with a valid header; the loader's checks catch bad files."""

from __future__ import annotations

from pathlib import Path

import pytest

from resolver.errors import TemplateError
from resolver.graph.templates import TemplateRegistry, coerce, parse_template


def test_every_template_loads_with_a_header() -> None:
    registry = TemplateRegistry()
    assert len(registry) > 0
    for tpl in registry:
        assert tpl.description, f"{tpl.path}: description missing"
        assert tpl.text.startswith(f"// name: {tpl.name}\n")


def _write(root: Path, rel: str, text: str) -> Path:
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("// name: other.name\n// mode: read\nRETURN 1", "header '// name: q.a' expected"),
        ("// name: q.a\n// mode: sometimes\nRETURN 1", "mode"),
        ("// name: q.a\n// mode: read\nRETURN $x", "used but not declared: x"),
        ("// name: q.a\n// mode: read\n// param x: string  x\nRETURN 1", "declared but not used: x"),
        ("// name: q.a\n// mode: read\n// param x: blob  x\nRETURN $x", "unknown type 'blob'"),
        ("// name: q.a\n// mode: read\n", "no query"),
    ],
)
def test_loader_rejects_bad_headers(tmp_path: Path, text: str, message: str) -> None:
    path = _write(tmp_path, "q/a.cypher", text)
    with pytest.raises(TemplateError, match=message.replace("(", r"\(").replace("$", r"\$")):
        parse_template(path, tmp_path)


def test_dollar_inside_strings_and_comments_is_not_a_parameter(tmp_path: Path) -> None:
    text = "// name: q.a\n// mode: read\n// param x: string  x\nRETURN $x, '$notParam' // $alsoNot\n"
    tpl = parse_template(_write(tmp_path, "q/a.cypher", text), tmp_path)
    assert tpl.param_names == ("x",)


def test_unknown_template_suggests_close_names() -> None:
    with pytest.raises(TemplateError, match="no template named"):
        TemplateRegistry()["nope.organisation_id"]


def test_coerce_reports_the_parameter(tmp_path: Path) -> None:
    text = "// name: q.a\n// mode: read\n// param asOf: date  day\n// param n: integer  n\nRETURN $asOf, $n\n"
    tpl = parse_template(_write(tmp_path, "q/a.cypher", text), tmp_path)
    assert str(coerce(tpl.params[0], "2019-05-01")) == "2019-05-01"
    with pytest.raises(TemplateError, match="asOf"):
        coerce(tpl.params[0], "2019-13-45")
    with pytest.raises(TemplateError, match="n \\(integer\\)"):
        coerce(tpl.params[1], "ten")
