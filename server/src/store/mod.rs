//! All SQL lives here. One storage interface (the `app::ports` traits) with a SQLite and a
//! PostgreSQL implementation, chosen from `DATABASE_URL`.
//!
//! Both backends share the SQL text where the dialects agree (`$1…$n` placeholders work on
//! both in sqlx); the `on_pool!` macro compiles each method once per backend, so every query is
//! type-checked against both drivers. Migrations are per backend (`migrations/sqlite`,
//! `migrations/postgres`), embedded and run at start.

mod accounts;
mod approvals;
mod archive;
mod audit;
mod backup;
mod calendar;
mod commit;
mod documented_operations;
mod history;
mod identity;
mod load;
mod operations;
pub(crate) mod outbox;
mod people;
mod requests;
mod sessions;
mod sign_off_links;
mod title_search;
mod webhooks;
mod wizard;
pub(crate) use title_search::{
    bind_shared_filter, search_statement, shared_filter, title_clause, title_search, TitleMode,
};

pub use accounts::SignInCandidate;
pub use approvals::{ClaimedMessage, Queue};
pub use archive::{FolderWrite, PendingCopy};
pub use audit::{verify_audit_chain, AuditEvent, ChainBreak, ChainHead};
pub use backup::{record_future_migration_for_test, restore, sqlite_path, BackupError};
pub use identity::{PendingLogin, ProviderIdentity, LOGIN_TTL_MS};
pub use operations::Operations;
pub use requests::Store;

use sqlx::postgres::{PgPool, PgPoolOptions};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteSynchronous};
use std::str::FromStr;
use std::time::Duration;

/// A connection pool to one of the two supported databases.
#[derive(Clone, Debug)]
pub enum Db {
    /// The embedded default: one file, WAL mode. Reads share `pool`; writes take the one
    /// connection of `writer` in turn (see `on_writer!`).
    Sqlite {
        /// Reads (WAL: never blocked by a writer); its connections refuse to write.
        pool: SqlitePool,
        /// Writes, one at a time.
        writer: SqlitePool,
    },
    /// For deployments with several app servers.
    Postgres(PgPool),
}

/// Runs `$body` with `$pool` bound to the concrete pool, compiled once per backend.
macro_rules! on_pool {
    ($db:expr, $pool:ident => $body:expr) => {
        match $db {
            $crate::store::Db::Sqlite { pool: $pool, .. } => $body,
            $crate::store::Db::Postgres($pool) => $body,
        }
    };
}
pub(crate) use on_pool;

/// `on_pool!` for a statement or transaction that writes. SQLite has one writer at a time, and a
/// connection that finds the file locked waits in SQLite's busy handler, which sleeps in steps of
/// up to 100 ms however soon the lock is free: under a sustained write load a comment waited
/// 200 ms for a lock held for under one. This process's writes queue for its one writer connection
/// instead, each starting as the previous commits, for at most `LONGEST_WRITE_WAIT` as before;
/// another process (the CLI, a backup) still meets the busy timeout. The read pool refuses to
/// write, so a write through `on_pool!` fails its test. PostgreSQL locks rows, not the database:
/// there the writes share the pool.
macro_rules! on_writer {
    ($db:expr, $pool:ident => $body:expr) => {
        match $db {
            $crate::store::Db::Sqlite { writer: $pool, .. } => $body,
            $crate::store::Db::Postgres($pool) => $body,
        }
    };
}
pub(crate) use on_writer;

/// How long a SQLite write waits for its turn: for another process's lock (the busy timeout), and
/// for this process's writer connection.
const LONGEST_WRITE_WAIT: Duration = Duration::from_secs(5);

/// Errors opening or migrating the database.
#[derive(Debug, thiserror::Error)]
pub enum OpenError {
    /// `DATABASE_URL` names neither `sqlite:` nor `postgres:`.
    #[error("DATABASE_URL must start with sqlite: or postgres:// (got {0:?})")]
    UnknownScheme(String),
    /// The database could not be reached or created.
    #[error("could not open the database: {0}")]
    Connect(#[from] sqlx::Error),
    /// A migration failed.
    #[error("could not migrate the database: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
}

impl Db {
    /// Opens (creating a SQLite file if missing) and migrates the database at `url`.
    pub async fn open(url: &str) -> Result<Db, OpenError> {
        let db = if url.starts_with("sqlite:") {
            let options = SqliteConnectOptions::from_str(url)?
                .create_if_missing(true)
                .journal_mode(SqliteJournalMode::Wal)
                .synchronous(SqliteSynchronous::Full)
                .foreign_keys(true)
                .busy_timeout(LONGEST_WRITE_WAIT);
            if let Some(parent) = options.get_filename().parent() {
                if !parent.as_os_str().is_empty() {
                    let _ = std::fs::create_dir_all(parent);
                }
            }
            // A connection to a local file does not go stale: no ping before each use (it cost
            // one more hop to sqlx's SQLite worker thread per statement; a page runs about 12).
            let writer = SqlitePoolOptions::new()
                .max_connections(1)
                .test_before_acquire(false)
                .acquire_timeout(LONGEST_WRITE_WAIT)
                .connect_with(options.clone())
                .await?;
            sqlx::migrate!("./migrations/sqlite").run(&writer).await?;
            // The read connections refuse to write (`query_only`), so a write that skips the
            // queue fails in the tests rather than waiting in the busy handler in production.
            let pool = SqlitePoolOptions::new()
                .max_connections(8)
                .test_before_acquire(false)
                .connect_with(options.pragma("query_only", "ON"))
                .await?;
            Db::Sqlite { pool, writer }
        } else if url.starts_with("postgres:") || url.starts_with("postgresql:") {
            let pool =
                PgPoolOptions::new().max_connections(16).acquire_timeout(Duration::from_secs(5)).connect(url).await?;
            sqlx::migrate!("./migrations/postgres").run(&pool).await?;
            Db::Postgres(pool)
        } else {
            return Err(OpenError::UnknownScheme(url.split(':').next().unwrap_or_default().to_string()));
        };
        Ok(db)
    }

