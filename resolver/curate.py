"""The loop people use to correct the resolver: judge, merge, unmerge, split, and the review queue.

The graph side is ``resolver.graph.curator.Curator``; this module decides what a command means:
- ``judge A B same`` records the judgement and merges B's organisation into A's (when they differ);
  ``judge A B different`` records it and separates them when they are one organisation now: an id merged
  into the other is unmerged, a name is split out into a new organisation. ``unsure`` only records.
- Merges leave aliases and identifiers where the evidence put them (every read follows MERGED_INTO) and
  move PARENT_OF spells onto the organisation kept, remembering where each began: an unmerge restores the
  graph exactly, and trees never show one body twice.
- ``unmerge`` and ``split`` record a "different" judgement, so no later ingest undoes them.
The review queue (``review_pairs``) is pure given the rows the graph returns.
"""

from __future__ import annotations

import getpass
import os
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from resolver.block import block, candidate_pairs
from resolver.canonical import identity, make_org_id
from resolver.errors import ConfigError, NotFoundError
from resolver.graph.curator import Curator, RefHit
from resolver.judgements import Judgement, RefKind, Verdict, judgement_key
from resolver.normalise import normalise_name
from resolver.pipeline import explain
from resolver.score import score_pair
from resolver.settings import MatchSettings

MAX_BAND_PAIRS = 200_000  # candidate pairs scored for the threshold band (the queue is for people)


def default_reviewer() -> str:
    """``--by`` when not given: RESOLVER_REVIEWER, else the OS user."""
    try:
        return os.environ.get("RESOLVER_REVIEWER") or getpass.getuser()
    except (KeyError, OSError):
        return "unknown"


@dataclass(frozen=True, slots=True)
class Side:
    """One side of a judgement: the reference as stored and the current organisation(s) it reaches."""

    kind: RefKind
    value: str  # an organisation id ('org') or the exact name ('name')
    org_ids: tuple[str, ...]  # current (redirected) organisations
    name: str  # the text scored: the name itself, or the organisation's display name
    merged: bool = False  # an 'org' reference whose id is merged into another

    @property
    def org_id(self) -> str | None:
        return self.org_ids[0] if len(self.org_ids) == 1 else None


@dataclass(slots=True)
class Outcome:
    """What a command did, in words (printed by the CLI) and in data."""

    judgement: Judgement | None = None
    replaced: str | None = None
    actions: list[str] = field(default_factory=list)
    refused: list[str] = field(default_factory=list)


def side(curator: Curator, ref: str) -> Side:
    """Resolve a reference: an organisation id (merged ids followed), an identifier key, or an exact name."""
    text = ref.strip()
    hits = curator.ref(text)
    if not hits:
        raise NotFoundError(
            f"no organisation has the id, identifier or exact name {text!r}; "
            f"`resolver lookup {text!r}` lists candidates"
        )
    by_id = [h for h in hits if h.matched_by in ("id", "identifier")]
    if by_id:
        first: RefHit = by_id[0]
        return Side("org", first.requested, (first.id,), first.name, merged=first.requested != first.id)
    orgs = tuple(sorted({h.id for h in hits}))
    return Side("name", text, orgs, text)


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def make_judgement(left: Side, right: Side, verdict: Verdict, *, by: str, note: str | None) -> Judgement:
    """The judgement with the engine's score and features of the two names at this moment."""
    why = explain(left.name, right.name)
    return Judgement(
        left.value,
        right.value,
        verdict,
        left.kind,
        right.kind,
        by=by,
        at=_now(),
        note=note,
        score=round(why.pair.score, 4),
        features={k: round(v, 4) for k, v in why.pair.features},
    )


def judge(
    curator: Curator,
    a: str,
    b: str,
    verdict: Verdict,
    *,
    by: str,
    note: str | None = None,
    apply: bool = True,
) -> Outcome:
    """Record a judgement of ``a`` and ``b`` and (``apply``) make the graph agree with it."""
    left, right = side(curator, a), side(curator, b)
    if left.kind == right.kind and left.value == right.value:
        raise ConfigError(f"{a!r} and {b!r} are the same reference: judge two different ones")
    j = make_judgement(left, right, verdict, by=by, note=note)
    out = Outcome(judgement=j, replaced=curator.judge(j))
    out.actions.append(f"recorded: {left.value} / {right.value}: {verdict}")
    if apply:
        _apply(curator, left, right, verdict, by=by, note=note, out=out)
    return out


