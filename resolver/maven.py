"""Fetch jars from Maven Central with the `mvn` client into a cache directory, once.

Used for the Neo4j server, Neo4j Browser and cypher-shell. A target directory is complete when it holds a
``.complete`` marker: the jars are resolved into a scratch directory and renamed into place, so a killed
fetch never leaves a half-filled directory in use.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import tempfile
from collections.abc import Sequence
from pathlib import Path
from xml.sax.saxutils import escape

from resolver.errors import ServerError

_COORDINATE = re.compile(r"^[A-Za-z0-9_.-]+:[A-Za-z0-9_.-]+:[A-Za-z0-9_.-]+$")

# Only used to resolve jars: packaging=pom, nothing is built.
_POM = """<?xml version="1.0" encoding="UTF-8"?>
<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <groupId>local.resolver</groupId>
  <artifactId>fetch</artifactId>
  <version>1</version>
  <packaging>pom</packaging>
  <dependencies>
{dependencies}
  </dependencies>
</project>
"""


def pom(coordinates: Sequence[str]) -> str:
    """A POM whose dependencies are ``group:artifact:version`` coordinates.

    >>> "<artifactId>cypher-shell</artifactId>" in pom(["org.neo4j:cypher-shell:5.26.30"])
    True
    """
    deps = []
    for coordinate in coordinates:
        if not _COORDINATE.match(coordinate):
            raise ServerError(f"not a Maven coordinate (group:artifact:version): {coordinate!r}")
        group, artifact, version = (escape(part) for part in coordinate.split(":"))
        deps.append(
            f"    <dependency><groupId>{group}</groupId><artifactId>{artifact}</artifactId>"
            f"<version>{version}</version></dependency>"
        )
    return _POM.format(dependencies="\n".join(deps))


def is_complete(target: Path) -> bool:
    return (target / ".complete").exists()


def fetch(coordinates: Sequence[str], target: Path, *, what: str, hint: str) -> Path:
    """Resolve ``coordinates`` and their runtime dependencies into ``target`` (once); return it.

    ``what`` names the download in errors; ``hint`` says what to check when Maven fails.
    """
    if is_complete(target):
        return target
    mvn = shutil.which("mvn")
    if mvn is None:
        raise ServerError(
            f"Maven (`mvn`) is not on PATH: it fetches {what} from Maven Central. Install it "
            "(Debian: `apt-get install maven`) or use Docker: `docker compose up -d --wait`."
        )
    target.parent.mkdir(parents=True, exist_ok=True)
    scratch = Path(tempfile.mkdtemp(prefix="fetch-", dir=target.parent))
    try:
        (scratch / "pom.xml").write_text(pom(coordinates), encoding="utf-8")
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
        if proc.returncode != 0 or not any(out.glob("*.jar")):
            tail = "\n".join((proc.stdout + proc.stderr).strip().splitlines()[-15:])
            raise ServerError(
                f"Maven could not fetch {what} ({', '.join(coordinates)}) from Maven Central "
                f"(exit {proc.returncode}). {hint}\n{tail}"
            )
        (out / ".complete").write_text("\n".join(coordinates) + "\n", encoding="utf-8")
        if target.exists():
            shutil.rmtree(target)
        out.rename(target)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    return target
