-- COR approvals: decisions, single-use approval links (stored only as SHA-256), absences,
-- and what the mail worker needs (leases, backoff, reminders).
CREATE TABLE decisions (
    id INTEGER PRIMARY KEY,
    request_id BIGINT NOT NULL REFERENCES change_requests(id),
    decided_by BIGINT NOT NULL REFERENCES users(id),
    verdict TEXT NOT NULL,
    reason TEXT,
    plan_hash TEXT NOT NULL,
    on_escalation BOOLEAN NOT NULL DEFAULT FALSE,
    via TEXT NOT NULL,
    decided_at BIGINT NOT NULL,
    UNIQUE (request_id, decided_by, plan_hash)
);

CREATE TABLE approval_tokens (
    token_hash TEXT PRIMARY KEY,
    request_id BIGINT NOT NULL REFERENCES change_requests(id),
    cor_id BIGINT NOT NULL REFERENCES users(id),
    plan_hash TEXT NOT NULL,
    outbox_id BIGINT,
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    used_at BIGINT,
    voided_at BIGINT
);
CREATE INDEX approval_tokens_request ON approval_tokens(request_id);

CREATE TABLE absences (
    id INTEGER PRIMARY KEY,
    user_id BIGINT NOT NULL REFERENCES users(id),
    starts_on TEXT NOT NULL,
    ends_on TEXT NOT NULL,
    note TEXT,
    set_by BIGINT NOT NULL REFERENCES users(id),
    created_at BIGINT NOT NULL
);
CREATE INDEX absences_user ON absences(user_id, starts_on);

ALTER TABLE outbox ADD COLUMN cor_id BIGINT;
ALTER TABLE outbox ADD COLUMN plan_hash TEXT;
ALTER TABLE outbox ADD COLUMN next_attempt_at BIGINT NOT NULL DEFAULT 0;
ALTER TABLE outbox ADD COLUMN claimed_until BIGINT NOT NULL DEFAULT 0;
ALTER TABLE outbox ADD COLUMN gave_up_at BIGINT;
CREATE INDEX outbox_due ON outbox(next_attempt_at, id) WHERE sent_at IS NULL AND gave_up_at IS NULL;

ALTER TABLE change_requests ADD COLUMN approval_requested_at BIGINT;
ALTER TABLE change_requests ADD COLUMN reminded_at BIGINT;
ALTER TABLE change_requests ADD COLUMN escalated_at BIGINT;
