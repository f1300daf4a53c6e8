"""Word-level rules between two names (pure): what the score's named features are made of.

Numbers and codes, compass words, designator subsets, swapped words, abbreviations, extra words,
acronyms written in capitals, contractions, tags, and corpus term frequency ("known" words). Each
returns a value in [0, 1] (or the parts a feature compares); ``resolver.score`` combines them.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Mapping, Sequence

from rapidfuzz import fuzz
from rapidfuzz.distance import OSA, Levenshtein

from resolver.normalise import (
    ACRONYM_STOPWORDS,
    COUNTRY_CODES,
    DESIGNATORS,
    GENERIC_WORDS,
    MODIFIER_WORDS,
    NormalisedName,
    spells,
)

KNOWN_DF = 3  # a word this many names of the corpus use is a word of its own, not a typo,
KNOWN_SHARE = 0.5  # when it is as frequent as this share of the other word at least
SHORT_WORD = 3  # swapped words this short get no typo allowance
DISTINCT_EDITS = 2  # distinctive parts this close are one name with a typo, if they are long enough:
TYPO_LETTERS = 12  # below this many letters one edit only ("Warrington" / "Darlington" are two apart)
ABBREVIATED_LETTERS = 5  # shorter words are not abbreviated: "IC" / "IBEC" are two acronyms
CONTRACTION_LETTERS = 5  # "dept", "natl", "intl": a contraction (not a word's start) is this short
SUBSET_BASE = 0.96
SUBSET_STEP = 0.02
_NUMBER_RE = re.compile(r"^[0-9]+[a-z]{0,2}$")
_CAPITALS_RE = re.compile(r"\b[A-Z]{2,6}\b")
DIGIT_RE = re.compile(r"[0-9]")
_CODE_RE = re.compile(r"^[a-z]+([0-9]{2,})$")  # "umr8025": a code; one digit inside a word is a typo
# Roman numerals of two letters or more ("Roma II", "Aix-Marseille III"); "i", "v", "x" are as often a
# word or a letter (Catalan "i" is "and").
_ROMAN_WORDS = "ii iii iv v vi vii viii ix x xi xii xiii xiv xv xvi xvii xviii xix xx"
ROMAN = {r: str(k) for k, r in enumerate(_ROMAN_WORDS.split(), start=2) if len(r) > 1}
SUBSET_IGNORED = frozenset({"of", "and", "the", "for", "nan", "na"})
_LINK_WORDS = frozenset({"of", "the", "for"})
# Words that link the words of a name in several languages: the swapped-word rule looks past them
# ("Territoriale di Crema" / "Territoriale Lodi").
LINK_WORDS = frozenset(
    "of the for and de di del della da do dos das du des la le les el van von der den y e et und".split()  # noqa: SIM905
)
_PREFIXES_NAMING_NOTHING = frozenset({"hm"}) | COUNTRY_CODES  # "HM Treasury" is the Treasury
_WORD_RE = re.compile(r"[^\W_]+")
# Scripts whose transliteration leaves no room for typos: Han and Hangul (a character is a syllable or a
# word: "Henan" / "Hunan" are two provinces one letter apart), Thai (no spaces: a branch name is part of
# the one word), Arabic and Hebrew (vowels are not written: a word is a few consonants).
_TYPO_FREE_RE = re.compile(
    "[\u0590-\u05ff\u0600-\u06ff\u0750-\u077f\u08a0-\u08ff\u0e00-\u0e7f\u1100-\u11ff"
    "\u3130-\u318f\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff]"
)


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
    return round(best_similarity(ra, rb), 6)


def typo_edits(a: str, b: str) -> int:
    """How many edits between two distinctive parts still read as a typo: DISTINCT_EDITS from
    TYPO_LETTERS letters on, else one ("Stafford" / "Trafford" are two towns, not a typo)."""
    return DISTINCT_EDITS if min(len(a), len(b)) >= TYPO_LETTERS else 1


def best_similarity(a: str, b: str) -> float:
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
    sa, sb = set(a) - SUBSET_IGNORED, set(b) - SUBSET_IGNORED
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
    between two names of two or more words; 1.0 otherwise, or when the two words are a typo apart
    (``word_typo``), when one abbreviates the other, or when either is generic or common in the corpus
    ("Universidad" / "University of X": a translated word that says what kind of body, not which one).
    Other differing words that are a typo of one another pair up first ("Sanitaria Territoriale
    Rhodense" / "Sanitarie Territoriale Lodi" differ in one word, "Rhodense" / "Lodi").

    "Taro Pharmaceutical Industries" / "Teva Pharmaceutical Industries", "Lund Ventures" / "NDT
    Ventures": the shared words are long and alike, the word that names the body is not.

    Example:
        >>> swapped_word(("taro", "pharmaceutical"), ("teva", "pharmaceutical"))
        0.5
        >>> swapped_word(("saint", "marys"), ("st", "marys")), swapped_word(("acme", "ltd"), ("acne", "ltd"))
        (1.0, 1.0)
        >>> swapped_word(("sanitaria", "rhodense"), ("sanitarie", "lodi"))
        0.333333
    """
    if len(a) < 2 or len(b) < 2:
        return 1.0
    # Two edits apart as a whole ("Davis and'Hamill"): a typo, whatever the words.
    whole = Levenshtein.distance(" ".join(a), " ".join(b), score_cutoff=DISTINCT_EDITS)
    if whole <= DISTINCT_EDITS and not (has_short_words(a) or has_short_words(b)):
        return 1.0
    sa = {singular(t) for t in a if t not in LINK_WORDS}
    sb = {singular(t) for t in b if t not in LINK_WORDS}
    if len(sa) != len(sb) or len(sa) < 2:
        return 1.0
    only_a, only_b = sa - sb, sb - sa
    if len(only_a) > 1:
        only_a, only_b = _unpaired(only_a, only_b)
    if len(only_a) != 1 or len(only_b) != 1:
        return 1.0
    (x,), (y,) = only_a, only_b
    if x in GENERIC_WORDS or y in GENERIC_WORDS or (x in common and y in common and _near(x, y)):
        return 1.0
    if word_typo(x, y) or abbreviates(x, y) or abbreviates(y, x):
        return 1.0
    return round(fuzz.ratio(x, y) / 100, 6)


