-- The hosting team's risk review, as recorded (the latest one counts).
ALTER TABLE change_requests ADD COLUMN risk_review_json TEXT;
