// name: schema.succeeded_by_claim
// description: One SUCCEEDED_BY edge per succession claim: the idempotence key of successions (relationship uniqueness, Community 5.7+).
// mode: schema
CREATE CONSTRAINT succeeded_by_claim IF NOT EXISTS FOR ()-[r:SUCCEEDED_BY]-() REQUIRE r.claimId IS UNIQUE