def _apply(
    curator: Curator, left: Side, right: Side, verdict: Verdict, *, by: str, note: str | None, out: Outcome
) -> None:
    if verdict == "same":
        if left.org_id is None or right.org_id is None:
            ambiguous = left if left.org_id is None else right
            out.refused.append(
                f"not merged: the name {ambiguous.value!r} is carried by {len(ambiguous.org_ids)} "
                f"organisations ({', '.join(ambiguous.org_ids)}); merge them by id"
            )
        elif left.org_id != right.org_id:
            _merge_one(curator, left.org_id, right.org_id, by=by, reason=note or "judged the same", out=out)
        return
    if verdict != "different" or not set(left.org_ids) & set(right.org_ids):
        return
    for s in (right, left):  # an id merged into the other: undo that merge
        if s.kind == "org" and s.merged:
            undone = curator.unmerge(s.value)
            if undone is not None:
                out.actions.append(f"unmerged {s.value} from {undone['keepId']}")
                return
    names = [s for s in (right, left) if s.kind == "name" and s.org_id is not None]
    if names:  # a name: take it out into an organisation of its own (never the display name)
        org_id = names[0].org_id
        assert org_id is not None
        facts = curator.evidence([org_id]).get(org_id)
        movable = [s for s in names if facts is not None and s.org_id == org_id and s.value != facts["name"]]
        if movable:
            _split(curator, org_id, [movable[0].value], [], by=by, out=out, judged=True)
            return
    out.refused.append("not separated: split the organisation with `resolver split ORG --alias NAME`")


def _merge_one(curator: Curator, keep: str, other: str, *, by: str, reason: str, out: Outcome) -> None:
    refusal = curator.merge(keep, other, by=by, reason=reason)
    if refusal:
        out.refused.append(f"not merged {other} into {keep}: {refusal}")
    else:
        out.actions.append(f"merged {other} into {keep}")


def _one_org(curator: Curator, ref: str) -> Side:
    s = side(curator, ref)
    if s.org_id is None:
        raise ConfigError(
            f"{ref!r} names {len(s.org_ids)} organisations ({', '.join(s.org_ids)}): give an id or identifier"
        )
    return s


def merge(curator: Curator, keep: str, others: Sequence[str], *, by: str, reason: str | None) -> Outcome:
    """Merge every organisation of ``others`` into ``keep`` (references as for ``side``)."""
    target = _one_org(curator, keep)
    assert target.org_id is not None
    out = Outcome()
    for ref in others:
        other = _one_org(curator, ref)
        assert other.org_id is not None
        if other.org_id == target.org_id:
            out.refused.append(f"{ref!r} is already {target.org_id}")
            continue
        _merge_one(curator, target.org_id, other.org_id, by=by, reason=reason or "merged by hand", out=out)
    return out


def unmerge(
    curator: Curator, ref: str, *, by: str, note: str | None = None, judgement: bool = True
) -> Outcome:
    """Undo the merge of the id ``ref``; with ``judgement`` record that it differs from where it was."""
    hits = [h for h in curator.ref(ref.strip()) if h.matched_by == "id"]
    if not hits or hits[0].requested == hits[0].id:
        raise NotFoundError(
            f"{ref!r} is not the id of a merged organisation; `resolver lookup {ref!r}` shows what it is"
        )
    other = hits[0].requested
    out = Outcome()
    undone = curator.unmerge(other)
    if undone is None:
        raise NotFoundError(f"{other} is not merged into anything (any more)")
    keep = undone["keepId"]
    out.actions.append(f"unmerged {other} from {keep}")
    if judgement:
        j = Judgement(other, keep, "different", "org", "org", by=by, at=_now(), note=note or "unmerged")
        out.judgement = j
        out.replaced = curator.judge(j)
        out.actions.append(f"recorded: {other} / {keep}: different")
    return out


def split(
    curator: Curator, org_ref: str, aliases: Sequence[str], identifiers: Sequence[str], *, by: str
) -> Outcome:
    """Take ``aliases`` (exact names) and ``identifiers`` out of an organisation into a new one."""
    if not aliases:
        raise ConfigError("split needs at least one --alias NAME: the new organisation's name")
    org = _one_org(curator, org_ref)
    assert org.org_id is not None
    out = Outcome()
    _split(curator, org.org_id, list(aliases), list(identifiers), by=by, out=out, judged=False)
    return out


