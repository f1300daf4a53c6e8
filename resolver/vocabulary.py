"""Vocabulary of organisation names (pure data and two readers): small words, designators, generic and
compass words, country codes, abbreviations and number words, and the legal forms with their spellings
in several languages, read at the end or the front of a name and through a typo in a long one.

Legal forms are a table rather than a library: rigour's org-type data pulls in heavier dependencies and
matching needs only the spelling, not the semantics.
"""

from __future__ import annotations

from rapidfuzz import process
from rapidfuzz.distance import Levenshtein

# Initials skip these words: "Department of Health and Social Care" -> "dhsc", "Advisory Committee on
# Pesticides" -> "acp".
ACRONYM_STOPWORDS = frozenset({"of", "and", "for", "the", "on", "in", "at", "to", "by"})

# Designators say what kind of public body a name is, not which one: a name that only adds them to
# another ("Aberdeen" / "Aberdeen City Council", "County Durham") may be the same body (score.py's
# subset rule). Generic words are designators plus business-type words ("Group", "Holdings",
# "Services"): shared generic words never carry a match (score.py's "distinct" feature) and never make
# a blocking key. "Acme Group" is not taken for "Acme Ltd": a group is often the parent of the company.
DESIGNATORS = frozenset(
    """
    council city borough district county metropolitan unitary authority ua londonborough royalborough
    metropolitanborough countyborough cityandcounty mdc islands isles isle sir
    """.split()  # noqa: SIM905
)
# Designator phrases read as one word ("London Borough of Brent" is Brent with a designator).
# Common abbreviations and spellings, one canonical form each: "Dept" / "Department", "Natl" / "National",
# "Centre" / "Center", "First" / "1st", "Twelve" / "12", "USA" / "US".
_NUMBER_WORDS = """one two three four five six seven eight nine ten eleven twelve thirteen fourteen
fifteen sixteen seventeen eighteen nineteen twenty""".split()  # noqa: SIM905
_ORDINAL_WORDS = """first second third fourth fifth sixth seventh eighth ninth tenth eleventh twelfth
thirteenth fourteenth fifteenth sixteenth seventeenth eighteenth nineteenth twentieth""".split()  # noqa: SIM905


def _ordinal(i: int) -> str:
    suffix = {1: "st", 2: "nd", 3: "rd"}.get(i % 10, "th") if i not in (11, 12, 13) else "th"
    return f"{i}{suffix}"


_ABBREVIATIONS = {
    "boro": "borough",
    "dept": "department",
    "depts": "departments",
    "govt": "government",
    "gov": "government",
    "natl": "national",
    "intl": "international",
    "assn": "association",
    "assoc": "association",
    "univ": "university",
    "mgmt": "management",
    "bros": "brothers",
    "ctr": "center",
    "centre": "center",
    "organisation": "organization",
    "organisations": "organizations",
    "programme": "program",
    "usa": "us",
    # Designators of bilingual public bodies (Welsh, Irish and Scottish Gaelic) read as the English
    # they translate, so "Cyngor Gwynedd" is "Gwynedd Council" by its core; "Sir" alone is Welsh for
    # county ("Sir Benfro") or an honorific, a designator either way.
    "cyngor": "council",
    "comhairle": "council",
    "contae": "county",
    **{w: str(i) for i, w in enumerate(_NUMBER_WORDS, start=1)},
    **{w: _ordinal(i) for i, w in enumerate(_ORDINAL_WORDS, start=1)},
}
_PHRASES: dict[tuple[str, ...], str] = {
    ("her", "majestys"): "hm",
    ("his", "majestys"): "hm",
    ("her", "majesty", "s"): "hm",
    ("his", "majesty", "s"): "hm",
    ("united", "kingdom"): "uk",
    ("united", "states", "of", "america"): "us",
    ("united", "states"): "us",
    ("london", "borough"): "londonborough",
    ("royal", "borough"): "royalborough",
    ("metropolitan", "borough"): "metropolitanborough",
    ("county", "borough"): "countyborough",
    ("city", "and", "county"): "cityandcounty",
    ("bwrdeistref", "sirol"): "countyborough",
    # After "Cyngor" / "Comhairle" (read "council" above), the Welsh and Irish words for county and city.
    ("council", "sir"): "council county",
    ("council", "dinas"): "council city",
    ("council", "cathrach"): "council city",
}
_PHRASE_STARTS = frozenset(k[0] for k in _PHRASES) | frozenset(_ABBREVIATIONS)
GENERIC_WORDS = DESIGNATORS | frozenset(
    """
    group holding holdings international global worldwide services service solutions systems
    industries industry enterprises enterprise partners associates technologies technology
    communications trust
    """.split()  # noqa: SIM905
)
# Compass and position words tell sibling bodies apart ("East Dorset" / "West Dorset", "Tele Norte" /
# "Tele Sul"): two names whose sets of such words differ are penalised like different numbers.
MODIFIER_WORDS = frozenset(
    """
    north south east west northern southern eastern western northeast northwest southeast southwest
    central mid upper lower greater norte sul sur leste este oeste nordeste noroeste
    sudeste sudoeste centro nord sud est ouest
    """.split()  # noqa: SIM905
)

