"""Run a real Neo4j Community server from Maven Central jars, for machines without Docker.

Layout (all outside the repository; jars are GPLv3 and never committed):
  <cache>/neo4j-<version>/lib/*.jar     fetched once by `mvn dependency:copy-dependencies`
  <cache>/neo4j-browser-<v>/*.jar       Neo4j Browser, fetched on the first `start --browser`
  <home>/.resolver-server-home          marker: this directory is a server home the runner made
  <home>/.runner.lock                   flock held while a start or stop runs (one at a time per home)
  <home>/conf/neo4j.conf                regenerated at each start: defaults + kept settings
  <home>/conf/kept-settings.json        settings kept with `server start --config KEY=VALUE`
  <home>/data, logs, run                kept between runs unless reset
  <home>/run/resolver-server.json       pid, version, URI of the server this runner started

Invariants: the home is private (0700 directories, 0600 files, Neo4j runs with umask 077); the password
never appears on a command line; a signal goes only to a process whose command line names this home;
`--reset` deletes only data, logs and run of a directory that carries the marker.

The server is `org.neo4j.server.CommunityEntryPoint` (the class the Neo4j tarball's bootloader runs), started
as a detached process; SIGTERM shuts it down cleanly. Readiness means Bolt answers and the database is online.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import shutil
import signal
import socket
import subprocess
import time
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

from resolver import maven
from resolver.errors import GraphConnectionError, ServerError
from resolver.graph.connection import ServerInfo, wait_until_ready
from resolver.processes import alive, file_size, java_major, read_from, write_private
from resolver.processes import free_port as free_port  # re-exported: tests and benches start servers on it
from resolver.serverconf import default_settings, diagnose, merge_kept, render_config
from resolver.settings import Neo4jSettings, ServerSettings

ENTRY_POINT = "org.neo4j.server.CommunityEntryPoint"
ADMIN_TOOL = "org.neo4j.cli.AdminTool"
STATE_FILE = "resolver-server.json"
HOME_MARKER = ".resolver-server-home"
LOCK_FILE = ".runner.lock"
KEPT_FILE = "kept-settings.json"
# Neo4j Browser is published to Maven Central up to 5.24.0 (later builds ship only inside the tarball);
# 5.24 speaks to a 5.26 server.
BROWSER_VERSION = "5.24.0"
DEFAULT_HTTP_PORT = 7474
# A runner-made home from before the marker existed is recognised by its generated config's first line.
_LEGACY_CONF_HEADER = "# Written by `resolver server start`"
_PRIVATE_UMASK = 0o077

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
    browser: str | None = None  # http://127.0.0.1:PORT/browser/ when started with --browser
    kept: Mapping[str, str] | None = None


class LocalServer:
    """Fetch, configure, start, stop and inspect one local Neo4j server home."""

    def __init__(self, settings: ServerSettings) -> None:
        self.settings = settings
        self.home = settings.home.expanduser().resolve()
        self.last_start_seconds: float | None = None
        self.commands: list[list[str]] = []  # every command line this object ran (tests inspect them)

    # -- paths -----------------------------------------------------------------------------------
    @property
    def cache(self) -> Path:
        return self.settings.cache.expanduser().resolve()

    @property
    def lib_dir(self) -> Path:
        return self.cache / f"neo4j-{self.settings.version}" / "lib"

    @property
    def browser_dir(self) -> Path:
        return self.cache / f"neo4j-browser-{BROWSER_VERSION}"

    @property
    def uri(self) -> str:
        return f"bolt://127.0.0.1:{self.settings.bolt_port}"

    @property
    def http_port(self) -> int:
        return self.settings.http_port or DEFAULT_HTTP_PORT

    @property
    def state_file(self) -> Path:
        return self.home / "run" / STATE_FILE

    @property
    def console_log(self) -> Path:
        return self.home / "logs" / "console.log"

    @property
    def kept_file(self) -> Path:
        return self.home / "conf" / KEPT_FILE

    def jars_present(self) -> bool:
        return maven.is_complete(self.lib_dir)

    # -- fetch -----------------------------------------------------------------------------------
    def fetch(self) -> Path:
        """Resolve the server's jars with Maven into the cache (once); return the lib directory."""
        if not self.jars_present():
            java_major(self.settings.java, self.settings.version)  # fail early, before a long download
        return maven.fetch(
            [f"org.neo4j:neo4j:{self.settings.version}"],
            self.lib_dir,
            what=f"Neo4j {self.settings.version}",
            hint="Check the version (RESOLVER_NEO4J_VERSION) and that Maven Central is reachable.",
        )

    def fetch_browser(self) -> Path:
        """Neo4j Browser's jar (static files the server's HTTP connector serves at /browser/)."""
        return maven.fetch(
            [f"org.neo4j.client:neo4j-browser:{BROWSER_VERSION}"],
            self.browser_dir,
            what="Neo4j Browser",
            hint="Without it, Neo4j Browser comes with Docker: `docker compose up -d --wait`, then "
            "http://127.0.0.1:7474/browser/.",
        )

    def jar_bytes(self) -> int:
        return sum(p.stat().st_size for p in self.lib_dir.glob("*.jar"))

    # -- the home --------------------------------------------------------------------------------
    def is_home(self) -> bool:
        """True when the directory carries the runner's marker (or is a runner home from before it)."""
        if (self.home / HOME_MARKER).is_file():
            return True
        conf = self.home / "conf" / "neo4j.conf"
        try:
            with open(conf, encoding="utf-8") as f:
                return f.readline().startswith(_LEGACY_CONF_HEADER)
        except OSError:
            return False

    def _prepare_home(self) -> None:
        """Make the home (private) or check an existing directory is one; never adopt a foreign one."""
        h = self.home
        if h.exists() and not h.is_dir():
            raise ServerError(f"server home {h} is a file, not a directory: choose another --home")
        if h.exists() and not self.is_home() and any(h.iterdir()):
            raise ServerError(
                f"{h} is not a server home made by `resolver server` (it has no {HOME_MARKER} marker and is "
                "not empty), so the runner will neither use nor delete it. Choose a new or empty directory "
                "with --home (or RESOLVER_NEO4J_HOME)."
            )
        h.mkdir(mode=0o700, parents=True, exist_ok=True)
        os.chmod(h, 0o700)
        marker = h / HOME_MARKER
        if not marker.exists():
            write_private(
                marker, "A Neo4j server home made by `resolver server start`; --reset may empty it.\n"
            )
        for sub in ("conf", "data", "logs", "run", "plugins", "import"):
            (h / sub).mkdir(mode=0o700, exist_ok=True)

    def _make_private(self) -> None:
        """Drop group/other permissions everywhere in the home (homes made before the runner did)."""
        for root, dirs, files in os.walk(self.home):
            for name in dirs + files:
                path = os.path.join(root, name)
                st = os.lstat(path)
                if not os.path.islink(path) and st.st_mode & 0o077:
                    os.chmod(path, st.st_mode & 0o700)

    def _reset(self) -> None:
        """Empty data, logs and run of a marked home; kept settings, plugins and import stay."""
        if not self.is_home():  # _prepare_home ran, so this only fails if the marker vanished meanwhile
            raise ServerError(f"{self.home} is not a server home made by `resolver server`; not resetting it")
        for sub in ("data", "logs", "run"):
            path = self.home / sub
            if path.is_symlink():
                raise ServerError(f"{path} is a symbolic link; --reset only deletes real directories")
            if path.exists():
                shutil.rmtree(path)
            path.mkdir(mode=0o700)

    @contextlib.contextmanager
    def _lock(self, timeout: float) -> Iterator[None]:
        """Hold the home's lock: starts and stops of one home take turns (the kernel drops it on death)."""
        fd = os.open(self.home / LOCK_FILE, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            deadline = time.monotonic() + timeout
            while True:
                try:
                    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                    break
                except BlockingIOError:
                    if time.monotonic() > deadline:
                        raise ServerError(
                            f"another `resolver server` command has held {self.home / LOCK_FILE} for "
                            f"{timeout:.0f}s; wait for it, or check `resolver server status`"
                        ) from None
                    time.sleep(0.2)
            yield
        finally:
            os.close(fd)  # closing releases the lock

    # -- kept settings ---------------------------------------------------------------------------
    def kept_settings(self) -> dict[str, str]:
        """Settings kept with --config (applied at every start), by key."""
        try:
            data = json.loads(self.kept_file.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return {}
        except (OSError, ValueError) as exc:
            raise ServerError(
                f"{self.kept_file} is unreadable ({exc}); delete it to forget the settings"
            ) from exc
        return {str(k): str(v) for k, v in data.items()} if isinstance(data, dict) else {}

    def keep_settings(self, updates: Iterable[tuple[str, str]]) -> dict[str, str]:
        """Add (or with an empty value remove) kept settings; they apply from the next start."""
        self._prepare_home()
        kept = merge_kept(self.kept_settings(), updates)
        write_private(self.kept_file, json.dumps(kept, indent=2) + "\n")
        return kept

    def config_settings(self, *, browser: bool = False) -> dict[str, str]:
        """The runner's defaults for this home (without the kept settings)."""
        return default_settings(
            self.home,
            bolt_port=self.settings.bolt_port,
            http_port=self.http_port if browser or self.settings.http_port else None,
            pagecache=self.settings.pagecache,
        )

    def _write_config(self, *, browser: bool) -> None:
        text = render_config(self.config_settings(browser=browser), self.kept_settings())
        write_private(self.home / "conf" / "neo4j.conf", text)

    def _set_initial_password(self, password: str) -> None:
        # Takes effect only before the first start; afterwards the stored credentials win. The password
        # travels in a private file named by picocli's @file syntax, never on the command line.
        if (self.home / "data" / "dbms" / "auth.ini").exists() or (self.home / "data" / "databases").exists():
            return
        if len(password) < 8:
            raise ServerError("NEO4J_PASSWORD must have at least 8 characters for a Neo4j server")
        if any(ch in password for ch in "\r\n\0"):
            raise ServerError("NEO4J_PASSWORD must be one line (no line breaks or NUL characters)")
        argfile = self.home / "run" / "initial-password.args"
        quoted = '"' + password.replace("\\", "\\\\").replace('"', '\\"') + '"'
        argfile.unlink(missing_ok=True)
        write_private(argfile, quoted + "\n")
        try:
            proc = self._run(
                [
                    self.settings.java,
                    "-Dfile.encoding=UTF-8",
                    "-cp",
                    f"{self.lib_dir}/*",
                    ADMIN_TOOL,
                    "dbms",
                    "set-initial-password",
                    f"@{argfile}",
                ]
            )
        finally:
            argfile.unlink(missing_ok=True)
        if proc.returncode != 0:
            why = diagnose([proc.stdout, proc.stderr], home=self.home, tool_output=True)
            raise ServerError(
                f"setting the initial password (neo4j-admin) failed, exit {proc.returncode}:\n{why}"
            )

    def _run(self, cmd: list[str]) -> subprocess.CompletedProcess[str]:
        self.commands.append(cmd)
        env = {**os.environ, "NEO4J_HOME": str(self.home), "NEO4J_CONF": str(self.home / "conf")}
        return subprocess.run(
            cmd, capture_output=True, text=True, env=env, check=False, umask=_PRIVATE_UMASK, cwd=self.home
        )

    # -- process state ---------------------------------------------------------------------------
    def _read_state(self) -> dict[str, object] | None:
        try:
            data = json.loads(self.state_file.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        return data if isinstance(data, dict) else None

    def _is_ours(self, pid: int) -> bool:
        """The process runs Neo4j's entry point with this home on its command line."""
        try:
            argv = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
        except OSError:
            return False
        return ENTRY_POINT.encode() in argv and f"--home-dir={self.home}".encode() in argv

    def pid(self) -> int | None:
        """The pid of the server this home runs: the state file's if it checks out, else a /proc scan."""
        state = self._read_state()
        pid = state.get("pid") if state else None
        if isinstance(pid, int) and alive(pid) and self._is_ours(pid):
            return pid
        for entry in Path("/proc").iterdir():  # a server whose state file was lost is still ours
            pid = int(entry.name) if entry.name.isdigit() else os.getpid()
            if pid != os.getpid() and self._is_ours(pid) and alive(pid):
                return pid
        return None

    def _port_in_use(self, port: int) -> bool:
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
            s.settimeout(0.5)
            return s.connect_ex(("127.0.0.1", port)) == 0

    def browser_url(self) -> str | None:
        """Neo4j Browser's address when the running server was started with it."""
        state = self._read_state() or {}
        url = state.get("browser")
        return url if isinstance(url, str) and self.pid() is not None else None

    # -- lifecycle -------------------------------------------------------------------------------
    def start(
        self,
        neo4j: Neo4jSettings,
        *,
        timeout: float = 180.0,
        reset: bool = False,
        browser: bool = False,
        config: Iterable[tuple[str, str]] = (),
    ) -> ServerInfo:
        """Start the server (fetching jars if needed) and wait until Bolt answers; idempotent.

        ``config`` updates the kept settings first. Concurrent starts of one home take turns on the home's
        lock: the second finds the first's server and reports it.
        """
        self._prepare_home()
        with self._lock(timeout=timeout + 60):
            updates = list(config)
            if updates:
                self.keep_settings(updates)
            if self.pid() is not None:
                if reset:
                    raise ServerError(f"the server of {self.home} is running: `resolver server stop` first")
                started_with = (self._read_state() or {}).get("settings")
                if (updates and started_with != self.kept_settings()) or (browser and not self.browser_url()):
                    raise ServerError(
                        f"the server of {self.home} is already running; new settings and --browser apply "
                        "at a start: `resolver server stop`, then start again"
                    )
                return wait_until_ready(self._client_settings(neo4j), timeout=timeout)
            self.state_file.unlink(missing_ok=True)
            for port in (self.settings.bolt_port, *([self.http_port] if browser else [])):
                if self._port_in_use(port):
                    raise ServerError(
                        f"port {port} on 127.0.0.1 is already in use by another process (another Neo4j?). "
                        "Stop it, or choose a port with --port / RESOLVER_NEO4J_BOLT_PORT (Bolt) or "
                        "RESOLVER_NEO4J_HTTP_PORT (HTTP, Browser) and set NEO4J_URI to match."
                    )
            self.fetch()
            classpath = [f"{self.home / 'plugins'}/*", f"{self.lib_dir}/*"]
            if browser:
                classpath.append(f"{self.fetch_browser()}/*")
            if reset:
                self._reset()
            self._make_private()
            self._write_config(browser=browser)
            self._set_initial_password(neo4j.password)
            return self._launch(neo4j, classpath, timeout=timeout, browser=browser)

    def _launch(
        self, neo4j: Neo4jSettings, classpath: list[str], *, timeout: float, browser: bool
    ) -> ServerInfo:
        heap = self.settings.heap
        cmd = [
            self.settings.java,
            f"-Xms{heap}",
            f"-Xmx{heap}",
            *JVM_OPTIONS,
            "-cp",
            ":".join(classpath),
            ENTRY_POINT,
            f"--home-dir={self.home}",
            f"--config-dir={self.home / 'conf'}",
            "--console-mode",
        ]
        logs = [self.console_log, self.home / "logs" / "neo4j.log", self.home / "logs" / "debug.log"]
        offsets = {log: file_size(log) for log in logs}  # diagnose only what this start wrote
        started = time.monotonic()
        self.commands.append(cmd)
        fd = os.open(self.console_log, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
        try:
            proc = subprocess.Popen(
                cmd,
                stdout=fd,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                start_new_session=True,
                cwd=self.home,
                umask=_PRIVATE_UMASK,
            )
        finally:
            os.close(fd)
        state: dict[str, object] = {
            "pid": proc.pid,
            "version": self.settings.version,
            "uri": self.uri,
            "settings": self.kept_settings(),  # what this server runs with (a later start compares)
        }
        if browser:
            state["browser"] = f"http://127.0.0.1:{self.http_port}/browser/"
        write_private(self.state_file, json.dumps(state))

        def new_log_text() -> list[str]:
            return [read_from(log, offsets[log]) for log in logs]

        client = self._client_settings(neo4j)
        deadline = started + timeout
        first_error: float | None = None
        while True:
            try:
                info = wait_until_ready(client, timeout=3.0, alive=lambda: proc.poll() is None)
                break
            except GraphConnectionError as exc:
                if _is_auth_failure(exc):
                    raise ServerError(
                        f"the server of {self.home} is up at {self.uri} but refused the password: a home "
                        "keeps the NEO4J_PASSWORD of its first start. Set that one, or start afresh with "
                        "--reset (deletes the data). `resolver server stop` stops it."
                    ) from exc
                now = time.monotonic()
                exited = proc.poll()
                errors = diagnose(new_log_text(), home=self.home)
                if errors.lines and first_error is None:
                    first_error = now
                # A dead process, a database that failed to start, or ERROR lines and still no database
                # 15 s later end the wait early.
                failed_db = any("Failed to start" in line for line in errors.lines)
                gave_up = failed_db or (first_error is not None and now - first_error > 15)
                if exited is not None or gave_up or now > deadline:
                    self._stop_locked()
                    why = (
                        f"the Neo4j process exited with code {exited}"
                        if exited is not None
                        else "the database failed to start"
                        if failed_db
                        else "Neo4j logged errors and the database was still offline 15 s later"
                        if gave_up
                        else f"Bolt did not answer within {timeout:.0f}s"
                    )
                    raise ServerError(
                        f"Neo4j did not start: {why}.\nFrom the logs in {self.home / 'logs'}:\n{errors}"
                    ) from exc
        self.last_start_seconds = time.monotonic() - started
        return info

    def _client_settings(self, neo4j: Neo4jSettings) -> Neo4jSettings:
        return Neo4jSettings(uri=self.uri, username=neo4j.username, password=neo4j.password, database="neo4j")

    def stop(self, *, timeout: float = 60.0) -> bool:
        """Stop the server with SIGTERM (clean shutdown), SIGKILL after ``timeout``; False if not running.

        Only a process whose command line names this home's Neo4j is ever signalled.
        """
        if not self.home.is_dir():
            return False
        with self._lock(timeout=timeout + 240):
            return self._stop_locked(timeout=timeout)

    def _stop_locked(self, *, timeout: float = 60.0) -> bool:
        pid = self.pid()
        if pid is None:
            self.state_file.unlink(missing_ok=True)
            return False
        os.kill(pid, signal.SIGTERM)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline and alive(pid):
            time.sleep(0.2)
        if alive(pid) and self._is_ours(pid):
            os.kill(pid, signal.SIGKILL)
            while alive(pid):
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
            browser=self.browser_url() if pid is not None else None,
            kept=self.kept_settings() if self.is_home() else {},
        )


def _is_auth_failure(exc: GraphConnectionError) -> bool:
    return type(exc.__cause__).__name__ == "AuthError"
