"""Why two names are (or are not) one organisation: the pairwise decision with a waterfall of the score,
and, inside an input, the chain of links that joined them or the rule that kept them apart (pure).

``explain(a, b)`` says what resolve() decides for the two names on their own; ``explain_in(a, b,
records)`` resolves the records (with the two names added when absent) and reads the decision there,
where corpus rules apply: an acronym spelled by two bodies of the input joins neither (ambiguity), a
cannot-link or an exclusive tag (identifier, qualifier) forbids a merge, and the chaining guard keeps
clusters apart whose anchors do not match. With parents (``parents_a``, ``parents_b``: what ingest knows
of each name's place in the hierarchy), the graph evidence of ``resolver.evidence`` is weighed too: one
more waterfall step, and the decision when it changes the threshold's.
"""

from __future__ import annotations

import json
import math
from collections import Counter, deque
from collections.abc import Sequence
from dataclasses import dataclass, replace
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

from resolver.block import MAX_ACRONYM, MIN_ACRONYM
from resolver.digits import digit_typo_pairs
from resolver.endings import ending_typo_pairs
from resolver.evidence import Parent, Weighing, weigh
from resolver.model import EntityRecord
from resolver.normalise import NormalisedName, is_acronym_of, looks_like_acronym, normalise_name
from resolver.places import place_element_pairs
from resolver.score import (
    CAPITALS_PENALTY,
    EXTRA_PENALTY,
    KNOWN_PENALTY,
    LEGAL_FORM_PENALTY,
    MODIFIER_PENALTY,
    NUMBER_PENALTY,
    QUALIFIER_PENALTY,
    SCRIPT_PENALTY,
    SHORT_PENALTY,
    TAG_PENALTY,
    PairScore,
    score_pair,
)
from resolver.settings import MatchSettings
from resolver.words import keeps_acronym

if TYPE_CHECKING:  # resolver.pipeline imports this module
    from resolver.pipeline import Trace

_PENALTIES = (
    ("legal_form", LEGAL_FORM_PENALTY, "legal forms differ"),
    ("qualifier", QUALIFIER_PENALTY, "qualifiers differ"),
    ("tag", TAG_PENALTY, "tags (parent or bracketed remark) differ"),
    ("numbers", NUMBER_PENALTY, "numbers differ"),
    ("modifiers", MODIFIER_PENALTY, "compass or position words differ"),
    ("short", SHORT_PENALTY, "short names that are not equal"),
    ("extra", EXTRA_PENALTY, "one name is the other plus a word that names something"),
    ("capitals", CAPITALS_PENALTY, "each writes an acronym in capitals the other lacks"),
    ("known", KNOWN_PENALTY, "the words that differ are both words of the corpus, not a typo"),
    ("script", SCRIPT_PENALTY, "a script without typo allowance (Han, Hangul, Thai, Arabic) and unequal"),
)


@dataclass(frozen=True, slots=True)
class Explanation:
    """Why two names would or would not be resolved together on their own (``resolver explain``).

    ``waterfall``: (step, change, running score) from the best similarity down to the final score;
    ``rule``: which rule decided ("explicit acronym", "unique acronym", "threshold", ...);
    ``probability``: the fitted match probability of the features (``match_probability``), with each
    feature's contribution to its log-odds in ``log_odds`` (intercept first). It explains; the rules
    above decide. ``graph``: the graph evidence weighed when parents were given (``resolver.evidence``).
    """

    left: NormalisedName
    right: NormalisedName
    pair: PairScore
    threshold: float
    acronym: str | None  # "candidate", "explicit" or None
    decision: str  # "same" or "different"
    reason: str
    rule: str = "threshold"
    waterfall: tuple[tuple[str, float, float], ...] = ()
    probability: float = 0.0
    log_odds: tuple[tuple[str, float], ...] = ()
    graph: Weighing | None = None


@dataclass(frozen=True, slots=True)
class Link:
    """One step of a chain: two names and what joined them."""

    left: str
    right: str
    method: str  # "fuzzy", "acronym", "normalised", "same normalised name", "identifier", ...
    score: float


@dataclass(frozen=True, slots=True)
class InputExplanation:
    """The decision for two names inside an input: together (and the chain of links between them) or
    apart (and the rules that kept them apart)."""

    pairwise: Explanation
    together: bool
    chain: tuple[Link, ...]
    apart_because: tuple[str, ...]


