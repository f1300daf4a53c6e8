// name: schema.organisation_norm_name
// description: Exact lookups by normalised name.
// mode: schema
CREATE INDEX organisation_norm_name IF NOT EXISTS FOR (o:Organisation) ON (o.normName)
