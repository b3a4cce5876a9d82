-- A pipeline that opens a request through the JSON API sends an Idempotency-Key: a retried call
-- with the same key (per token owner) gets the request the first call opened, never a second.
CREATE TABLE api_idempotency_keys (
    user_id BIGINT NOT NULL REFERENCES users(id),
    idempotency_key TEXT NOT NULL,
    request_id BIGINT NOT NULL REFERENCES change_requests(id),
    created_at BIGINT NOT NULL,
    PRIMARY KEY (user_id, idempotency_key)
);
