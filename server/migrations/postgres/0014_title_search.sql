-- Searching inside titles ("contains") without reading every request: a trigram index that
-- PostgreSQL uses for LIKE '%…%' on the lower-cased title. pg_trgm ships with PostgreSQL and is a
-- trusted extension (13+), so the database owner may create it.
CREATE EXTENSION IF NOT EXISTS pg_trgm;
CREATE INDEX change_requests_title_trgm ON change_requests USING gin (LOWER(title) gin_trgm_ops);
