-- The dev-team wizard: triage, plan versions, CR form versions, staging sign-offs, the outbox.
ALTER TABLE change_requests ADD COLUMN fast_path BOOLEAN NOT NULL DEFAULT FALSE;
ALTER TABLE change_requests ADD COLUMN security_related BOOLEAN NOT NULL DEFAULT FALSE;
ALTER TABLE change_requests ADD COLUMN assigned_engineer BIGINT REFERENCES users(id);
ALTER TABLE change_requests ADD COLUMN plan_version BIGINT NOT NULL DEFAULT 0;
ALTER TABLE change_requests ADD COLUMN plan_hash TEXT NOT NULL DEFAULT '';
ALTER TABLE change_requests ADD COLUMN plan_complete BOOLEAN NOT NULL DEFAULT FALSE;
ALTER TABLE change_requests ADD COLUMN submitted_plan_hash TEXT;
ALTER TABLE change_requests ADD COLUMN form_version BIGINT NOT NULL DEFAULT 0;
ALTER TABLE change_requests ADD COLUMN form_json TEXT NOT NULL DEFAULT '{}';
ALTER TABLE change_requests ADD COLUMN form_complete BOOLEAN NOT NULL DEFAULT FALSE;
ALTER TABLE change_requests ADD COLUMN risk_review_done BOOLEAN NOT NULL DEFAULT FALSE;
ALTER TABLE change_requests ADD COLUMN hold_reason TEXT;
ALTER TABLE change_requests ADD COLUMN hold_by BIGINT REFERENCES users(id);
ALTER TABLE change_requests ADD COLUMN planned_start BIGINT;
ALTER TABLE change_requests ADD COLUMN triage_json TEXT;
ALTER TABLE change_requests ADD COLUMN staging_notes TEXT NOT NULL DEFAULT '';
ALTER TABLE change_requests ADD COLUMN returned_comments TEXT;
ALTER TABLE change_requests ADD COLUMN queued_window BIGINT;
ALTER TABLE change_requests ADD COLUMN assistance_requested_at BIGINT;
ALTER TABLE change_requests ADD COLUMN submitted_at BIGINT;
CREATE INDEX change_requests_state ON change_requests(state, id DESC);
CREATE INDEX change_requests_team ON change_requests(team_id, id DESC);

-- Append-only: every saved plan is a new version.
CREATE TABLE plan_versions (
    request_id BIGINT NOT NULL REFERENCES change_requests(id),
    version BIGINT NOT NULL,
    hash TEXT NOT NULL,
    steps_json TEXT NOT NULL,
    created_by BIGINT NOT NULL REFERENCES users(id),
    created_at BIGINT NOT NULL,
    PRIMARY KEY (request_id, version)
);

-- Append-only: every saved CR form is a new version.
CREATE TABLE form_versions (
    request_id BIGINT NOT NULL REFERENCES change_requests(id),
    version BIGINT NOT NULL,
    form_json TEXT NOT NULL,
    created_by BIGINT NOT NULL REFERENCES users(id),
    created_at BIGINT NOT NULL,
    PRIMARY KEY (request_id, version)
);

CREATE TABLE sign_offs (
    request_id BIGINT NOT NULL REFERENCES change_requests(id),
    role TEXT NOT NULL,
    signer_id BIGINT NOT NULL REFERENCES users(id),
    evidence TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (request_id, role)
);

-- Written in the same transaction as the state change; a worker sends (approvals issue).
CREATE TABLE outbox (
    id INTEGER PRIMARY KEY,
    request_id BIGINT REFERENCES change_requests(id),
    kind TEXT NOT NULL,
    subject TEXT NOT NULL,
    to_addrs TEXT NOT NULL,
    cc_addrs TEXT NOT NULL,
    reasons TEXT NOT NULL,
    body_text TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    sent_at BIGINT,
    attempts INTEGER NOT NULL DEFAULT 0,
    last_error TEXT
);
CREATE INDEX outbox_unsent ON outbox(sent_at, id);
CREATE INDEX outbox_request ON outbox(request_id, id);