def _split(
    curator: Curator,
    org_id: str,
    aliases: list[str],
    identifiers: list[str],
    *,
    by: str,
    out: Outcome,
    judged: bool,
) -> None:
    facts = curator.evidence([org_id]).get(org_id)
    if facts is None:
        raise NotFoundError(f"no organisation has the id {org_id!r}")
    missing = [a for a in aliases if a not in facts["aliases"]]
    if missing:
        names = ", ".join(facts["aliases"])
        raise ConfigError(f"{org_id} has no alias {missing[0]!r}; its names are: {names}")
    if facts["name"] in aliases:
        raise ConfigError(
            f"{facts['name']!r} is the display name of {org_id}: split the other names out instead"
        )
    norm = normalise_name(aliases[0])
    new_id = make_org_id(identity(norm.key, identifiers))
    if any(h.matched_by == "id" for h in curator.ref(new_id)):
        new_id = make_org_id(identity(norm.key, identifiers) + "|split-from:" + org_id)
    done = curator.split(
        org_id, new_id, name=aliases[0], norm_name=norm.key, aliases=aliases, identifiers=identifiers
    )
    if done is None:
        raise NotFoundError(f"{org_id} is merged into another organisation: split that one")
    out.actions.append(
        f"split {done['aliasesMoved']} name(s) and {done['identifiersMoved']} identifier(s) of {org_id} "
        f"into {new_id} ({aliases[0]}); its spells follow on the next ingest of the claims that use them"
    )
    if not judged:
        for alias in aliases:
            j = Judgement(alias, org_id, "different", "name", "org", by=by, at=_now(), note="split")
            curator.judge(j)
            out.actions.append(f"recorded: {alias} / {org_id}: different")


# -- the review queue ---------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Candidate:
    """Two current organisations someone should look at, and why; or (``org`` set) two names of one
    organisation that only a chain of other names joined."""

    left: str
    right: str
    reason: str
    left_name: str = ""
    right_name: str = ""
    org: str | None = None  # set for a pair of names: the organisation carrying both


def duplicate_candidates(
    duplicate_names: Iterable[Mapping[str, Any]], identifier_conflicts: Iterable[Mapping[str, Any]]
) -> list[Candidate]:
    """Pairs from quality.duplicate_names and quality.identifier_conflicts rows (first id vs each other)."""
    out: list[Candidate] = []
    for row in duplicate_names:
        ids, names = row["ids"], row["names"]
        for i in range(1, len(ids)):
            why = f"one normalised name: {row['normName']}"
            out.append(Candidate(ids[0], ids[i], why, names[0], names[i]))
    for row in identifier_conflicts:
        ids, names = row["ids"], row["names"]
        keys = ", ".join(row["keys"])
        for i in range(1, len(ids)):
            out.append(Candidate(ids[0], ids[i], f"identifier {row['kind']}: {keys}", names[0], names[i]))
    return out


def band_candidates(
    organisations: Sequence[tuple[str, str]], settings: MatchSettings, band: float
) -> list[Candidate]:
    """Pairs of organisations (id, name) whose names score within ``band`` of the threshold.

    Example:
        >>> orgs = [("o1", "Herefordshire Council"), ("o2", "Hertfordshire Council"), ("o3", "Kent Police")]
        >>> [(c.left, c.right) for c in band_candidates(orgs, MatchSettings(), 0.2)]
        [('o1', 'o2')]
    """
    names = [normalise_name(n) for _, n in organisations]
    blocks = block(names, max_bucket=settings.max_bucket)
    lo, hi = candidate_pairs(blocks.buckets, len(names))
    out = []
    for i, j in zip(lo[:MAX_BAND_PAIRS].tolist(), hi[:MAX_BAND_PAIRS].tolist(), strict=True):
        score = score_pair(names[i], names[j], blocks.common).score
        if abs(score - settings.threshold) <= band and names[i].key != names[j].key:
            where = "above" if score >= settings.threshold else "below"
            (a, an), (b, bn) = organisations[i], organisations[j]
            why = f"score {score:.3f} {where} the threshold {settings.threshold}"
            out.append(Candidate(a, b, why, an, bn))
    return out


def chain_candidates(
    organisations: Iterable[tuple[str, str, Sequence[str]]],
    settings: MatchSettings,
    *,
    most: int,
    max_names: int = 12,
) -> list[Candidate]:
    """Pairs of names of one organisation that the engine would not match on their own: the organisation
    was joined by a chain through other names (or by identifiers), e.g. "Herefordshire Council" ~
    "Hertfordshire Council" ~ "Hertfordshire County Council". At most ``most`` pairs; organisations
    with more than ``max_names`` distinct normalised names are left out (they are lists, not chains).

    Example:
        >>> org = ("o1", "Herefordshire Council",
        ...        ["Herefordshire Council", "Hertfordshire Council", "Hertfordshire County Council"])
        >>> [(c.left, c.right) for c in chain_candidates([org], MatchSettings(), most=5)]
        [('Herefordshire Council', 'Hertfordshire County Council')]
    """
    out: list[Candidate] = []
    for org_id, _name, aliases in organisations:
        if len(aliases) < 3:  # two names of one organisation joined directly, or by identifiers only
            continue
        forms: dict[str, str] = {}
        for alias in sorted(aliases):
            forms.setdefault(normalise_name(alias).key, alias)
        if not 3 <= len(forms) <= max_names:
            continue
        names = list(forms.values())
        for i, a in enumerate(names):
            for b in names[i + 1 :]:
                why = explain(a, b, settings)
                if why.decision == "different":
                    reason = f"one organisation, names joined by a chain: {why.reason}"
                    out.append(Candidate(a, b, reason, a, b, org=org_id))
                    if len(out) >= most:
                        return out
    return out


