-- The audit log is append-only in the database too: whatever the app (or a stray statement)
-- does, a row once written is never changed or removed. `server verify-audit` still proves it
-- against someone who can drop triggers.
CREATE FUNCTION audit_events_guard() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'the audit log is append-only';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER audit_events_append_only BEFORE UPDATE OR DELETE ON audit_events
FOR EACH ROW EXECUTE FUNCTION audit_events_guard();
CREATE TRIGGER audit_events_never_truncated BEFORE TRUNCATE ON audit_events
FOR EACH STATEMENT EXECUTE FUNCTION audit_events_guard();
