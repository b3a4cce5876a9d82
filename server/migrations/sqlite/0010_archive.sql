-- Archive copies of the change record: filed (as a pending row) in the same transaction as
-- the state change, rendered to PDF right after, and never changed or deleted once rendered.
CREATE TABLE archive_copies (
    id INTEGER PRIMARY KEY,
    request_id BIGINT NOT NULL REFERENCES change_requests(id),
    copy_number BIGINT NOT NULL,
    reason TEXT NOT NULL,
    state TEXT NOT NULL,
    record_version BIGINT NOT NULL,
    plan_version BIGINT NOT NULL,
    form_version BIGINT NOT NULL,
    filed_at BIGINT NOT NULL,
    pdf BLOB,
    sha256 TEXT,
    size_bytes BIGINT,
    rendered_at BIGINT,
    folder_written_at BIGINT,
    folder_attempts BIGINT NOT NULL DEFAULT 0,
    folder_error TEXT,
    folder_next_at BIGINT,
    UNIQUE (request_id, copy_number)
);
CREATE INDEX archive_copies_unrendered ON archive_copies(id) WHERE rendered_at IS NULL;

-- The database itself refuses to overwrite or delete a filed copy, whatever the app does.
CREATE TRIGGER archive_copies_immutable BEFORE UPDATE OF pdf, sha256, size_bytes, request_id, copy_number, reason, state, record_version, filed_at ON archive_copies
WHEN OLD.pdf IS NOT NULL
BEGIN
    SELECT RAISE(ABORT, 'archive copies are immutable');
END;
CREATE TRIGGER archive_copies_undeletable BEFORE DELETE ON archive_copies
BEGIN
    SELECT RAISE(ABORT, 'archive copies are never deleted');
END;
