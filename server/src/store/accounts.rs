//! People, teams and sessions.

use super::sessions::record_sign_in;
use super::{on_pool, on_writer, AuditEvent, Db, Store};
use app::api::types::SessionUser;
use app::domain::roles::Role;

type UserRow = (i64, String, String, String, Option<i64>, Option<String>);
/// A session's created and last-seen times, then its person as in [`UserRow`].
type SessionRow = (i64, i64, i64, String, String, String, Option<i64>, Option<String>);
/// A user row plus their password hash.
type CandidateRow = (i64, String, String, String, Option<i64>, Option<String>, Option<String>);

macro_rules! user_select {
    () => {
        "SELECT u.id, u.email, u.display_name, u.role, u.team_id, t.name FROM users u LEFT JOIN teams t ON t.id = u.team_id "
    };
}

fn user((id, email, display_name, role, team_id, team_name): UserRow) -> Option<SessionUser> {
    Some(SessionUser { id, email, display_name, role: Role::parse(&role)?, team_id, team_name })
}

/// What sign-in needs to know about an email address.
pub struct SignInCandidate {
    /// The person.
    pub user: SessionUser,
    /// Their argon2id PHC string; `None` until they set a password.
    pub password_hash: Option<String>,
}

impl Store {
    /// An active person by email address, with their password hash.
    pub async fn sign_in_candidate(&self, email: &str) -> Result<Option<SignInCandidate>, sqlx::Error> {
        let row: Option<CandidateRow> = on_pool!(&self.db, pool => sqlx::query_as(
            "SELECT u.id, u.email, u.display_name, u.role, u.team_id, t.name, u.password_hash \
             FROM users u LEFT JOIN teams t ON t.id = u.team_id WHERE u.email = $1 AND u.active = TRUE",
        )
        .bind(email)
        .fetch_optional(pool)
        .await)?;
        Ok(row.and_then(|(id, email, name, role, team_id, team_name, hash)| {
            Some(SignInCandidate { user: user((id, email, name, role, team_id, team_name))?, password_hash: hash })
        }))
    }

    /// Opens a session (the token's hash is the key) and records the sign-in.
    pub async fn open_session(
        &self,
        token_hash: &str,
        user_id: i64,
        source: &str,
        now: i64,
    ) -> Result<(), sqlx::Error> {
        on_writer!(&self.db, pool => async {
            let mut tx = pool.begin().await?;
            record_sign_in!(tx, token_hash, user_id, now, source, None::<&str>, "signed in".to_string());
            tx.commit().await
        }.await)
    }

    /// Counts one attempt (a sign-in, an API call without a valid token) under each of `keys`
    /// in `hour`, atomically (one upsert per key), and returns each key's attempts this hour,
    /// this one included.
    pub async fn count_attempt<const N: usize>(&self, keys: &[String; N], hour: i64) -> Result<[i64; N], sqlx::Error> {
        on_writer!(&self.db, pool => async {
            let mut tx = pool.begin().await?;
            let mut counts = [0; N];
            for (key, count) in keys.iter().zip(counts.iter_mut()) {
                let (n,): (i64,) = sqlx::query_as(
                    "INSERT INTO sign_in_throttle (key, hour, attempts) VALUES ($1, $2, 1) \
                     ON CONFLICT (key, hour) DO UPDATE SET attempts = sign_in_throttle.attempts + 1 RETURNING attempts",
                )
                .bind(key)
                .bind(hour)
                .fetch_one(&mut *tx)
                .await?;
                *count = n;
            }
            // The first attempt of a key this hour tidies away the hours before the last.
            if counts[0] == 1 {
                sqlx::query("DELETE FROM sign_in_throttle WHERE hour < $1").bind(hour - 1).execute(&mut *tx).await?;
            }
            tx.commit().await?;
            Ok(counts)
        }.await)
    }

    /// A sign-in that worked: its account and source start afresh (`keys[0]`), and the other
    /// counts forget it, so only failures add up.
    pub async fn settle_sign_in(&self, keys: &[String; 3], hour: i64) -> Result<(), sqlx::Error> {
        on_writer!(&self.db, pool => async {
            let mut tx = pool.begin().await?;
            sqlx::query("DELETE FROM sign_in_throttle WHERE key = $1").bind(&keys[0]).execute(&mut *tx).await?;
            for key in &keys[1..] {
                sqlx::query("UPDATE sign_in_throttle SET attempts = attempts - 1 WHERE key = $1 AND hour = $2 AND attempts > 0")
                    .bind(key)
                    .bind(hour)
                    .execute(&mut *tx)
                    .await?;
            }
            tx.commit().await
        }.await)
    }

    /// Sets a key's attempts this hour (tests: filling a throttle without waiting).
    #[doc(hidden)]
    pub async fn set_sign_in_attempts_for_test(&self, key: &str, hour: i64, attempts: i64) {
        on_writer!(&self.db, pool => sqlx::query(
            "INSERT INTO sign_in_throttle (key, hour, attempts) VALUES ($1, $2, $3) \
             ON CONFLICT (key, hour) DO UPDATE SET attempts = $3",
        )
        .bind(key)
        .bind(hour)
        .bind(attempts)
        .execute(pool)
        .await
        .map(|_| ()))
        .expect("the throttle takes a count");
    }

