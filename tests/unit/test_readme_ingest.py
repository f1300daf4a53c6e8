"""The README's "Ingest every development file" commands: each one parses, and reads its file (in place)
with no reject in its first SAMPLE records. Nothing is written: this checks the mapping, not the graph
(tests/integration/test_ingest_trust.py ingests the NHS ODS and GOV.UK files whole)."""

from __future__ import annotations

import re
import shlex
from itertools import islice
from pathlib import Path

import pytest

from resolver.cli.ingest import ingest_command, ingest_options
from resolver.model import Reject
from resolver.sources import read_source
from tests.conftest import shared_file

ROOT = Path(__file__).resolve().parents[2]
README = (ROOT / "README.md").read_text(encoding="utf-8")
SECTION = README[README.index("#### Ingest every development file") :]
BLOCK = SECTION[SECTION.index("```bash") : SECTION.index("```\n", SECTION.index("```bash") + 7)]
SAMPLE = 3_000
# documented in the README beside the command
EXPECTED_REJECTS = {"../shared/data/dnb-company-variants/names.csv": {"control_character"}}
COMMANDS = [line for line in BLOCK.splitlines() if line.startswith("resolver ingest ")]


def test_the_list_covers_the_main_files() -> None:
    listed = " ".join(COMMANDS)
    for name in (
        "epcmem.csv",
        "parent_of_edges_observed.csv",
        "nhs-ods-2016/edges.csv",
        "seed/relationship.json",
    ):
        assert name in listed
    assert len(COMMANDS) >= 25


@pytest.mark.parametrize(
    "command", COMMANDS, ids=[re.sub(r".*/shared/data/(\S+).*", r"\1", c) for c in COMMANDS]
)
def test_readme_command_reads_its_file(command: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)  # --mapping mappings/... is relative to the checkout
    args = shlex.split(command)[2:]
    params = ingest_command.make_context("ingest", args).params
    options = ingest_options(
        params["input_format"],
        params["source"],
        params["id_scheme"],
        params["maps"],
        params["mapping_file"],
        params["no_header"],
        params["columns"],
        params["delimiter"],
        params["date_format"],
        params["encoding"],
    )
    (path,) = params["files"]
    reader = read_source(
        shared_file(path.removeprefix("../shared/data/")),
        fmt=options.fmt,
        source=options.source,
        id_scheme=options.id_scheme,
        options=options.read,
    )
    rejects: list[Reject] = []
    claims = 0
    for item in islice(reader, SAMPLE):
        if isinstance(item, Reject):
            rejects.append(item)
        else:
            claims += 1
    assert {r.code for r in rejects} <= EXPECTED_REJECTS.get(path, set()) and claims > 0
