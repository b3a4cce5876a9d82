-- When a decision link's page was first shown (Unix ms): /metrics reports links opened but not
-- yet used, across every app server. Mail scanners that open links count too; that is what
-- "opened" can know.
ALTER TABLE approval_tokens ADD COLUMN opened_at BIGINT;
