-- A decision belongs to the submission it was made on: each submission to the CORs is a new
-- round, so a plan edited back to an earlier text, or a rejected request returned and
-- resubmitted unchanged, asks the CORs again instead of counting old decisions.
ALTER TABLE change_requests ADD COLUMN submission_round BIGINT NOT NULL DEFAULT 0;
-- Requests submitted before rounds existed were on their first.
UPDATE change_requests SET submission_round = 1
WHERE submitted_plan_hash IS NOT NULL OR id IN (SELECT request_id FROM decisions);

-- SQLite cannot change a table's UNIQUE constraint in place: the table is rebuilt.
CREATE TABLE decisions_by_round (
    id INTEGER PRIMARY KEY,
    request_id BIGINT NOT NULL REFERENCES change_requests(id),
    decided_by BIGINT NOT NULL REFERENCES users(id),
    verdict TEXT NOT NULL,
    reason TEXT,
    plan_hash TEXT NOT NULL,
    on_escalation BOOLEAN NOT NULL DEFAULT FALSE,
    via TEXT NOT NULL,
    decided_at BIGINT NOT NULL,
    round BIGINT NOT NULL,
    UNIQUE (request_id, decided_by, plan_hash, round)
);
INSERT INTO decisions_by_round (id, request_id, decided_by, verdict, reason, plan_hash, on_escalation, via, decided_at, round)
SELECT id, request_id, decided_by, verdict, reason, plan_hash, on_escalation, via, decided_at, 1 FROM decisions;
DROP TABLE decisions;
ALTER TABLE decisions_by_round RENAME TO decisions;
