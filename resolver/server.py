"""Run a real Neo4j Community server from Maven Central jars, for machines without Docker.

Layout (all outside the repository; jars are GPLv3 and never committed):
  <cache>/neo4j-<version>/lib/*.jar     fetched once by `mvn dependency:copy-dependencies`
  <home>/conf/neo4j.conf                rewritten at each start (Bolt on 127.0.0.1 only, HTTP off)
  <home>/data, logs, run                kept between runs unless reset
  <home>/run/resolver-server.json       pid, version, URI of the server this runner started

The server is `org.neo4j.server.CommunityEntryPoint` (the class the Neo4j tarball's bootloader runs), started
as a detached process; SIGTERM shuts it down cleanly. Readiness means Bolt answers and the database is online.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from resolver.errors import ServerError
from resolver.graph.connection import ServerInfo, wait_until_ready
from resolver.settings import Neo4jSettings, ServerSettings

ENTRY_POINT = "org.neo4j.server.CommunityEntryPoint"
ADMIN_TOOL = "org.neo4j.cli.AdminTool"
STATE_FILE = "resolver-server.json"

# Only used to resolve jars: packaging=pom, nothing is built. One coordinate brings the whole server
# (kernel, Cypher, Bolt, Lucene, the HTTP module and the entry point); runtime scope adds the storage engine.
POM = """<?xml version="1.0" encoding="UTF-8"?>
<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <groupId>local.resolver</groupId>
  <artifactId>neo4j-runtime</artifactId>
  <version>1</version>
  <packaging>pom</packaging>
  <dependencies>
    <dependency>
      <groupId>org.neo4j</groupId>
      <artifactId>neo4j</artifactId>
      <version>{version}</version>
    </dependency>
  </dependencies>
