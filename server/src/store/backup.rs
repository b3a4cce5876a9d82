//! Backups and readiness: a consistent copy of a running SQLite database (`VACUUM INTO`, one
//! read transaction, so every write committed before it began is in it), its restore into a new
//! database, and whether the database is ready to serve (reachable, every migration applied).

use super::{verify_audit_chain, ChainHead, Db, OpenError};
use std::path::{Path, PathBuf};

/// Why a backup or restore did not happen.
#[derive(Debug, thiserror::Error)]
pub enum BackupError {
    /// PostgreSQL has its own tools; they are the right ones.
    #[error(
        "on PostgreSQL, back up with pg_dump (consistent while Offcycle runs): \
         pg_dump --format=custom --file=offcycle.dump \"$DATABASE_URL\"; restore into a new, empty \
         database with pg_restore --no-owner --dbname=\"$NEW_DATABASE_URL\" offcycle.dump, then run \
         `server verify-audit` against it"
    )]
    UsePgTools,
    /// The target exists: a backup or restore never overwrites anything.
    #[error("{0} already exists: a backup or restore never replaces a file; choose a new name")]
    Exists(PathBuf),
    /// The database URL names no file.
    #[error("DATABASE_URL must name a SQLite file (sqlite://path/offcycle.db)")]
    NotAFile,
    /// The copy does not hold an intact audit chain.
    #[error("the copy's audit chain is broken at row {row}: {reason}")]
    Broken {
        /// The first row that does not verify.
        row: i64,
        /// Why.
        reason: String,
    },
    /// The database refused or failed.
    #[error("database: {0}")]
    Database(#[from] sqlx::Error),
    /// The copy could not be opened or migrated.
    #[error("{0}")]
    Open(#[from] OpenError),
    /// A file operation failed.
    #[error("{0}")]
    Io(#[from] std::io::Error),
}

/// The file a `sqlite:` URL names.
pub fn sqlite_path(url: &str) -> Option<PathBuf> {
    let rest = url.strip_prefix("sqlite://").or_else(|| url.strip_prefix("sqlite:"))?;
    let path = rest.split('?').next().filter(|p| !p.is_empty() && *p != ":memory:")?;
    Some(PathBuf::from(path))
}

async fn verified(path: &Path) -> Result<ChainHead, BackupError> {
    let copy = Db::open(&format!("sqlite://{}", path.display())).await?;
    let outcome = verify_audit_chain(&copy, None).await;
    copy.close().await;
    match outcome? {
        Ok(head) => Ok(head),
        Err(b) => Err(BackupError::Broken { row: b.row_id, reason: b.reason }),
    }
}

impl Db {
    /// Writes a consistent copy of the database to `file` (a new file) while it serves, and
    /// verifies the copy's audit chain. PostgreSQL: [`BackupError::UsePgTools`].
    pub async fn backup(&self, file: &Path) -> Result<ChainHead, BackupError> {
        let Db::Sqlite { pool, .. } = self else { return Err(BackupError::UsePgTools) };
        if file.exists() {
            return Err(BackupError::Exists(file.to_path_buf()));
        }
        if let Some(parent) = file.parent().filter(|p| !p.as_os_str().is_empty()) {
            std::fs::create_dir_all(parent)?;
        }
        let target = file.to_str().ok_or(BackupError::NotAFile)?;
        // `VACUUM INTO` writes the copy, which a read connection refuses (`query_only`): the
        // backup takes a connection out of the read pool for good, so it never queues behind the
        // writer nor makes the writer wait, and no writable connection goes back to the pool.
        let mut own = pool.acquire().await?.detach();
        sqlx::query("PRAGMA query_only = OFF").execute(&mut own).await?;
        sqlx::query("VACUUM INTO $1").bind(target).execute(&mut own).await?;
        verified(file).await
    }

    /// Whether the database answers and holds every migration this build knows (`/readyz`).
    pub async fn is_ready(&self) -> bool {
        let known = match self {
            Db::Sqlite { .. } => sqlx::migrate!("./migrations/sqlite").iter().count(),
            Db::Postgres(_) => sqlx::migrate!("./migrations/postgres").iter().count(),
        } as i64;
        let applied: Result<(i64,), sqlx::Error> = super::on_pool!(self, pool => sqlx::query_as(
            "SELECT COUNT(*) FROM _sqlx_migrations WHERE success = TRUE",
        )
        .fetch_one(pool)
        .await);
        matches!(applied, Ok((n,)) if n >= known)
    }
}

/// Restores a backup into the new SQLite database `database_url` names (it must not exist
/// yet): copies the file, checks its audit chain, and brings it to this build's migrations.
pub async fn restore(backup: &Path, database_url: &str) -> Result<ChainHead, BackupError> {
    if database_url.starts_with("postgres:") || database_url.starts_with("postgresql:") {
        return Err(BackupError::UsePgTools);
    }
    let target = sqlite_path(database_url).ok_or(BackupError::NotAFile)?;
    if target.exists() {
        return Err(BackupError::Exists(target));
    }
    if let Some(parent) = target.parent().filter(|p| !p.as_os_str().is_empty()) {
        std::fs::create_dir_all(parent)?;
    }
    // create_new: never replaces a file that appeared in between.
    let mut from = std::fs::File::open(backup)?;
    let mut to = std::fs::OpenOptions::new().write(true).create_new(true).open(&target)?;
    std::io::copy(&mut from, &mut to)?;
    to.sync_all()?;
    verified(&target).await
}

/// Records an applied migration `version` this build does not have (tests: what a newer
/// release leaves behind).
#[doc(hidden)]
pub async fn record_future_migration_for_test(db: &Db, version: i64) {
    super::on_writer!(db, pool => sqlx::query(
        "INSERT INTO _sqlx_migrations (version, description, success, checksum, execution_time) \
         VALUES ($1, 'from a newer release', TRUE, $2, 0)",
    )
    .bind(version)
    .bind(vec![0u8; 48])
    .execute(pool)
    .await
    .map(|_| ()))
    .expect("the migration table takes a row");
}
