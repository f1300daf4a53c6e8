// name: ingest.judgements
// description: Every judgement (a person's same / different / unsure about two organisations or names), oldest first: "same" is a must-link and "different" a cannot-link for every later run.
// mode: read
// returns: key, left, leftKind, right, rightKind, verdict, by, at, note, score, features, history
MATCH (j:Judgement)
RETURN j.key AS key, j.left AS left, j.leftKind AS leftKind, j.right AS right, j.rightKind AS rightKind,
       j.verdict AS verdict, j.by AS by, toString(j.at) AS at, j.note AS note, j.score AS score,
       j.features AS features, coalesce(j.history, []) AS history
ORDER BY j.at, j.key
