"""Processes, ports and private files for the local runner: the Java check, whether a pid is alive (and
not a zombie), a free port, reading a log from an offset, and files written 0600 from creation."""

from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
from pathlib import Path

from resolver.errors import ServerError


def java_major(java: str, version: str) -> int:
    """The major version of ``java``; a ServerError naming the fix unless it is 17 or 21."""
    if shutil.which(java) is None and not Path(java).exists():
        raise ServerError(
            f"Java was not found ({java!r}): Neo4j {version} needs Java 17 or 21. Install OpenJDK 17 "
            "(Debian: `apt-get install openjdk-17-jre-headless`) or set JAVA_HOME / RESOLVER_JAVA_HOME."
        )
    proc = subprocess.run([java, "-version"], capture_output=True, text=True, check=False)
    match = re.search(r'version "(\d+)(?:\.(\d+))?', proc.stderr + proc.stdout)
    if not match:
        raise ServerError(f"cannot tell the Java version of {java!r}: {proc.stderr.strip()[:200]}")
    major = int(match.group(1))
    if major not in (17, 21):
        raise ServerError(
            f"{java} is Java {major}; Neo4j {version} runs on Java 17 or 21 only. "
            "Set JAVA_HOME or RESOLVER_JAVA_HOME to a JDK 17 (e.g. /usr/lib/jvm/java-17-openjdk-amd64)."
        )
    return major


def write_private(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` readable by the owner only (0600 from creation, never wider)."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        os.fchmod(f.fileno(), 0o600)
        f.write(text)


def file_size(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError:
        return 0


def read_from(path: Path, offset: int) -> str:
    try:
        with open(path, "rb") as f:
            f.seek(offset if offset <= file_size(path) else 0)
            return f.read(2_000_000).decode("utf-8", errors="replace")
    except OSError:
        return ""


def alive(pid: int) -> bool:
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
    except PermissionError:
        return False  # another user's process: never ours
    stat = Path(f"/proc/{pid}/stat")
    try:
        return stat.read_text().split(")")[-1].split()[0] != "Z"
    except (OSError, IndexError):
        return False


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])