    /// True when the database answers a trivial query (for `/healthz`).
    pub async fn is_healthy(&self) -> bool {
        on_pool!(self, pool => sqlx::query("SELECT 1").execute(pool).await.is_ok())
    }

    /// Which backend this is, for logs.
    pub fn backend(&self) -> &'static str {
        match self {
            Db::Sqlite { .. } => "sqlite",
            Db::Postgres(_) => "postgres",
        }
    }

    /// Closes the pools (graceful shutdown).
    pub async fn close(&self) {
        match self {
            Db::Sqlite { pool, writer } => {
                pool.close().await;
                writer.close().await
            }
            Db::Postgres(pool) => pool.close().await,
        }
    }
}

/// Storage failures become `StoreError::Backend`, or `Unavailable` when the database cannot be
/// reached (the person is told to try again shortly); details go to the log only.
pub(crate) fn backend(e: sqlx::Error) -> app::ports::StoreError {
    if is_unavailable(&e) {
        app::ports::StoreError::Unavailable(e.to_string())
    } else {
        app::ports::StoreError::Backend(e.to_string())
    }
}

/// True for failures of reaching the database rather than of a statement: the connection
/// refused or lost, the pool out of time, the server shutting down or starting up
/// (SQLSTATE class 08, 57P01–57P03).
pub fn is_unavailable(e: &sqlx::Error) -> bool {
    match e {
        sqlx::Error::Io(_) | sqlx::Error::PoolTimedOut | sqlx::Error::PoolClosed | sqlx::Error::WorkerCrashed => true,
        sqlx::Error::Tls(_) => true,
        sqlx::Error::Database(db) => {
            db.code().is_some_and(|c| c.starts_with("08") || matches!(&*c, "57P01" | "57P02" | "57P03"))
        }
        _ => false,
    }
}

/// A stored value that does not decode: a storage fault naming the request and the column,
/// never a default that would show a COR a blank form or a request back in triage.
pub(crate) fn corrupt(reference: &str, column: &str, problem: impl std::fmt::Display) -> sqlx::Error {
    sqlx::Error::Decode(format!("{reference}: {column} does not decode: {problem}").into())
}

/// A value as its stored JSON column. Serialising these types cannot fail, but if one ever did,
/// the write fails with it instead of storing text that would not decode.
pub(crate) fn to_json<T: serde::Serialize + ?Sized>(value: &T) -> Result<String, sqlx::Error> {
    serde_json::to_string(value).map_err(|e| sqlx::Error::Encode(Box::new(e)))
}

/// A stored JSON column, decoded or a storage fault.
pub(crate) fn stored<T: serde::de::DeserializeOwned>(
    reference: &str,
    column: &str,
    json: &str,
) -> Result<T, sqlx::Error> {
    serde_json::from_str(json).map_err(|e| corrupt(reference, column, e))
}

/// A nullable stored JSON column: NULL is `None`; text that does not decode is a storage fault.
pub(crate) fn stored_opt<T: serde::de::DeserializeOwned>(
    reference: &str,
    column: &str,
    json: Option<&str>,
) -> Result<Option<T>, sqlx::Error> {
    json.map(|j| stored(reference, column, j)).transpose()
}

/// A stored key read by `parse` (a state, a role, a kind), or a storage fault.
pub(crate) fn parsed<T>(
    at: &str,
    column: &str,
    key: &str,
    parse: impl FnOnce(&str) -> Option<T>,
) -> Result<T, sqlx::Error> {
    parse(key).ok_or_else(|| corrupt(at, column, format!("{key:?}")))
}

/// A port method's result from a storage future: its failure mapped by [`backend`].
pub(crate) async fn ported<T>(
    work: impl std::future::Future<Output = Result<T, sqlx::Error>>,
) -> Result<T, app::ports::StoreError> {
    work.await.map_err(backend)
}

/// Milliseconds since the Unix epoch, the stored time format.
pub(crate) fn millis(t: chrono::DateTime<chrono::Utc>) -> i64 {
    t.timestamp_millis()
}

/// The stored time format back to a UTC time; a value past chrono's range is a storage fault,
/// not the epoch.
pub(crate) fn from_millis(ms: i64) -> Result<chrono::DateTime<chrono::Utc>, sqlx::Error> {
    chrono::DateTime::from_timestamp_millis(ms)
        .ok_or_else(|| sqlx::Error::Decode(format!("a stored time ({ms} ms after 1970) is out of range").into()))
}
