// name: schema.name_of_claim
// description: One NAME_OF spell per name claim: the idempotence key of dated names (relationship uniqueness, Community 5.7+).
// mode: schema
CREATE CONSTRAINT name_of_claim IF NOT EXISTS FOR ()-[r:NAME_OF]-() REQUIRE r.claimId IS UNIQUE