def waterfall(pair: PairScore) -> tuple[tuple[str, float, float], ...]:
    """The score as steps: best similarity, caps by "distinct" and "swapped", then each penalty.

    Example:
        >>> from resolver.normalise import normalise_name as n
        >>> [step for step, _, _ in waterfall(score_pair(n("NHS"), n("NHS England")))][-1]
        'score'
    """
    f = dict(pair.features)
    best_name = max(("ratio", "token_sort", "squashed", "subset"), key=lambda k: f[k])
    running = f[best_name]
    steps = [(f"similarity: best of ratio, token_sort, squashed, subset ({best_name})", running, running)]
    for cap, text in (("distinct", "without shared generic words"), ("swapped", "the one swapped word")):
        if f[cap] < running:
            steps.append((f"capped by {cap} ({text})", round(f[cap] - running, 6), f[cap]))
            running = f[cap]
    for feature, penalty, text in _PENALTIES:
        if f[feature] == 0.0:
            running -= penalty
            steps.append((f"penalty {feature}: {text}", -penalty, round(running, 6)))
    steps.append(("score", pair.score, pair.score))
    return tuple(steps)


@cache
def _model() -> tuple[float, dict[str, float]]:
    """The shipped logistic model (match_model.json, fitted by bench/fit_match_model.py)."""
    data = json.loads((Path(__file__).with_name("match_model.json")).read_text(encoding="utf-8"))
    return float(data["intercept"]), {k: float(v) for k, v in data["weights"].items()}


def match_probability(pair: PairScore) -> tuple[float, tuple[tuple[str, float], ...]]:
    """P(same organisation) from the named features, and each one's log-odds contribution.

    Example:
        >>> from resolver.normalise import normalise_name as n
        >>> match_probability(score_pair(n("Acme Widgets Ltd"), n("ACME WIDGETS LIMITED")))[0] > 0.9
        True
    """
    intercept, weights = _model()
    parts = [("intercept", intercept)]
    parts += [(name, round(weights[name] * value, 6)) for name, value in pair.features if name in weights]
    z = sum(v for _, v in parts)
    return round(1 / (1 + math.exp(-z)), 6), tuple(parts)


def _acronym_pair(
    left: NormalisedName, right: NormalisedName
) -> tuple[NormalisedName, NormalisedName] | None:
    """(short, full) when one name is a one-word acronym of the other, as resolve() indexes them."""
    for short, full in ((left, right), (right, left)):
        word = short.tokens[0] if len(short.tokens) == 1 else ""
        if MIN_ACRONYM <= len(word) <= MAX_ACRONYM and word.isalnum() and is_acronym_of(short, full):
            return short, full
    return None


def explain(
    a: str,
    b: str,
    settings: MatchSettings | None = None,
    parents_a: Sequence[str | Parent] = (),
    parents_b: Sequence[str | Parent] = (),
) -> Explanation:
    """Normalise and score two names and say what resolve() would decide for them on their own, with
    the fitted match probability of their features; with parents, what ingest decides with the graph
    evidence (a ``Parent`` is one organisation of the graph; two parent names given as text are one
    parent when explain says they are the same).

    Example:
        >>> explain("NHS", "National Health Service (NHS)").decision
        'same'
        >>> explain("Estates Office (DFAT)", "DFAT").decision
        'different'
        >>> a, b = "Rail Accident Investigation Branch", "Rail Accidents Investigation"
        >>> explain(a, b).decision, explain(a, b, parents_a=["DfT"], parents_b=["DfT"]).decision
        ('different', 'same')
    """
    settings = settings or MatchSettings()
    ex = _decide(a, b, settings)
    probability, log_odds = match_probability(ex.pair)
    ex = replace(ex, probability=probability, log_odds=log_odds)
    if parents_a or parents_b:
        ex = _with_parents(ex, parents_a, parents_b, settings)
    return ex


def _with_parents(
    ex: Explanation,
    parents_a: Sequence[str | Parent],
    parents_b: Sequence[str | Parent],
    settings: MatchSettings,
) -> Explanation:
    """Weigh the graph evidence: a waterfall step, and the decision when it changes the threshold's."""
    names = sorted({x for x in (*parents_a, *parents_b) if isinstance(x, str)})
    ident = {name: name for name in names}  # parent name -> the first name explain calls the same
    for i, x in enumerate(names):
        for y in names[:i]:
            if ident[y] == y and _decide(x, y, settings).decision == "same":
                ident[x] = y
                break
    group = {i: tuple(sorted(x for x in names if ident[x] == i)) for i in set(ident.values())}

    def parents(given: Sequence[str | Parent]) -> list[Parent]:
        named = [Parent(i, group[i]) for i in sorted({ident[x] for x in given if isinstance(x, str)})]
        return named + sorted((x for x in given if isinstance(x, Parent)), key=lambda p: p.id)

    w = weigh(ex.left, ex.right, parents(parents_a), parents(parents_b), settings.threshold, pair=ex.pair)
    if not w.kind:
        return replace(ex, graph=w)
    running = round(ex.pair.score + w.lift + w.change, 6)
    steps = (*ex.waterfall, (w.line(), round(w.lift + w.change, 6), running))
    if ex.rule != "threshold" or not w.decided:
        return replace(ex, graph=w, waterfall=steps)
    relation = ">=" if w.same else "<"
    reason = (
        f"{w.detail}: score {ex.pair.score + w.lift:.3f} {relation} bar {w.bar:.3f} (threshold {w.threshold})"
    )
    decision = "same" if w.same else "different"
    return replace(ex, graph=w, waterfall=steps, decision=decision, reason=reason, rule="graph evidence")


