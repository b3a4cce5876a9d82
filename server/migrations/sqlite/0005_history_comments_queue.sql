-- The comment thread on each request (plain text), and the queue's keyset order.
CREATE TABLE comments (
    id INTEGER PRIMARY KEY,
    request_id BIGINT NOT NULL REFERENCES change_requests(id),
    author_id BIGINT NOT NULL REFERENCES users(id),
    body TEXT NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE INDEX comments_request ON comments(request_id, id);
CREATE INDEX change_requests_queue ON change_requests(state, updated_at, id);
CREATE INDEX change_requests_updated ON change_requests(updated_at, id);