# Short country codes that, added to a name, make it the national company of a group ("Waterford
# Wedgwood UK plc"); only those that are no common word in a name ("de", "it", "in" are).
COUNTRY_CODES = frozenset({"uk", "us", "usa", "gb"})

# canonical form -> spellings (after casefolding, transliteration and punctuation removal).
_LEGAL_FORMS: dict[str, tuple[str, ...]] = {
    "ltd": ("limited", "ltd", "ltd co", "limited company"),
    "plc": ("public limited company", "plc", "public ltd co", "public ltd company"),
    "inc": ("incorporated", "inc", "incorp"),
    "corp": ("corporation", "corp", "corpn"),
    "co": ("company", "co", "and co", "and company", "cos", "companies"),
    "co ltd": ("co ltd", "company limited", "co limited", "company ltd"),
    "co inc": ("co inc", "company incorporated", "company inc"),
    "llc": ("limited liability company", "llc", "l l c"),
    "llp": ("limited liability partnership", "llp"),
    "lp": ("limited partnership", "lp"),
    "pty ltd": ("pty ltd", "proprietary limited", "pty limited"),
    "pty": ("pty", "proprietary"),
    "pte ltd": ("pte ltd", "private limited", "pte limited"),
    "gmbh": ("gmbh", "gesellschaft mit beschrankter haftung"),
    "gmbh co kg": ("gmbh co kg", "gmbh and co kg"),
    "ag": ("ag", "aktiengesellschaft"),
    "kg": ("kg", "kommanditgesellschaft"),
    "kgaa": ("kgaa", "ag co kgaa", "ag and co kgaa"),
    "se": ("se", "societas europaea"),
    "sa": ("sa", "societe anonyme", "sociedad anonima", "sociedade anonima"),
    "sa de cv": ("sa de cv", "s a de c v"),
    "sas": ("sas", "societe par actions simplifiee"),
    "sarl": ("sarl", "societe a responsabilite limitee"),
    "srl": ("srl", "societa a responsabilita limitata", "sociedad de responsabilidad limitada"),
    "spa": ("spa", "societa per azioni"),
    "nv": ("nv", "naamloze vennootschap"),
    "bv": ("bv", "besloten vennootschap"),
    "ab": ("ab", "aktiebolag", "aktiebolaget", "publ ab", "ab publ"),
    "as": ("as", "asa", "aktieselskab", "aksjeselskap", "allmennaksjeselskap"),
    "aps": ("aps", "anpartsselskab"),
    "oy": ("oy", "oyj", "osakeyhtio"),
    "kk": ("kk", "kabushiki kaisha", "kabushikigaisha"),
    "ltda": ("ltda", "limitada"),
    "bhd": ("bhd", "berhad", "sdn bhd", "sendirian berhad"),
    "tbk": ("tbk", "pt tbk"),
    "pjsc": ("pjsc", "pao", "public joint stock company", "public jsc"),
    "jsc": (
        "jsc",
        "ao",
        "oao",
        "zao",
        "joint stock company",
        "ojsc",
        "cjsc",
        "open joint stock company",
        "closed joint stock company",
        "open jsc",
        "closed jsc",
    ),
    "ooo": ("ooo",),
    "nl": ("nl", "no liability"),
    "pt": ("pt", "perseroan terbatas"),
    "cic": ("cic", "community interest company"),
}
# Forms that also stand in front of the name ("AB Volvo", "A/S Torm", "OAO Gazprom", "PT Astra"), or
# are unambiguous enough to be taken there ("PLC Torphy").
_PREFIX_FORMS = frozenset(
    "ab as aps oy oyj ao oao zao pao ooo pt sa ag plc ltd llc inc gmbh llp jsc ojsc cjsc pjsc".split()  # noqa: SIM905
)

