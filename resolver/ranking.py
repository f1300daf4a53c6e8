"""Rank lookup candidates by the engine's own pairwise score, so lookups speak the 0-1 scale of `explain`.

Full-text search finds candidates (cheap, typo tolerant) but its raw Lucene scores (30.12, 2.97) mean nothing
to a person. ``rank`` rescores every candidate against the typed text with ``score_pair`` over its name,
the name that matched and its aliases, gives an acronym that spells a name's initials ("DHSC", "HMRC") a fixed
``ACRONYM_SCORE``, and drops what falls below the cut-off. ``ambiguous`` says when the best score is shared by
several organisations, which is when a command that needs one organisation must ask instead of guess.
Pure: no driver.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from resolver.normalise import NormalisedName, acronym_forms, normalise_name
from resolver.score import score_pair

NO_GOOD_MATCH = 0.5  # below this a name hit is "no good match" (explain's scale; its threshold is 0.88)
ACRONYM_SCORE = 0.9  # the typed text spells the initials of one of the organisation's names
TIE = 1e-6
_ACRONYM_TEXT = re.compile(r"[A-Za-z]{2,8}")
_SMALL_WORDS = frozenset({"and", "of", "the", "for", "in", "on", "to", "at", "by"})


@dataclass(frozen=True, slots=True)
class Scored:
    """One organisation's names and its score against the typed text, in [0, 1]."""

    id: str
    score: float
    method: str  # 'normalised name', 'acronym' or 'name'
    matched_name: str


def acronym_key(text: str) -> str | None:
    """The lower-case acronym typed text may be ("DHSC" -> "dhsc"); None for anything else.

    >>> acronym_key("HMRC"), acronym_key("Cabinet Office"), acronym_key("A")
    ('hmrc', None, None)
    """
    stripped = text.strip().replace(".", "")
    return stripped.casefold() if _ACRONYM_TEXT.fullmatch(stripped) else None


def acronym_keys(name: NormalisedName) -> frozenset[str]:
    """Every acronym a name may go by: the normaliser's forms, the initials without small words, and the
    initials with short leading words kept whole ("HM Revenue & Customs" -> "hmrc").

    >>> sorted(acronym_keys(normalise_name("HM Revenue & Customs")))
    ['hmrc', 'hrac', 'hrc']
    """
    keys = set(acronym_forms(name))
    words = [w for w in name.tokens if w.isalpha()]
    if len(words) >= 2:
        keys.add("".join(w[0] for w in words))
        content = [w for w in words if w not in _SMALL_WORDS]
        keys.add("".join(w[0] for w in content))
        keys.add("".join(w if len(w) <= 2 else w[0] for w in content))
    return frozenset(k for k in keys if len(k) >= 2)


def score_names(typed: str, names: Iterable[str]) -> tuple[float, str, str]:
    """The best (score, method, name) of ``typed`` against ``names`` (first name wins ties)."""
    query = normalise_name(typed)
    key = acronym_key(typed)
    best = (0.0, "name", "")
    for name in names:
        if not name:
            continue
        other = normalise_name(name)
        if query.key and query.key == other.key:
            return (1.0, "normalised name", name)
        found = (score_pair(query, other).score, "name", name)
        if key and key in acronym_keys(other) and found[0] < ACRONYM_SCORE:
            found = (ACRONYM_SCORE, "acronym", name)
        if found[0] > best[0] + TIE:
            best = found
    return best


def rank(
    typed: str, candidates: Sequence[tuple[str, Sequence[str]]], cutoff: float = NO_GOOD_MATCH
) -> list[Scored]:
    """Candidates (id, names: the matched name first) scored against ``typed``, best first, each id once;
    those below ``cutoff`` are dropped. Ties keep the order given (the search's own order).

    >>> [s.id for s in rank("NHS Digitl", [("a", ["NHS England"]), ("b", ["NHS Digital"])])]
    ['b']
    """
    seen: dict[str, Scored] = {}
    for org_id, names in candidates:
        score, method, name = score_names(typed, names)
        if score >= cutoff and (org_id not in seen or score > seen[org_id].score + TIE):
            seen[org_id] = Scored(org_id, round(score, 4), method, name)
    order = {org_id: i for i, org_id in enumerate(seen)}
    return sorted(seen.values(), key=lambda s: (-s.score, order[s.id]))


def ambiguous(scored: Sequence[Scored]) -> list[Scored]:
    """The candidates sharing the best score when there are several (else [])."""
    if len(scored) < 2:
        return []
    top = [s for s in scored if s.score >= scored[0].score - TIE]
    return top if len(top) > 1 else []
