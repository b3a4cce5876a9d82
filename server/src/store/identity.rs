//! Sign-in through the identity provider: the one-time rows of sign-ins under way, the links
//! between people and the provider's subjects, and the sign-in itself (link or provision, sync
//! the provider's role and team, open the session) in one transaction.

use super::audit::append_audit;
use super::sessions::record_sign_in;
use super::{on_pool, on_writer, AuditEvent, Store};
use app::api::types::SessionUser;
use app::domain::identity::{Assignment, Mapped, Provisioning, Refusal, Source};
use app::domain::roles::Role;

/// The id of the team with this name inside transaction `$tx`, created if missing.
macro_rules! ensure_team_in {
    ($tx:ident, $name:expr) => {{
        sqlx::query("INSERT INTO teams (name) VALUES ($1) ON CONFLICT (name) DO NOTHING")
            .bind($name)
            .execute(&mut *$tx)
            .await?;
        let (id,): (i64,) =
            sqlx::query_as("SELECT id FROM teams WHERE name = $1").bind($name).fetch_one(&mut *$tx).await?;
        id
    }};
}

/// A sign-in under way, as the provider's answer finds it.
#[derive(Clone, Debug)]
pub struct PendingLogin {
    /// The SHA-256 of the pre-login cookie of the browser that started it.
    pub browser_hash: String,
    /// The nonce the ID token must carry.
    pub nonce: String,
    /// The PKCE verifier.
    pub pkce_verifier: String,
    /// Where to go afterwards (already a safe path).
    pub next: String,
    /// When it started (Unix ms).
    pub created_at: i64,
}

/// Who the provider says signed in (already verified).
#[derive(Clone, Debug)]
pub struct ProviderIdentity {
    /// The issuer.
    pub issuer: String,
    /// The subject.
    pub subject: String,
    /// The email address, lower-cased, if the provider gave one.
    pub email: Option<String>,
    /// Whether the provider says it verified that address.
    pub email_verified: bool,
    /// A name to show, if given: one line, a name's length at most ([`NewPerson::provided_name`]).
    pub name: Option<String>,
    /// What the groups claim gives.
    pub mapped: Mapped,
}

/// Ten minutes to come back from the provider.
pub const LOGIN_TTL_MS: i64 = 10 * 60 * 1000;

type AssignmentRow = (String, String, Option<String>, String, bool);

fn decode(row: AssignmentRow) -> Result<(Assignment, bool), sqlx::Error> {
    let (role, role_source, team, team_source, active) = row;
    let bad = |what: &str, v: &str| sqlx::Error::Decode(format!("users.{what} holds {v:?}").into());
    Ok((
        Assignment {
            role: Role::parse(&role).ok_or_else(|| bad("role", &role))?,
            role_source: Source::parse(&role_source).ok_or_else(|| bad("role_source", &role_source))?,
            team,
            team_source: Source::parse(&team_source).ok_or_else(|| bad("team_source", &team_source))?,
        },
        active,
    ))
}

impl Store {
    /// Records a sign-in started (and forgets the ones that can no longer finish).
    pub async fn begin_oidc_login(&self, state_hash: &str, login: &PendingLogin) -> Result<(), sqlx::Error> {
        on_writer!(&self.db, pool => async {
            let mut tx = pool.begin().await?;
            sqlx::query("DELETE FROM oidc_logins WHERE created_at < $1")
                .bind(login.created_at - LOGIN_TTL_MS)
                .execute(&mut *tx)
                .await?;
            sqlx::query(
                "INSERT INTO oidc_logins (state_hash, browser_hash, nonce, pkce_verifier, next, created_at) \
                 VALUES ($1, $2, $3, $4, $5, $6)",
            )
            .bind(state_hash)
            .bind(&login.browser_hash)
            .bind(&login.nonce)
            .bind(&login.pkce_verifier)
            .bind(&login.next)
            .bind(login.created_at)
            .execute(&mut *tx)
            .await?;
            tx.commit().await
        }.await)
    }

