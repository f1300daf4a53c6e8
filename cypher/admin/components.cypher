// name: admin.components
// description: Name, version and edition of the Neo4j server (used by doctor and the readiness check).
// mode: read
// returns: version, edition
CALL dbms.components() YIELD name, versions, edition
RETURN versions[0] AS version, edition
