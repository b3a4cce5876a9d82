-- Someone the dev team asks by email to sign off staging in one capacity (QA or the product
-- owner are often not dev-team members here). The link is made when the message is sent: only
-- its SHA-256 is kept, with its expiry; signing spends it in the sign-off's own transaction.
-- Asking someone else for the capacity, or anyone signing it, withdraws the invitation.
CREATE TABLE sign_off_invitations (
    id INTEGER PRIMARY KEY,
    request_id BIGINT NOT NULL REFERENCES change_requests(id),
    role TEXT NOT NULL,
    invitee_id BIGINT NOT NULL REFERENCES users(id),
    invitee_name TEXT NOT NULL,
    invited_by BIGINT NOT NULL REFERENCES users(id),
    invited_at BIGINT NOT NULL,
    token_hash TEXT UNIQUE,
    expires_at BIGINT,
    opened_at BIGINT,
    used_at BIGINT,
    withdrawn_at BIGINT
);
CREATE INDEX sign_off_invitations_request ON sign_off_invitations(request_id);

-- How a sign-off was made: NULL signed in; from an emailed link, the name its holder typed.
ALTER TABLE sign_offs ADD COLUMN by_link_as TEXT;
