"""Name normalisation: one messy organisation name -> NormalisedName (pure, no I/O).

Steps, in order: repair mojibake, drop control and format characters, cap the length, NFKC, parse the
name's structure (``split_structure``: qualifier, parent tag, inversion, bracketed remark), take a
parenthesised acronym ("National Health Service (NHS)"), casefold, transliterate to ASCII (anyascii),
collapse dotted acronyms ("N.H.S." -> "nhs"), "&" -> "and", symbols that separate no words dropped inside
a word ("Harv^y": a letter lost in typing), other punctuation to spaces, join runs of single
letters ("A B Electrolux" -> "ab electrolux"), one spelling for HM / Her Majesty's, abbreviations and
numbers, drop a leading "the" (and a trailing one), and move one legal form to the end in canonical
spelling ("Limited" -> "ltd"). The vocabulary (legal forms, designators, abbreviations) lives in
resolver.vocabulary. Acronyms: ``acronym_forms``, ``spells``, ``is_acronym_of``.

Invariants: ``key`` is ASCII, lower case, single-spaced, at most MAX_KEY_CHARS long, and
``normalise_name(n.key).key == n.key`` (idempotent); an empty ``key`` means nothing matchable was left
and the caller must not score it.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from anyascii import anyascii

from resolver.vocabulary import (
    _ABBREVIATIONS,
    _EXTENDS,
    _PHRASE_STARTS,
    _PHRASES,
    _QUALIFIER_HEADS,
    _SUFFIX_TABLE,
    _split_legal_form,
)
from resolver.vocabulary import ACRONYM_STOPWORDS as ACRONYM_STOPWORDS  # re-exported, as before
from resolver.vocabulary import COUNTRY_CODES as COUNTRY_CODES
from resolver.vocabulary import DESIGNATORS as DESIGNATORS
from resolver.vocabulary import GENERIC_WORDS as GENERIC_WORDS
from resolver.vocabulary import MODIFIER_WORDS as MODIFIER_WORDS

MAX_INPUT_CHARS = 1_000  # inputs are cut here before NFKC (which can expand 18x): bounded cost per name
MAX_KEY_CHARS = 256  # keys are cut here, on a token boundary (rigour caps at 384 for the same reason)

_CONTROL_RE = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]+")
_FORMAT_RE = re.compile(
    r"[\u00ad\u061c\u180e\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u206f\ufeff\ufff9-\ufffb]"
)
_SPACE_RE = re.compile(r"\s+")
# A UTF-8 continuation byte read as Windows-1252 or Latin-1.
_TRAIL = (
    r"[\u0080-\u00bf\u0152\u0153\u0160\u0161\u0178\u017d\u017e\u0192\u02c6\u02dc\u2013-\u203a\u20ac\u2122]"
)
# The lead of a two- or three-byte sequence so read: "Ã©" (é), "â€™" (’), "ï¾\xa0" (U+FFA0).
_MOJIBAKE_RE = re.compile(rf"[\u00c2\u00c3\u00e2]{_TRAIL}|\u00ef[\u00bc-\u00bf]{_TRAIL}")
# Blank letters that stand for a space (Hangul fillers, the braille blank): "City\uffa0and County".
_BLANK_RE = re.compile(r"[\u115f\u1160\u2800\u3164\uffa0]")
_SEGMENT_RE = re.compile(r"[A-Z][a-z]*|[a-z]+")
# Scripts written without spaces: kana, CJK ideographs, Hangul syllables.
_NO_SPACES_RE = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff]")
_INNER_PAREN_RE = re.compile(r"^(?P<head>[^()]*?)\s*\((?P<inner>[^()]+)\)\s*(?P<tail>[^()]+)$")
_PAREN_RE = re.compile(r"^(?P<head>.*?)\s*[(\[](?P<inner>[^()\[\]]+)[)\]]\s*$")
_DOTTED_RE = re.compile(r"\b(?:[a-z0-9]\.){2,}(?![a-z0-9])|\b(?:[a-z0-9]\.)+[a-z0-9]\b(?!\.)")
_APOSTROPHE_RE = re.compile(r"['\u2019`]")
_NON_ALNUM_RE = re.compile(r"[^a-z0-9]+")
# Symbols that separate no words of a name: inside a word they stand for a letter lost in typing or OCR
# ("Harv^y", "Bro{n Group"), and are dropped rather than split the word in two.
_DAMAGE_RE = re.compile(r"(?<=[a-z])[\^{}~|_\\<>=@*#?;:]+(?=[a-z])")
# A lone square bracket inside a word is such a symbol too ("Hy[it"); a pair is a bracketed remark.
_DAMAGE_CHARS_RE = re.compile(r"[\^{}~|_\\<>=@*#?;:\[\]]")
_LONE_BRACKET_RE = re.compile(r"(?<=[a-z])[\[\]](?=[a-z])")
# ASCII: letters and digits stay, apostrophes go, "&" reads "and", anything else separates words.
_ASCII_TOKEN_TABLE = {c: " " for c in range(128) if not chr(c).isalnum()} | {
    ord("'"): None,
    ord("`"): None,
    ord("&"): " and ",
}


@dataclass(frozen=True, slots=True)
class NormalisedName:
    """A name ready for matching.

    ``display``: the name as a person would write it (controls dropped, spaces collapsed, qualifier removed);
    ``key``: the matching key, ``tokens`` then the legal form; ``tokens``: the core words;
    ``acronym``: an explicit "(NHS)" acronym, else the initials of a multi-word core, else None;
    ``legal_form``: canonical legal form ("ltd", "plc", "gmbh") or None;
    ``qualifier``: a LittleSis-style short description, normalised ("uk health agency") or None;
    ``acronym_explicit``: the acronym was written by the source, not derived from initials;
    ``tag``: a parent's acronym or a bracketed remark attached to the name, not part of it ("Estates
    Office (DFAT)", "DFAT - Passport Office", "Passport Office, DFAT", "Labour Relations Agency
    (Northern Ireland)"), normalised, or None: a name with a tag is not the body the tag names;
    ``segments``: for a one-word name in mixed case, the initials of its capitals ("AusAID" -> "aaid").
    """

    display: str
    key: str
    tokens: tuple[str, ...]
    acronym: str | None
    legal_form: str | None
    qualifier: str | None
    acronym_explicit: bool = False
    tag: str | None = None
    segments: str | None = None

    @property
    def core(self) -> str:
        """The key without its legal form."""
        return self.key[: -len(self.legal_form) - 1] if self.legal_form else self.key


def repair_mojibake(text: str) -> str:
    """UTF-8 read as Latin-1 or Windows-1252, undone: "ClimbiÃ©" -> "Climbié", "Solicitorâ\x80\x99s" ->
    "Solicitor’s"; text that does not round-trip stays as it is."""
    for encoding in ("cp1252", "latin-1"):
        try:
            return text.encode(encoding).decode("utf-8")
        except UnicodeError:
            continue
    return text


def clean_text(text: str) -> str:
    """Repair mojibake, drop control and invisible format characters, cap the length, NFKC, collapse
    whitespace."""
    text = text[:MAX_INPUT_CHARS]
    if text.isascii() and text.isprintable():  # fast path: nothing to drop or compose
        spaced = " ".join(text.split())
        # the caller's own string when nothing changed: displays are held per distinct name, and a
        # second copy of each cost ~70 MB at a million names
        return text if spaced == text else spaced
    if not text.isascii():
        text = unicodedata.normalize("NFC", text)  # "A" + combining circumflex is "Â" to the repair
        if _MOJIBAKE_RE.search(text):
            text = repair_mojibake(text)
        text = _FORMAT_RE.sub("", text)
        text = unicodedata.normalize("NFKC", text)
        text = _FORMAT_RE.sub("", text)  # NFKC can produce format characters from compatibility forms
        text = _BLANK_RE.sub(" ", text)
    text = _CONTROL_RE.sub(" ", text)
    return _SPACE_RE.sub(" ", text).strip()


def fold(text: str) -> str:
    """Casefold and transliterate to lower-case ASCII (no punctuation handling)."""
    text = text.casefold()
    if not text.isascii():
        if _NO_SPACES_RE.search(text):  # one word per character, as anyascii spells each one
            text = _NO_SPACES_RE.sub(r" \g<0> ", text)
        text = anyascii(text).lower()
    return text


def tokenise(text: str) -> list[str]:
    """Lower-case ASCII words: dotted acronyms collapsed, '&' as 'and', apostrophes dropped, other
    punctuation as spaces, runs of two or more single letters joined ("a b c" -> "abc")."""
    text = fold(text)
    if _DAMAGE_CHARS_RE.search(text):  # rare: the cheap scan first
        text = _DAMAGE_RE.sub("", text)
        if ("[" in text) != ("]" in text):
            text = _LONE_BRACKET_RE.sub("", text)
    if "." in text:
        text = _DOTTED_RE.sub(lambda m: m.group(0).replace(".", ""), text)
    if text.isascii():
        words = text.translate(_ASCII_TOKEN_TABLE).split()
    else:  # fold() leaves non-ASCII only where anyascii has no mapping
        text = _APOSTROPHE_RE.sub("", text.replace("&", " and "))
        words = _NON_ALNUM_RE.sub(" ", text).split()
    if words and min(map(len, words)) == 1:
        words = _join_single_letters(words)
    return words


def _join_phrases(words: list[str]) -> list[str]:
    words = [_ABBREVIATIONS.get(w, w) for w in words]
    out: list[str] = []
    i = 0
    while i < len(words):
        for size in (4, 3, 2):
            joined = _PHRASES.get(tuple(words[i : i + size]))
            if joined is not None:
                out.extend(joined.split(" "))  # a phrase may read as two words ("council county")
                i += size
                break
        else:
            out.append(words[i])
            i += 1
    return out


def _join_single_letters(words: list[str]) -> list[str]:
    out: list[str] = []
    run: list[str] = []
    for w in [*words, ""]:
        if len(w) == 1 and w.isalpha():
            run.append(w)
            continue
        if len(run) >= 2:
            out.append("".join(run))
        else:
            out.extend(run)
        run = []
        if w:
            out.append(w)
    return out


def initials(tokens: tuple[str, ...] | list[str]) -> str | None:
    """Initials of a name of two or more words, skipping "of", "and", "for", "the"; None otherwise."""
    letters = [t[0] for t in tokens if t not in ACRONYM_STOPWORDS]
    return "".join(letters) if len(letters) >= 2 else None


def acronym_forms(name: NormalisedName) -> tuple[str, ...]:
    """The acronyms a name may go by: its acronym; the initials with the small words kept ("Department
    for Education" -> "dfe"); with words of two or three letters kept whole ("HM Revenue and Customs"
    -> "hmrc", "NHS England" -> "nhse"); and with a legal form, its initial added ("British
    Broadcasting Corporation" -> "bb", "bbc").

    Example:
        >>> acronym_forms(normalise_name("Department for Education"))
        ('de', 'dfe')
    """
    if not name.acronym:
        return ()
    forms = [name.acronym]
    if not name.acronym_explicit:
        tokens = name.tokens
        if not ACRONYM_STOPWORDS.isdisjoint(tokens):
            forms.append("".join(t[0] for t in tokens))
        if any(2 <= len(t) <= 3 and t.isalpha() and t not in ACRONYM_STOPWORDS for t in tokens):
            forms.append(
                "".join(
                    t if 2 <= len(t) <= 3 and t.isalpha() and t not in ACRONYM_STOPWORDS else t[0]
                    for t in tokens
                    if t not in ACRONYM_STOPWORDS
                )
            )
        if tokens[0] in COUNTRY_CODES and len(tokens) > 2:  # "UK Debt Management Office" -> "dmo"
            forms.append(initials(tokens[1:]) or "")
        forms.append(_head_initials(tokens))
        forms.append(_capital_initials(name.display))
        if name.display[:4].lower() == "the ":  # "The Pensions Regulator" -> "tpr"
            forms.extend(["t" + f for f in forms if f])
        if name.legal_form:
            forms.extend([f + name.legal_form[0] for f in forms])
    return tuple(f for f in dict.fromkeys(forms) if f)


_TRAILING_KIND = frozenset({"authority", "committee", "inspectorate"})


def _head_initials(tokens: tuple[str, ...]) -> str:
    """The initials without a trailing kind of body, three letters at least ("Peak District National
    Park Authority" -> "pdnp"); "" otherwise."""
    if tokens[-1] not in _TRAILING_KIND:
        return ""
    head = initials(tokens[:-1]) or ""
    return head if len(head) >= 3 else ""


def _capital_initials(display: str) -> str:
    """The initials of the capitalised words of a name in title case that writes one word of its own in
    lower case ("Medicines and Healthcare products Regulatory Agency" -> "mhra"), three at least; ""
    otherwise."""
    words = display.split()
    lower = [w for w in words if w[0].islower() and w not in ACRONYM_STOPWORDS]
    if len(lower) != 1 or len(lower[0]) < 4 or not lower[0].isalpha():  # sentence case is not this
        return ""
    letters = "".join(fold(w[0]) for w in words if w[0].isupper())
    return letters if len(letters) >= 3 else ""


def spells(short: str, tokens: tuple[str, ...] | list[str], skips: int = 0) -> bool:
    """Can ``short`` be written by taking, in order, the start of every word of ``tokens`` (one letter
    or more; "of", "and", "for", "the" may give none)? Initials and syllable acronyms: "ausaid" /
    Australian Agency for International Development, "ofsted" / Office for Standards in Education.
    The whole of one word is not an acronym: two or more words must give letters. ``skips``: how many
    other words may give none ("ComReg" / Commission for Communications Regulation needs one).

    Example:
        >>> spells("ausaid", ("australian", "agency", "for", "international", "development"))
        True
        >>> spells("horniman", ("horniman", "museum")), spells("dfat", ("estates", "office"))
        (False, False)
    """
    if len(tokens) < 2 or len(short) < 2 or len(tokens) > 2 * len(short) + 8:
        return False
    memo: dict[tuple[int, int, int, int], bool] = {}

    def fit(i: int, j: int, used: int, left: int) -> bool:
        if j == len(tokens):
            return i == len(short) and used >= 2
        key = (i, j, min(used, 2), left)
        if key in memo:
            return memo[key]
        word = tokens[j]
        ok = (word in ACRONYM_STOPWORDS or (left > 0 and i > 0)) and fit(
            i, j + 1, used, left - (word not in ACRONYM_STOPWORDS)
        )
        k = 1
        while not ok and k <= len(word) and i + k <= len(short) and short[i + k - 1] == word[k - 1]:
            ok = fit(i + k, j + 1, used + 1, left)
            k += 1
        memo[key] = ok
        return ok

    return fit(0, 0, 0, skips)


def is_acronym_of(short: NormalisedName, full: NormalisedName) -> bool:
    """Is the one-word name ``short`` an acronym of the multi-word name ``full``: one of its
    ``acronym_forms``, or, written in mixed case, syllables of its words ("AusAID", "GMus")?

    Example:
        >>> full = normalise_name("Australian Agency for International Development")
        >>> is_acronym_of(normalise_name("AusAID"), full)
        True
    """
    if len(short.tokens) != 1 or len(full.tokens) < 2:
        return False
    word = short.tokens[0]
    forms = acronym_forms(full)
    if word in forms:
        return True
    return short.segments is not None and short.segments in forms and spells(word, full.tokens, 1)


def looks_like_acronym(short: NormalisedName, full: NormalisedName, words_in_names: set[str]) -> bool:
    """Written as an acronym ("DCMS", "N.H.S.", "AusAID"); or the plain initials of ``full`` and a word
    no longer name of the corpus uses ("Acas", "Asic": "Target" beside "Target Stores" is a word)."""
    word = short.tokens[0]
    if short.segments is not None or any(
        w.isupper() and w.lower() == word for w in short.display.replace(".", "").split()
    ):
        return True
    if short.display.replace(".", "").replace(" ", "").isupper():  # "N.H.S.", "I B M"
        return True
    return word == full.acronym and word not in words_in_names


def segment_initials(word: str) -> str | None:
    """The initials of a word written in mixed case with two or more capitals, one per capital
    ("AusAID" -> "aaid", "CCWater" -> "ccw", "DfE" -> "de"); None for other words."""
    if word.isupper() or word.islower() or not word.isalpha() or sum(c.isupper() for c in word) < 2:
        return None
    parts = _SEGMENT_RE.findall(word)
    return "".join(p[0] for p in parts).lower() if len(parts) >= 2 else None


def _split_qualifier(display: str) -> tuple[str, str | None]:
    """'NHS, UK Health Agency' -> ('NHS', 'UK Health Agency'); names with commas of their own stay whole."""
    head, sep, tail = display.rpartition(", ")
    if not sep or not head:
        return display, None
    words = tokenise(tail)
    if words == ["the"]:  # "Surgery, The": a trailing article, not a description
        return head, None
    if not 1 <= len(words) <= 6 or "and" in words or words[-1] not in _QUALIFIER_HEADS:
        return display, None
    if tuple(words) in _SUFFIX_TABLE:
        return display, None
    return head, tail


def _explicit_acronym(head: str, inner: str) -> tuple[str, str] | None:
    """For 'Long Name (LN)' or 'LN (Long Name)', return (long name, acronym); else None. The acronym
    must spell the long name (initials or syllables, any case: "(ComReg)", "(AusAID)")."""
    inner_words = tokenise(inner)
    head_words = tokenise(head)
    if not head_words or not inner_words:
        return None
    if not _PHRASE_STARTS.isdisjoint(head_words):  # "High Speed Two (HS2)": "two" reads "2"
        head_words = _join_phrases(head_words)
    if len(inner_words) == 1 and 2 <= len(inner_words[0]) <= 10 and len(head_words) >= 2:
        word = inner_words[0]
        if word == initials(head_words) or spells(word, head_words, 1):
            return head, word
    if len(head_words) == 1 and len(inner_words) >= 2:
        word = head_words[0]
        if word == initials(inner_words) or (2 <= len(word) <= 10 and spells(word, inner_words)):
            return inner, word
    return None


_DASH_RE = re.compile(r"\s+[-\u2013\u2014]\s+")
_INVERTED_TAIL = frozenset({"of", "for", "on", "the"})


def _acronym_word(text: str) -> bool:
    """One word of 2-10 capitals (digits and dots allowed) that is no legal form or country code."""
    letters = text.replace(".", "")
    if not (2 <= len(letters) <= 10 and letters.isalnum() and letters.isupper()):
        return False
    word = letters.lower()
    return (word,) not in _SUFFIX_TABLE and word not in COUNTRY_CODES and word not in _ABBREVIATIONS


def split_structure(display: str) -> tuple[str, str | None, str | None]:
    """Parse a cleaned name into (name, qualifier, tag).

    - "NHS, UK Health Agency": a LittleSis-style qualifier (a short description ending in a kind of body);
    - "Foreign Affairs and Trade, Department of": inverted, read "Department of Foreign Affairs and Trade";
    - "DFAT - Passport Office", "Passport Office - DFAT", "Passport Office, DFAT": a parent's acronym, the
      tag; "Estates Office (DFAT)" too when "DFAT" does not spell the name (then it is its acronym);
    - "Labour Relations Agency (Northern Ireland)": a bracketed remark that is no acronym, the tag.

    Example:
        >>> split_structure("Foreign Affairs and Trade, Department of")
        ('Department of Foreign Affairs and Trade', None, None)
        >>> split_structure("DFAT - Australian Passport Office")
        ('Australian Passport Office', None, 'DFAT')
    """
    tag: str | None = None
    head, sep, tail = display.rpartition(", ")
    if sep and head:
        tail_words = tail.split()
        if 1 <= len(tail_words) <= 3 and tail_words[-1].lower() in _INVERTED_TAIL and len(tail_words) > 1:
            return (
                f"{' '.join(tail_words[:-1] if tail_words[-1].lower() == 'the' else tail_words)} {head}",
                None,
                None,
            )
        if len(tail_words) == 1 and _acronym_word(tail) and len(head.split()) >= 2:
            if _explicit_acronym(head, tail) is not None:  # its own acronym: "Acme Widgets, ACW"
                return f"{head} ({tail})", None, None
            display, tag = head, tail
    if tag is None and (" -" in display or "\u2013" in display or "\u2014" in display):
        parts = _DASH_RE.split(display)
        if len(parts) == 2:
            first, second = parts
            if _acronym_word(first) and len(second.split()) >= 2:
                display, tag = second, first
            elif _acronym_word(second) and len(first.split()) >= 2:
                display, tag = first, second
            if tag is not None and _explicit_acronym(display, tag) is not None:
                display, tag = f"{display} ({tag})", None  # its own acronym: "Magyar Tavkozlesi RT - MATAV"
    name, qualifier = _split_qualifier(display)
    if tag is None and name.endswith((")", "]")):
        match = _PAREN_RE.match(name)
        if (
            match is not None
            and match.group("head")
            and _explicit_acronym(match.group("head"), match.group("inner")) is None
        ):
            inner_words = tokenise(match.group("inner"))
            if inner_words and tokenise(match.group("head")) and (inner_words[0],) not in _SUFFIX_TABLE:
                name, tag = match.group("head"), match.group("inner")
    return name, qualifier, tag


def normalise_name(text: str) -> NormalisedName:
    """Normalise one organisation name; never raises on str input (an unusable name gets key "").

    Example:
        >>> n = normalise_name("The National Health Service (NHS)")
        >>> (n.key, n.acronym, n.acronym_explicit)
        ('national health service', 'nhs', True)
        >>> normalise_name("NHS, UK Health Agency").qualifier
        'uk health agency'
        >>> normalise_name("Wal-Mart Stores, Inc.").key
        'wal mart stores inc'
    """
    display, qualifier_text, tag_text = split_structure(clean_text(text))
    name = display
    acronym: str | None = None
    explicit = False
    match = _PAREN_RE.match(name) if name.endswith((")", "]")) else None
    if match is not None:
        pair = _explicit_acronym(match.group("head"), match.group("inner"))
        if pair is not None:
            name, acronym = pair
            explicit = True
    elif "(" in name:  # "High Speed Two (HS2) Limited": the acronym before a legal form
        inside = _INNER_PAREN_RE.match(name)
        if inside is not None and tuple(tokenise(inside.group("tail"))) in _SUFFIX_TABLE:
            pair = _explicit_acronym(inside.group("head"), inside.group("inner"))
            if pair is not None:
                name, acronym = f"{pair[0]} {inside.group('tail')}", pair[1]
                explicit = True
    words = tokenise(name)
    if not _PHRASE_STARTS.isdisjoint(words):
        words = _join_phrases(words)
    words, legal_form = _settle(words)
    if len(words) > 2 and words[-1] == "the":  # "Bureau of Meteorology The"
        words = words[:-1]
    core = " ".join(words)
    # To a fixed point, so that the key normalises to itself; a name with no legal form, no leading
    # article and a short core is one already.
    for _ in range(8):
        if len(core) > MAX_KEY_CHARS - 16:  # 16: room for the longest legal form
            words = _cap_tokens(words, MAX_KEY_CHARS - 16)
        elif (not words or words[0] != "the") and (not legal_form or words[-1] not in _EXTENDS[legal_form]):
            break
        again = _settle([*words, *legal_form.split()] if legal_form else words)
        if again == (words, legal_form):
            break
        words, legal_form = again
        core = " ".join(words)
    core = " ".join(words)
    tokens = tuple(words)
    key = f"{core} {legal_form}" if legal_form and core else core
    if not explicit:
        acronym = initials(tokens)
    qualifier = " ".join(tokenise(qualifier_text)) if qualifier_text else None
    tag = " ".join(_join_phrases(tokenise(tag_text))) or None if tag_text else None
    segments = segment_initials(display) if len(tokens) == 1 and " " not in display else None
    return NormalisedName(
        display, key, tokens, acronym, legal_form if core else None, qualifier, explicit, tag, segments
    )  # positional: measurably faster than keywords over a million names


def _settle(words: list[str]) -> tuple[list[str], str | None]:
    """Drop leading articles and take off one legal form: (core words, canonical form or None)."""
    words, form = _split_legal_form(_drop_articles(words))
    if form:
        words = _drop_articles(words)  # "Ltd The X"
        while len(words) > 1 and words[-1] == "and":  # "Merrill Lynch & Co., Inc."
            words = words[:-1]
    return words, form


def _drop_articles(words: list[str]) -> list[str]:
    """Leading "the"s go, unless nothing else is left."""
    if not words or words[0] != "the":
        return words
    start = 0
    while start < len(words) - 1 and words[start] == "the":
        start += 1
    return words[start:]


def _cap_tokens(words: list[str], limit: int) -> list[str]:
    total = 0
    for i, w in enumerate(words):
        total += len(w) + (1 if i else 0)
        if total > limit:
            return words[:i] or [w[:limit]]
    return words


def normalise(text: str) -> str:
    """The matching key of a name: ``normalise_name(text).key``.

    Example:
        >>> normalise("The N.H.S.")
        'nhs'
        >>> normalise("ACME Holdings Public Limited Company")
        'acme holdings plc'
    """
    return normalise_name(text).key
