-- A request's pages show how many comments it has; counting a long thread on every page read
-- grew with the thread, so the count is kept with the request, in the comment's transaction.
ALTER TABLE change_requests ADD COLUMN comment_count BIGINT NOT NULL DEFAULT 0;
UPDATE change_requests SET comment_count = (SELECT COUNT(*) FROM comments c WHERE c.request_id = change_requests.id);
