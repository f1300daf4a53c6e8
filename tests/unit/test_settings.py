"""Settings precedence (flag > env > default), validation messages, and password hygiene."""

from __future__ import annotations

import io
import json
from datetime import date

import pytest

from resolver.errors import ConfigError
from resolver.render import render_rows
from resolver.settings import MatchSettings, Neo4jSettings, ServerSettings


def test_flags_override_environment_which_overrides_defaults() -> None:
    env = {"NEO4J_URI": "neo4j://db:7687", "NEO4J_PASSWORD": "from-env", "NEO4J_DATABASE": "graph"}
    s = Neo4jSettings.from_env(env, uri="bolt://flag:1", password=None)
    assert (s.uri, s.password, s.database, s.username) == ("bolt://flag:1", "from-env", "graph", "neo4j")
    assert Neo4jSettings.from_env({}).uri == "bolt://127.0.0.1:7687"


def test_password_never_in_repr() -> None:
    s = Neo4jSettings(password="S3cr3t-canary-7f2e")
    assert "S3cr3t" not in repr(s) and "S3cr3t" not in str(s)


@pytest.mark.parametrize("uri", ["http://localhost:7474", "localhost:7687", ""])
def test_bad_uri_names_the_variable_and_the_fix(uri: str) -> None:
    with pytest.raises(ConfigError, match="NEO4J_URI .* bolt://host:port"):
        Neo4jSettings(uri=uri)


def test_threshold_out_of_range_suggests_the_scale() -> None:
    with pytest.raises(ConfigError, match="did you mean 0.85"):
        MatchSettings(threshold=85)


def test_server_settings_from_env() -> None:
    s = ServerSettings.from_env({"RESOLVER_STATE_DIR": "/tmp/x", "RESOLVER_NEO4J_BOLT_PORT": "7699"})
    assert str(s.home) == "/tmp/x/server" and s.bolt_port == 7699
    with pytest.raises(ConfigError, match="RESOLVER_NEO4J_BOLT_PORT"):
        ServerSettings.from_env({"RESOLVER_NEO4J_BOLT_PORT": "seven"})


@pytest.mark.parametrize("fmt", ["json", "ndjson", "csv", "table"])
def test_render_formats_carry_every_value(fmt: str) -> None:
    rows = [
        {
            "id": "org-1",
            "name": 'Quote "and", comma',
            "validFrom": date(2019, 5, 1),
            "aliases": ["NHS", "N.H.S."],
        }
    ]
    out = io.StringIO()
    render_rows(rows, fmt, out=out)
    text = out.getvalue()
    assert "2019-05-01" in text and "org-1" in text
    if fmt == "json":
        assert json.loads(text)[0]["aliases"] == ["NHS", "N.H.S."]
