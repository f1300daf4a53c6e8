// name: curate.judge
// description: Record a person's judgement of two organisations or names (one Judgement per unordered pair, MERGE on key). The latest decision wins; the one it replaces is kept as a line of history. The node is write-locked before it is read, so two reviewers judging the same pair at once both end in it.
// mode: write
// param key: string        the pair's key (resolver.judgements.judgement_key)
// param left: string       an organisation id or an exact name
// param leftKind: string   'org' or 'name'
// param right: string      an organisation id or an exact name
// param rightKind: string  'org' or 'name'
// param verdict: string    'same', 'different' or 'unsure'
// param by: string         who decided
// param at: datetime       when
// param note: string       why (may be null)
// param score: float       the engine's score of the two names when judged (may be null)
// param features: string   the engine's named features, a JSON object text (may be null)
// returns: key, verdict, replaced (the earlier verdict, or null)
MERGE (j:Judgement {key: $key})
SET j.key = $key
WITH j
WITH j, j.verdict AS replaced,
     CASE WHEN j.verdict IS NULL THEN j.history
          ELSE coalesce(j.history, []) + [toString(j.at) + ' ' + j.by + ': ' + j.verdict + coalesce(' (' + j.note + ')', '')]
     END AS history
SET j.left = $left, j.leftKind = $leftKind, j.right = $right, j.rightKind = $rightKind,
    j.verdict = $verdict, j.by = $by, j.at = $at, j.note = $note, j.score = $score, j.features = $features,
    j.history = history
RETURN j.key AS key, j.verdict AS verdict, replaced
