"""Blocking: typo variants meet, unrelated names do not, buckets are capped, never all pairs."""

from __future__ import annotations

import csv
from collections import defaultdict

import numpy as np

from resolver.block import RARE_DF, acronym_candidates, block, candidate_pairs, word_end_keys
from resolver.normalise import normalise_name
from tests.conftest import shared_file


def _pairs(names: list[str], max_bucket: int = 50) -> set[tuple[str, str]]:
    norms = [normalise_name(n) for n in names]
    lo, hi = candidate_pairs(block(norms, max_bucket=max_bucket).buckets, len(norms))
    return {(names[a], names[b]) for a, b in zip(lo.tolist(), hi.tolist(), strict=True)}


def test_variants_share_a_bucket() -> None:
    names = [
        "Murray LLC",
        "Munray LLC",
        "Schumm PLC",
        "SchummPLC",
        "Group Quitzon",
        "Quitzon Group",
        "Emard Inc",
    ]
    pairs = _pairs(names)
    assert {
        ("Murray LLC", "Munray LLC"),
        ("Schumm PLC", "SchummPLC"),
        ("Group Quitzon", "Quitzon Group"),
    } <= pairs
    assert not any("Emard Inc" in p for p in pairs)


def test_one_edit_in_a_long_name_leaves_a_half_in_common() -> None:
    names = [
        "United Health Group",  # a word split in two
        "UnitedHealth Group",
        "Grimes-Sawayn",  # 12 letters squashed
        "Grimes4Sawayn",  # 13
    ]
    pairs = _pairs(names)
    assert {
        ("United Health Group", "UnitedHealth Group"),
        ("Grimes-Sawayn", "Grimes4Sawayn"),
    } <= pairs


def test_an_edit_in_each_of_two_words_leaves_a_pair_of_word_ends() -> None:
    # Real dnb pairs: each word keeps its first or its last three letters, no whole key survives.
    pairs = [
        ("Luettgen-Schroeder", "Lueltgen-SchroedRr"),
        ("Dickinson-Cummerata", "DXckinson-CummOrata"),
        ("Spencer, Williamson and Dibbert", "SpencNr, Williamzon and DibLert"),
    ]
    for a, b in pairs:
        assert _pairs([a, b]) == {(a, b)}


def test_word_ends_come_from_rare_words_only() -> None:
    # A common word beside a damaged one is one edit, not two, which the halves serve: the word ends of
    # a common word make no key (ROR: "Binzhou Medical University" / "Jinzhou Medical University" are
    # two universities that such keys would have brought together).
    name = normalise_name("Binzhou Medical University")
    rare = {"binzhou": 1, "medical": 1, "university": 1}
    common = {"binzhou": 1, "medical": RARE_DF + 1, "university": RARE_DF + 1}
    assert word_end_keys(name, rare)
    assert not word_end_keys(name, common)


def test_generic_words_make_no_key() -> None:
    assert _pairs(["Acme Holdings", "Zenith Holdings"]) == set()


def test_oversized_buckets_are_skipped_and_counted() -> None:
    norms = [normalise_name(f"Supercalifragilistic{i:04d}") for i in range(300)]  # one "p:" key
    blocks = block(norms, max_bucket=100)
    assert blocks.oversized >= 1
    assert all(2 <= len(b) <= 100 for b in blocks.buckets)


def test_candidate_pairs_are_unique_sorted_and_ordered() -> None:
    lo, hi = candidate_pairs([[0, 1, 2], [1, 2], [2, 0], [3, 4]], 5)
    assert list(zip(lo.tolist(), hi.tolist(), strict=True)) == [(0, 1), (0, 2), (1, 2), (3, 4)]
    assert lo.dtype == np.int64


def test_acronyms_meet_their_full_forms_only() -> None:
    norms = [normalise_name(n) for n in ("NHS", "National Health Service", "National Hockey Society", "BBC")]
    assert acronym_candidates(norms, max_bucket=10) == [(0, 1), (0, 2)]
    # Above the cap only attested full forms remain candidates.
    assert acronym_candidates(norms, max_bucket=1, attested=[("nhs", "national health service")]) == [(0, 1)]


def test_real_data_recall_and_reduction() -> None:
    """On uk-local-authorities most true pairs are candidates, at a tiny fraction of all pairs."""
    with shared_file("uk-local-authorities/lookup_name_to_registry.csv").open(encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    by_key = {
        normalise_name(r["la-name"]).key: (normalise_name(r["la-name"]), r["local-authority-code"])
        for r in rows
    }
    keys = sorted(by_key)
    norms = [by_key[k][0] for k in keys]
    truth = [by_key[k][1] for k in keys]
    lo, hi = candidate_pairs(block(norms, max_bucket=200).buckets, len(norms))
    found = {(a, b) for a, b in zip(lo.tolist(), hi.tolist(), strict=True)}
    groups: dict[str, list[int]] = defaultdict(list)
    for i, t in enumerate(truth):
        groups[t].append(i)
    true_pairs = {(a, b) for g in groups.values() for i, a in enumerate(g) for b in g[i + 1 :]}
    assert len(found & true_pairs) / len(true_pairs) > 0.85
    assert len(found) < 0.02 * len(norms) * (len(norms) - 1) / 2