    /// Records a failed sign-in (the email as typed, never the password).
    pub async fn record_sign_in_failure(
        &self,
        email: &str,
        user_id: Option<i64>,
        source: &str,
        now: i64,
        detail: &str,
    ) -> Result<(), sqlx::Error> {
        let event = AuditEvent {
            at: now,
            actor_id: user_id,
            request_id: None,
            action: "sign_in".into(),
            detail: format!("{detail} for {email}"),
            source: source.into(),
            outcome: "failure".into(),
        };
        self.record(&event).await
    }

    /// The person a session belongs to, if it is still valid; ends it when it has idled or
    /// lived too long. Refreshes `last_seen_at` at most once a minute (fewer writes).
    pub async fn session_user(
        &self,
        token_hash: &str,
        now: i64,
        idle_ms: i64,
        absolute_ms: i64,
    ) -> Result<Option<SessionUser>, sqlx::Error> {
        // One statement for the session and its person: every signed-in page starts here.
        let row: Option<SessionRow> = on_pool!(&self.db, pool => sqlx::query_as(
                "SELECT s.created_at, s.last_seen_at, u.id, u.email, u.display_name, u.role, u.team_id, t.name \
                 FROM sessions s JOIN users u ON u.id = s.user_id LEFT JOIN teams t ON t.id = u.team_id \
                 WHERE s.token_hash = $1 AND u.active = TRUE",
            )
            .bind(token_hash)
            .fetch_optional(pool)
            .await)?;
        let Some((created_at, last_seen_at, id, email, display_name, role, team_id, team_name)) = row else {
            return Ok(None);
        };
        if now - last_seen_at > idle_ms || now - created_at > absolute_ms {
            self.end_session(token_hash).await?;
            return Ok(None);
        }
        if now - last_seen_at > 60_000 {
            on_writer!(&self.db, pool => sqlx::query("UPDATE sessions SET last_seen_at = $1 WHERE token_hash = $2")
                .bind(now)
                .bind(token_hash)
                .execute(pool)
                .await
                .map(|_| ()))?;
        }
        Ok(user((id, email, display_name, role, team_id, team_name)))
    }

    /// An active person by id (a decision link acts as its COR).
    pub async fn active_user(&self, user_id: i64) -> Result<Option<SessionUser>, sqlx::Error> {
        let row: Option<UserRow> = on_pool!(&self.db, pool => sqlx::query_as(concat!(user_select!(), "WHERE u.id = $1 AND u.active = TRUE"))
                .bind(user_id)
                .fetch_optional(pool)
                .await)?;
        Ok(row.and_then(user))
    }

    /// Ends a session on the server.
    pub async fn end_session(&self, token_hash: &str) -> Result<(), sqlx::Error> {
        on_writer!(&self.db, pool => sqlx::query("DELETE FROM sessions WHERE token_hash = $1").bind(token_hash).execute(pool).await.map(|_| ()))?;
        Ok(())
    }

    /// Creates the team if missing; returns its id.
    pub async fn ensure_team(&self, name: &str) -> Result<i64, sqlx::Error> {
        on_writer!(&self.db, pool => async {
            sqlx::query("INSERT INTO teams (name) VALUES ($1) ON CONFLICT (name) DO NOTHING").bind(name).execute(pool).await?;
            let (id,): (i64,) = sqlx::query_as("SELECT id FROM teams WHERE name = $1").bind(name).fetch_one(pool).await?;
            Ok(id)
        }.await)
    }

    /// Creates the person if missing (by email); sets the password hash when given.
    pub async fn ensure_user(
        &self,
        email: &str,
        display_name: &str,
        role: Role,
        team_id: Option<i64>,
        password_hash: Option<&str>,
        now: i64,
    ) -> Result<i64, sqlx::Error> {
        on_writer!(&self.db, pool => async {
            sqlx::query(
                "INSERT INTO users (email, display_name, role, team_id, password_hash, active, created_at) \
                 VALUES ($1, $2, $3, $4, $5, TRUE, $6) ON CONFLICT (email) DO NOTHING",
            )
            .bind(email)
            .bind(display_name)
            .bind(role.as_str())
            .bind(team_id)
            .bind(password_hash)
            .bind(now)
            .execute(pool)
            .await?;
            if let Some(hash) = password_hash {
                sqlx::query("UPDATE users SET password_hash = $1 WHERE email = $2").bind(hash).bind(email).execute(pool).await?;
            }
            let (id,): (i64,) = sqlx::query_as("SELECT id FROM users WHERE email = $1").bind(email).fetch_one(pool).await?;
            Ok(id)
        }.await)
    }

    /// How many people exist (demo seeding runs only on an empty organisation).
    pub async fn user_count(&self) -> Result<i64, sqlx::Error> {
        let (n,): (i64,) =
            on_pool!(&self.db, pool => sqlx::query_as("SELECT COUNT(*) FROM users").fetch_one(pool).await)?;
        Ok(n)
    }

    /// How many requests exist (demo requests are seeded only into an empty list).
    pub async fn request_count(&self) -> Result<i64, sqlx::Error> {
        let (n,): (i64,) =
            on_pool!(&self.db, pool => sqlx::query_as("SELECT COUNT(*) FROM change_requests").fetch_one(pool).await)?;
        Ok(n)
    }

    /// The underlying database.
    pub fn db(&self) -> &Db {
        &self.db
    }
}