    /// Takes the sign-in with this state out of the table: whatever happens next, it is used.
    pub async fn take_oidc_login(&self, state_hash: &str) -> Result<Option<PendingLogin>, sqlx::Error> {
        let row: Option<(String, String, String, String, i64)> = on_writer!(&self.db, pool => sqlx::query_as(
            "DELETE FROM oidc_logins WHERE state_hash = $1 RETURNING browser_hash, nonce, pkce_verifier, next, created_at",
        )
        .bind(state_hash)
        .fetch_optional(pool)
        .await)?;
        Ok(row.map(|(browser_hash, nonce, pkce_verifier, next, created_at)| PendingLogin {
            browser_hash,
            nonce,
            pkce_verifier,
            next,
            created_at,
        }))
    }

    /// Signs someone in through the provider, in one transaction: finds them by (issuer,
    /// subject), or links an invited account by its verified email, or (just-in-time) creates
    /// one; refuses the deactivated; brings the provider's role and team up to date; opens the
    /// session. Every step audited. `Ok(Err(_))` is a refusal (audited, nothing else written).
    #[allow(clippy::too_many_arguments)]
    pub async fn oidc_sign_in(
        &self,
        who: &ProviderIdentity,
        provisioning: Provisioning,
        session_hash: &str,
        id_token_hint: &str,
        source: &str,
        now: i64,
    ) -> Result<Result<SessionUser, Refusal>, sqlx::Error> {
        let label = format!("{} at {}", who.email.as_deref().unwrap_or("(no email)"), who.issuer);
        let refused = |user_id: Option<i64>, refusal: Refusal, why: &str| AuditEvent {
            outcome: "failure".into(),
            ..AuditEvent::success(
                now,
                user_id,
                None,
                "sign_in",
                format!("identity provider sign-in refused ({}: {why}) for {label}", refusal.key()),
                source,
            )
        };
        let outcome = on_writer!(&self.db, pool => async {
            let mut tx = pool.begin().await?;
            // The write comes first: a SQLite transaction that reads before it writes fails
            // at once when another writer got there in between.
            let linked: Option<(i64,)> = sqlx::query_as(
                "UPDATE identities SET last_sign_in_at = $1 WHERE issuer = $2 AND subject = $3 RETURNING user_id",
            )
            .bind(now)
            .bind(&who.issuer)
            .bind(&who.subject)
            .fetch_optional(&mut *tx)
            .await?;
            let user_id = match linked {
                Some((id,)) => id,
                None => {
                    let Some(email) = who.email.as_deref().filter(|_| who.email_verified) else {
                        let event = refused(None, Refusal::EmailUnverified, "no verified email");
                        append_audit!(tx, &event);
                        tx.commit().await?;
                        return Ok(Err(Refusal::EmailUnverified));
                    };
                    let invited: Option<(i64, bool)> = sqlx::query_as(
                        "SELECT u.id, u.active FROM users u WHERE u.email = $1 \
                         AND NOT EXISTS (SELECT 1 FROM identities i WHERE i.user_id = u.id AND i.issuer = $2)",
                    )
                    .bind(email)
                    .bind(&who.issuer)
                    .fetch_optional(&mut *tx)
                    .await?;
                    let id = match (invited, provisioning) {
                        (Some((id, _)), _) => {
                            let event = AuditEvent::success(now, Some(id), None, "Identity linked", format!("{email} linked to subject {} at {}", who.subject, who.issuer), source);
                            append_audit!(tx, &event);
                            id
                        }
                        (None, Provisioning::JustInTime) => {
                            let a = Assignment::provisioned(&who.mapped);
                            let team_id = match &a.team {
                                Some(team) => Some(ensure_team_in!(tx, team)),
                                None => None,
                            };
                            let created: Option<(i64,)> = sqlx::query_as(
                                "INSERT INTO users (email, display_name, role, team_id, password_hash, active, created_at, role_source, team_source) \
                                 VALUES ($1, $2, $3, $4, NULL, TRUE, $5, 'idp', 'idp') ON CONFLICT (email) DO NOTHING RETURNING id",
                            )
                            .bind(email)
                            .bind(who.name.as_deref().unwrap_or(email))
                            .bind(a.role.as_str())
                            .bind(team_id)
                            .bind(now)
                            .fetch_optional(&mut *tx)
                            .await?;
                            let Some((id,)) = created else {
                                // The address belongs to someone already linked to another subject.
                                let event = refused(None, Refusal::NotInvited, "email already linked to another subject");
                                append_audit!(tx, &event);
                                tx.commit().await?;
                                return Ok(Err(Refusal::NotInvited));
                            };
                            let team = a.team.clone().unwrap_or_else(|| "no team".into());
                            let event = AuditEvent::success(now, Some(id), None, "Person created at sign-in", format!("{email} created from the identity provider as {}, {team}", a.role.label()), source);
                            append_audit!(tx, &event);
                            id
                        }
                        (None, Provisioning::InviteOnly) => {
                            let event = refused(None, Refusal::NotInvited, "not invited");
                            append_audit!(tx, &event);
                            tx.commit().await?;
                            return Ok(Err(Refusal::NotInvited));
                        }
                    };
                    sqlx::query(
                        "INSERT INTO identities (issuer, subject, user_id, created_at, last_sign_in_at) VALUES ($1, $2, $3, $4, $4)",
                    )
                    .bind(&who.issuer)
                    .bind(&who.subject)
                    .bind(id)
                    .bind(now)
                    .execute(&mut *tx)
                    .await?;
                    id
                }
            };
            let row: AssignmentRow = sqlx::query_as(
                "SELECT u.role, u.role_source, t.name, u.team_source, u.active FROM users u \
                 LEFT JOIN teams t ON t.id = u.team_id WHERE u.id = $1",
            )
            .bind(user_id)
            .fetch_one(&mut *tx)
            .await?;
            let (current, active) = decode(row)?;
            if !active {
                let event = refused(Some(user_id), Refusal::Deactivated, "deactivated");
                append_audit!(tx, &event);
                tx.commit().await?;
                return Ok(Err(Refusal::Deactivated));
            }
            let next = current.synced(&who.mapped);
            let changes = current.changes_to(&next);
            if next != current {
                let team_id = match &next.team {
                    Some(team) => Some(ensure_team_in!(tx, team)),
                    None => None,
                };
                sqlx::query("UPDATE users SET role = $1, role_source = $2, team_id = $3, team_source = $4 WHERE id = $5")
                    .bind(next.role.as_str())
                    .bind(next.role_source.as_str())
                    .bind(team_id)
                    .bind(next.team_source.as_str())
                    .bind(user_id)
                    .execute(&mut *tx)
                    .await?;
            }
            for change in changes {
                let event = AuditEvent::success(now, Some(user_id), None, "Person changed", change, source);
                append_audit!(tx, &event);
            }
            record_sign_in!(tx, session_hash, user_id, now, source, id_token_hint, format!("signed in through the identity provider ({})", who.issuer));
            tx.commit().await?;
            Ok::<_, sqlx::Error>(Ok(user_id))
        }.await)?;
        match outcome {
            Ok(user_id) => {
                let user = self.active_user(user_id).await?.ok_or_else(|| sqlx::Error::RowNotFound)?;
                Ok(Ok(user))
            }
            Err(refusal) => Ok(Err(refusal)),
        }
    }

    /// The ID token a session was opened with, if it came through the provider.
    pub async fn session_id_token(&self, token_hash: &str) -> Result<Option<String>, sqlx::Error> {
        let row: Option<(Option<String>,)> = on_pool!(&self.db, pool => sqlx::query_as(
            "SELECT id_token_hint FROM sessions WHERE token_hash = $1",
        )
        .bind(token_hash)
        .fetch_optional(pool)
        .await)?;
        Ok(row.and_then(|(hint,)| hint))
    }
}