_SUFFIX_TABLE: dict[tuple[str, ...], str] = {}
for _canonical, _spellings in _LEGAL_FORMS.items():
    for _spelling in (*_spellings, _canonical):  # canonical spellings map to themselves: idempotence
        _SUFFIX_TABLE[tuple(_spelling.split())] = _canonical
_PREFIX_TABLE = {k: v for k, v in _SUFFIX_TABLE.items() if len(k) == 1 and k[0] in _PREFIX_FORMS}
# Spellings of two or more words say what they are in front of the name too ("LIMITED LIABILITY
# COMPANY Romashka", "Open Joint Stock Company Gazprom"): first word -> lengths, longest first.
_PREFIX_SIZES: dict[str, tuple[int, ...]] = {
    first: tuple(sorted({len(k) for k in _SUFFIX_TABLE if len(k) > 1 and k[0] == first}, reverse=True))
    for first in {k[0] for k in _SUFFIX_TABLE if len(k) > 1}
}
# One-word legal forms and designators long enough that one wrong letter is a typo, not another word
# ("Aktiengeselschaft", "Limted", "Coucil"): a last (legal forms: or first) word this close reads as it.
_LONG_FORM_WORDS = tuple(sorted({w for k in _SUFFIX_TABLE for w in k if len(w) >= 7} | {
    w for w in DESIGNATORS if 7 <= len(w) <= 12
}))  # fmt: skip
_TYPO_CACHE: dict[str, str] = {}
# last word of a spelling -> the lengths of the spellings ending in it, longest first
_FORM_SIZES: dict[str, tuple[int, ...]] = {
    last: tuple(sorted({len(k) for k in _SUFFIX_TABLE if k[-1] == last}, reverse=True))
    for last in {k[-1] for k in _SUFFIX_TABLE}
}
# canonical form -> words that, in front of it, spell a longer form ("ltd" + "co" is "ltd co" -> "ltd")
_EXTENDS: dict[str, frozenset[str]] = {
    form: frozenset(
        k[-len(form.split()) - 1]
        for k in _SUFFIX_TABLE
        if len(k) > len(form.split()) and k[-len(form.split()) :] == tuple(form.split())
    )
    for form in _LEGAL_FORMS
}

# The last word of a LittleSis short description names a kind of body ("UK Health Agency", "Lobbying
# firm"); a place ("University of California, Berkeley") or a list ("Feeney, Aufderhar and Kirlin") does not.
_QUALIFIER_HEADS = frozenset(
    """
    agency firm company corporation conglomerate organization organisation body charity nonprofit
    non-profit ngo foundation association party union regulator department ministry bank fund tank
    initiative programme program manufacturer retailer publisher network coalition campaign
    committee institute insurer broker consultancy lobby developer operator provider producer
    """.split()  # noqa: SIM905
)


def _form_word(word: str) -> str:
    """``word``, or the long legal-form word it is one typo away from (two from 12 letters on)."""
    if len(word) < 6 or word in _FORM_SIZES or word in _PREFIX_SIZES or word in DESIGNATORS:
        return word
    known = _TYPO_CACHE.get(word)
    if known is None:
        limit = 2 if len(word) >= 12 else 1
        match = process.extractOne(
            word, _LONG_FORM_WORDS, scorer=Levenshtein.distance, score_cutoff=limit, processor=None
        )
        known = match[0] if match is not None else word
        if len(_TYPO_CACHE) < 100_000:
            _TYPO_CACHE[word] = known
    return known


def _split_legal_form(words: list[str]) -> tuple[list[str], str | None]:
    """Take one legal form off the end (longest match) or, failing that, the front; never empty the name.
    A long legal-form word with a typo counts ("Siemens Aktiengeselschaft")."""
    if len(words) > 1:
        last, first = _form_word(words[-1]), _form_word(words[0])
        if last != words[-1]:
            words = [*words[:-1], last]
        if first != words[0] and ((first,) in _PREFIX_TABLE or first in _PREFIX_SIZES):
            words = [first, *words[1:]]
    sizes = _FORM_SIZES.get(words[-1]) if words else None
    if sizes:
        for size in sizes:
            if size < len(words):
                form = _SUFFIX_TABLE.get(tuple(words[-size:]))
                if form is not None:
                    return words[:-size], form
    if len(words) > 1:
        form = _PREFIX_TABLE.get((words[0],))
        if form is not None:
            return words[1:], form
        for size in _PREFIX_SIZES.get(words[0], ()):
            if size < len(words):
                form = _SUFFIX_TABLE.get(tuple(words[:size]))
                if form is not None:
                    return words[size:], form
    return words, None