def review_rows(
    candidates: Iterable[Candidate],
    evidence: Mapping[str, Mapping[str, Any]],
    judged: Iterable[str],
    settings: MatchSettings,
    limit: int,
) -> list[dict[str, Any]]:
    """Rows of the review queue: each pair once (not yet judged, still two organisations), with scores,
    features and the graph's evidence; a row takes a ``verdict`` (and ``note``) and goes back through
    ``judgements import``."""
    done = set(judged)
    seen: set[tuple[tuple[str, str], tuple[str, str]]] = set()
    rows: list[dict[str, Any]] = []
    for c in candidates:
        if c.org is not None:  # two names of one organisation
            found = evidence.get(c.org)
            if found is None or not {c.left, c.right} <= set(found["aliases"]):
                continue  # merged away or split since
            left = right = found
            refs: tuple[tuple[str, str], tuple[str, str]] = (("name", c.left), ("name", c.right))
            names = (c.left, c.right)
        else:
            one, two = evidence.get(c.left), evidence.get(c.right)
            if one is None or two is None or one["id"] == two["id"]:
                continue
            left, right = one, two
            refs = (("org", left["id"]), ("org", right["id"]))
            names = (left["name"], right["name"])
        pair = (min(refs), max(refs))
        if pair in seen or judgement_key(*refs) in done:
            continue
        seen.add(pair)
        why = explain(names[0], names[1], settings)
        rows.append(
            {
                "left": refs[0][1],
                "leftKind": refs[0][0],
                "leftName": names[0],
                "right": refs[1][1],
                "rightKind": refs[1][0],
                "rightName": names[1],
                "reason": c.reason,
                "score": round(why.pair.score, 4),
                "decision": why.decision,
                "features": " ".join(f"{k}={v:.2f}" for k, v in why.pair.features),
                "leftParents": list(left["parents"]),
                "rightParents": list(right["parents"]),
                "leftIdentifiers": list(left["identifiers"]),
                "rightIdentifiers": list(right["identifiers"]),
                "verdict": "",
                "note": "",
            }
        )
        if len(rows) >= limit:
            break
    return rows


def review_queue(
    curator: Curator,
    organisations: Iterable[tuple[str, str, Sequence[str]]],
    settings: MatchSettings,
    *,
    limit: int = 50,
    band: float = 0.05,
    chains: bool = True,
) -> list[dict[str, Any]]:
    """The review queue: duplicates the quality templates find, pairs in the threshold band, and names
    of one organisation joined only through a chain. ``organisations``: (id, name, aliases)."""
    scan = max(limit * 4, 100)
    candidates = duplicate_candidates(
        curator.rows("quality.duplicate_names", {"limit": scan}),
        curator.rows("quality.identifier_conflicts", {"limit": scan}),
    )
    orgs = list(organisations) if band > 0 or chains else []
    if band > 0:
        candidates += band_candidates([(o[0], o[1]) for o in orgs], settings, band)
    if chains:
        candidates += chain_candidates(orgs, settings, most=scan)
    ids = sorted(
        {c.org for c in candidates if c.org} | {x for c in candidates if not c.org for x in (c.left, c.right)}
    )
    evidence = curator.evidence(ids) if ids else {}
    judged = [j.key for j in curator.judgements()]
    return review_rows(candidates, evidence, judged, settings, limit)


def import_judgements(curator: Curator, judgements: Iterable[Judgement], *, apply: bool) -> Outcome:
    """Record judgements read from a file; with ``apply``, make the graph agree with each one whose two
    references this graph knows (the others are recorded for later runs all the same)."""
    out = Outcome()
    for j in judgements:
        curator.judge(j)
        out.actions.append(f"recorded: {j.left} / {j.right}: {j.verdict}")
        if not apply or j.verdict == "unsure":
            continue
        try:
            left, right = side(curator, j.left), side(curator, j.right)
        except NotFoundError as exc:
            out.refused.append(f"not applied ({exc})")
            continue
        _apply(curator, left, right, j.verdict, by=j.by or default_reviewer(), note=j.note, out=out)
    return out
