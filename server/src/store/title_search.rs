//! Narrowing requests by "title contains": which index answers it, and the values bound.
//!
//! The meaning is always a case-insensitive substring. SQLite answers it from FTS5 trigrams.
//! PostgreSQL has a trigram index too (`pg_trgm`), but it intersects the lists of every trigram
//! of the text, and a common word ("number", "update") lists nearly every row: 42 ms at
//! 1,000,000 requests for "number 4242". Text that crosses a word boundary says more than its
//! trigrams: every word after the first starts a word of the title, and every word between two
//! others is a whole word. The words index (`title_words`, migration 0022: the lower-cased title
//! split at every character that is not a letter or digit, no parser, no stemming) finds the
//! titles holding them; when they are few, those rows are the candidates and the substring is
//! checked on them alone. Otherwise the trigram statement answers, as before.

use super::Db;

/// How the title narrowing of a search statement is answered (see [`search_statement`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum TitleMode {
    /// No narrowing, or a LIKE pattern checked on each row the other conditions leave.
    Scan,
    /// The trigram index: an FTS5 phrase on SQLite, a LIKE pattern on PostgreSQL.
    Trigrams,
    /// A short list of candidate rows from the words index, and the plain text to find in them.
    Candidates,
}

/// What a search binds for its title narrowing: `text` as `$7`, `candidates` as the statement's
/// last parameter (empty unless the mode is [`TitleMode::Candidates`]). `reuse_plan` is false
/// when the statement must be planned for the text it is given: after five runs PostgreSQL
/// would keep a generic plan for `LIKE $7`, which guesses the pattern matches thousands of rows
/// and intersects the trigram index with the 375,000 rows of the queue's index (33 ms at
/// 1,000,000 requests for "4242", against 0.7 ms planned for the text; found with EXPLAIN
/// ANALYZE on a prepared statement run seven times).
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct TitleSearch {
    pub mode: TitleMode,
    pub text: String,
    pub candidates: String,
    pub reuse_plan: bool,
}

/// Above this many titles holding the words, the trigram statement is used instead: checking
/// a few hundred rows by primary key is cheaper than any index walk, thousands are not.
const MAX_CANDIDATES: usize = 500;

/// The narrowing for `contains` (as typed), looking up candidates on PostgreSQL when the text
/// has words the words index can find.
pub(crate) async fn title_search(db: &Db, contains: &str) -> Result<TitleSearch, sqlx::Error> {
    let plain = contains.trim().to_lowercase();
    let none = |mode, text| TitleSearch { mode, text, candidates: String::new(), reuse_plan: true };
    let trigrams = |pattern| TitleSearch { reuse_plan: false, ..none(TitleMode::Trigrams, pattern) };
    Ok(match db {
        _ if plain.is_empty() => none(TitleMode::Scan, String::new()),
        Db::Sqlite { .. } if plain.chars().count() >= 3 => {
            // One FTS5 phrase: the trigrams in a row, i.e. the text as a substring.
            none(TitleMode::Trigrams, format!("\"{}\"", plain.replace('"', "\"\"")))
        }
        Db::Sqlite { .. } => none(TitleMode::Scan, app::ports::contains_pattern(contains)),
        Db::Postgres(pool) => {
            let pattern = app::ports::contains_pattern(contains);
            let Some(words) = words_query(&plain) else { return Ok(trigrams(pattern)) };
            let ids: Vec<i64> =
                sqlx::query_scalar("SELECT id FROM change_requests WHERE title_words @@ $1::tsquery LIMIT $2")
                    .bind(&words)
                    .bind(MAX_CANDIDATES as i64 + 1)
                    .fetch_all(pool)
                    .await?;
            if ids.len() > MAX_CANDIDATES {
                trigrams(pattern)
            } else {
                let list: Vec<String> = ids.iter().map(i64::to_string).collect();
                TitleSearch {
                    mode: TitleMode::Candidates,
                    text: plain,
                    candidates: format!("{{{}}}", list.join(",")),
                    reuse_plan: true,
                }
            }
        }
    })
}

/// The words-index query (`tsquery` input syntax) that every title containing `plain` (trimmed,
/// lower-cased) satisfies, or `None` when the text says nothing the index can use: a single
/// fragment, or characters outside ASCII (whose letter-ness the database's locale decides).
///
/// The text is cut into runs of ASCII letters and digits. The first run may end a longer word
/// ("ange" of "change"), so it asks nothing; a later run at the end starts a word (a prefix,
/// `4242:*` for "424213"); a run with a separator on both sides is a whole word.
pub(crate) fn words_query(plain: &str) -> Option<String> {
    if !plain.is_ascii() {
        return None;
    }
    let bytes = plain.as_bytes();
    let mut terms = Vec::new();
    let mut start = None;
    for i in 0..=bytes.len() {
        let word = i < bytes.len() && bytes[i].is_ascii_alphanumeric();
        match (start, word) {
            (None, true) => start = Some(i),
            (Some(s), false) => {
                start = None;
                if s > 0 {
                    let run = &plain[s..i];
                    terms.push(if i == bytes.len() { format!("'{run}':*") } else { format!("'{run}'") });
                }
            }
            _ => {}
        }
    }
    (!terms.is_empty()).then(|| terms.join(" & "))
}

