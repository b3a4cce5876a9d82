-- Searching inside titles ("contains") without reading every request: an FTS5 index of trigrams
-- over the titles (SQLite ≥ 3.34), kept in step with change_requests by triggers. Lower-cased
-- trigrams, so matching ignores case like the LIKE it replaces.
CREATE VIRTUAL TABLE change_requests_title_search USING fts5(
    title,
    content = 'change_requests',
    content_rowid = 'id',
    tokenize = 'trigram'
);
INSERT INTO change_requests_title_search(change_requests_title_search) VALUES ('rebuild');
CREATE TRIGGER change_requests_title_search_insert AFTER INSERT ON change_requests BEGIN
    INSERT INTO change_requests_title_search(rowid, title) VALUES (new.id, new.title);
END;
CREATE TRIGGER change_requests_title_search_delete AFTER DELETE ON change_requests BEGIN
    INSERT INTO change_requests_title_search(change_requests_title_search, rowid, title)
        VALUES ('delete', old.id, old.title);
END;
CREATE TRIGGER change_requests_title_search_update AFTER UPDATE OF title ON change_requests BEGIN
    INSERT INTO change_requests_title_search(change_requests_title_search, rowid, title)
        VALUES ('delete', old.id, old.title);
    INSERT INTO change_requests_title_search(rowid, title) VALUES (new.id, new.title);
END;