def _decide(a: str, b: str, settings: MatchSettings) -> Explanation:
    """The decision of ``explain`` (without the probability)."""
    left, right = normalise_name(a), normalise_name(b)
    pair = score_pair(left, right)
    steps = waterfall(pair)
    found = _acronym_pair(left, right)
    acronym = None if found is None else ("explicit" if found[1].acronym_explicit else "candidate")
    if not left.key or not right.key:
        return Explanation(
            left, right, pair, settings.threshold, acronym, "different",
            "a name normalises to nothing: it is never matched", "empty name", steps,
        )  # fmt: skip
    if found is not None:
        short, full = found
        word = short.tokens[0]
        if acronym == "explicit" and word == full.acronym:
            reason = f"{short.core!r} is the acronym {full.display!r} states"
            return Explanation(
                left, right, pair, settings.threshold, acronym, "same", reason, "explicit acronym", steps
            )
        if short.qualifier is not None and short.qualifier == full.qualifier:
            reason = f"{short.core!r} spells the initials and both share the qualifier"
            return Explanation(
                left, right, pair, settings.threshold, acronym, "same", reason, "acronym qualifier", steps
            )
        if (
            looks_like_acronym(short, full, set())
            and (short.legal_form is None or short.legal_form == full.legal_form)
            and keeps_acronym(short, full)
        ):
            reason = (
                f"{short.core!r} is an acronym of {full.core!r} and no other name spells it; inside a "
                "larger input it joins only if no other body there spells it too (explain --in FILE)"
            )
            return Explanation(
                left, right, pair, settings.threshold, acronym, "same", reason, "unique acronym", steps
            )
    if pair.score < settings.threshold:
        evidence = _evidence_rule(left, right)
        if evidence is not None:
            rule, reason = evidence
            return Explanation(left, right, pair, settings.threshold, acronym, "same", reason, rule, steps)
    if pair.score >= settings.threshold:
        reason = f"score {pair.score:.3f} >= threshold {settings.threshold}"
        return Explanation(left, right, pair, settings.threshold, acronym, "same", reason, "threshold", steps)
    reason = f"score {pair.score:.3f} < threshold {settings.threshold}"
    return Explanation(
        left, right, pair, settings.threshold, acronym, "different", reason, "threshold", steps
    )


def _evidence_rule(left: NormalisedName, right: NormalisedName) -> tuple[str, str] | None:
    """(rule, reason) when a rule of resolve() other than the score joins the two names on their own: a
    place read without its river or sea element, a typo of a legal form, generic or compass word, or a
    digit typed for a letter inside a word."""
    if place_element_pairs([left, right], [None, None]):
        return "place element", "one name is the other read without its place element (upon Tyne, -on-Sea)"
    units = sorted((left, right), key=lambda u: u.key)
    freq = Counter(t for u in units for t in u.tokens)
    if units[0].key != units[1].key and ending_typo_pairs(units, [u.key for u in units], freq):
        return "vocabulary typo", "the names differ only in a typo of a legal form, generic or compass word"
    if units[0].key != units[1].key and digit_typo_pairs(units, [u.key for u in units]):
        return "digit typo", "one name is the other with a digit typed for a letter or space inside a word"
    return None


def explain_in(
    a: str,
    b: str,
    records: Sequence[EntityRecord],
    *,
    cannot_link: Sequence[tuple[str, str]] = (),
    settings: MatchSettings | None = None,
) -> InputExplanation:
    """Resolve ``records`` (plus ``a`` and ``b`` when no record carries them) and explain the two names
    there: the chain of links that joined them, or what kept them apart.

    Example:
        >>> from resolver.model import EntityRecord as R
        >>> corpus = [R("1", "IBM"), R("2", "International Business Machines"), R("3", "Irish Bread Makers")]
        >>> e = explain_in("IBM", "International Business Machines", corpus)
        >>> e.together, e.apart_because[0].startswith("ambiguous acronym")
        (False, True)
    """
    from resolver.pipeline import resolve_traced

    settings = settings or MatchSettings()
    recs = list(records)
    keys = []
    for tag, name in (("a", a), ("b", b)):
        key = next((r.key for r in recs if r.name == name), None)
        if key is None:
            key = f"\x00explain-{tag}"
            recs.append(EntityRecord(key, name))
        keys.append(key)
    trace = resolve_traced(recs, cannot_link=cannot_link, settings=settings)
    pairwise = explain(a, b, settings)
    index = {r.key: i for i, r in enumerate(trace.records)}
    i, j = index[keys[0]], index[keys[1]]
    labels = trace.clustering.labels
    if labels[i] == labels[j]:
        return InputExplanation(pairwise, True, _chain(trace, i, j), ())
    return InputExplanation(pairwise, False, (), _apart(trace, i, j, pairwise))


