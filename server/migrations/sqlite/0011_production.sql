-- Production execution: every step mark (started / done / failed, or a step's rollback done),
-- when production work started, the override reason used to start it, and the closing note
-- (the dev team's validation, the rollback reason or the withdrawal reason).
CREATE TABLE execution_marks (
    id INTEGER PRIMARY KEY,
    request_id BIGINT NOT NULL REFERENCES change_requests(id),
    step BIGINT NOT NULL,
    rollback BOOLEAN NOT NULL,
    status TEXT NOT NULL,
    note TEXT NOT NULL,
    marked_by BIGINT NOT NULL REFERENCES users(id),
    marked_at BIGINT NOT NULL
);
CREATE INDEX execution_marks_request ON execution_marks(request_id, id);
ALTER TABLE change_requests ADD COLUMN implementation_started_at BIGINT;
ALTER TABLE change_requests ADD COLUMN override_reason TEXT;
ALTER TABLE change_requests ADD COLUMN closing_note TEXT;
