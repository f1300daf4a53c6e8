// name: schema.alias_name
// description: Every surface form is stored once (MERGE key of Alias).
// mode: schema
CREATE CONSTRAINT alias_name IF NOT EXISTS FOR (a:Alias) REQUIRE a.name IS UNIQUE
