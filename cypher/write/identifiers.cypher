// name: write.identifiers
// description: Attach external identifiers ("scheme:value") to organisations; one Identifier node per key.
// mode: write
// param rows: list<map>   {key, scheme, value, orgId}
UNWIND $rows AS row
MATCH (o:Organisation {id: row.orgId})
MERGE (i:Identifier {key: row.key})
  ON CREATE SET i.scheme = row.scheme, i.value = row.value
MERGE (i)-[:IDENTIFIES]->(o)
