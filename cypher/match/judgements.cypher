// name: match.judgements
// description: People's decisions about two organisations or names ("same", "different", "unsure"), honoured by `resolver match` and `resolver serve`; no rows on a graph without any.
// mode: read
// returns: left, right, verdict
MATCH (j:Judgement)
WHERE j.left IS NOT NULL AND j.right IS NOT NULL AND j.verdict IS NOT NULL
RETURN toString(j.left) AS left, toString(j.right) AS right, toString(j.verdict) AS verdict
ORDER BY left, right
