"""Settings: flags > environment > defaults. Built once by the caller; no import-time globals.

The password is kept out of ``repr`` and never formatted into any message.
"""

from __future__ import annotations

import ipaddress
import os
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from resolver.errors import ConfigError

DEFAULT_URI = "bolt://127.0.0.1:7687"
DEFAULT_USERNAME = "neo4j"
# Documented default for the local runner only; set NEO4J_PASSWORD for anything shared.
DEFAULT_PASSWORD = "resolver-local"
DEFAULT_DATABASE = "neo4j"
NEO4J_VERSION = "5.26.31"  # 5.26 LTS: the last line that runs on Java 17
DEFAULT_HEAP = "1g"
DEFAULT_PAGECACHE = "512m"


@dataclass(frozen=True, slots=True)
class Neo4jSettings:
    """Where and how to connect to Neo4j."""

    uri: str = DEFAULT_URI
    username: str = DEFAULT_USERNAME
    password: str = field(default=DEFAULT_PASSWORD, repr=False)
    database: str = DEFAULT_DATABASE
    connection_timeout: float = 10.0

    def __post_init__(self) -> None:
        scheme = self.uri.split("://", 1)[0] if "://" in self.uri else ""
        allowed = {"bolt", "bolt+s", "bolt+ssc", "neo4j", "neo4j+s", "neo4j+ssc"}
        if scheme not in allowed:
            raise ConfigError(
                f"NEO4J_URI {self.uri!r} is not a Neo4j URI: use bolt://host:port or neo4j://host:port "
                f"(schemes: {', '.join(sorted(allowed))})"
            )
        if not self.database:
            raise ConfigError("NEO4J_DATABASE is empty: name a database (Community has 'neo4j')")

    def environment(self) -> dict[str, str]:
        """The NEO4J_* variables that make a child process (``resolver ...``) connect here."""
        return {
            "NEO4J_URI": self.uri,
            "NEO4J_USERNAME": self.username,
            "NEO4J_PASSWORD": self.password,
            "NEO4J_DATABASE": self.database,
        }

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None, **overrides: str | None) -> Neo4jSettings:
        """Read NEO4J_URI, NEO4J_USERNAME, NEO4J_PASSWORD, NEO4J_DATABASE; non-None overrides win."""
        env = os.environ if env is None else env
        base = cls(
            uri=env.get("NEO4J_URI") or DEFAULT_URI,
            username=env.get("NEO4J_USERNAME") or env.get("NEO4J_USER") or DEFAULT_USERNAME,
            password=env.get("NEO4J_PASSWORD") or DEFAULT_PASSWORD,
            database=env.get("NEO4J_DATABASE") or DEFAULT_DATABASE,
        )
        given: dict[str, Any] = {k: v for k, v in overrides.items() if v is not None}
        settings = replace(base, **given) if given else base
        # The documented default password is for the local runner only: never send it to another host.
        if not (overrides.get("password") or env.get("NEO4J_PASSWORD")) and not is_loopback(settings.uri):
            raise ConfigError(
                f"no password for {settings.uri}: the default password is only used for a server on this "
                "machine (127.0.0.1, ::1, localhost). Set NEO4J_PASSWORD (or --password) to that server's."
            )
        return settings


@dataclass(frozen=True, slots=True)
class ServerSettings:
    """The local Neo4j Community server the runner manages (no Docker needed)."""

    version: str = NEO4J_VERSION
    home: Path = field(default_factory=lambda: default_state_dir() / "server")
    cache: Path = field(default_factory=lambda: default_state_dir() / "cache")
    java: str = "java"
    bolt_port: int = 7687
    http_port: int | None = None
    heap: str = DEFAULT_HEAP
    pagecache: str = DEFAULT_PAGECACHE

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> ServerSettings:
        """Read RESOLVER_NEO4J_VERSION, RESOLVER_NEO4J_HOME, RESOLVER_NEO4J_CACHE, JAVA_HOME, ports."""
        env = os.environ if env is None else env
        state = Path(env["RESOLVER_STATE_DIR"]) if env.get("RESOLVER_STATE_DIR") else default_state_dir()
        java_home = env.get("RESOLVER_JAVA_HOME") or env.get("JAVA_HOME")
        java = str(Path(java_home) / "bin" / "java") if java_home else _default_java()
        try:
            port = int(env.get("RESOLVER_NEO4J_BOLT_PORT") or 7687)
            http = env.get("RESOLVER_NEO4J_HTTP_PORT")
            http_port = int(http) if http else None
        except ValueError as exc:
            raise ConfigError(
                f"RESOLVER_NEO4J_BOLT_PORT/RESOLVER_NEO4J_HTTP_PORT must be integers: {exc}"
            ) from exc
        return cls(
            version=env.get("RESOLVER_NEO4J_VERSION") or NEO4J_VERSION,
            home=Path(env["RESOLVER_NEO4J_HOME"]) if env.get("RESOLVER_NEO4J_HOME") else state / "server",
            cache=Path(env["RESOLVER_NEO4J_CACHE"]) if env.get("RESOLVER_NEO4J_CACHE") else state / "cache",
            java=java,
            bolt_port=port,
            http_port=http_port,
            heap=env.get("RESOLVER_NEO4J_HEAP") or DEFAULT_HEAP,
            pagecache=env.get("RESOLVER_NEO4J_PAGECACHE") or DEFAULT_PAGECACHE,
        )


def is_loopback(uri: str) -> bool:
    """True when ``uri`` names this machine: localhost, 127.0.0.0/8 or ::1.

    >>> is_loopback("bolt://127.0.0.1:7687"), is_loopback("neo4j://[::1]:7687"), is_loopback("bolt://db:7687")
    (True, True, False)
    """
    try:
        host = urlsplit(uri).hostname or ""
    except ValueError:
        return False
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def default_state_dir() -> Path:
    """Where runtime state lives: $XDG_DATA_HOME/resolver, else ~/.local/share/resolver."""
    xdg = os.environ.get("XDG_DATA_HOME")
    return (Path(xdg) if xdg else Path.home() / ".local" / "share") / "resolver"


def _default_java() -> str:
    # Neo4j 5.26 runs on Java 17 or 21 only; prefer Debian's 17 where the machine has it.
    debian17 = Path("/usr/lib/jvm/java-17-openjdk-amd64/bin/java")
    return str(debian17) if debian17.exists() else "java"


@dataclass(frozen=True, slots=True)
class MatchSettings:
    """Knobs of the resolution engine. Scores are floats in [0, 1]."""

    threshold: float = 0.88
    max_bucket: int = 200

    def __post_init__(self) -> None:
        if not 0.0 < self.threshold <= 1.0:
            hint = f" (scores are 0-1; did you mean {self.threshold / 100:g}?)" if self.threshold > 1 else ""
            raise ConfigError(f"threshold must be in (0, 1]; got {self.threshold}{hint}")
        if self.max_bucket < 2:
            raise ConfigError(f"max_bucket must be at least 2; got {self.max_bucket}")
