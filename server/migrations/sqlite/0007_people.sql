-- People administration: set-password links (stored only as SHA-256), sign-in throttling,
-- and the outbox's link to a person (an invitation's set-password link is made at send time).
CREATE TABLE password_tokens (
    token_hash TEXT PRIMARY KEY,
    user_id BIGINT NOT NULL REFERENCES users(id),
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    used_at BIGINT
);
CREATE INDEX password_tokens_user ON password_tokens(user_id);

CREATE TABLE sign_in_failures (
    id INTEGER PRIMARY KEY,
    email TEXT NOT NULL,
    at BIGINT NOT NULL
);
CREATE INDEX sign_in_failures_email ON sign_in_failures(email, at);

ALTER TABLE outbox ADD COLUMN user_id BIGINT;

-- Personal access tokens for the JSON API (hashed at rest, scoped, revocable).
CREATE TABLE personal_tokens (
    id INTEGER PRIMARY KEY,
    user_id BIGINT NOT NULL REFERENCES users(id),
    name TEXT NOT NULL,
    token_hash TEXT NOT NULL UNIQUE,
    scope TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    last_used_at BIGINT,
    revoked_at BIGINT
);
CREATE INDEX personal_tokens_user ON personal_tokens(user_id);
