"""The local runner's safety rules that need no Neo4j: the home marker and --reset, privacy, the lock,
kept settings, which processes `stop` may signal, the loopback-only default password, and the diagnosis of
failed starts from Neo4j's own log lines."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from resolver.cli import cli
from resolver.errors import ConfigError, ServerError
from resolver.server import ENTRY_POINT, HOME_MARKER, LocalServer
from resolver.serverconf import diagnose, merge_kept, parse_setting, render_config
from resolver.settings import Neo4jSettings, ServerSettings, is_loopback


def _server(home: Path) -> LocalServer:
    return LocalServer(replace(ServerSettings.from_env(), home=home, bolt_port=1))


def _modes(root: Path) -> dict[str, int]:
    out = {".": stat.S_IMODE(root.stat().st_mode)}
    for path in root.rglob("*"):
        out[str(path.relative_to(root))] = stat.S_IMODE(path.lstat().st_mode)
    return out


# -- the home and --reset ---------------------------------------------------------------------------
def test_reset_refuses_a_directory_the_runner_did_not_make(tmp_path: Path) -> None:
    (tmp_path / "thesis.tex").write_text("years of work", encoding="utf-8")
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "keep.csv").write_text("a,b", encoding="utf-8")
    result = CliRunner().invoke(cli, ["server", "start", "--reset", "--home", str(tmp_path)])
    assert result.exit_code == 2
    assert "not a server home made by `resolver server`" in result.output and "--home" in result.output
    assert (tmp_path / "thesis.tex").read_text(encoding="utf-8") == "years of work"
    assert (tmp_path / "data" / "keep.csv").exists() and not (tmp_path / HOME_MARKER).exists()


def test_a_file_as_home_is_refused(tmp_path: Path) -> None:
    (tmp_path / "f").write_text("x", encoding="utf-8")
    with pytest.raises(ServerError, match="is a file"):
        _server(tmp_path / "f")._prepare_home()


def test_reset_empties_data_logs_and_run_only(tmp_path: Path) -> None:
    srv = _server(tmp_path / "home")
    srv._prepare_home()
    srv.keep_settings([("db.transaction.timeout", "60s")])
    for rel in ("data/databases/neo4j/store", "logs/debug.log", "run/x.pid", "import/feed.csv", "notes.txt"):
        (srv.home / rel).parent.mkdir(parents=True, exist_ok=True)
        (srv.home / rel).write_text("x", encoding="utf-8")
    srv._reset()
    assert not any((srv.home / "data").iterdir()) and not any((srv.home / "logs").iterdir())
    assert (srv.home / "import" / "feed.csv").exists() and (srv.home / "notes.txt").exists()
    assert srv.kept_settings() == {"db.transaction.timeout": "60s"}


def test_reset_does_not_follow_a_symlinked_data_dir(tmp_path: Path) -> None:
    precious = tmp_path / "elsewhere"
    precious.mkdir()
    (precious / "keep.txt").write_text("x", encoding="utf-8")
    srv = _server(tmp_path / "home")
    srv._prepare_home()
    (srv.home / "data").rmdir()
    (srv.home / "data").symlink_to(precious)
    with pytest.raises(ServerError, match="symbolic link"):
        srv._reset()
    assert (precious / "keep.txt").exists()


def test_a_home_from_before_the_marker_is_recognised(tmp_path: Path) -> None:
    (tmp_path / "conf").mkdir()
    (tmp_path / "conf" / "neo4j.conf").write_text(
        "# Written by `resolver server start` at every start; edit settings through the environment.\n",
        encoding="utf-8",
    )
    srv = _server(tmp_path)
    assert srv.is_home()
    srv._prepare_home()
    assert (tmp_path / HOME_MARKER).exists()


# -- privacy -------------------------------------------------------------------------------------------
def test_the_home_is_private(tmp_path: Path) -> None:
    home = tmp_path / "home"  # a home an earlier runner made world-readable
    home.mkdir(mode=0o755)
    loose = home / "conf" / "neo4j.conf"
    loose.parent.mkdir(mode=0o755)
    loose.write_text("# Written by `resolver server start` at every start\n", encoding="utf-8")
    loose.chmod(0o644)
    srv = _server(home)
    srv._prepare_home()
    srv.keep_settings([("db.transaction.timeout", "60s")])
    srv._write_config(browser=False)
    srv._make_private()
    modes = _modes(home)
    assert all(mode & 0o077 == 0 for mode in modes.values()), modes
    assert modes["."] == 0o700 and modes["conf/neo4j.conf"] == 0o600 and modes[HOME_MARKER] == 0o600


# -- the lock ------------------------------------------------------------------------------------------
def test_one_start_or_stop_at_a_time_per_home(tmp_path: Path) -> None:
    first, second = _server(tmp_path / "h"), _server(tmp_path / "h")
    first._prepare_home()
    with first._lock(timeout=5):
        started = time.monotonic()
        with pytest.raises(ServerError, match="another `resolver server` command"), second._lock(timeout=0.6):
            pass
        assert time.monotonic() - started >= 0.5
    with second._lock(timeout=1):  # released when the holder is done
        pass


# -- kept settings -------------------------------------------------------------------------------------
def test_kept_settings_survive_and_win_over_defaults(tmp_path: Path) -> None:
    srv = _server(tmp_path / "home")
    srv.keep_settings(
        [parse_setting("server.memory.pagecache.size=2g"), parse_setting("db.logs.query.enabled=OFF")]
    )
    srv._write_config(browser=False)
    again = _server(tmp_path / "home")  # a later start regenerates the config: the kept settings are back
    again._write_config(browser=True)
    conf = (srv.home / "conf" / "neo4j.conf").read_text(encoding="utf-8").splitlines()
    assert "server.memory.pagecache.size=2g" in conf and "server.memory.pagecache.size=512m" not in conf
    assert "db.logs.query.enabled=OFF" in conf and "server.http.enabled=true" in conf
    again.keep_settings([parse_setting("db.logs.query.enabled=")])
    assert again.kept_settings() == {"server.memory.pagecache.size": "2g"}


@pytest.mark.parametrize(
    "text",
    [
        "server.bolt.listen_address=0.0.0.0:7687",
        "server.default_listen_address=0.0.0.0",
        "server.directories.data=/",
        "dbms.security.auth_enabled=false",
        "no-equals-sign",
        "Bad Key=1",
        "db.x=line1\nline2",
    ],
)
def test_settings_that_would_expose_or_break_the_server_are_refused(text: str) -> None:
    with pytest.raises(ConfigError, match="--config"):
        parse_setting(text)


@settings(deadline=None, max_examples=50)  # pure, but the shared machine can stall any example
@given(st.dictionaries(st.from_regex(r"\A[a-z]{1,5}\.[a-z_]{1,8}\Z"), st.from_regex(r"\A[\w.-]{1,8}\Z")))
def test_rendered_config_has_each_key_once_with_the_kept_value(kept: dict[str, str]) -> None:
    defaults = {
        "server.http.enabled": "false",
        "db.transaction.timeout": "300s",
        **dict.fromkeys(kept, "dflt"),
    }
    lines = [ln for ln in render_config(defaults, kept).splitlines() if not ln.startswith("#")]
    keys = [ln.split("=", 1)[0] for ln in lines]
    assert len(keys) == len(set(keys)) == len(defaults)
    assert all(f"{k}={v}" in lines for k, v in kept.items())
    assert merge_kept(kept, [(k, "") for k in kept]) == {}


def test_server_config_command_shows_and_changes_kept_settings(tmp_path: Path) -> None:
    home = str(tmp_path / "home")
    runner = CliRunner()
    changed = runner.invoke(cli, ["server", "config", "--home", home, "--set", "db.transaction.timeout=90s"])
    assert changed.exit_code == 0, changed.output
    shown = runner.invoke(cli, ["server", "config", "--home", home, "--format", "csv"])
    assert "db.transaction.timeout,90s,kept" in shown.output
    everything = runner.invoke(cli, ["server", "config", "--home", home, "--all", "--format", "csv"])
    assert "server.bolt.listen_address,127.0.0.1:7687,default" in everything.output
    runner.invoke(cli, ["server", "config", "--home", home, "--unset", "db.transaction.timeout"])
    assert "no kept settings" in runner.invoke(cli, ["server", "config", "--home", home]).output


# -- stop signals only this home's Neo4j --------------------------------------------------------------------
@pytest.fixture()
def decoy(tmp_path: Path) -> Iterator[tuple[subprocess.Popen[bytes], Path]]:
    """A process whose command line looks like Neo4j's for another home (a sleeping Python)."""
    other = tmp_path / "other-home"
    proc = subprocess.Popen(
        [sys.executable, "-c", "import time; time.sleep(120)", ENTRY_POINT, f"--home-dir={other}"]
    )
    # Popen returns once exec has begun; on some kernels /proc/PID/cmdline reads empty for a moment after
    cmdline = Path(f"/proc/{proc.pid}/cmdline")
    deadline = time.monotonic() + 10
    while ENTRY_POINT.encode() not in cmdline.read_bytes() and time.monotonic() < deadline:
        time.sleep(0.01)
    try:
        yield proc, other
    finally:
        proc.kill()
        proc.wait()


