// name: schema.parent_of_claim
// description: One PARENT_OF edge per claim: the idempotence key of dated spells (relationship uniqueness, Community 5.7+).
// mode: schema
CREATE CONSTRAINT parent_of_claim IF NOT EXISTS FOR ()-[r:PARENT_OF]-() REQUIRE r.claimId IS UNIQUE
