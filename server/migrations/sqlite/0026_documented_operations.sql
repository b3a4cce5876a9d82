-- The hosting team's documented operations (seed 003, step 2): named sets of plan steps, each
-- save of a name (compared without case) its next version. A plan step inserted from one keeps
-- the name and version in its own JSON ("source"); versions are never changed or removed.
CREATE TABLE documented_operations (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    name_key TEXT NOT NULL,
    version BIGINT NOT NULL,
    steps_json TEXT NOT NULL,
    saved_by BIGINT NOT NULL REFERENCES users(id),
    saved_at BIGINT NOT NULL,
    UNIQUE (name_key, version)
);