def test_stop_never_signals_another_homes_server(
    tmp_path: Path, decoy: tuple[subprocess.Popen[bytes], Path]
) -> None:
    proc, _ = decoy
    srv = _server(tmp_path / "mine")
    srv._prepare_home()
    srv.state_file.write_text(f'{{"pid": {proc.pid}}}', encoding="utf-8")  # a stale or copied pid file
    assert srv.pid() is None
    assert srv.stop() is False
    time.sleep(0.2)
    assert proc.poll() is None, "the other home's process was signalled"
    assert not srv.state_file.exists()


def test_stop_finds_this_homes_server_even_without_a_pid_file(
    decoy: tuple[subprocess.Popen[bytes], Path],
) -> None:
    proc, other = decoy
    srv = _server(other)
    srv._prepare_home()
    assert srv.pid() == proc.pid
    assert srv.stop(timeout=10) is True
    proc.wait(timeout=10)  # (the runner already reaped its status)
    assert not Path(f"/proc/{proc.pid}").exists() and srv.pid() is None


# -- the default password is for loopback only -----------------------------------------------------------
@pytest.mark.parametrize(
    ("uri", "local"),
    [
        ("bolt://127.0.0.1:7687", True),
        ("neo4j://localhost", True),
        ("bolt://127.8.9.1:1", True),
        ("bolt://[::1]:7687", True),
        ("bolt://db.example.org:7687", False),
        ("neo4j+s://10.0.0.5:7687", False),
        ("bolt://localhost.evil.example:7687", False),
    ],
)
def test_default_password_only_for_loopback(uri: str, local: bool) -> None:
    assert is_loopback(uri) is local
    if local:
        assert Neo4jSettings.from_env({"NEO4J_URI": uri}).password == "resolver-local"
    else:
        with pytest.raises(ConfigError, match="NEO4J_PASSWORD"):
            Neo4jSettings.from_env({"NEO4J_URI": uri})
        assert (
            Neo4jSettings.from_env({"NEO4J_URI": uri, "NEO4J_PASSWORD": "theirs-123"}).password
            == "theirs-123"
        )
        assert Neo4jSettings.from_env({}, uri=uri, password="flag-pw-1").password == "flag-pw-1"


