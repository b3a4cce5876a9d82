-- The audit log is append-only in the database too: whatever the app (or a stray statement)
-- does, a row once written is never changed or removed. `server verify-audit` still proves it
-- against someone who can drop triggers.
CREATE TRIGGER audit_events_never_updated BEFORE UPDATE ON audit_events
BEGIN
    SELECT RAISE(ABORT, 'the audit log is append-only');
END;
CREATE TRIGGER audit_events_never_deleted BEFORE DELETE ON audit_events
BEGIN
    SELECT RAISE(ABORT, 'the audit log is append-only');
END;