def _edges(trace: Trace) -> dict[int, list[tuple[int, str, float]]]:
    graph: dict[int, list[tuple[int, str, float]]] = {}
    links = trace.links
    for k in trace.clustering.accepted:
        x, y = links.lo[k], links.hi[k]
        graph.setdefault(x, []).append((y, links.method[k], links.score[k]))
        graph.setdefault(y, []).append((x, links.method[k], links.score[k]))
    for u, members in enumerate(trace.unit_records):
        if u in trace.ambiguous_units:
            continue
        for other in members[1:]:
            graph.setdefault(members[0], []).append((other, "same normalised name", 1.0))
            graph.setdefault(other, []).append((members[0], "same normalised name", 1.0))
    return graph


def _chain(trace: Trace, i: int, j: int) -> tuple[Link, ...]:
    """The shortest path of links from record i to record j (breadth first, lowest index first)."""
    graph = _edges(trace)
    back: dict[int, tuple[int, str, float]] = {i: (i, "", 0.0)}
    queue = deque([i])
    while queue and j not in back:
        x = queue.popleft()
        for y, method, score in sorted(graph.get(x, ())):
            if y not in back:
                back[y] = (x, method, score)
                queue.append(y)
    if j not in back:
        return ()
    steps = []
    node = j
    while node != i:
        prev, method, score = back[node]
        steps.append(Link(trace.records[prev].name, trace.records[node].name, method, round(score, 6)))
        node = prev
    return tuple(reversed(steps))


def _apart(trace: Trace, i: int, j: int, pairwise: Explanation) -> tuple[str, ...]:
    """The rules that kept records i and j apart, most specific first."""
    reasons: list[str] = []
    unit_of: dict[int, int] = {}
    for u, members in enumerate(trace.unit_records):
        for m in members:
            unit_of.setdefault(m, u)
    ui, uj = unit_of.get(i), unit_of.get(j)
    if ui is not None and uj is not None:
        for key in ((ui, uj), (uj, ui)):
            if key in trace.refused_acronyms:
                reasons.append(trace.refused_acronyms[key])
        for u in (ui, uj):
            if u in trace.ambiguous_units:
                reasons.append(
                    f"ambiguous acronym: {trace.units[u].display!r} is repeated and spells several bodies "
                    "here, so its records are not joined for sharing it"
                )
    labels = trace.clustering.labels
    ci = {labels[i], labels[j]}
    links = trace.links
    for k in trace.clustering.conflicts:
        if {labels[links.lo[k]], labels[links.hi[k]]} == ci:
            reasons.append(
                f"cannot-link: {trace.records[links.lo[k]].name!r} and {trace.records[links.hi[k]].name!r} "
                "may not share an organisation (parent/child fact, judgement, or different identifiers, "
                "organisation ids or qualifiers)"
            )
            break
    for k in trace.clustering.guarded:
        if {labels[links.lo[k]], labels[links.hi[k]]} == ci:
            reasons.append(
                f"chaining guard: the link {trace.records[links.lo[k]].name!r} ~ "
                f"{trace.records[links.hi[k]].name!r} ({links.score[k]:.3f}) would join two organisations "
                "whose anchor names do not match"
            )
            break
    if not reasons and pairwise.decision == "same" and ui is not None and uj is not None:
        here = score_pair(trace.units[ui], trace.units[uj], trace.common, trace.freq)
        if here.score < pairwise.threshold:
            why = [f for f, v in here.features if v < dict(pairwise.pair.features)[f]]
            reasons.append(
                f"in this input they score {here.score:.3f} < {pairwise.threshold}: "
                f"corpus statistics ({', '.join(why)}; words common here, or two words this input "
                "repeats as often as each other) say more than the pair alone"
            )
    if not reasons:
        reasons.append(
            f"no link joins them: {pairwise.reason}"
            if pairwise.decision == "different"
            else "not compared: the pair shares no blocking key (report this: explain says same)"
        )
    return tuple(reasons)
