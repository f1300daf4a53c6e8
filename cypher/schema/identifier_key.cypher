// name: schema.identifier_key
// description: External identifiers ('scheme:value') are unique (MERGE key of Identifier).
// mode: schema
CREATE CONSTRAINT identifier_key IF NOT EXISTS FOR (i:Identifier) REQUIRE i.key IS UNIQUE
