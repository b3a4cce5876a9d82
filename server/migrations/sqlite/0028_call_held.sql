-- When hosting last recorded as held a call the dev team asked for: the dev team's staging page
-- says so (the clock itself is cleared).
ALTER TABLE change_requests ADD COLUMN call_held_at BIGINT;
