"""cypher-shell without Docker or the Neo4j tarball: `org.neo4j:cypher-shell` from Maven Central.

The jars are fetched once into the runner's cache. The connection travels in the environment cypher-shell
reads (NEO4J_ADDRESS, NEO4J_USERNAME, NEO4J_PASSWORD, NEO4J_DATABASE): the password is never on a command
line, where `ps` would show it.
"""

from __future__ import annotations

import os
import signal
import subprocess
from collections.abc import Mapping, Sequence
from pathlib import Path

from resolver import maven
from resolver.processes import java_major
from resolver.settings import Neo4jSettings, ServerSettings

# The newest 5.26 cypher-shell on Maven Central (it talks to any 5.x server).
CYPHER_SHELL_VERSION = "5.26.30"
MAIN_CLASS = "org.neo4j.shell.Main"


class CypherShell:
    """Fetch and run cypher-shell against a configured server."""

    def __init__(self, settings: ServerSettings, version: str = CYPHER_SHELL_VERSION) -> None:
        self.settings = settings
        self.version = version

    @property
    def lib_dir(self) -> Path:
        return self.settings.cache.expanduser().resolve() / f"cypher-shell-{self.version}"

    def fetch(self) -> Path:
        """The jars of cypher-shell and its dependencies, fetched with Maven on first use."""
        if not maven.is_complete(self.lib_dir):
            java_major(self.settings.java, self.settings.version)
        return maven.fetch(
            [f"org.neo4j:cypher-shell:{self.version}"],
            self.lib_dir,
            what=f"cypher-shell {self.version}",
            hint="Check that Maven Central is reachable; with Docker, "
            "`docker compose exec neo4j cypher-shell` works too.",
        )

    def command(self, args: Sequence[str]) -> list[str]:
        """The command line: Java, the classpath, cypher-shell's main class and ``args`` (never a secret)."""
        return [self.settings.java, "-Dfile.encoding=UTF-8", "-cp", f"{self.lib_dir}/*", MAIN_CLASS, *args]

    @staticmethod
    def environment(neo4j: Neo4jSettings, base: Mapping[str, str] | None = None) -> dict[str, str]:
        """``base`` (the caller's environment) plus the variables that point cypher-shell at ``neo4j``."""
        env = dict(os.environ if base is None else base)
        env.pop("NEO4J_URI", None)  # NEO4J_ADDRESS is the one cypher-shell documents; one source of truth
        env.update(
            {
                "NEO4J_ADDRESS": neo4j.uri,
                "NEO4J_USERNAME": neo4j.username,
                "NEO4J_PASSWORD": neo4j.password,
                "NEO4J_DATABASE": neo4j.database,
            }
        )
        return env

    def run(self, neo4j: Neo4jSettings, args: Sequence[str]) -> int:
        """Run cypher-shell with the terminal's stdin/stdout; return its exit code.

        Ctrl-C belongs to cypher-shell (it cancels a running query), so this process ignores it meanwhile.
        """
        self.fetch()
        proc = subprocess.Popen(self.command(args), env=self.environment(neo4j))
        previous = signal.signal(signal.SIGINT, signal.SIG_IGN)  # after the fork: the child keeps Ctrl-C
        try:
            return proc.wait()
        finally:
            signal.signal(signal.SIGINT, previous)