</project>
"""

# The JVM options the 5.26 tarball's neo4j.conf passes through its bootloader (we bypass the bootloader).
JVM_OPTIONS = (
    "-XX:+UseG1GC",
    "-XX:-OmitStackTraceInFastThrow",
    "-XX:+UnlockExperimentalVMOptions",
    "-XX:+TrustFinalNonStaticFields",
    "-XX:+DisableExplicitGC",
    "-Djdk.nio.maxCachedBufferSize=1024",
    "-Dio.netty.tryReflectionSetAccessible=true",
    "--add-opens=java.base/java.nio=ALL-UNNAMED",
    "--add-opens=java.base/java.io=ALL-UNNAMED",
    "--add-opens=java.base/sun.nio.ch=ALL-UNNAMED",
    "--enable-native-access=ALL-UNNAMED",
    "-Dlog4j2.disable.jmx=true",
    "-Dfile.encoding=UTF-8",
)


@dataclass(frozen=True, slots=True)
class ServerStatus:
    """What `resolver server status` prints."""

    running: bool
    pid: int | None
    version: str
    uri: str
    home: Path
    data_dir: Path
    jars_present: bool
    server_version: str | None = None  # as the running server reports it


class LocalServer:
    """Fetch, configure, start, stop and inspect one local Neo4j server home."""

    def __init__(self, settings: ServerSettings) -> None:
        self.settings = settings
        self.home = settings.home.expanduser().resolve()
        self.last_start_seconds: float | None = None

    # -- paths -----------------------------------------------------------------------------------
    @property
    def lib_dir(self) -> Path:
        return self.settings.cache.expanduser().resolve() / f"neo4j-{self.settings.version}" / "lib"

    @property
    def uri(self) -> str:
        return f"bolt://127.0.0.1:{self.settings.bolt_port}"

    @property
    def state_file(self) -> Path:
        return self.home / "run" / STATE_FILE

    @property
    def console_log(self) -> Path:
        return self.home / "logs" / "console.log"

    def jars_present(self) -> bool:
        return (self.lib_dir / ".complete").exists()

    # -- fetch -----------------------------------------------------------------------------------
    def fetch(self) -> Path:
        """Resolve the server's jars with Maven into the cache (once); return the lib directory."""
        if self.jars_present():
            return self.lib_dir
        mvn = shutil.which("mvn")
        if mvn is None:
            raise ServerError(
                "Maven (`mvn`) is not on PATH: it fetches the Neo4j jars from Maven Central. Install it "
                "(Debian: `apt-get install maven`) or use Docker: `docker compose up -d --wait`."
            )
        self._java_major()  # fail early, naming the missing tool, before a long download
        target = self.lib_dir
        target.parent.mkdir(parents=True, exist_ok=True)
        # Download into a scratch directory and rename: a killed fetch never leaves a half lib dir in use.
        scratch = Path(tempfile.mkdtemp(prefix="fetch-", dir=target.parent))
        try:
            (scratch / "pom.xml").write_text(POM.format(version=self.settings.version), encoding="utf-8")
            out = scratch / "lib"
            proc = subprocess.run(
                [
                    mvn,
                    "-B",
                    "-q",
                    "-f",
                    str(scratch / "pom.xml"),
                    "dependency:copy-dependencies",
                    "-DincludeScope=runtime",
                    f"-DoutputDirectory={out}",
                ],
                capture_output=True,
                text=True,
                check=False,
            )
            if proc.returncode != 0 or not any(out.glob("neo4j-*.jar")):
                tail = "\n".join((proc.stdout + proc.stderr).strip().splitlines()[-15:])
                raise ServerError(
                    f"Maven could not fetch org.neo4j:neo4j:{self.settings.version} from Maven Central "
                    f"(exit {proc.returncode}). Check the version (RESOLVER_NEO4J_VERSION) and that Maven "
                    f"Central is reachable.\n{tail}"
                )
            (out / ".complete").write_text(self.settings.version, encoding="utf-8")
            if target.exists():
                shutil.rmtree(target)
            out.rename(target)
        finally:
            shutil.rmtree(scratch, ignore_errors=True)
        return target

    def jar_bytes(self) -> int:
        return sum(p.stat().st_size for p in self.lib_dir.glob("*.jar"))

    # -- java ------------------------------------------------------------------------------------
    def _java_major(self) -> int:
        java = self.settings.java
        if shutil.which(java) is None and not Path(java).exists():
            raise ServerError(
                f"Java was not found ({java!r}): Neo4j 5.26 needs Java 17 or 21. Install OpenJDK 17 "
                "(Debian: `apt-get install openjdk-17-jre-headless`) or set JAVA_HOME / RESOLVER_JAVA_HOME."
            )
        proc = subprocess.run([java, "-version"], capture_output=True, text=True, check=False)
        match = re.search(r'version "(\d+)(?:\.(\d+))?', proc.stderr + proc.stdout)
        if not match:
            raise ServerError(f"cannot tell the Java version of {java!r}: {proc.stderr.strip()[:200]}")
        major = int(match.group(1))
        if major not in (17, 21):
            raise ServerError(
                f"{java} is Java {major}; Neo4j {self.settings.version} runs on Java 17 or 21 only. "
                "Set JAVA_HOME or RESOLVER_JAVA_HOME to a JDK 17 (e.g. /usr/lib/jvm/java-17-openjdk-amd64)."
            )
        return major

    # -- configuration ---------------------------------------------------------------------------
    def _write_config(self) -> None:
        h = self.home
        for sub in ("conf", "data", "logs", "run", "plugins", "import"):
            (h / sub).mkdir(parents=True, exist_ok=True)
        http = self.settings.http_port
        lines = [
            "# Written by `resolver server start` at every start; edit settings through the environment.",
            "server.default_listen_address=127.0.0.1",
            "server.bolt.enabled=true",
            f"server.bolt.listen_address=127.0.0.1:{self.settings.bolt_port}",
            f"server.bolt.advertised_address=127.0.0.1:{self.settings.bolt_port}",
            f"server.http.enabled={'true' if http else 'false'}",
            *([f"server.http.listen_address=127.0.0.1:{http}"] if http else []),
            "server.https.enabled=false",
            "dbms.security.auth_enabled=true",
            "dbms.usage_report.enabled=false",
            f"server.directories.data={h / 'data'}",
            f"server.directories.logs={h / 'logs'}",
            f"server.directories.run={h / 'run'}",
            f"server.directories.plugins={h / 'plugins'}",
            f"server.directories.import={h / 'import'}",
            f"server.memory.pagecache.size={self.settings.pagecache}",
            "db.tx_log.preallocate=false",
            "db.transaction.timeout=300s",
        ]
        (h / "conf" / "neo4j.conf").write_text("\n".join(lines) + "\n", encoding="utf-8")

    def _set_initial_password(self, password: str) -> None:
        # Takes effect only before the first start; afterwards the stored credentials win.
        if (self.home / "data" / "dbms" / "auth.ini").exists() or (self.home / "data" / "databases").exists():
            return
        if len(password) < 8:
            raise ServerError("NEO4J_PASSWORD must have at least 8 characters for a Neo4j server")
        env = {**os.environ, "NEO4J_HOME": str(self.home), "NEO4J_CONF": str(self.home / "conf")}
        proc = subprocess.run(
            [
                self.settings.java,
                "-cp",
                f"{self.lib_dir}/*",
                ADMIN_TOOL,
                "dbms",
                "set-initial-password",
                password,
            ],
            capture_output=True,
            text=True,
            env=env,
            check=False,
        )
        if proc.returncode != 0:
            raise ServerError(f"setting the initial password failed: {proc.stderr.strip()[-500:]}")

    # -- process state ---------------------------------------------------------------------------
    def _read_state(self) -> dict[str, object] | None:
        try:
            data = json.loads(self.state_file.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        return data if isinstance(data, dict) else None

    def pid(self) -> int | None:
        """The pid of the server this home runs, if that process is alive and is our Java."""
        state = self._read_state()
        pid = state.get("pid") if state else None
        if not isinstance(pid, int):
            return None
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return None
        except PermissionError:
            return pid
        cmdline = Path(f"/proc/{pid}/cmdline")
        if cmdline.exists() and ENTRY_POINT.encode() not in cmdline.read_bytes():
            return None  # the pid was reused by an unrelated process
        return pid

    def _port_in_use(self) -> bool:
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
            s.settimeout(0.5)
            return s.connect_ex(("127.0.0.1", self.settings.bolt_port)) == 0

    # -- lifecycle -------------------------------------------------------------------------------
    def start(self, neo4j: Neo4jSettings, *, timeout: float = 180.0, reset: bool = False) -> ServerInfo:
        """Start the server (fetching jars if needed) and wait until Bolt answers; idempotent."""
        if self.pid() is not None:
            return wait_until_ready(self._client_settings(neo4j), timeout=timeout)
        if self._port_in_use():
            raise ServerError(
                f"port {self.settings.bolt_port} on 127.0.0.1 is already in use by another process (another "
                "Neo4j?). Stop it, or choose a port with RESOLVER_NEO4J_BOLT_PORT and set NEO4J_URI to match."
            )
        self.fetch()
        if reset and self.home.exists():
            shutil.rmtree(self.home)
        self._write_config()
        self._set_initial_password(neo4j.password)
        heap = self.settings.heap
        cmd = [
            self.settings.java,
            f"-Xms{heap}",
            f"-Xmx{heap}",
            *JVM_OPTIONS,
            "-cp",
            f"{self.home / 'plugins'}/*:{self.lib_dir}/*",
            ENTRY_POINT,
            f"--home-dir={self.home}",
            f"--config-dir={self.home / 'conf'}",
            "--console-mode",
        ]
        started = time.monotonic()
        with open(self.console_log, "ab") as log:
            proc = subprocess.Popen(
                cmd,
                stdout=log,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                start_new_session=True,
                cwd=self.home,
            )
        self.state_file.write_text(
            json.dumps({"pid": proc.pid, "version": self.settings.version, "uri": self.uri}), encoding="utf-8"
        )
        try:
            info = wait_until_ready(
                self._client_settings(neo4j), timeout=timeout, alive=lambda: proc.poll() is None
            )
        except Exception as exc:
            self.stop()
            raise ServerError(
                f"Neo4j did not start: {exc}\nLast lines of {self.console_log}:\n{self.log_tail()}"
            ) from exc
        self.last_start_seconds = time.monotonic() - started
        return info

    def _client_settings(self, neo4j: Neo4jSettings) -> Neo4jSettings:
        return Neo4jSettings(uri=self.uri, username=neo4j.username, password=neo4j.password, database="neo4j")

    def stop(self, *, timeout: float = 60.0) -> bool:
        """Stop the server with SIGTERM (clean shutdown), SIGKILL after ``timeout``; False if not running."""
        pid = self.pid()
        if pid is None:
            self.state_file.unlink(missing_ok=True)
            return False
        os.kill(pid, signal.SIGTERM)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline and _alive(pid):
            time.sleep(0.2)
        if _alive(pid):
            os.kill(pid, signal.SIGKILL)
            while _alive(pid):
                time.sleep(0.1)
        self.state_file.unlink(missing_ok=True)
        return True

    def status(self, neo4j: Neo4jSettings | None = None) -> ServerStatus:
        pid = self.pid()
        server_version = None
        if pid is not None and neo4j is not None:
            try:
                server_version = wait_until_ready(self._client_settings(neo4j), timeout=5).version
            except Exception:
                server_version = None
        return ServerStatus(
            running=pid is not None,
            pid=pid,
            version=self.settings.version,
            uri=self.uri,
            home=self.home,
            data_dir=self.home / "data",
            jars_present=self.jars_present(),
            server_version=server_version,
        )

    def log_tail(self, lines: int = 20) -> str:
        try:
            return "\n".join(
                self.console_log.read_text(encoding="utf-8", errors="replace").splitlines()[-lines:]
            )
        except OSError:
            return "(no console log)"


def _alive(pid: int) -> bool:
    try:
        waited, _ = os.waitpid(pid, os.WNOHANG)  # reap if it is our child, so it does not linger as a zombie
        if waited == pid:
            return False
    except ChildProcessError:
        pass
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    stat = Path(f"/proc/{pid}/stat")
    try:
        return stat.read_text().split(")")[-1].split()[0] != "Z"
    except (OSError, IndexError):
        return True


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])
