"""Blocking: which distinct names are worth comparing (pure; never all pairs).

An inverted index maps blocking keys to the names that carry them; only names sharing a key are
compared. Keys: the two rarest informative tokens and any used by at most RARE_DF names ("t:"); the
sorted token multiset ("s:"); the words run together ("j:"); for short keys (at most SHORT_KEY
letters without spaces, legal form included) the key and each of its one-letter deletions ("d:",
SymSpell-style: "Murray LLC" and "Munray LLC" share "murayllc"; "SchummPLC" and "Schumm PLC" share
"schummplc"), and the deletions alone of names one letter longer, so the boundary splits no pair; for
longer names with generic words the same over their distinctive letters ("c:"); for longer one-word
names the first and last five letters ("p:", "x:"), since a typo there leaves no other key; for names
whose distinctive words (all words, when every word is generic) have SHORT_KEY letters or more, the
first and last halves of those letters ("a:", "z:"), which one edit cannot both break; for those
longer than SHORT_KEY letters, the four pairings of the first and last WORD_END letters of their first
two rare distinctive words ("q:"), which an edit in each word leaves one of. A bucket
holding more than ``max_bucket`` names is skipped and counted: a key that common says nothing about
identity. Acronyms are joined separately (``acronym_candidates``): a one-word name meets the
multi-word names whose initials it spells.

Invariants: pairs are (lo, hi) with lo < hi, unique, sorted; the result depends only on the names
(and their order, which the pipeline fixes by sorting).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from itertools import chain

import numpy as np
import numpy.typing as npt

from resolver.digits import damage_digits
from resolver.normalise import GENERIC_WORDS, NormalisedName, acronym_forms, is_acronym_of

IntArray = npt.NDArray[np.int64]

RARE_TOKENS = 2  # a name is filed under its two rarest informative tokens, and under any
RARE_DF = 8  # informative token used by at most this many names
AFFIX_LETTERS = 5
COMMON_MIN = 20
COMMON_SHARE = 0.0005
SHORT_KEY = 12
MIN_ACRONYM = 2
MAX_ACRONYM = 10
HALF_BUCKET = 20  # a half ("a:", "z:") shared by more names is a common stem, not a typo's trace
WORD_END_BUCKET = 8  # nor is a pair of word ends ("q:", six letters) shared by more names
WORD_END = 3  # letters of a word's start and end in the "q:" keys
WORD_ENDS_MIN = 5  # words shorter than this have ends that one edit may both break


@dataclass(frozen=True, slots=True)
class Blocks:
    """Buckets of name indices (each 2..max_bucket long, ascending) and what was skipped."""

    buckets: tuple[list[int], ...]
    common: frozenset[str]  # see common_words()
    keys: int  # distinct blocking keys seen
    oversized: int  # buckets skipped for holding more than max_bucket names
    freq: Mapping[str, int] = field(default_factory=dict)  # names using each token (token_frequencies)


def common_words(freq: Counter[str], units: int) -> frozenset[str]:
    """Words used by at least COMMON_SHARE of the names (and COMMON_MIN of them): this corpus's
    "university", "normal", "logistics". Shared, they cannot carry a match (score.distinct_score)."""
    floor = max(COMMON_MIN, int(units * COMMON_SHARE))
    return frozenset(t for t, f in freq.items() if f >= floor)


def token_frequencies(names: Iterable[NormalisedName]) -> Counter[str]:
    """How many names use each token (the rarity behind the "t:" keys)."""
    return Counter(chain.from_iterable(n.tokens for n in names))


def blocking_keys(name: NormalisedName, freq: Counter[str] | dict[str, int], max_bucket: int) -> list[str]:
    """The blocking keys of one name; ``freq`` gives token rarity (tokens above max_bucket are common)."""
    if not name.key:
        return []
    tokens = name.tokens
    rare = [(freq.get(t, 0), t) for t in dict.fromkeys(tokens) if t not in GENERIC_WORDS]
    if len(rare) > RARE_TOKENS:
        rare.sort()
    keys = [
        "t:" + t for k, (f, t) in enumerate(rare) if f <= RARE_DF or (k < RARE_TOKENS and f <= max_bucket)
    ]
    if len(tokens) > 1 or not keys:  # a one-word name's "t:" bucket already holds its "s:" bucket
        keys.append("s:" + " ".join(sorted(tokens)))
    squashed = name.key.replace(" ", "")
    # The words run together: spacing inside a word ("Group National" / "GroupNational", "Mac Donald")
    # changes every other key of a long name.
    keys.append("j:" + "".join(tokens))
    if 3 <= len(squashed) <= SHORT_KEY:
        keys.append("d:" + squashed)
        keys.extend({"d:" + squashed[:i] + squashed[i + 1 :] for i in range(len(squashed))})
    elif len(squashed) == SHORT_KEY + 1:
        # One letter over the line: its deletions meet the SHORT_KEY-letter names one letter shorter
        # ("National Group" / "Ntional Group"), which no other key may join.
        keys.extend({"d:" + squashed[:i] + squashed[i + 1 :] for i in range(len(squashed))})
    if len(squashed) > SHORT_KEY and len(tokens) == 1:
        # a long one-word name: a typo in its only word leaves no other key
        keys.append("p:" + squashed[:AFFIX_LETTERS])
        keys.append("x:" + tokens[0][-AFFIX_LETTERS:])
    elif len(squashed) > SHORT_KEY and not GENERIC_WORDS.isdisjoint(tokens):
        # "Pahisian Group" / "Parisian Group": a short distinctive part with a typo, and generic words
        # that make no key: the part's one-letter deletions meet ("c:", apart from whole keys).
        core = "".join([t for t in tokens if t not in GENERIC_WORDS])
        if 5 <= len(core) <= SHORT_KEY:
            keys.append("c:" + core)
            keys.extend({"c:" + core[:i] + core[i + 1 :] for i in range(len(core))})
    if len(squashed) >= SHORT_KEY:
        # One edit leaves one half of the distinctive words (squashed) intact: "Grimes-Sawayn" /
        # "Grimes4Sawayn", "United Health Group" / "UnitedHealth Group". Two half lengths, so that one
        # letter more or less still shares one; from SHORT_KEY letters on, where "d:" keys stop.
        # A name of generic words only ("National Group") has no distinctive part: all its letters are
        # the core, or a typo in any of its words would leave it no key but "s:".
        core = "".join([t for t in tokens if t not in GENERIC_WORDS]) or "".join(tokens)
        _half_keys(core, keys)
        if not core.isalpha():
            # A digit typed for the space between two words or for a letter ("TreutMl1Doyle"): the
            # halves of the core without it as well, so an edit on the other side still leaves one.
            spots = damage_digits(core)
            if len(spots) == 1:
                _half_keys(core[: spots[0]] + core[spots[0] + 1 :], keys)
    return keys


def _half_keys(core: str, keys: list[str]) -> None:
    """Append the first and last halves of ``core`` (two half lengths when it is even) to ``keys``."""
    size = len(core)
    if size >= SHORT_KEY:
        half = size // 2
        tag = str(half)
        keys.append("a" + tag + ":" + core[:half])
        keys.append("z" + tag + ":" + core[-half:])
        if size % 2 == 0:
            tag = str(half - 1)
            keys.append("a" + tag + ":" + core[: half - 1])
            keys.append("z" + tag + ":" + core[1 - half :])


def word_end_keys(name: NormalisedName, freq: Counter[str] | dict[str, int]) -> list[str]:
    """The "q:" keys of one name (see the module docstring), indexed in a pass of their own.

    An edit in each of two words ("Luettgen-Schroeder" / "Lueltgen-SchroedRr") breaks every key of
    ``blocking_keys`` but leaves each word its first or its last letters: the first two rare distinctive
    words long enough for both ends to be apart give the four pairings of their ends. Rare words only:
    a common word beside a damaged one is the case of one edit, which the halves serve ("Binzhou Medical
    University" / "Jinzhou Medical University" must not meet here; ROR precision fell 0.9708 -> 0.968).

    Example:
        >>> from resolver.normalise import normalise_name
        >>> word_end_keys(normalise_name("Luettgen-Schroeder"), {})
        ['q:lue<sch', 'q:lue>der', 'q:gen<sch', 'q:gen>der']
    """
    tokens = name.tokens
    if len(name.key) - name.key.count(" ") <= SHORT_KEY:
        return []
    ends = [
        t for t in tokens if len(t) >= WORD_ENDS_MIN and t not in GENERIC_WORDS and freq.get(t, 0) <= RARE_DF
    ][:2]
    if len(ends) < 2:
        return []
    (p1, s1), (p2, s2) = ((t[:WORD_END], t[-WORD_END:]) for t in ends)
    return ["q:" + p1 + "<" + p2, "q:" + p1 + ">" + s2, "q:" + s1 + "<" + p2, "q:" + s1 + ">" + s2]


def block(names: Sequence[NormalisedName], *, max_bucket: int) -> Blocks:
    """Build the inverted index over ``names`` and return its buckets of 2..max_bucket names.

    Example:
        >>> from resolver.normalise import normalise_name
        >>> names = [normalise_name(s) for s in ("Murray LLC", "Munray LLC", "Emard Inc")]
        >>> block(names, max_bucket=50).buckets
        ([0, 1],)
    """
    freq = token_frequencies(names)
    buckets: list[list[int]] = []
    seen: set[tuple[int, ...]] = set()
    keys = oversized = 0
    # Two passes, each index dropped before the next is built: the "q:" keys add no memory at the peak.
    for word_ends in (False, True):
        index: defaultdict[str, list[int]] = defaultdict(list)
        for i, name in enumerate(names):
            # keys of one name are distinct
            for k in word_end_keys(name, freq) if word_ends else blocking_keys(name, freq, max_bucket):
                index[k].append(i)
        keys += len(index)
        oversized += _collect(index, max_bucket, buckets, seen)
        del index
    unique_pairs: dict[tuple[int, int], None] = {}
    kept: list[list[int]] = []
    for members in buckets:
        if len(members) == 2:
            unique_pairs[(members[0], members[1])] = None
        else:
            kept.append(members)
    kept.extend([a, b] for a, b in unique_pairs)
    return Blocks(tuple(kept), common_words(freq, len(names)), keys, oversized, freq)


def _collect(
    index: Mapping[str, list[int]], max_bucket: int, buckets: list[list[int]], seen: set[tuple[int, ...]]
) -> int:
    """Append the index's buckets of 2..max_bucket names to ``buckets`` (identical ones once); return how
    many were skipped for size."""
    oversized = 0
    half_bucket = min(max_bucket, HALF_BUCKET)
    word_end_bucket = min(max_bucket, WORD_END_BUCKET)
    for key, members in index.items():
        if len(members) < 2:
            continue
        if len(members) > (
            word_end_bucket if key[0] == "q" else half_bucket if key[0] in "az" else max_bucket
        ):
            oversized += 1
            continue
        if len(members) > 2:  # identical buckets (e.g. "s:" and "p:" of the same pair) are compared once
            sig = tuple(members)
            if sig in seen:
                continue
            seen.add(sig)
        buckets.append(members)
    return oversized


def candidate_pairs(buckets: Iterable[Sequence[int]], n: int) -> tuple[IntArray, IntArray]:
    """All unique (lo, hi) pairs inside the buckets, sorted: vectorised per bucket size."""
    by_size: dict[int, list[Sequence[int]]] = {}
    for members in buckets:
        by_size.setdefault(len(members), []).append(members)
    codes: list[IntArray] = []
    for size, group in by_size.items():
        rows = np.asarray(group, dtype=np.int64)
        iu, ju = np.triu_indices(size, k=1)
        left, right = rows[:, iu].ravel(), rows[:, ju].ravel()
        codes.append(np.minimum(left, right) * n + np.maximum(left, right))
    if not codes:
        empty = np.zeros(0, dtype=np.int64)
        return empty, empty.copy()
    unique = np.sort(np.concatenate(codes))  # np.sort + mask: np.unique hashes, ~80x slower here
    keep = np.ones(len(unique), dtype=bool)
    keep[1:] = unique[1:] != unique[:-1]
    return unique[keep] // n, unique[keep] % n


@dataclass(frozen=True, slots=True)
class AcronymIndex:
    """``shorts``: one-word names that could be acronyms, by their word (and, written in mixed case, by
    the initials of their capitals: "AusAID" under "aaid"); ``fulls``: multi-word names one of whose
    ``acronym_forms`` is such a key, by that key."""

    shorts: dict[str, list[int]]
    fulls: dict[str, list[int]]


def acronym_index(names: Sequence[NormalisedName]) -> AcronymIndex:
    """Which one-word names a multi-word name's acronym spells (see AcronymIndex)."""
    shorts: dict[str, list[int]] = {}
    for i, name in enumerate(names):
        if len(name.tokens) == 1:
            word = name.tokens[0]
            if MIN_ACRONYM <= len(word) <= MAX_ACRONYM and word.isalnum():
                shorts.setdefault(word, []).append(i)
                if name.segments is not None and name.segments != word:
                    shorts.setdefault(name.segments, []).append(i)
    fulls: dict[str, list[int]] = {}
    if shorts:
        for i, name in enumerate(names):
            if name.acronym is not None and len(name.tokens) >= 2:
                for acronym in acronym_forms(name):
                    if acronym in shorts:
                        fulls.setdefault(acronym, []).append(i)
    return AcronymIndex(shorts, fulls)


def acronym_candidates(
    names: Sequence[NormalisedName],
    *,
    max_bucket: int,
    attested: Iterable[tuple[str, str]] = (),
    index: AcronymIndex | None = None,
) -> list[tuple[int, int]]:
    """Pairs (short, full): a one-word name ("IBM", "AusAID") that is an acronym of a multi-word name
    (``is_acronym_of``; ``index``: ``acronym_index(names)``, computed when not given).

    A short word spelled by more than ``max_bucket`` full names only meets the full names an explicit
    "(NHS)" or a source alias attests (``attested``: (acronym, full core) pairs), so short acronyms
    cannot fan out over unrelated bodies.
    """
    index = index or acronym_index(names)
    attested_keys = set(attested)
    pairs: set[tuple[int, int]] = set()
    for acronym, full_ids in index.fulls.items():
        if len(full_ids) > max_bucket:
            full_ids = [j for j in full_ids if (acronym, names[j].core) in attested_keys]
        for i in index.shorts[acronym]:
            pairs.update((i, j) for j in full_ids if is_acronym_of(names[i], names[j]))
    return sorted(pairs)
