-- The problem log (issues met during any change, listed across requests for the hosting team)
-- and each request's post-deployment review (verification checklist, lessons learned).
CREATE TABLE problems (
    id INTEGER PRIMARY KEY,
    request_id BIGINT NOT NULL REFERENCES change_requests(id),
    text TEXT NOT NULL,
    logged_by BIGINT NOT NULL REFERENCES users(id),
    logged_at BIGINT NOT NULL
);
CREATE INDEX problems_request ON problems(request_id, id);
CREATE INDEX problems_logged ON problems(logged_at);
ALTER TABLE change_requests ADD COLUMN post_review_json TEXT;
