-- A decision belongs to the submission it was made on: each submission to the CORs is a new
-- round, so a plan edited back to an earlier text, or a rejected request returned and
-- resubmitted unchanged, asks the CORs again instead of counting old decisions.
ALTER TABLE change_requests ADD COLUMN submission_round BIGINT NOT NULL DEFAULT 0;
-- Requests submitted before rounds existed were on their first.
UPDATE change_requests SET submission_round = 1
WHERE submitted_plan_hash IS NOT NULL OR id IN (SELECT request_id FROM decisions);
ALTER TABLE decisions ADD COLUMN round BIGINT NOT NULL DEFAULT 1;
ALTER TABLE decisions ALTER COLUMN round DROP DEFAULT;
ALTER TABLE decisions DROP CONSTRAINT decisions_request_id_decided_by_plan_hash_key;
ALTER TABLE decisions ADD CONSTRAINT decisions_once_a_round UNIQUE (request_id, decided_by, plan_hash, round);
