"""The bulk files' fields read back as the Bolt path's values (None is no property, '' an empty string)."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from resolver.errors import GraphWriteError
from resolver.graph.bulk import ARRAY_DELIMITER, PARENT_OF, PARENT_OF_PROPS, cell
from resolver.graph.writer import parent_row
from resolver.model import ParentLink, PartialDate


def test_fields() -> None:
    assert cell(None, "x") == ""  # no property
    assert cell("", "x") == '""'  # an empty string stays one
    assert cell('Say "NHS",\nplease', "x") == '"Say ""NHS"",\nplease"'
    assert cell(True, "x") == '"true"' and cell(False, "x") == '"false"'
    assert cell(0.9333333333333333, "x") == "0.9333333333333333" and cell(3, "x") == "3"
    assert cell(date(2019, 5, 1), "x") == '"2019-05-01"'
    assert cell(datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC), "x") == '"2026-01-02T03:04:05+00:00"'
    assert cell(["http://a", "http://b"], "x") == f'"http://a{ARRAY_DELIMITER}http://b"'


def test_a_value_holding_the_array_delimiter_is_refused_naming_it() -> None:
    with pytest.raises(GraphWriteError, match="claim c1.*resolver ingest"):
        cell(["a" + ARRAY_DELIMITER + "b"], "claim c1")


def test_parent_of_header_covers_every_property_the_bolt_path_sets() -> None:
    may = PartialDate("2019-05-00", "month", date(2019, 5, 1), date(2019, 5, 31))
    props = parent_row(ParentLink("c1", "p", "c", may, None, True, "src"))["props"]
    assert {k for k, _ in PARENT_OF_PROPS} == set(props) | {"claimId", "runId"}
    assert len(PARENT_OF[1]) == 2 + len(PARENT_OF_PROPS)
