-- Outgoing webhooks (per team or global), delivered through the outbox and signed with
-- HMAC-SHA256 using the hook's secret.
CREATE TABLE webhooks (
    id INTEGER PRIMARY KEY,
    team_id BIGINT REFERENCES teams(id),
    url TEXT NOT NULL,
    events TEXT NOT NULL,
    slack BOOLEAN NOT NULL DEFAULT FALSE,
    secret TEXT NOT NULL,
    active BOOLEAN NOT NULL DEFAULT TRUE,
    created_by BIGINT NOT NULL REFERENCES users(id),
    created_at BIGINT NOT NULL
);

ALTER TABLE outbox ADD COLUMN webhook_id BIGINT;
