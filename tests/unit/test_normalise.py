"""Normalisation: golden cases, the seed names, real data, and Hypothesis properties (T16, T17, T19)."""

from __future__ import annotations

import csv
import string
import time
import unicodedata
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from resolver.normalise import MAX_KEY_CHARS, normalise, normalise_name
from tests.conftest import shared_file

GOLDEN = Path(__file__).resolve().parents[1] / "data" / "normalise.tsv"


def _golden() -> list[list[str]]:
    lines = GOLDEN.read_text(encoding="utf-8").splitlines()
    rows = [line.split("\t") for line in lines if line and not line.startswith("#")]
    for row in rows:
        if "\\" in row[0]:  # escapes stand for characters an editor would mangle (mojibake, accents)
            row[0] = row[0].encode("ascii").decode("unicode_escape")
    return [row + [""] * (6 - len(row)) for row in rows]


@pytest.mark.parametrize("raw,key,acronym,legal_form,qualifier,tag", _golden())
def test_golden(raw: str, key: str, acronym: str, legal_form: str, qualifier: str, tag: str) -> None:
    n = normalise_name(raw)
    assert (n.key, n.acronym or "", n.legal_form or "", n.qualifier or "", n.tag or "") == (
        key,
        acronym,
        legal_form,
        qualifier,
        tag,
    )


def test_seed_names_share_one_key() -> None:
    keys = {normalise("NHS, UK Health Agency"), normalise("NHS"), normalise("The N.H.S.")}
    assert keys == {"nhs"}
    full = normalise_name("National Health Service (NHS)")
    assert (full.key, full.acronym, full.acronym_explicit) == ("national health service", "nhs", True)
    assert normalise_name("NHS, UK Health Agency").display == "NHS"


def test_legal_form_spellings_meet() -> None:
    forms = ["Acme Widgets Limited", "ACME WIDGETS LTD.", "acme widgets ltd", "The Acme Widgets Ltd"]
    assert {normalise(f) for f in forms} == {"acme widgets ltd"}
    assert normalise("Acme Widgets PLC") != normalise("Acme Widgets Ltd")


def test_commas_inside_real_names_are_not_qualifiers() -> None:
    # dnb-company-variants PROVENANCE: "Feeney, Aufderhar and Kirlin" must not be split.
    with shared_file("dnb-company-variants/names.csv").open(encoding="utf-8") as f:
        names = [row["name"] for row in csv.DictReader(f) if ", " in row["name"]]
    assert len(names) > 100
    assert [n for n in names if normalise_name(n).qualifier is not None] == []


def test_long_names_are_bounded_and_fast() -> None:
    text = "Acme " * 2_000 + "\ufdfa" * 5_000
    start = time.perf_counter()
    n = normalise_name(text)
    assert time.perf_counter() - start < 0.05
    assert 0 < len(n.key) <= MAX_KEY_CHARS


def test_control_and_invisible_characters_never_reach_the_key() -> None:
    n = normalise_name("Acme\x00 Widgets\u202e Ltd\u200b\x7f")
    assert n.key == "acme widgets ltd"
    assert all(c.isprintable() for c in n.display)


@pytest.mark.parametrize("text", ["", "   ", "\t\n", "!!!", "...", "\u200b\u200b"])
def test_empty_is_explicit(text: str) -> None:
    assert normalise_name(text).key == ""
    assert normalise_name(text).tokens == ()


names = st.text(st.characters(codec="utf-8", exclude_categories=["Cs"]), max_size=60)
wordy = st.text(string.ascii_letters + " .,&'()-" + "éøßÆ", max_size=40)


@settings(max_examples=1000, deadline=None)
@given(st.one_of(names, wordy))
def test_idempotent(text: str) -> None:
    key = normalise(text)
    assert normalise(key) == key


@settings(max_examples=500, deadline=None)
@given(st.one_of(names, wordy))
def test_unicode_forms_give_one_key(text: str) -> None:
    forms = {normalise(unicodedata.normalize(f, text)) for f in ("NFC", "NFD", "NFKC", "NFKD")}
    assert len(forms) == 1


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=10_000))
def test_key_is_bounded_ascii(text: str) -> None:
    key = normalise(text)
    assert len(key) <= MAX_KEY_CHARS
    assert key.isascii() and key == key.strip() and "  " not in key
