"""The local server's configuration and start-failure diagnosis: pure functions, no processes.

``neo4j.conf`` is regenerated at every start from the runner's defaults plus the settings a user kept with
``resolver server start --config KEY=VALUE``; kept settings win, except the few the runner must control
(listen addresses, directories, authentication), which are refused. A failed start is explained from the
ERROR lines Neo4j wrote to its logs during that start, with a fix for the causes seen in practice.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

from resolver.errors import ConfigError

_KEY = re.compile(r"^[a-z][a-z0-9_]*(?:\.[a-z0-9_]+)+$")
# Settings the runner owns: changing them would expose the server, lose its data or break `stop`.
_MANAGED = re.compile(
    r"^(server\.directories\..+|server\.default_listen_address|server\.default_advertised_address"
    r"|server\.(bolt|http|https)\.(listen|advertised)_address|dbms\.security\.auth_enabled)$"
)


def parse_setting(text: str) -> tuple[str, str]:
    """``KEY=VALUE`` as given to ``--config``; an empty VALUE means "forget the kept setting".

    >>> parse_setting("db.recovery.fail_on_missing_files=false")
    ('db.recovery.fail_on_missing_files', 'false')
    >>> parse_setting("server.memory.heap.max_size=")
    ('server.memory.heap.max_size', '')
    """
    key, sep, value = text.partition("=")
    key, value = key.strip(), value.strip()
    if not sep or not _KEY.match(key):
        raise ConfigError(
            f"--config {text!r}: expected KEY=VALUE with a Neo4j setting name, e.g. "
            "--config db.recovery.fail_on_missing_files=false"
        )
    if any(ch in value for ch in "\r\n\0"):
        raise ConfigError(f"--config {key}: the value must be one line")
    if _MANAGED.match(key):
        raise ConfigError(
            f"--config {key}: the runner manages this setting (Bolt and HTTP listen on 127.0.0.1 only, the "
            "directories live in the home, authentication stays on). Use --port, RESOLVER_NEO4J_HTTP_PORT "
            "or --home instead."
        )
    return key, value


def merge_kept(kept: Mapping[str, str], updates: Iterable[tuple[str, str]]) -> dict[str, str]:
    """Kept settings after ``updates``: an empty value removes the key; the result is sorted by key.

    >>> merge_kept({"a.b": "1", "c.d": "2"}, [("c.d", ""), ("e.f", "3")])
    {'a.b': '1', 'e.f': '3'}
    """
    merged = dict(kept)
    for key, value in updates:
        if value:
            merged[key] = value
        else:
            merged.pop(key, None)
    return dict(sorted(merged.items()))


def default_settings(home: Path, *, bolt_port: int, http_port: int | None, pagecache: str) -> dict[str, str]:
    """The runner's own settings for a home: Bolt (and HTTP when asked) on 127.0.0.1, auth on."""
    return {
        "server.default_listen_address": "127.0.0.1",
        "server.bolt.enabled": "true",
        "server.bolt.listen_address": f"127.0.0.1:{bolt_port}",
        "server.bolt.advertised_address": f"127.0.0.1:{bolt_port}",
        "server.http.enabled": "true" if http_port else "false",
        **({"server.http.listen_address": f"127.0.0.1:{http_port}"} if http_port else {}),
        **({"server.http.advertised_address": f"127.0.0.1:{http_port}"} if http_port else {}),
        "server.https.enabled": "false",
        "dbms.security.auth_enabled": "true",
        "dbms.usage_report.enabled": "false",
        "server.directories.data": str(home / "data"),
        "server.directories.logs": str(home / "logs"),
        "server.directories.run": str(home / "run"),
        "server.directories.plugins": str(home / "plugins"),
        "server.directories.import": str(home / "import"),
        "server.memory.pagecache.size": pagecache,
        "db.tx_log.preallocate": "false",
        "db.transaction.timeout": "300s",
    }


def render_config(defaults: Mapping[str, str], kept: Mapping[str, str]) -> str:
    """neo4j.conf text: the defaults, then the kept settings (which win over a default of the same key).

    >>> print(render_config({"a.b": "1", "c.d": "2"}, {"c.d": "9"}), end="")
    # Written by `resolver server start` at every start: defaults, then settings kept with --config.
    a.b=1
    # kept (resolver server config)
    c.d=9
    """
    lines = [
        "# Written by `resolver server start` at every start: defaults, then settings kept with --config."
    ]
    lines += [f"{k}={v}" for k, v in defaults.items() if k not in kept]
    if kept:
        lines.append("# kept (resolver server config)")
        lines += [f"{k}={v}" for k, v in kept.items()]
    return "\n".join(lines) + "\n"


@dataclass(frozen=True, slots=True)
class Diagnosis:
    """Why a start failed, as far as the logs tell: the ERROR lines, their root causes and a fix."""

    lines: tuple[str, ...]
    fix: str

    def __str__(self) -> str:
        shown = "\n".join(f"  {line}" for line in self.lines) or "  (Neo4j logged no ERROR line)"
        return f"{shown}\nFix: {self.fix}"


