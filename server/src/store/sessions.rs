//! A person's sessions and personal access tokens.

use super::audit::{audited_as, done_by};
use super::{from_millis, millis, on_pool, on_writer, ported, Store};
use app::api::types::{SessionUser, SessionView, TokenView};
use app::domain::access::NewToken;
use app::ports::Acting;
use app::ports::{Sessions, StoreError};
use chrono::{DateTime, Utc};

/// Opens a session in `tx` (the token's hash is its key) and records the sign-in in the audit
/// log, for every way in: a password, or the identity provider, whose ID token is kept as the
/// hint for signing out there too.
macro_rules! record_sign_in {
    ($tx:expr, $session_hash:expr, $user_id:expr, $now:expr, $source:expr, $id_token_hint:expr, $detail:expr) => {{
        sqlx::query(
            "INSERT INTO sessions (token_hash, user_id, created_at, last_seen_at, source, id_token_hint) VALUES ($1, $2, $3, $3, $4, $5)",
        )
        .bind($session_hash)
        .bind($user_id)
        .bind($now)
        .bind($source)
        .bind($id_token_hint)
        .execute(&mut *$tx)
        .await?;
        let event = $crate::store::AuditEvent::success($now, Some($user_id), None, "sign_in", $detail, $source);
        $crate::store::audit::append_audit!($tx, &event);
    }};
}
pub(crate) use record_sign_in;

impl Store {
    /// The active person a token stands for, with its scope; notes its use.
    pub async fn token_user(
        &self,
        token_hash: &str,
        now: DateTime<Utc>,
    ) -> Result<Option<(SessionUser, String)>, sqlx::Error> {
        let at = millis(now);
        let row: Option<(i64, String)> = on_pool!(&self.db, pool => sqlx::query_as(
            "SELECT t.user_id, t.scope FROM personal_tokens t JOIN users u ON u.id = t.user_id \
             WHERE t.token_hash = $1 AND t.revoked_at IS NULL AND t.expires_at > $2 AND u.active = TRUE",
        )
        .bind(token_hash)
        .bind(at)
        .fetch_optional(pool)
        .await)?;
        let Some((user_id, scope)) = row else { return Ok(None) };
        on_writer!(&self.db, pool => sqlx::query("UPDATE personal_tokens SET last_used_at = $1 WHERE token_hash = $2")
            .bind(at)
            .bind(token_hash)
            .execute(pool)
            .await
            .map(|_| ()))?;
        // Someone with no role yet has no API access either.
        Ok(self.active_user(user_id).await?.filter(|u| u.role.has_access()).map(|u| (u, scope)))
    }
}

#[async_trait::async_trait]
impl Sessions for Store {
    /// A person's open sessions, newest first.
    async fn sessions_of(&self, user_id: i64) -> Result<Vec<SessionView>, StoreError> {
        ported(async {
            let rows: Vec<(String, i64, i64, String)> = on_pool!(&self.db, pool => sqlx::query_as(
                "SELECT token_hash, created_at, last_seen_at, source FROM sessions WHERE user_id = $1 ORDER BY created_at DESC",
            )
            .bind(user_id)
            .fetch_all(pool)
            .await)?;
            rows
                .into_iter()
                .map(|(hash, created, seen, source)| Ok(SessionView {
                    id: hash.get(..16).unwrap_or(&hash).to_string(),
                    started: from_millis(created)?,
                    last_seen: from_millis(seen)?,
                    source,
                    current: false,
                }))
                .collect()
        })
        .await
    }

    /// Ends one of a person's sessions, named by the first 16 hex digits of its hash.
    async fn end_session_of(&self, user_id: i64, id_prefix: &str) -> Result<bool, StoreError> {
        ported(async {
            if id_prefix.len() != 16 || !id_prefix.bytes().all(|b| b.is_ascii_hexdigit()) {
                return Ok(false);
            }
            let pattern = format!("{id_prefix}%");
            let n = on_writer!(&self.db, pool => sqlx::query("DELETE FROM sessions WHERE user_id = $1 AND token_hash LIKE $2")
                .bind(user_id)
                .bind(pattern)
                .execute(pool)
                .await
                .map(|r| r.rows_affected()))?;
            Ok(n > 0)
        })
        .await
    }

    /// A person's personal access tokens that still work.
    async fn tokens_of(&self, user_id: i64, now: DateTime<Utc>) -> Result<Vec<TokenView>, StoreError> {
        ported(async {
            let rows: Vec<(i64, String, String, i64, i64, Option<i64>)> = on_pool!(&self.db, pool => sqlx::query_as(
                "SELECT id, name, scope, created_at, expires_at, last_used_at FROM personal_tokens \
                 WHERE user_id = $1 AND revoked_at IS NULL AND expires_at > $2 ORDER BY id DESC",
            )
            .bind(user_id)
            .bind(millis(now))
            .fetch_all(pool)
            .await)?;
            rows.into_iter()
                .map(|(id, name, scope, created, expires, used)| {
                    Ok(TokenView {
                        id,
                        name,
                        scope,
                        created: from_millis(created)?,
                        expires: from_millis(expires)?,
                        last_used: used.map(from_millis).transpose()?,
                    })
                })
                .collect()
        })
        .await
    }

    /// Makes a new personal access token, stores its hash, audited, and returns the token.
    async fn create_token(&self, new: &NewToken, acting: &Acting<'_>) -> Result<String, StoreError> {
        let token = format!("ofc_{}", crate::auth::new_token());
        let token_hash = crate::auth::token_hash(&token);
        audited_as!(&self.db, acting, tx, at => {
            sqlx::query(
                "INSERT INTO personal_tokens (user_id, name, token_hash, scope, created_at, expires_at) VALUES ($1, $2, $3, $4, $5, $6)",
            )
            .bind(acting.by.id)
            .bind(&new.name)
            .bind(&token_hash)
            .bind(new.scope.as_str())
            .bind(at)
            .bind(millis(new.expires_at))
            .execute(&mut *tx)
            .await?;
            (token, done_by(acting, "API token created", format!("token {:?} ({})", new.name, new.scope.as_str())))
        })
    }

    /// Revokes one of a person's tokens, audited.
    async fn revoke_token(&self, id: i64, acting: &Acting<'_>) -> Result<bool, StoreError> {
        audited_as!(&self.db, acting, tx, at => {
            let n = sqlx::query("UPDATE personal_tokens SET revoked_at = $1 WHERE id = $2 AND user_id = $3 AND revoked_at IS NULL")
                .bind(at)
                .bind(id)
                .bind(acting.by.id)
                .execute(&mut *tx)
                .await?
                .rows_affected();
            if n == 0 {
                return Ok(false);
            }
            (true, done_by(acting, "API token revoked", format!("token {id}")))
        })
    }
}