def word_typo(x: str, y: str) -> bool:
    """Are two words one word with typing damage? No edit for words of SHORT_WORD letters or fewer
    ("Air" / "Rail"), else up to DISTINCT_EDITS, a swap of two neighbours counting as one ("Shcumm" /
    "Schumm").

    Example:
        >>> word_typo("schumm", "shcumm"), word_typo("rietrimh", "dietrich"), word_typo("air", "rail")
        (True, True, False)
    """
    if min(len(x), len(y)) <= SHORT_WORD:
        return x == y
    return OSA.distance(x, y, score_cutoff=DISTINCT_EDITS) <= DISTINCT_EDITS


def _unpaired(only_a: set[str], only_b: set[str]) -> tuple[set[str], set[str]]:
    """The differing words left once those that are a typo or an abbreviation of one another pair up
    (each word pairs once, in sorted order, so the result does not depend on set order)."""
    left_b = sorted(only_b)
    left_a = []
    for x in sorted(only_a):
        for y in left_b:
            if word_typo(x, y) or abbreviates(x, y) or abbreviates(y, x):
                left_b.remove(y)
                break
        else:
            left_a.append(x)
    return set(left_a), set(left_b)


def _near(x: str, y: str) -> bool:
    """Two corpus-common words this alike are one kind word in two languages ("universidad" /
    "university"); two unlike ones ("osaka" / "tokyo") name two bodies, however common, and so do two
    short ones ("UMR" / "UR": two kinds of unit, each a code of its own)."""
    return min(len(x), len(y)) > SHORT_WORD and fuzz.ratio(x, y) >= 70


def singular(word: str) -> str:
    """ "accidents" -> "accident": a plural is the same word to swapped_word (not "bus", "ss" endings)."""
    return word[:-1] if len(word) > 4 and word[-1] == "s" and word[-2] not in "su" else word


def abbreviates(short: str, word: str) -> bool:
    """Is ``short`` an abbreviation of ``word``: two letters shorter at least ("IC" / "IJC", "UR" /
    "UMR" are two acronyms), of a word of ABBREVIATED_LETTERS or more ("IC" / "IBEC" are two acronyms),
    and either its start ("inst" / "institute") or a contraction of CONTRACTION_LETTERS letters at
    most, the first one first ("st" / "saint", "dept" / "department"; "Arctic" is not "Antarctic");
    or the word with one letter doubled ("Taf" / "Taff")?

    Example:
        >>> abbreviates("st", "saint"), abbreviates("taf", "taff"), abbreviates("ic", "ijc")
        (True, True, False)
        >>> abbreviates("ic", "ibec"), abbreviates("arctic", "antarctic"), abbreviates("univ", "university")
        (False, False, True)
    """
    if len(short) == len(word) - 1 and any(word == short[:i] + short[i - 1 :] for i in range(1, len(word))):
        return True  # one letter doubled: "Taf" / "Taff"
    if len(short) > len(word) - 2 or short[:1] != word[:1] or len(word) < ABBREVIATED_LETTERS:
        return False
    if word.startswith(short):
        return True
    rest = iter(word[1:])
    return len(short) <= CONTRACTION_LETTERS and all(c in rest for c in short[1:])