# (pattern in the log text, fix). The first match wins; order from most to least specific.
_FIXES: tuple[tuple[re.Pattern[str], str], ...] = (
    (
        re.compile(r"No space left on device|not enough (free )?(disk )?space", re.I),
        "the disk holding the server home is full: free space (`df -h {home}`) and start again.",
    ),
    (
        re.compile(
            r"fail_on_missing_files|missing (transaction )?log files|transaction logs? .*missing", re.I
        ),
        "files of the store are missing. Neo4j can recover without them (losing the missing "
        "transactions): `resolver server start --config db.recovery.fail_on_missing_files=false`, then drop "
        "the setting with `resolver server config --unset db.recovery.fail_on_missing_files`; or start "
        "afresh with `--reset` (deletes the data).",
    ),
    (
        re.compile(
            r"Unrecognized setting|Invalid value|is not a valid|Error evaluating value|Failed to read config"
            r"|cannot be parsed|No enum constant",
            re.I,
        ),
        "a setting is wrong: list the kept ones with `resolver server config` and remove the bad one with "
        "`resolver server config --unset KEY` (or set it right with `--config KEY=VALUE`).",
    ),
    (
        re.compile(r"Address already in use|BindException|Port .* in use", re.I),
        "a port is taken by another process: stop it, or choose another one with --port "
        "(RESOLVER_NEO4J_BOLT_PORT) or RESOLVER_NEO4J_HTTP_PORT.",
    ),
    (
        re.compile(r"OutOfMemoryError|Java heap space|Cannot allocate memory|Could not reserve", re.I),
        "not enough memory: lower RESOLVER_NEO4J_HEAP / RESOLVER_NEO4J_PAGECACHE, or free memory.",
    ),
    (
        re.compile(r"store (format|version)|needs to be migrated|upgrade", re.I),
        "the store was written by another Neo4j version: set RESOLVER_NEO4J_VERSION to that version, or "
        "start afresh with `--reset` (deletes the data).",
    ),
    (
        re.compile(r"(Lock|locked) .*(store|file)|FileLockException|already in use by another", re.I),
        "another process holds the store: is a second Neo4j running on this home? (`ps -ef | grep {home}`)",
    ),
)

# "To force the database to start anyway, you can specify 'internal.dbms.tx_log.fail_on_...=false'"
_SUGGESTED = re.compile(r"(?:specify|set|setting) '?([a-z][a-z0-9_]*(?:\.[a-z0-9_]+)+)=([\w.-]+)'?")
_LEVEL = re.compile(r"\b(ERROR|FATAL|SEVERE|WARN|WARNING|INFO|DEBUG)\b")
_FAILED = re.compile(r"\b(ERROR|FATAL|SEVERE)\b|^Exception in thread|^Error: ")
_EXCEPTION = re.compile(r"^[\w.$]+(Exception|Error)\b")


def diagnose(log_texts: Iterable[str], *, home: Path, tool_output: bool = False) -> Diagnosis:
    """The last ERROR lines (and the ``Caused by:`` lines under them) of a start's log text, and the fix.

    No line is kept when the logs hold no ERROR: a WARN with a stack trace is not a failure. With
    ``tool_output`` (a command that failed, e.g. neo4j-admin) an exception line counts as an ERROR too.

    >>> d = diagnose(["2026-01-01 ERROR [o.n.k.d.Database] Failed\\n\\tat x.y(Z.java:1)\\nCaused by: "
    ...               "java.io.IOException: No space left on device"], home=Path("/h"))
    >>> d.lines
    ('2026-01-01 ERROR [o.n.k.d.Database] Failed', 'Caused by: java.io.IOException: No space left on device')
    >>> d.fix.startswith("the disk holding the server home is full")
    True
    >>> diagnose(["2026-01-01 WARN [x] slow\\nCaused by: java.io.IOException: retried"], home=Path("/")).lines
    ()
    """
    found: list[str] = []
    for text in log_texts:
        in_error = False
        for raw in text.splitlines():
            line = raw.strip()
            if _FAILED.search(line) or (tool_output and _EXCEPTION.match(line)):
                in_error = True
            elif _LEVEL.search(line) and not line.startswith("Caused by:"):
                in_error = False
                continue
            wanted = _FAILED.search(line) or line.startswith("Caused by:") or _EXCEPTION.match(line)
            if in_error and wanted and line not in found:
                found.append(line[:400])
    shown = tuple(found[-8:])
    haystack = "\n".join(found)
    suggested = _SUGGESTED.search(haystack)
    if suggested:  # Neo4j names its own recovery option: that is the fix
        key, value = suggested.group(1), suggested.group(2)
        return Diagnosis(
            shown,
            f"Neo4j suggests the setting {key}={value}; read what it risks in the lines above, then start "
            f"with `resolver server start --config {key}={value}` (kept until `resolver server config "
            f"--unset {key}`), or start afresh with `--reset` (deletes the data).",
        )
    for pattern, fix in _FIXES:
        if pattern.search(haystack):
            return Diagnosis(shown, fix.format(home=home))
    return Diagnosis(shown, f"read {home / 'logs' / 'debug.log'} for the detail; `--reset` starts afresh.")
