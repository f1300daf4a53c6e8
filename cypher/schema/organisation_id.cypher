// name: schema.organisation_id
// description: Canonical organisation ids are unique (MERGE key of Organisation).
// mode: schema
CREATE CONSTRAINT organisation_id IF NOT EXISTS FOR (o:Organisation) REQUIRE o.id IS UNIQUE