def test_remote_uri_without_password_exits_2(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NEO4J_URI", "bolt://db.example.org:7687")
    monkeypatch.delenv("NEO4J_PASSWORD", raising=False)
    result = CliRunner().invoke(cli, ["doctor"])
    assert (
        result.exit_code == 2 and "NEO4J_PASSWORD" in result.output and "resolver-local" not in result.output
    )


# -- failed starts explained from Neo4j's logs ----------------------------------------------------------
def test_diagnosis_of_a_full_disk() -> None:
    log = (
        "2026-11-30 10:28:47.100+0000 INFO  [o.n.k.d.Database] Starting\n"
        "2026-11-30 10:28:48.400+0000 ERROR [o.n.d.d.DatabaseLifecycles] "
        "Failed to start DatabaseId{b14e[neo4j]}\n"
        "java.lang.RuntimeException: Error starting\n"
        "\tat org.neo4j.Foo.bar(Foo.java:1)\n"
        "Caused by: java.io.IOException: No space left on device\n"
        "2026-11-30 10:28:49.000+0000 INFO  [o.n.s.CommunityNeoWebServer] Started.\n"
    )
    d = diagnose([log], home=Path("/srv/h"))
    assert d.lines[0].endswith("Failed to start DatabaseId{b14e[neo4j]}")
    assert d.lines[-1] == "Caused by: java.io.IOException: No space left on device"
    assert "df -h /srv/h" in d.fix and "Started." not in str(d)


def test_diagnosis_offers_the_setting_neo4j_suggests() -> None:
    log = (
        "2026-11-30 10:33:44.196+0000 ERROR [o.n.d.d.DatabaseLifecycles] "
        "Failed to start DatabaseId{b1[neo4j]}\n"
        "Caused by: java.lang.RuntimeException: Error reading transaction logs, recovery not possible. "
        "To force the database to start anyway, you can specify "
        "'internal.dbms.tx_log.fail_on_corrupted_log_files=false'.\n"
    )
    fix = diagnose([log], home=Path("/h")).fix
    assert "resolver server start --config internal.dbms.tx_log.fail_on_corrupted_log_files=false" in fix


def test_diagnosis_of_a_bad_setting_from_a_tool() -> None:
    out = (
        "java.lang.IllegalArgumentException: Error evaluating value for setting "
        "'server.memory.pagecache.size'. 'lots' is not a valid size\n"
        "\tat org.neo4j.io.ByteUnit.parse(ByteUnit.java:216)\n"
    )
    d = diagnose(["", out], home=Path("/h"), tool_output=True)
    assert "'lots' is not a valid size" in d.lines[0] and "server config --unset" in d.fix


def test_warnings_alone_are_no_failure() -> None:
    log = "2026-11-30 WARN [o.n.b.Thing] slow disk\njava.io.IOException: retrying\nCaused by: x\n"
    assert diagnose([log], home=Path("/h")).lines == ()


def test_runner_files_are_private_under_a_permissive_umask(tmp_path: Path) -> None:
    from resolver.processes import write_private

    old = os.umask(0o000)
    try:
        write_private(tmp_path / "f", "secret")
    finally:
        os.umask(old)
    assert stat.S_IMODE((tmp_path / "f").stat().st_mode) == 0o600


@pytest.mark.parametrize("module", ["resolver.serverconf", "resolver.maven", "resolver.settings"])
def test_doctests(module: str) -> None:
    import doctest
    import importlib

    result = doctest.testmod(importlib.import_module(module))
    assert result.attempted > 0 and result.failed == 0
