// name: schema.names_fulltext
// description: Full-text index over organisation and alias names, for fuzzy lookup by name.
// mode: schema
CREATE FULLTEXT INDEX names_fulltext IF NOT EXISTS FOR (n:Organisation|Alias) ON EACH [n.name]
