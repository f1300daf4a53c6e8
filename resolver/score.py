"""Scoring: how alike two normalised names are, in [0, 1], with named features (pure).

score = min(max(ratio, token_sort, squashed, subset), distinct, swapped) - penalties, clipped to [0, 1],
where
- ratio, token_sort: rapidfuzz on the cores (keys without legal forms);
- squashed: rapidfuzz ratio on the keys without spaces ("JPMorgan" / "J.P. Morgan", "SchummPLC");
- subset: one name is the other plus designators only ("Aberdeen City Council", "County Durham"),
  provided they share a word that is not generic; or one writes a run of the other's words as their
  initials ("GSE Profession" / "Government Science & Engineering Profession");
- distinct: the best of ratio, token_sort and squashed on the cores without the generic words both
  share, so shared generic words cannot carry a match ("London Borough of Brent" / "London Borough of
  Ealing", "South Ayrshire Council" / "North Ayrshire Council"); 1 when they share none;
- swapped: when two names differ in one word each, how alike those two words are, unless they are
  within DISTINCT_EDITS edits or one abbreviates the other ("Taro" / "Teva Pharmaceutical Industries";
  "St" / "Saint Mary's");
- penalties: different legal forms, different qualifiers, different tags
  ("Estates Office (DFAT)" / "Estates Office (DIA)"), different numbers ("Region 1" / "Region 2"),
  different compass words ("East Dorset" / "West Dorset"), and any difference between short names
  ("IESE" / "I-Tese": one letter in five is another acronym, not a typo).
A missing legal form or qualifier on one side is no evidence either way.

Inside blocks the same formula runs vectorised: rapidfuzz ``process.cdist`` on large buckets (one call
per bucket, ``workers=-1``, two distinct list objects) and ``process.cpdist`` on the deduplicated pairs of
small buckets (a cdist call costs ~0.14 ms of thread start-up, which dominates a 3-name bucket).
``score_pair`` is the scalar reference; tests check both agree.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt
from rapidfuzz import fuzz, process
from rapidfuzz.distance import Levenshtein

from resolver.block import Blocks, IntArray, candidate_pairs
from resolver.normalise import (
    ACRONYM_STOPWORDS,
    COUNTRY_CODES,
    DESIGNATORS,
    GENERIC_WORDS,
    MODIFIER_WORDS,
    NormalisedName,
    spells,
)

FloatArray = npt.NDArray[np.float64]
ObjectArray = npt.NDArray[np.object_]

LEGAL_FORM_PENALTY = 0.15
QUALIFIER_PENALTY = 0.2
TAG_PENALTY = 0.2
NUMBER_PENALTY = 0.2
MODIFIER_PENALTY = 0.2
EXTRA_PENALTY = 0.2
CAPITALS_PENALTY = 0.2
KNOWN_PENALTY = 0.2
KNOWN_DF = 3  # a word this many names of the corpus use is a word of its own, not a typo,
KNOWN_SHARE = 0.5  # when it is as frequent as this share of the other word at least
SHORT_PENALTY = 0.15
SHORT_NAME = 5  # letters, spaces aside: names this short must match exactly
SHORT_WORD = 3  # swapped words this short get no typo allowance
DISTINCT_EDITS = 2  # distinctive parts this close are one name with a typo, if they are long enough:
TYPO_LETTERS = 12  # below this many letters one edit only ("Warrington" / "Darlington" are two apart)
SUBSET_BASE = 0.96
SUBSET_STEP = 0.02
PREFILTER_SLACK = 0.05
CDIST_MIN_BUCKET = 64  # buckets this large go to cdist; smaller ones are pooled into one cpdist call
_NUMBER_RE = re.compile(r"^[0-9]+[a-z]{0,2}$")
_CAPITALS_RE = re.compile(r"\b[A-Z]{2,6}\b")
_DIGIT_RE = re.compile(r"[0-9]")
_CODE_RE = re.compile(r"^[a-z]+([0-9]{2,})$")  # "umr8025": a code; one digit inside a word is a typo
# Roman numerals of two letters or more ("Roma II", "Aix-Marseille III"); "i", "v", "x" are as often a
# word or a letter (Catalan "i" is "and").
_ROMAN_WORDS = "ii iii iv v vi vii viii ix x xi xii xiii xiv xv xvi xvii xviii xix xx"
ROMAN = {r: str(k) for k, r in enumerate(_ROMAN_WORDS.split(), start=2) if len(r) > 1}
_SUBSET_IGNORED = frozenset({"of", "and", "the", "for"})
_LINK_WORDS = frozenset({"of", "the", "for"})
# Words that link the words of a name in several languages: the swapped-word rule looks past them
# ("Territoriale di Crema" / "Territoriale Lodi").
LINK_WORDS = frozenset(
    "of the for and de di del della da do dos das du des la le les el van von der den y e et und".split()  # noqa: SIM905
)
_WORD_RE = re.compile(r"[^\W_]+")

FEATURES = (
    "ratio",
    "token_sort",
    "squashed",
    "subset",
    "distinct",
    "swapped",
    "legal_form",
    "qualifier",
    "tag",
    "numbers",
    "modifiers",
    "short",
    "extra",
    "capitals",
    "known",
)


@dataclass(frozen=True, slots=True)
class PairScore:
    """A score in [0, 1] and the named features (each in [0, 1]) it came from."""

    score: float
    features: tuple[tuple[str, float], ...]

    def feature(self, name: str) -> float:
        """The value of one named feature."""
        return dict(self.features)[name]


@dataclass(frozen=True, slots=True)
class ScoredPairs:
    """Candidate pairs (lo < hi, unique) whose final score reached the cutoff."""

    lo: IntArray
    hi: IntArray
    score: FloatArray
    comparisons: int  # scorer evaluations of the prefilter (pairs or cdist cells)


def squash(key: str) -> str:
    """The key without spaces."""
    return key.replace(" ", "")


def distinctive(name: NormalisedName) -> str:
    """The core without generic words and "of", "the", "for" (the whole core when nothing else is left):
    "London Borough of Brent" -> "brent", as short as "Brent" for the short-name rule. "and" stays: in
    "AT&T" it is part of the name."""
    kept = [t for t in name.tokens if t not in GENERIC_WORDS and t not in _LINK_WORDS]
    return " ".join(kept) if kept else name.core


def distinct_score(a: Sequence[str], b: Sequence[str], common: frozenset[str] = frozenset()) -> float:
    """Similarity once the generic (or corpus-common) words both names share are dropped; 1.0 if they
    share none, or if what is left is a typo apart (``typo_edits``), not another name.

    Example:
        >>> distinct_score(("london", "borough", "of", "brent"), ("london", "borough", "of", "ealing"))
        0.774194
        >>> common = frozenset({"normal", "university"})
        >>> distinct_score(("anhui", "normal", "university"), ("huaibei", "normal", "university"), common)
        0.5
    """
    if Levenshtein.distance(" ".join(a), " ".join(b), score_cutoff=1) <= 1:
        return 1.0  # one edit apart as a whole: no shared word can be carrying the match
    shared = set(a).intersection(b)
    shared = shared & GENERIC_WORDS | shared & common if common else shared & GENERIC_WORDS
    if not shared:
        return 1.0
    ra = " ".join(t for t in a if t not in shared) or " ".join(a)
    rb = " ".join(t for t in b if t not in shared) or " ".join(b)
    edits = typo_edits(ra, rb)
    if Levenshtein.distance(ra, rb, score_cutoff=edits) <= edits:
        return 1.0
    return round(_best(ra, rb), 6)


def typo_edits(a: str, b: str) -> int:
    """How many edits between two distinctive parts still read as a typo: DISTINCT_EDITS from
    TYPO_LETTERS letters on, else one ("Stafford" / "Trafford" are two towns, not a typo)."""
    return DISTINCT_EDITS if min(len(a), len(b)) >= TYPO_LETTERS else 1


def _best(a: str, b: str) -> float:
    return max(fuzz.ratio(a, b), fuzz.token_sort_ratio(a, b), fuzz.ratio(squash(a), squash(b))) / 100


def numbers_of(tokens: Sequence[str]) -> tuple[str, ...]:
    """The numbers of a name, sorted: number tokens ("88", "3m", "2nd"), the digits closing a code
    ("UMR8025" -> "8025"; not a lone digit inside a word, "Roberts6LLC": typing damage) and Roman
    numerals as digits ("III" -> "3"). Names with different numbers are different bodies ("Region 1" /
    "Region 2", "UMR825" / "UMR8025", "Roma II" / "Roma III").

    Example:
        >>> numbers_of(("umr8025",)), numbers_of(("roma", "iii")), numbers_of(("region", "2nd"))
        (('8025',), ('3',), ('2nd',))
    """
    found = []
    for t in tokens:
        if _NUMBER_RE.match(t):
            found.append(t)
        elif t in ROMAN:
            found.append(ROMAN[t])
        elif _CODE_RE.match(t):
            found.append(_CODE_RE.sub(r"\1", t))
    return tuple(sorted(found))


def modifiers_of(tokens: Sequence[str]) -> tuple[str, ...]:
    """The compass and position words of a name, sorted."""
    return tuple(sorted(t for t in tokens if t in MODIFIER_WORDS))


def subset_score(a: Sequence[str], b: Sequence[str], common: frozenset[str] = frozenset()) -> float:
    """SUBSET_BASE - SUBSET_STEP per extra word when one token set is the other's plus designators only,
    unless the shorter one holds a word common in the corpus that says what kind of body it is: "Tokyo
    City University" is not "University of Tokyo", though "Aberdeen City Council" is "Aberdeen".

    Example:
        >>> subset_score(("aberdeen",), ("aberdeen", "city", "council"))
        0.92
        >>> subset_score(("nhs",), ("nhs", "england"))
        0.0
    """
    sa, sb = set(a) - _SUBSET_IGNORED, set(b) - _SUBSET_IGNORED
    small, big = (sa, sb) if len(sa) <= len(sb) else (sb, sa)
    if not small or not small < big or not (small - GENERIC_WORDS) or _kind_words(small, common):
        return 0.0
    extra = big - small
    if extra - DESIGNATORS:
        return 0.0
    return round(SUBSET_BASE - SUBSET_STEP * len(extra), 6)


def _kind_words(words: set[str], common: frozenset[str]) -> set[str]:
    """The corpus-common words that say what kind of body ("university", "hospital"): not designators,
    compass words or link words ("of", "and")."""
    return (words & common) - DESIGNATORS - MODIFIER_WORDS - LINK_WORDS if common else set()


def swapped_word(a: Sequence[str], b: Sequence[str], common: frozenset[str] = frozenset()) -> float:
    """Similarity of the one word each name has that the other lacks, when that is all that differs
    between two names of two or more words; 1.0 otherwise, or when the two words are within
    DISTINCT_EDITS edits (a typo, or two bodies a name cannot tell apart), when one abbreviates the
    other, or when either is generic or common in the corpus ("Universidad" / "University of X": a
    translated word that says what kind of body, not which one).

    "Taro Pharmaceutical Industries" / "Teva Pharmaceutical Industries", "Lund Ventures" / "NDT
    Ventures": the shared words are long and alike, the word that names the body is not.

    Example:
        >>> swapped_word(("taro", "pharmaceutical"), ("teva", "pharmaceutical"))
        0.5
        >>> swapped_word(("saint", "marys"), ("st", "marys")), swapped_word(("acme", "ltd"), ("acne", "ltd"))
        (1.0, 1.0)
    """
    if len(a) < 2 or len(b) < 2:
        return 1.0
    # Two edits apart as a whole ("Davis and'Hamill"): a typo, whatever the words.
    whole = Levenshtein.distance(" ".join(a), " ".join(b), score_cutoff=DISTINCT_EDITS)
    if whole <= DISTINCT_EDITS and not (_short_words(a) or _short_words(b)):
        return 1.0
    sa = {_singular(t) for t in a if t not in LINK_WORDS}
    sb = {_singular(t) for t in b if t not in LINK_WORDS}
    if len(sa) != len(sb) or len(sa) < 2:
        return 1.0
    only_a, only_b = sa - sb, sb - sa
    if len(only_a) != 1 or len(only_b) != 1:
        return 1.0
    (x,), (y,) = only_a, only_b
    if x in GENERIC_WORDS or y in GENERIC_WORDS or (x in common and y in common and _near(x, y)):
        return 1.0
    # A word of three letters or fewer one letter from another is another word ("Air" / "Rail").
    edits = 0 if min(len(x), len(y)) <= SHORT_WORD else DISTINCT_EDITS
    if Levenshtein.distance(x, y, score_cutoff=edits) <= edits or abbreviates(x, y) or abbreviates(y, x):
        return 1.0
    return round(fuzz.ratio(x, y) / 100, 6)


def _near(x: str, y: str) -> bool:
    """Two corpus-common words this alike are one kind word in two languages ("universidad" /
    "university"); two unlike ones ("osaka" / "tokyo") name two bodies, however common."""
    return fuzz.ratio(x, y) >= 70


def _singular(word: str) -> str:
    """ "accidents" -> "accident": a plural is the same word to swapped_word (not "bus", "ss" endings)."""
    return word[:-1] if len(word) > 4 and word[-1] == "s" and word[-2] not in "su" else word


def abbreviates(short: str, word: str) -> bool:
    """Is ``short`` an abbreviation of ``word``: its letters in order, the first one first ("st" /
    "saint", "inst" / "institute", "dept" / "department"), and two letters shorter at least ("IC" /
    "IJC", "UR" / "UMR" are two acronyms); or the word with one letter doubled ("Taf" / "Taff")?

    Example:
        >>> abbreviates("st", "saint"), abbreviates("taf", "taff"), abbreviates("ic", "ijc")
        (True, True, False)
    """
    if len(short) == len(word) - 1 and any(word == short[:i] + short[i - 1 :] for i in range(1, len(word))):
        return True  # one letter doubled: "Taf" / "Taff"
    if len(short) > len(word) - 2 or short[:1] != word[:1]:
        return False
    rest = iter(word[1:])
    return all(c in rest for c in short[1:])


def extra_words(a: Sequence[str], b: Sequence[str]) -> float:
    """0 when one name is the other plus a word that names something, 1 otherwise.

    "NHS England", "Elbe-Nordsee", "Acme Group": a part or a parent of the shorter name's body, not
    another spelling of it. Designators ("City Council") and words under four letters don't count: that
    short, an extra word is as often a mangled "and" or "Inc" as a word; but a country code after the
    first word does ("Waterford Wedgwood UK plc" is the UK company of "Waterford Wedgwood plc"; "U.S.
    Geological Survey" is the national body itself).

    Example:
        >>> extra_words(("nhs",), ("nhs", "england")), extra_words(("aberdeen",), ("aberdeen", "city"))
        (0.0, 1.0)
    """
    sa, sb = set(a) - _SUBSET_IGNORED, set(b) - _SUBSET_IGNORED
    small, big = (sa, sb) if len(sa) <= len(sb) else (sb, sa)
    if not small or not small < big:
        return 1.0
    first = (b if big is sb else a)[0]
    for t in big - small:
        if (len(t) >= 4 and t not in DESIGNATORS) or (t in COUNTRY_CODES and t != first):
            return 0.0
    return 1.0


def capitals_of(display: str) -> frozenset[str]:
    """The words a mixed-case name writes in capitals (acronyms: "UNT Health" -> "unt"), and the
    capitals that open a word before its lower-case part ("UTHealth" -> "ut", "UHealth" -> "u").
    Empty for a name in one case only: in "ACME LTD" capitals say nothing.

    Example:
        >>> sorted(capitals_of("UTHealth at NYU")), capitals_of("ACME LTD"), capitals_of("J.P. Morgan")
        (['nyu', 'ut'], frozenset(), frozenset())
    """
    if display.isupper() or display.islower():
        return frozenset()
    found = set()
    for word in _WORD_RE.findall(display):
        run = 0
        while run < len(word) and word[run].isupper():
            run += 1
        if run == len(word) and run >= 2:
            found.add(word.lower())
        elif run >= 2 and word[run].islower():
            found.add(word[: run - 1].lower())
    return frozenset(found)


def _core_capitals(name: NormalisedName) -> set[str]:
    """capitals_of() that open a word of the core: legal forms ("PLC") aside."""
    words = name.core.split()
    return {c for c in capitals_of(name.display) if any(w.startswith(c) for w in words)}


def capitals_agreement(a: NormalisedName, b: NormalisedName) -> float:
    """0 when each name writes an acronym in capitals that the other lacks ("UM" / "UNM Comprehensive
    Cancer Center", "UNT Health" / "UTHealth", "BU" / "NYU Clinical ... Institute"): one letter apart,
    two acronyms name two bodies. 1 otherwise (also when either has none, or one only adds some)."""
    ca, cb = _core_capitals(a), _core_capitals(b)
    if not ca or not cb:
        return 1.0
    return 0.0 if (ca - cb - set(b.tokens)) and (cb - ca - set(a.tokens)) else 1.0


def known_words(a: NormalisedName, b: NormalisedName, freq: Mapping[str, int] | None) -> float:
    """0 when the two cores differ in one word each, a typo apart (DISTINCT_EDITS edits or fewer), and
    both words are used by KNOWN_DF names of the corpus or more: two established words, not a word and
    its misspelling ("Kokuyo" / "Kyokuyo", "Henan" / "Hunan", "NWFSC" / "SWFSC"), each at least
    KNOWN_SHARE as frequent as the other. A typo is rarer than the word it damages; two words the corpus
    repeats as often as each other are two names. 1 otherwise, or without corpus frequencies.

    Example:
        >>> from resolver.normalise import normalise_name as n
        >>> freq = {"kokuyo": 3, "kyokuyo": 3, "acme": 5}
        >>> known_words(n("Kokuyo Ltd"), n("Kyokuyo Ltd"), freq), known_words(n("Acme"), n("Acne"), freq)
        (0.0, 1.0)
    """
    if not freq:
        return 1.0
    ta = [t for t in a.core.split() if t not in LINK_WORDS]
    tb = [t for t in b.core.split() if t not in LINK_WORDS]
    only_a, only_b = set(ta) - set(tb), set(tb) - set(ta)
    if len(only_a) != 1 or len(only_b) != 1:
        return 1.0
    (x,), (y,) = only_a, only_b
    fx, fy = freq.get(x, 0), freq.get(y, 0)
    if min(fx, fy) < KNOWN_DF or min(fx, fy) < KNOWN_SHARE * max(fx, fy) or _singular(x) == _singular(y):
        return 1.0
    if abbreviates(x, y) or abbreviates(y, x) or x in GENERIC_WORDS or y in GENERIC_WORDS:
        return 1.0
    return 0.0 if Levenshtein.distance(x, y, score_cutoff=DISTINCT_EDITS) <= DISTINCT_EDITS else 1.0


def _agreement(x: str | None, y: str | None) -> float:
    """1 equal, 0.5 one side missing, 0 both present and different."""
    if x == y:
        return 1.0
    return 0.5 if x is None or y is None else 0.0


def score_pair(
    a: NormalisedName,
    b: NormalisedName,
    common: frozenset[str] = frozenset(),
    freq: Mapping[str, int] | None = None,
) -> PairScore:
    """Score two normalised names (the scalar reference of the vectorised path).

    ``common`` holds words frequent in the corpus at hand ("normal", "university" in ROR); like the
    generic words, when both names share them they cannot carry a match. ``freq`` (names per token in
    the corpus) feeds the "known" feature; without it (a pair on its own) that feature is silent.

    Example:
        >>> from resolver.normalise import normalise_name as n
        >>> score_pair(n("Schumm PLC"), n("SchummPLC")).score
        1.0
        >>> score_pair(n("NHS"), n("NHS England")).score < 0.5
        True
    """
    if not a.key or not b.key:
        return PairScore(0.0, tuple((f, 0.0) for f in FEATURES))
    ca, cb = a.core, b.core
    ratio = fuzz.ratio(ca, cb) / 100
    token_sort = fuzz.token_sort_ratio(ca, cb) / 100
    squashed = fuzz.ratio(squash(a.key), squash(b.key)) / 100
    subset = subset_score(a.tokens, b.tokens, common)
    if not subset and (contractible(a) or contractible(b)):
        subset = contracted(a.tokens, b.tokens)
    distinct = 1.0 if subset else distinct_score(a.tokens, b.tokens, common)
    swapped = swapped_word(a.tokens, b.tokens, common)
    markers = (
        *_markers(a, b),
        extra_words(a.tokens, b.tokens),
        capitals_agreement(a, b),
        known_words(a, b, freq),
    )
    similarity = min(max(ratio, token_sort, squashed, subset), distinct, swapped)
    score = _combine(similarity, *markers)
    values = (ratio, token_sort, squashed, subset, distinct, swapped, *markers)
    return PairScore(round(score, 6), tuple((f, round(v, 6)) for f, v in zip(FEATURES, values, strict=True)))


def contractible(name: NormalisedName) -> bool:
    """Does a name written in mixed case hold a word in capitals (2-6 letters) that may stand for
    several words of another name ("GSE Profession", "Invest NI")?"""
    if len(name.tokens) < 2 or name.display.isupper():
        return False
    return any(m.group(0).lower() in name.tokens for m in _CAPITALS_RE.finditer(name.display))


def contracted(a: Sequence[str], b: Sequence[str]) -> float:
    """1.0 when one name is the other with a run of two or more of its words written as their initials
    ("GSE Profession" / "Government Science and Engineering Profession", "Invest NI" / "Invest Northern
    Ireland"), the other words equal and in order; 0.0 otherwise.

    Example:
        >>> contracted(("gse", "profession"), ("government", "science", "and", "engineering", "profession"))
        1.0
        >>> contracted(("nhs",), ("national", "health", "service"))
        0.0
    """
    short, long = (a, b) if len(a) < len(b) else (b, a)
    if len(short) < 2 or len(long) <= len(short):
        return 0.0
    for p, word in enumerate(short):
        if not 2 <= len(word) <= 6 or not word.isalpha():
            continue
        head, tail = short[:p], short[p + 1 :]
        if tuple(long[: len(head)]) != tuple(head) or (tail and tuple(long[-len(tail) :]) != tuple(tail)):
            continue
        middle = [w for w in long[len(head) : len(long) - len(tail)] if w not in ACRONYM_STOPWORDS]
        if len(middle) >= 2 and "".join(w[0] for w in middle) == word:
            return 1.0
    return 0.0


def tag_agreement(x: str | None, y: str | None) -> float:
    """1 equal (or one spells the other: "dfat" / "department of foreign affairs and trade"), 0.5 one
    missing, 0 both present and different ("Estates Office (DFAT)" / "Estates Office (DIA)")."""
    if x == y:
        return 1.0
    if x is None or y is None:
        return 0.5
    short, long = (x, y) if len(x) <= len(y) else (y, x)
    return 1.0 if " " not in short and spells(short, long.split()) else 0.0


def _markers(a: NormalisedName, b: NormalisedName) -> tuple[float, float, float, float, float, float]:
    """Agreement of legal forms, qualifiers, tags, numbers, compass words (1, 0.5 one missing, 0
    differ) and whether two short names are equal (designators and legal forms aside). (The capitals
    marker is passed to ``_combine`` separately.)"""
    sa, sb = squash(distinctive(a)), squash(distinctive(b))
    return (
        _agreement(a.legal_form, b.legal_form),
        _agreement(a.qualifier, b.qualifier),
        tag_agreement(a.tag, b.tag),
        1.0 if numbers_of(a.tokens) == numbers_of(b.tokens) else 0.0,
        1.0 if modifiers_of(a.tokens) == modifiers_of(b.tokens) else 0.0,
        1.0 if sa == sb or min(len(sa), len(sb)) > SHORT_NAME else 0.0,
    )


def anchor_score(a: NormalisedName, b: NormalisedName) -> float:
    """Do two clusters' anchors name the same body? Similarity without any generic words, less penalties.

    It ignores designators on either side ("Derby City UA" / "Derby City Council"), so the chaining
    guard judges the distinctive words only.
    """
    if not a.key or not b.key:
        return 0.0
    return _combine(
        _best(distinctive(a), distinctive(b)), *_markers(a, b), 1.0, capitals_agreement(a, b), 1.0
    )


def _combine(
    similarity: float,
    legal: float,
    qualifier: float,
    tag: float,
    numbers: float,
    modifiers: float,
    short: float,
    extra: float,
    capitals: float,
    known: float,
) -> float:
    penalty = (
        LEGAL_FORM_PENALTY * (legal == 0.0)
        + QUALIFIER_PENALTY * (qualifier == 0.0)
        + TAG_PENALTY * (tag == 0.0)
        + NUMBER_PENALTY * (numbers == 0.0)
        + MODIFIER_PENALTY * (modifiers == 0.0)
        + SHORT_PENALTY * (short == 0.0)
        + EXTRA_PENALTY * (extra == 0.0)
        + CAPITALS_PENALTY * (capitals == 0.0)
        + KNOWN_PENALTY * (known == 0.0)
    )
    return min(1.0, max(0.0, similarity - penalty))


def _disagree(ids: IntArray, lo: IntArray, hi: IntArray) -> npt.NDArray[np.bool_]:
    x, y = ids[lo], ids[hi]
    result: npt.NDArray[np.bool_] = (x >= 0) & (y >= 0) & (x != y)
    return result


def score_blocks(
    names: Sequence[NormalisedName],
    blocks: Blocks,
    *,
    cutoff: float,
    common: frozenset[str] = frozenset(),
    freq: Mapping[str, int] | None = None,
) -> ScoredPairs:
    """Score every pair inside the buckets; keep those whose final score reaches ``cutoff``.

    The prefilter computes max(token_sort on cores, ratio on squashed keys), two of the three final
    similarities, and keeps pairs within PREFILTER_SLACK of the cutoff (the third, ratio on cores, is
    rarely more than 0.01 above them on generated variants) plus every pair with designators on a side,
    which the subset rule may lift.
    """
    cores = np.array([n.core for n in names], dtype=object)
    squashed = np.array([squash(n.key) for n in names], dtype=object)
    # Designators (the subset rule) or capitals that may contract words ("GSE Profession"): such pairs
    # pass the prefilter whatever their string similarity.
    designated = np.fromiter(
        (not DESIGNATORS.isdisjoint(n.tokens) or contractible(n) for n in names), dtype=bool, count=len(names)
    )
    small: list[list[int]] = []
    parts_lo: list[IntArray] = []
    parts_hi: list[IntArray] = []
    parts_pre: list[FloatArray] = []
    comparisons = 0
    cut = (cutoff - PREFILTER_SLACK) * 100
    for members in blocks.buckets:
        if len(members) < CDIST_MIN_BUCKET:
            small.append(members)
            continue
        ids = np.asarray(members, dtype=np.int64)
        m = np.maximum(
            _cdist(list(cores[ids]), fuzz.token_sort_ratio), _cdist(list(squashed[ids]), fuzz.ratio)
        )
        comparisons += len(members) * len(members)
        flags = designated[ids]
        i, j = np.nonzero(np.triu((m >= cut) | flags[:, None] | flags[None, :], k=1))
        parts_lo.append(ids[i])
        parts_hi.append(ids[j])
        parts_pre.append(m[i, j])
    lo, hi = candidate_pairs(small, len(names))
    comparisons += len(lo)
    if len(lo):
        pre = np.maximum(_cpdist(cores, lo, hi, fuzz.token_sort_ratio), _cpdist(squashed, lo, hi, fuzz.ratio))
        keep = (pre >= cut) | designated[lo] | designated[hi]
        parts_lo.append(lo[keep])
        parts_hi.append(hi[keep])
        parts_pre.append(pre[keep])
    if not parts_lo:
        empty = np.zeros(0, dtype=np.int64)
        return ScoredPairs(empty, empty.copy(), np.zeros(0), comparisons)
    n = len(names)
    # Deduplicate pairs found both in a large bucket and in small ones (their prefilter scores agree).
    code = np.concatenate(parts_lo) * n + np.concatenate(parts_hi)
    order = np.argsort(code)
    code = code[order]
    first = np.ones(len(code), dtype=bool)
    first[1:] = code[1:] != code[:-1]
    lo, hi = code[first] // n, code[first] % n
    pre_all = np.concatenate(parts_pre)[order][first]
    final = _final_scores(names, cores, squashed, designated, lo, hi, pre_all, cutoff, common, freq)
    keep = final >= cutoff
    return ScoredPairs(lo[keep], hi[keep], final[keep], comparisons)


def _final_scores(
    names: Sequence[NormalisedName],
    cores: ObjectArray,
    squashed: ObjectArray,
    designated: npt.NDArray[np.bool_],
    lo: IntArray,
    hi: IntArray,
    pre: FloatArray,
    cutoff: float,
    common: frozenset[str],
    freq: Mapping[str, int] | None = None,
) -> FloatArray:
    """Final scores of the pairs: exact for every pair scoring >= cutoff, 0 for the others."""
    similarity = np.maximum(pre, _cpdist(cores, lo, hi, fuzz.ratio)) / 100
    # The subset rule needs designators on the larger side.
    is_subset = np.zeros(len(lo), dtype=bool)
    for k in np.nonzero(designated[lo] | designated[hi])[0]:
        a, b = names[lo[k]], names[hi[k]]
        subset = subset_score(a.tokens, b.tokens, common)
        if not subset and (contractible(a) or contractible(b)):
            subset = contracted(a.tokens, b.tokens)
        if subset:
            similarity[k] = max(similarity[k], subset)
            is_subset[k] = True
    # Penalties only lower a score: the rest is computed for the pairs still in reach of the cutoff.
    reach = np.nonzero(similarity >= cutoff)[0]
    lo, hi, similarity, is_subset = lo[reach], hi[reach], similarity[reach], is_subset[reach]
    used = np.zeros(len(names), dtype=bool)
    used[lo] = True
    used[hi] = True
    involved = np.nonzero(used)[0].tolist()
    short = np.full(len(names), "", dtype=object)  # squashed distinctive cores of the short names
    short[involved] = [_short_form(names[i]) for i in involved]
    stop = GENERIC_WORDS | common
    generic = _flags(names, involved, lambda n: not stop.isdisjoint(n.tokens))
    # "distinct" only matters where both names hold generic or common words.
    typo = _cpdist(cores, lo, hi, Levenshtein.distance, 1) <= 1
    for k in np.nonzero(~is_subset & ~typo & generic[lo] & generic[hi])[0]:
        distinct = distinct_score(names[lo[k]].tokens, names[hi[k]].tokens, common)
        similarity[k] = min(similarity[k], distinct)
    # "swapped" only matters between names with as many distinct words, two or more.
    words = np.zeros(len(names), dtype=np.int64)
    words[involved] = [
        len({_singular(t) for t in names[i].tokens if t not in LINK_WORDS}) if len(names[i].tokens) > 1 else 0
        for i in involved
    ]
    # Cores two edits apart hold no swapped words further apart than that: only the others are read.
    # (unless a short word could be the one swapped: "Air" / "Rail Accident Investigation Branch").
    near = _cpdist(cores, lo, hi, Levenshtein.distance, DISTINCT_EDITS) <= DISTINCT_EDITS
    # "known" can only fire between cores a typo apart: only those are read.
    known = np.zeros(len(lo), dtype=bool)
    if freq:
        for k in np.nonzero(near)[0]:
            known[k] = known_words(names[lo[k]], names[hi[k]], freq) == 0.0
    has_short = _flags(names, involved, _has_short_word)
    near &= ~(has_short[lo] | has_short[hi])
    for k in np.nonzero(~near & (words[lo] == words[hi]) & (words[lo] > 1) & (similarity >= cutoff))[0]:
        similarity[k] = min(similarity[k], swapped_word(names[lo[k]].tokens, names[hi[k]].tokens, common))
    legal, qualifier, numbers, modifiers = _attribute_ids(names, involved)
    penalty = (
        LEGAL_FORM_PENALTY * _disagree(legal, lo, hi)
        + QUALIFIER_PENALTY * _disagree(qualifier, lo, hi)
        + TAG_PENALTY * _tag_flags(names, lo, hi)
        + NUMBER_PENALTY * (numbers[lo] != numbers[hi])
        + MODIFIER_PENALTY * (modifiers[lo] != modifiers[hi])
        + SHORT_PENALTY * (((short[lo] != "") | (short[hi] != "")) & (short[lo] != short[hi]))
        + EXTRA_PENALTY * _extra_flags(names, involved, lo, hi)
        + CAPITALS_PENALTY * _capitals_flags(names, involved, lo, hi)
        + KNOWN_PENALTY * known
    )
    final = np.zeros(len(pre), dtype=np.float64)
    final[reach] = np.round(np.clip(similarity - penalty, 0.0, 1.0), 6)
    return final


def _extra_flags(
    names: Sequence[NormalisedName], involved: list[int], lo: IntArray, hi: IntArray
) -> npt.NDArray[np.bool_]:
    """extra_words() == 0 per pair, tested only where the word counts differ (nesting needs that)."""
    counts = np.zeros(len(names), dtype=np.int64)
    counts[involved] = [len(set(names[i].tokens) - _SUBSET_IGNORED) for i in involved]
    flags = np.zeros(len(lo), dtype=bool)
    for k in np.nonzero(counts[lo] != counts[hi])[0]:
        flags[k] = extra_words(names[lo[k]].tokens, names[hi[k]].tokens) == 0.0
    return flags


def _capitals_flags(
    names: Sequence[NormalisedName], involved: list[int], lo: IntArray, hi: IntArray
) -> npt.NDArray[np.bool_]:
    """capitals_agreement() == 0 per pair, read only where both names write capitals."""
    caps = _flags(names, involved, lambda n: bool(capitals_of(n.display)))
    flags = np.zeros(len(lo), dtype=bool)
    for k in np.nonzero(caps[lo] & caps[hi])[0]:
        flags[k] = capitals_agreement(names[lo[k]], names[hi[k]]) == 0.0
    return flags


def _tag_flags(names: Sequence[NormalisedName], lo: IntArray, hi: IntArray) -> npt.NDArray[np.bool_]:
    """tag_agreement() == 0 per pair (tags are rare: only pairs with a tag on both sides are read)."""
    flags = np.zeros(len(lo), dtype=bool)
    tagged = np.fromiter((n.tag is not None for n in names), dtype=bool, count=len(names))
    for k in np.nonzero(tagged[lo] & tagged[hi])[0]:
        flags[k] = tag_agreement(names[lo[k]].tag, names[hi[k]].tag) == 0.0
    return flags


def _has_short_word(name: NormalisedName) -> bool:
    return _short_words(name.tokens)


def _short_words(tokens: Sequence[str]) -> bool:
    return any(len(t) <= SHORT_WORD and t.isalpha() and t not in ACRONYM_STOPWORDS for t in tokens)


def _short_form(name: NormalisedName) -> str:
    form = squash(distinctive(name))
    return form if len(form) <= SHORT_NAME else ""


def _flags(
    names: Sequence[NormalisedName], involved: list[int], test: Callable[[NormalisedName], bool]
) -> npt.NDArray[np.bool_]:
    flags = np.zeros(len(names), dtype=bool)
    flags[involved] = [test(names[i]) for i in involved]
    return flags


def _attribute_ids(
    names: Sequence[NormalisedName], involved: list[int]
) -> tuple[IntArray, IntArray, IntArray, IntArray]:
    """Small integer ids of legal form, qualifier, numbers and compass words (None -> -1), so the
    penalties compare as arrays."""
    tables: tuple[dict[object, int], ...] = ({}, {}, {}, {})
    columns: tuple[list[int], ...] = ([], [], [], [])
    for i in involved:
        n = names[i]
        values = (
            n.legal_form,
            n.qualifier,
            (numbers_of(n.tokens) or None)
            if _DIGIT_RE.search(n.key) or not ROMAN.keys().isdisjoint(n.tokens)
            else None,
            None if MODIFIER_WORDS.isdisjoint(n.tokens) else modifiers_of(n.tokens),
        )
        for value, table, column in zip(values, tables, columns, strict=True):
            column.append(-1 if value is None else table.setdefault(value, len(table)))
    out = []
    for column in columns:
        ids = np.full(len(names), -1, dtype=np.int64)
        ids[involved] = column
        out.append(ids)
    return out[0], out[1], out[2], out[3]


Scorer = Callable[..., Any]


def _cdist(strings: list[str], scorer: Scorer) -> FloatArray:
    other = list(strings)  # a distinct object: cdist(x, x) takes a slower path
    return np.asarray(
        process.cdist(strings, other, scorer=scorer, processor=None, dtype=np.float64, workers=-1)
    )


def _cpdist(
    strings: ObjectArray, lo: IntArray, hi: IntArray, scorer: Scorer, cutoff: float | None = None
) -> FloatArray:
    return np.asarray(
        process.cpdist(
            strings[lo],
            strings[hi],
            scorer=scorer,
            processor=None,
            score_cutoff=cutoff,
            dtype=np.float64,
            workers=-1,
        )
    )
