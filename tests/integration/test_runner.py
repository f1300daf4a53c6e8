"""The local runner against real Neo4j servers it starts itself, through the CLI as a user runs it.

One home for the module (starts are slow): two `server start --browser --config ...` at once, then Browser
over HTTP, cypher-shell, privacy, `stop` of another home, and two failed starts explained from Neo4j's logs.
A watcher samples every process's command line throughout: the password must never appear on one.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path

import pytest

from resolver.server import ENTRY_POINT, LocalServer, free_port
from resolver.settings import ServerSettings

# Quotes, a backslash, spaces and non-ASCII: the private @file must carry it intact.
PASSWORD = 'pw with "quotes" \\ and ünïcode'


@dataclass
class Watcher:
    """Samples /proc/*/cmdline every 20 ms; records any command line holding the password."""

    secret: bytes
    hits: list[str] = field(default_factory=list)
    saw_set_password: bool = False
    saw_shell: bool = False
    done: threading.Event = field(default_factory=threading.Event)

    def run(self) -> None:
        while not self.done.is_set():
            for entry in Path("/proc").iterdir():
                if not entry.name.isdigit():
                    continue
                try:
                    cmdline = (entry / "cmdline").read_bytes()
                except OSError:
                    continue
                self.saw_set_password |= b"set-initial-password" in cmdline
                self.saw_shell |= b"org.neo4j.shell.Main" in cmdline
                if self.secret in cmdline or "ünïcode".encode() in cmdline:
                    self.hits.append(cmdline.replace(b"\0", b" ").decode(errors="replace"))
            time.sleep(0.02)


@dataclass
class Home:
    path: Path
    bolt: int
    http: int
    env: dict[str, str]
    starts: list[subprocess.CompletedProcess[str]]
    watcher: Watcher

    def cli(self, *args: str, timeout: float = 600) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "resolver", *args],
            env=self.env,
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )

    def server(self) -> LocalServer:
        return LocalServer(replace(ServerSettings.from_env(), home=self.path, bolt_port=self.bolt))

    def java_pids(self) -> list[int]:
        found = []
        for entry in Path("/proc").iterdir():
            try:
                argv = (entry / "cmdline").read_bytes().split(b"\0") if entry.name.isdigit() else []
            except OSError:
                continue
            if ENTRY_POINT.encode() in argv and f"--home-dir={self.path}".encode() in argv:
                found.append(int(entry.name))
        return found


@pytest.fixture(scope="module")
def home() -> Iterator[Home]:
    if not (shutil.which("mvn") and shutil.which(ServerSettings.from_env().java)):
        pytest.skip("the local runner needs Java 17 and Maven")
    path = Path(tempfile.mkdtemp(prefix="resolver-runner-test-")) / "home"
    bolt, http = free_port(), free_port()
    env = {
        **os.environ,
        "NEO4J_URI": f"bolt://127.0.0.1:{bolt}",
        "NEO4J_PASSWORD": PASSWORD,
        "RESOLVER_NEO4J_HTTP_PORT": str(http),
        "RESOLVER_NEO4J_HEAP": "512m",
    }
    watcher = Watcher(PASSWORD.encode())
    thread = threading.Thread(target=watcher.run, daemon=True)
    thread.start()
    start = [
        sys.executable, "-m", "resolver", "server", "start", "--home", str(path), "--port", str(bolt),
        "--browser", "--config", "db.transaction.timeout=123s", "--timeout", "400",
    ]  # fmt: skip
    procs = [
        subprocess.Popen(start, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        for _ in range(2)
    ]
    starts = []
    for proc in procs:
        out, err = proc.communicate(timeout=800)
        starts.append(subprocess.CompletedProcess(start, proc.returncode, out, err))
    h = Home(path, bolt, http, env, starts, watcher)
    try:
        yield h
    finally:
        h.server().stop()
        watcher.done.set()
        thread.join()
        shutil.rmtree(path.parent, ignore_errors=True)


def test_two_starts_at_once_make_one_server(home: Home) -> None:
    assert [s.returncode for s in home.starts] == [0, 0], [s.stderr for s in home.starts]
    outputs = [s.stdout for s in home.starts]
    assert sum("(already running)" in out for out in outputs) == 1, outputs
    assert all(f"bolt://127.0.0.1:{home.bolt}" in out for out in outputs)
    assert home.java_pids() == [home.server().pid()]


def test_the_password_works_and_never_shows_on_a_command_line(home: Home) -> None:
    assert home.watcher.saw_set_password, "the watcher never sampled neo4j-admin: it proves nothing"
    assert home.watcher.hits == []
    assert not (home.path / "run" / "initial-password.args").exists()
    doctor = home.cli("doctor", "--format", "json")  # logs in with the quoted, non-ASCII password
    assert doctor.returncode == 0, doctor.stderr


def test_the_home_is_private(home: Home) -> None:
    loose = [
        f"{p} {oct(p.lstat().st_mode)}"
        for p in [home.path, *home.path.rglob("*")]
        if not p.is_symlink() and p.lstat().st_mode & 0o077
    ]
    assert loose == []


def test_browser_is_served_on_loopback(home: Home) -> None:
    url = f"http://127.0.0.1:{home.http}/browser/"
    with urllib.request.urlopen(url, timeout=30) as response:
        body = response.read().decode("utf-8")
        assert response.status == 200
    assert "<title>Neo4j Browser</title>" in body
    status = home.cli(
        "server", "status", "--home", str(home.path), "--port", str(home.bolt), "--format", "json"
    )
    assert url in status.stdout and "db.transaction.timeout=123s" in status.stdout


def test_shell_runs_cypher_with_the_configured_credentials(home: Home, tmp_path: Path) -> None:
    one = home.cli("shell", "--", "--format", "plain", "RETURN 1 AS one")
    assert one.returncode == 0, one.stderr
    assert one.stdout.splitlines() == ["one", "1"]
    query = tmp_path / "setting.cypher"  # a file with a parameter, the way an analyst runs a template
    query.write_text(
        "// the kept setting reached the server\n"
        "SHOW SETTINGS YIELD name, value WHERE name = $key RETURN value;\n",
        encoding="utf-8",
    )
    kept = home.cli(
        "shell", "--", "--format", "plain", "-P", '{key: "db.transaction.timeout"}', "-f", str(query)
    )
    assert kept.returncode == 0, kept.stderr
    assert kept.stdout.splitlines()[1].strip('"') in {"123s", "2m3s"}
    bad = home.cli("shell", "--", "--format", "plain", "RETURN nosuchfunction(1)")
    assert bad.returncode != 0 and "nosuchfunction" in bad.stderr.lower()
    assert home.watcher.saw_shell and home.watcher.hits == []


def test_stop_of_another_home_leaves_this_server_alive(home: Home, tmp_path: Path) -> None:
    pid = home.server().pid()
    other = LocalServer(replace(ServerSettings.from_env(), home=tmp_path / "other", bolt_port=home.bolt))
    other._prepare_home()
    other.state_file.write_text(f'{{"pid": {pid}}}', encoding="utf-8")  # a copied pid file
    stop = home.cli("server", "stop", "--home", str(other.home), "--port", str(home.bolt))
    assert stop.returncode == 0 and "not running" in stop.stdout
    assert home.server().pid() == pid
    assert home.cli("doctor").returncode == 0


def test_a_bad_setting_fails_the_start_at_once_with_the_fix(home: Home) -> None:
    assert home.cli("server", "stop", "--home", str(home.path), "--port", str(home.bolt)).returncode == 0
    started = time.monotonic()
    bad = home.cli(
        "server", "start", "--home", str(home.path), "--port", str(home.bolt),
        "--config", "server.memory.pagecache.size=lots", "--timeout", "400",
    )  # fmt: skip
    took = time.monotonic() - started
    assert bad.returncode == 2 and took < 120, (took, bad.stderr)
    assert "'lots' is not a valid size" in bad.stderr and "server config --unset" in bad.stderr
    assert "Traceback" not in bad.stderr and home.java_pids() == []
    unset = home.cli("server", "config", "--home", str(home.path), "--unset", "server.memory.pagecache.size")
    assert unset.returncode == 0 and "pagecache" not in unset.stdout


def test_a_damaged_store_names_neo4js_recovery_setting_which_config_applies(home: Home) -> None:
    home.cli("server", "stop", "--home", str(home.path), "--port", str(home.bolt))
    logs = list((home.path / "data" / "transactions" / "neo4j").glob("neostore.transaction.db.*"))
    assert logs
    for log in logs:
        log.unlink()
    args = ["server", "start", "--home", str(home.path), "--port", str(home.bolt), "--timeout", "400"]
    failed = home.cli(*args)
    assert failed.returncode == 2, failed.stdout
    assert "the database failed to start" in failed.stderr and "Failed to start Database" in failed.stderr
    assert home.java_pids() == []
    # Follow the fix each failure names, as a user would: each one is Neo4j's own recovery setting.
    applied: list[str] = []
    result = failed
    while result.returncode != 0 and len(applied) < 3:
        fix = re.search(r"`resolver server start --config ([\w.]+=[\w.-]+)`", result.stderr)
        assert fix, result.stderr
        applied.append(fix.group(1))
        result = home.cli(*args, "--config", fix.group(1))
    assert result.returncode == 0, result.stderr
    assert applied[0] == "internal.dbms.tx_log.fail_on_corrupted_log_files=false"
    assert all(setting in result.stdout for setting in applied)  # kept, so every later start has them
    assert home.cli("doctor").returncode == 0
