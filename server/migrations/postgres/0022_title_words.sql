-- Words of each title for "title contains" searches that cross a word boundary ("number 4242"):
-- the trigram index alone reads the long lists of common trigrams (42 ms at 1,000,000 requests).
-- The lower-cased title cut at every character that is not a letter or digit, taken verbatim as
-- lexemes (array_to_tsvector: no parser, which would split "4242e5x" as a number and a word, and
-- no stemming), so a word of the search text is found exactly as it stands in the title.
-- How searches use it: server/src/store/title_search.rs.
ALTER TABLE change_requests ADD COLUMN title_words tsvector GENERATED ALWAYS AS (
    array_to_tsvector(array_remove(regexp_split_to_array(LOWER(title), '[^[:alnum:]]+'), ''))
) STORED;
CREATE INDEX change_requests_title_words ON change_requests USING gin (title_words);
