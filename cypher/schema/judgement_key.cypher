// name: schema.judgement_key
// description: One judgement per unordered pair of names (MERGE key of Judgement).
// mode: schema
CREATE CONSTRAINT judgement_key IF NOT EXISTS FOR (j:Judgement) REQUIRE j.key IS UNIQUE