/// The narrowing by title in statements over `change_requests r`: `$7` as bound by
/// [`title_search`]; the candidates' parameter is given by the statement.
macro_rules! title_clause {
    (trigrams, sqlite) => {
        "AND r.id IN (SELECT rowid FROM change_requests_title_search WHERE change_requests_title_search MATCH $7) "
    };
    (trigrams, postgres) => {
        "AND LOWER(r.title) LIKE $7 ESCAPE '\\' "
    };
    // `strpos`, not LIKE: the trigram index must stay out of this plan (the planner would
    // intersect it with the candidates and read its long lists anyway).
    (candidates, postgres, $ids:literal) => {
        concat!("AND r.id = ANY(", $ids, "::bigint[]) AND strpos(LOWER(r.title), $7) > 0 ")
    };
    (scan) => {
        "AND ($7 = '' OR LOWER(r.title) LIKE $7 ESCAPE '\\') "
    };
}
pub(crate) use title_clause;

/// Picks the static statement for a queue-like search over `change_requests r`: `$select` is a
/// local macro taking (reference clause, title clause, keyset clause); `$6` is the reference, `$7`
/// the title text and `$ids` the candidates from [`title_search`]. A reference gets its own
/// statement that the unique index answers; the keyset clause is given per backend, as each
/// planner uses the index best.
macro_rules! search_statement {
    ($select:ident, $db:expr, $by_reference:expr, $mode:expr, ids: $ids:literal, postgres: $pg:literal, sqlite: $sq:literal) => {
        match ($db, $by_reference, $mode) {
            (Db::Postgres(_), true, _) => $select!("AND r.reference = $6", title_clause!(scan), $pg),
            (Db::Postgres(_), false, TitleMode::Trigrams) => {
                $select!("AND $6 = ''", title_clause!(trigrams, postgres), $pg)
            }
            (Db::Postgres(_), false, TitleMode::Candidates) => {
                $select!("AND $6 = ''", title_clause!(candidates, postgres, $ids), $pg)
            }
            (Db::Postgres(_), false, TitleMode::Scan) => $select!("AND $6 = ''", title_clause!(scan), $pg),
            (Db::Sqlite { .. }, true, _) => $select!("AND r.reference = $6", title_clause!(scan), $sq),
            (Db::Sqlite { .. }, false, TitleMode::Trigrams) => {
                $select!("AND $6 = ''", title_clause!(trigrams, sqlite), $sq)
            }
            // SQLite's trigrams answer every text of three characters or more; only PostgreSQL
            // looks up candidates.
            (Db::Sqlite { .. }, false, TitleMode::Scan | TitleMode::Candidates) => {
                $select!("AND $6 = ''", title_clause!(scan), $sq)
            }
        }
    };
}
pub(crate) use search_statement;

/// The narrowing the hosting queue and the archive share, after their own conditions: state
/// (`$1`), system (`$2`), team (`$3`) and the changed-from and changed-to range (`$4`, `$5`).
macro_rules! shared_filter {
    () => {
        "AND ($1 = '' OR r.state = $1) \
         AND ($2 = '' OR LOWER(r.system) LIKE $2 ESCAPE '\\') \
         AND ($3 = '' OR LOWER(t.name) = LOWER($3)) \
         AND r.updated_at >= $4 AND r.updated_at < $5 "
    };
}
pub(crate) use shared_filter;

/// Binds `$1` to `$7` of a queue-like search: [`shared_filter`]'s five, the reference and the
/// title text (with the plan reused as [`title_search`] decided).
macro_rules! bind_shared_filter {
    ($query:expr, $q:expr, $title:expr) => {
        $query
            .persistent($title.reuse_plan)
            .bind($q.state.map_or("", app::domain::workflow::State::as_str))
            .bind(&$q.system_like)
            .bind(&$q.team)
            .bind($q.from_ms)
            .bind($q.to_ms)
            .bind(&$q.reference)
            .bind(&$title.text)
    };
}
pub(crate) use bind_shared_filter;

#[cfg(test)]
mod tests {
    use super::words_query;

    #[test]
    fn words_that_every_matching_title_holds() {
        assert_eq!(words_query("number 4242").as_deref(), Some("'4242':*"));
        assert_eq!(words_query("ange number 42").as_deref(), Some("'number' & '42':*"));
        assert_eq!(words_query("v1.2.3").as_deref(), Some("'2' & '3':*"));
        assert_eq!(words_query("login "), None);
        assert_eq!(words_query("login"), None);
        assert_eq!(words_query("fix login "), Some("'login'".into()));
        assert_eq!(words_query("café 42"), None);
        assert_eq!(words_query("it's"), Some("'s':*".into()));
        assert_eq!(words_query("o'brien'; drop"), Some("'brien' & 'drop':*".into()));
    }
}
