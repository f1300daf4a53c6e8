"""How likely is it that an acronym spells a full name of its scope by coincidence (corpus statistics, pure)?

An acronym that spells exactly one body of its scope is usually that body's ("NHS" beside "National
Health Service"). It is not when two things meet, and the corpus measures both:

- the acronyms of the scope often name bodies whose full names are absent or written otherwise
  (translated, in another language than the acronym): the share of the scope's one-word names that
  spell none of the scope's full names, its *orphan rate* ``o`` (smoothed towards ORPHAN_PRIOR);
- the string is common: full names of other scopes spell it, so by their rate the scope's own full
  names are expected to spell it ``lam = scope_fulls * other_spellers / other_fulls`` times by
  chance ("NP": Nanyang, Ngee Ann, Nanchang ... Polytechnic; "LRS" is the French "Laboratoire de
  Réactivité de Surface", and "Laboratory of Rural Studies" translates another laboratory's name).

Reading the unique spelling as a coincidence has weight ``o * (1 - exp(-lam))`` against ``1 - o``
for reading it as the body's own acronym; ``coincidence`` returns the first's share. With one scope
(or none) there is nothing to compare with and every chance is 0: the rule only reads scoped input.

Invariant: the result depends only on the names, their scopes and the acronym index, not on order.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Sequence

from resolver.block import AcronymIndex
from resolver.normalise import NormalisedName

ORPHAN_PRIOR = (1.0, 3.0)  # pseudo-counts (orphans, spelled): a scope with few acronyms reads as o = 0.25
COINCIDENCE_LIMIT = 0.5  # a unique spelling more likely a coincidence than not is no evidence


def coincidence(
    names: Sequence[NormalisedName], scope: Sequence[str | None], index: AcronymIndex
) -> dict[int, float]:
    """For each one-word name of ``index.shorts`` spelled by some full name, the chance (0..1) that a
    full name of its own scope spells it by coincidence; names not listed have chance 0.

    Example: "NP" spells one name in Singapore and in France, and six elsewhere; most one-word names
    of the French input spell none of its names, so the French "NP" more likely is some other body's.

        >>> from resolver.block import acronym_index
        >>> from resolver.normalise import normalise_name as n
        >>> rows = [("NP", "SG"), ("Nanyang Polytechnic", "SG"), ("NP", "FR"), ("Nouveau Pole", "FR")]
        >>> rows += [("Institut Curie", "FR")] + [(x, "FR") for x in ("LER", "ICN", "EcoMic", "PhyCell")]
        >>> rows += [(f"North{c} Park{c}", "GB") for c in "abcdef"]
        >>> names, scopes = [n(x) for x, _ in rows], [s for _, s in rows]
        >>> {i: round(p, 2) for i, p in coincidence(names, scopes, acronym_index(names)).items()}
        {0: 0.13, 2: 0.52}
    """
    if len(set(scope)) < 2:
        return {}
    fulls_in: Counter[str | None] = Counter(
        scope[i] for i, u in enumerate(names) if len(u.tokens) > 1 and u.acronym is not None
    )
    total = sum(fulls_in.values())
    spelled_in = {word: Counter(scope[f] for f in fulls) for word, fulls in index.fulls.items()}
    shorts_in: Counter[str | None] = Counter()
    orphans_in: Counter[str | None] = Counter()
    spelled: set[int] = set()  # a short filed under two keys ("AusAID", "aaid") is spelled by either
    for word, shorts in index.shorts.items():
        where = spelled_in.get(word)
        spelled.update(i for i in shorts if where and where[scope[i]])
    for i in {i for shorts in index.shorts.values() for i in shorts}:
        shorts_in[scope[i]] += 1
        orphans_in[scope[i]] += i not in spelled
    out: dict[int, float] = {}
    for word, where in spelled_in.items():
        for i in index.shorts[word]:
            own = scope[i]
            elsewhere = total - fulls_in[own]
            other = sum(where.values()) - where[own]
            if elsewhere <= 0 or other <= 0 or not where[own]:
                continue
            lam = fulls_in[own] * other / elsewhere
            o = (orphans_in[own] + ORPHAN_PRIOR[0]) / (shorts_in[own] + sum(ORPHAN_PRIOR))
            by_chance = o * -math.expm1(-lam)
            out[i] = max(out.get(i, 0.0), by_chance / (by_chance + 1.0 - o))
    return out