def extra_words(
    a: Sequence[str],
    b: Sequence[str],
    caps_a: frozenset[str] = frozenset(),
    caps_b: frozenset[str] = frozenset(),
) -> float:
    """0 when one name is the other plus a word that names something, 1 otherwise.

    "NHS England", "Elbe-Nordsee", "Acme Group": a part or a parent of the shorter name's body, not
    another spelling of it. Designators ("City Council") and words under four letters don't count: that
    short, an extra word is as often a mangled "and" or "Inc" as a word; but a country code after the
    first word does ("Waterford Wedgwood UK plc" is the UK company of "Waterford Wedgwood plc"; "U.S.
    Geological Survey" is the national body itself), and so does an acronym the longer name opens with,
    written in capitals (``caps_a``/``caps_b``: ``capitals_of``; "CK SAN-ETSU Metals", "BSM-Universitat
    Pompeu Fabra"; "HM" aside; capitals at the end are as often a damaged "LLC"). Words count with
    their repeats: "Office of Energy Policy" of the "Department of Energy" is not its "Office of Policy".

    Example:
        >>> extra_words(("nhs",), ("nhs", "england")), extra_words(("aberdeen",), ("aberdeen", "city"))
        (0.0, 1.0)
        >>> extra_words(("san", "metals"), ("ck", "san", "metals"), caps_b=frozenset({"ck", "san"}))
        0.0
    """
    ca = Counter(t for t in a if t not in SUBSET_IGNORED)
    cb = Counter(t for t in b if t not in SUBSET_IGNORED)
    small, big, caps = (ca, cb, caps_b) if ca.total() <= cb.total() else (cb, ca, caps_a)
    if not small or small.total() == big.total() or small - big:
        return 1.0
    first = (b if big is cb else a)[0]
    for t in big - small:
        if (len(t) >= 4 and t not in DESIGNATORS) or (t in COUNTRY_CODES and t != first):
            return 0.0
        if t == first and t in caps and t not in _PREFIXES_NAMING_NOTHING and t not in DESIGNATORS:
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


def keeps_acronym(short: NormalisedName, full: NormalisedName) -> bool:
    """Does a one-word ``short`` keep whole the acronym ``full`` opens with, if any? A name that opens
    with an acronym of its own ("ASST Sette Laghi", "BMI Bath Clinic") is abbreviated with it whole
    ("ASSTSL"), not with its initial ("ASL" is another body). Country codes aside ("UK Debt Management
    Office" is the "DMO").

    Example:
        >>> from resolver.normalise import normalise_name as n
        >>> keeps_acronym(n("ASL"), n("ASST Sette Laghi"))
        False
        >>> keeps_acronym(n("DMO"), n("UK Debt Management Office"))
        True
    """
    first = full.tokens[0]
    if len(first) < 2 or first in COUNTRY_CODES or first not in capitals_of(full.display):
        return True
    return first in short.tokens[0]


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
    if min(fx, fy) < KNOWN_DF or min(fx, fy) < KNOWN_SHARE * max(fx, fy) or singular(x) == singular(y):
        return 1.0
    if abbreviates(x, y) or abbreviates(y, x) or x in GENERIC_WORDS or y in GENERIC_WORDS:
        return 1.0
    return 0.0 if Levenshtein.distance(x, y, score_cutoff=DISTINCT_EDITS) <= DISTINCT_EDITS else 1.0


def typo_free(display: str) -> bool:
    """Is a name written (partly) in a script whose transliteration must match letter for letter?"""
    return _TYPO_FREE_RE.search(display) is not None


def script_agreement(a: NormalisedName, b: NormalisedName) -> float:
    """0 when either name is written in a script without typo allowance (Han, Hangul, Thai, Arabic,
    Hebrew) and the two keys differ other than in spaces ("河南大学" / "Hunan Daxue", "...التطبيقية إبراء"
    / "...التطبيقية فرع صحار"); 1 otherwise ("中南民族大学" / "Zhongnan Minzu Daxue").

    Example:
        >>> from resolver.normalise import normalise_name as n
        >>> henan = n("河南大学")
        >>> script_agreement(henan, n("Hunan Daxue")), script_agreement(henan, n("Henan Daxue"))
        (0.0, 1.0)
    """
    if squash(a.key) == squash(b.key) or not (typo_free(a.display) or typo_free(b.display)):
        return 1.0
    return 0.0


def agreement(x: str | None, y: str | None) -> float:
    """1 equal, 0.5 one side missing, 0 both present and different."""
    if x == y:
        return 1.0
    return 0.5 if x is None or y is None else 0.0


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


def has_short_words(tokens: Sequence[str]) -> bool:
    return any(len(t) <= SHORT_WORD and t.isalpha() and t not in ACRONYM_STOPWORDS for t in tokens)
