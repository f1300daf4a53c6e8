// name: curate.split
// description: Take names (and identifiers) out of an organisation into a new one: each ALIAS_OF / IDENTIFIES edge naming them, on the organisation or on an id merged into it, moves to newId (created with name / normName if absent), remembering where it came from (splitFrom). Spells stay until the next ingest moves the claims that used the names.
// mode: write
// param orgId: string               the organisation the names are taken from (not itself merged)
// param newId: string               the organisation they go to
// param name: string                its display name
// param normName: string            its normalised name
// param aliases: list<string>       exact alias names to move
// param identifiers: list<string>   identifier keys to move
// param now: datetime               creation time
// returns: id, name, aliasesMoved, identifiersMoved
MATCH (o:Organisation {id: $orgId})
WHERE NOT EXISTS { (o)-[:MERGED_INTO]->() }
MERGE (n:Organisation {id: $newId})
  ON CREATE SET n.name = $name, n.normName = $normName, n.createdAt = $now, n.updatedAt = $now
WITH o, n
CALL (o, n) {
  UNWIND $aliases AS aliasName
  MATCH (a:Alias {name: aliasName})-[r:ALIAS_OF]->(src:Organisation)-[:MERGED_INTO]->{0,5}(o)
  WITH a, r, src, properties(r) AS props
  DELETE r
  MERGE (a)-[s:ALIAS_OF]->(n)
    ON CREATE SET s = props, s.splitFrom = src.id
  RETURN count(a) AS aliasesMoved
}
CALL (o, n) {
  UNWIND $identifiers AS identKey
  MATCH (i:Identifier {key: identKey})-[r:IDENTIFIES]->(src:Organisation)-[:MERGED_INTO]->{0,5}(o)
  WITH i, r, src, properties(r) AS props
  DELETE r
  MERGE (i)-[s:IDENTIFIES]->(n)
    ON CREATE SET s = props, s.splitFrom = src.id
  RETURN count(i) AS identifiersMoved
}
RETURN n.id AS id, n.name AS name, aliasesMoved, identifiersMoved
