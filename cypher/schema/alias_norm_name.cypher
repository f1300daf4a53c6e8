// name: schema.alias_norm_name
// description: Exact lookups of aliases by normalised name.
// mode: schema
CREATE INDEX alias_norm_name IF NOT EXISTS FOR (a:Alias) ON (a.normName)
