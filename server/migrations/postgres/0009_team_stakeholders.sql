-- Each team's standing stakeholder list (one email address per line), told when a change of
-- theirs completes or is rolled back, besides the stakeholders named in the CR form.
ALTER TABLE teams ADD COLUMN stakeholders TEXT NOT NULL DEFAULT '';
