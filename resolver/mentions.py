"""The forms of a messy list's mention that `resolver match` tries: abbreviations spelled out, and a body
named under its department split into its parts (pure)."""

from __future__ import annotations

import re

# Abbreviations people write in lists, spelled out in a second form of the mention (never in the graph).
ABBREVIATIONS = {
    "dept": "department",
    "depts": "departments",
    "govt": "government",
    "natl": "national",
    "intl": "international",
    "assoc": "association",
    "mgmt": "management",
    "cttee": "committee",
    "ctee": "committee",
    "svc": "service",
    "svcs": "services",
    "hlth": "health",
    "educ": "education",
}
_ABBREVIATION_RE = re.compile(r"\b(" + "|".join(ABBREVIATIONS) + r")\b\.?", re.IGNORECASE)
# "DHSC - Medicines and Healthcare products Regulatory Agency", "Home Office: Border Force": a body
# named under its department. Each side is also tried, a little below the whole.
_SEGMENT_RE = re.compile(r"\s+[-\u2013\u2014|/]\s+|:\s+")
SEGMENT_PENALTY = 0.02
HEAD_PENALTY = 0.1  # the part before the separator is usually the department, not the body meant


def mention_forms(name: str) -> list[tuple[str, float]]:
    """The forms of a mention that are matched, with the penalty each one's scores take.

    Example:
        >>> mention_forms("DHSC - Dept of Health")
        [('DHSC - Dept of Health', 0.0), ('DHSC - department of Health', 0.0), ('Dept of Health', 0.02), \
('department of Health', 0.02), ('DHSC', 0.1)]
    """
    forms: dict[str, float] = {}

    def add(text: str, penalty: float) -> None:
        text = text.strip()
        if text and penalty < forms.get(text, 1.0):
            forms[text] = penalty
            expanded = _ABBREVIATION_RE.sub(lambda m: ABBREVIATIONS[m.group(1).casefold()], text)
            if expanded != text and penalty < forms.get(expanded, 1.0):
                forms[expanded] = penalty

    add(name, 0.0)
    parts = _SEGMENT_RE.split(name, maxsplit=1)
    if len(parts) == 2:
        add(parts[1], SEGMENT_PENALTY)
        add(parts[0], HEAD_PENALTY)
    return list(forms.items())
