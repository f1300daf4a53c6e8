// name: write.organisations
// description: Create or update canonical organisations by id. The name changes (and updatedAt with it) only when resolution chose another display name; re-running with the same rows changes nothing.
// mode: write
// param rows: list<map>   {id, name, normName}
// param now: datetime     creation / update time
UNWIND $rows AS row
MERGE (o:Organisation {id: row.id})
  ON CREATE SET o.name = row.name, o.normName = row.normName, o.createdAt = $now, o.updatedAt = $now
WITH o, row
WHERE o.name <> row.name OR o.normName <> row.normName
SET o.name = row.name, o.normName = row.normName, o.updatedAt = $now
