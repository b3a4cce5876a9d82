-- Sign-in through the organisation's identity provider (OpenID Connect).

-- A person is linked to the provider by (issuer, subject), never by email alone.
CREATE TABLE identities (
    issuer TEXT NOT NULL,
    subject TEXT NOT NULL,
    user_id BIGINT REFERENCES users(id) NOT NULL,
    created_at BIGINT NOT NULL,
    last_sign_in_at BIGINT NOT NULL,
    PRIMARY KEY (issuer, subject)
);
CREATE INDEX identities_user ON identities(user_id);

-- One row per sign-in started: the state's hash is the key, the browser that started it is
-- bound by the hash of its pre-login cookie, and the row is deleted when the provider answers
-- (used once), or once it is ten minutes old.
CREATE TABLE oidc_logins (
    state_hash TEXT PRIMARY KEY,
    browser_hash TEXT NOT NULL,
    nonce TEXT NOT NULL,
    pkce_verifier TEXT NOT NULL,
    next TEXT NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE INDEX oidc_logins_created ON oidc_logins(created_at);

-- Who gave a person their role and team: an admin ('admin') or the provider's groups ('idp').
-- A sign-in only changes the provider's own.
ALTER TABLE users ADD COLUMN role_source TEXT NOT NULL DEFAULT 'admin';
ALTER TABLE users ADD COLUMN team_source TEXT NOT NULL DEFAULT 'admin';

-- The provider's ID token of a session opened through it: sent back as id_token_hint when the
-- person signs out (RP-initiated logout).
ALTER TABLE sessions ADD COLUMN id_token_hint TEXT;
