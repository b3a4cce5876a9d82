//! People administration: listing, inviting (a set-password link made at send time),
//! roles, teams, deactivation, stakeholder lists; set-password links. The administration's
//! other ports are implemented beside it: sessions and tokens in `sessions.rs`, webhooks in
//! `webhooks.rs`.

use super::audit::audited;
use super::audit::{audited_as, done_by};
use super::{millis, on_pool, on_writer, parsed, ported, AuditEvent, Store};
use app::api::types::{PersonView, TeamSettings};
use app::domain::notify::SignInWay;
use app::domain::roles::{NewPerson, Role, TeamName};
use app::ports::Acting;
use app::ports::PersonChange;
use app::ports::StoreError;
use chrono::{DateTime, Utc};

/// Queues an invitation (or a new set-password link) inside transaction `$tx`.
macro_rules! queue_invitation {
    ($tx:ident, $user_id:expr, $email:expr, $name:expr, $role:expr, $way:expr, $at:expr) => {{
        let body = app::domain::notify::invitation_text($name, $role, $way);
        sqlx::query(
            "INSERT INTO outbox (request_id, kind, subject, to_addrs, cc_addrs, reasons, body_text, created_at, user_id) \
             VALUES (NULL, 'invitation', 'Offcycle - your access', $1, '', $2, $3, $4, $5)",
        )
        .bind($email)
        .bind(super::to_json(&["An admin gave you access to Offcycle"])?)
        .bind(body)
        .bind($at)
        .bind($user_id)
        .execute(&mut *$tx)
        .await?;
    }};
}

type PersonRow = (i64, String, String, String, Option<i64>, Option<String>, bool, bool, bool, String);

impl Store {
    /// The first admin, from the command line: creates an admin (or makes the person with this
    /// email an active admin), spends their open set-password links and stores a new one's
    /// hash, audited. Returns their id and whether they were created.
    pub async fn create_admin(
        &self,
        email: &str,
        name: &str,
        token_hash: &str,
        now: DateTime<Utc>,
        expires: DateTime<Utc>,
    ) -> Result<(i64, bool), sqlx::Error> {
        let at = millis(now);
        audited!(&self.db, tx => {
            let created: Option<(i64,)> = sqlx::query_as(
                "INSERT INTO users (email, display_name, role, team_id, password_hash, active, created_at) \
                 VALUES ($1, $2, 'admin', NULL, NULL, TRUE, $3) ON CONFLICT (email) DO NOTHING RETURNING id",
            )
            .bind(email)
            .bind(name)
            .bind(at)
            .fetch_optional(&mut *tx)
            .await?;
            let (id, was_created) = match created {
                Some((id,)) => (id, true),
                None => {
                    let (id,): (i64,) = sqlx::query_as(
                        "UPDATE users SET role = 'admin', active = TRUE WHERE email = $1 RETURNING id",
                    )
                    .bind(email)
                    .fetch_one(&mut *tx)
                    .await?;
                    (id, false)
                }
            };
            sqlx::query("UPDATE password_tokens SET used_at = $1 WHERE user_id = $2 AND used_at IS NULL")
                .bind(at)
                .bind(id)
                .execute(&mut *tx)
                .await?;
            sqlx::query("INSERT INTO password_tokens (token_hash, user_id, created_at, expires_at) VALUES ($1, $2, $3, $4)")
                .bind(token_hash)
                .bind(id)
                .bind(at)
                .bind(millis(expires))
                .execute(&mut *tx)
                .await?;
            let detail = if was_created { format!("{email} created as admin") } else { format!("{email} made an admin") };
            ((id, was_created), AuditEvent::success(at, None, None, "Admin created", format!("{detail}; set-password link issued"), "command line"))
        })
    }

    /// How many active admins there are (a start with none says how to make the first).
    pub async fn active_admins(&self) -> Result<i64, sqlx::Error> {
        let (n,): (i64,) = on_pool!(&self.db, pool => sqlx::query_as(
            "SELECT COUNT(*) FROM users WHERE role = 'admin' AND active = TRUE",
        )
        .fetch_one(pool)
        .await)?;
        Ok(n)
    }

    /// Stores a set-password link's hash for an invitation being sent.
    pub async fn create_password_link(
        &self,
        user_id: i64,
        token_hash: &str,
        now: DateTime<Utc>,
        expires: DateTime<Utc>,
    ) -> Result<(), sqlx::Error> {
        on_writer!(&self.db, pool => sqlx::query(
            "INSERT INTO password_tokens (token_hash, user_id, created_at, expires_at) VALUES ($1, $2, $3, $4)",
        )
        .bind(token_hash)
        .bind(user_id)
        .bind(millis(now))
        .bind(millis(expires))
        .execute(pool)
        .await
        .map(|_| ()))
    }

    /// Whose set-password link this is, while it still works: (user id, email).
    pub(crate) async fn password_link(
        &self,
        token_hash: &str,
        now: DateTime<Utc>,
    ) -> Result<Option<(i64, String)>, sqlx::Error> {
        on_pool!(&self.db, pool => sqlx::query_as(
            "SELECT u.id, u.email FROM password_tokens p JOIN users u ON u.id = p.user_id \
             WHERE p.token_hash = $1 AND p.used_at IS NULL AND p.expires_at > $2 AND u.active = TRUE",
        )
        .bind(token_hash)
        .bind(millis(now))
        .fetch_optional(pool)
        .await)
    }

    /// Sets a password from a link: spends the link, ends the person's sessions, audited.
    /// `Ok(false)` when the link was spent meanwhile.
    pub(crate) async fn set_password(
        &self,
        token_hash: &str,
        user_id: i64,
        password_hash: &str,
        source: &str,
        now: DateTime<Utc>,
    ) -> Result<bool, sqlx::Error> {
        let at = millis(now);
        audited!(&self.db, tx => {
            let spent = sqlx::query("UPDATE password_tokens SET used_at = $1 WHERE token_hash = $2 AND user_id = $3 AND used_at IS NULL AND expires_at > $1")
                .bind(at)
                .bind(token_hash)
                .bind(user_id)
                .execute(&mut *tx)
                .await?
                .rows_affected();
            if spent == 0 {
                return Ok(false);
            }
            sqlx::query("UPDATE users SET password_hash = $1 WHERE id = $2").bind(password_hash).bind(user_id).execute(&mut *tx).await?;
            // Every other open link of theirs is spent too: an older invitation in a mailbox
            // must not set the password again.
            sqlx::query("UPDATE password_tokens SET used_at = $1 WHERE user_id = $2 AND used_at IS NULL")
                .bind(at)
                .bind(user_id)
                .execute(&mut *tx)
                .await?;
            sqlx::query("DELETE FROM sessions WHERE user_id = $1").bind(user_id).execute(&mut *tx).await?;
            (true, AuditEvent::success(at, Some(user_id), None, "Password set", "password set from a set-password link".to_string(), source))
        })
    }
}

#[async_trait::async_trait]
impl app::ports::People for Store {
    /// Everyone, by name.
    async fn people(&self) -> Result<Vec<PersonView>, StoreError> {
        ported(async {
            let rows: Vec<PersonRow> = on_pool!(&self.db, pool => sqlx::query_as(
                "SELECT u.id, u.email, u.display_name, u.role, u.team_id, t.name, u.active, u.password_hash IS NOT NULL, \
                 EXISTS (SELECT 1 FROM identities i WHERE i.user_id = u.id), u.role_source \
                 FROM users u LEFT JOIN teams t ON t.id = u.team_id ORDER BY u.display_name, u.id",
            )
            .fetch_all(pool)
            .await)?;
            // A person whose role does not decode is a storage fault, not someone left off the list.
            rows.into_iter()
                .map(|(id, email, name, role, team_id, team, active, has_password, linked, role_source)| {
                    use app::domain::identity::Source;
                    let at = format!("user {id}");
                    let source = parsed(&at, "users.role_source", &role_source, Source::parse)?;
                    Ok(PersonView {
                        id,
                        email,
                        name,
                        role: parsed(&at, "users.role", &role, Role::parse)?,
                        team_id,
                        team,
                        active,
                        has_password,
                        linked,
                        role_from_provider: source == Source::Provider,
                    })
                })
                .collect()
        })
        .await
    }

    /// Every team: (id, name).
    async fn teams(&self) -> Result<Vec<(i64, String)>, StoreError> {
        ported(async {
            on_pool!(&self.db, pool => sqlx::query_as("SELECT id, name FROM teams ORDER BY name").fetch_all(pool).await)
        })
        .await
    }

    /// Creates a team, audited; `Ok(None)` when the name is taken.
    async fn create_team(&self, name: &TeamName, acting: &Acting<'_>) -> Result<Option<i64>, StoreError> {
        let name = name.as_str();
        audited_as!(&self.db, acting, tx => {
            let id: Option<(i64,)> = sqlx::query_as("INSERT INTO teams (name) VALUES ($1) ON CONFLICT (name) DO NOTHING RETURNING id")
                .bind(name)
                .fetch_optional(&mut *tx)
                .await?;
            let Some((id,)) = id else { return Ok(None) };
            (Some(id), done_by(acting, "Team created", format!("team {name}")))
        })
    }

    /// Invites a person: creates them without a password and queues the invitation, whose
    /// set-password link the mail worker makes when it sends. `Ok(None)` when the email is taken.
    async fn invite(
        &self,
        person: &NewPerson,
        way: &SignInWay<'_>,
        acting: &Acting<'_>,
    ) -> Result<Option<i64>, StoreError> {
        let NewPerson { email, name, role, team_id } = person;
        let role = *role;
        audited_as!(&self.db, acting, tx, at => {
            let id: Option<(i64,)> = sqlx::query_as(
                "INSERT INTO users (email, display_name, role, team_id, password_hash, active, created_at) \
                 VALUES ($1, $2, $3, $4, NULL, TRUE, $5) ON CONFLICT (email) DO NOTHING RETURNING id",
            )
            .bind(email)
            .bind(name)
            .bind(role.as_str())
            .bind(team_id)
            .bind(at)
            .fetch_optional(&mut *tx)
            .await?;
            let Some((id,)) = id else { return Ok(None) };
            queue_invitation!(tx, id, email, name, role, way, at);
            (Some(id), done_by(acting, "Person invited", format!("{email} invited as {}", role.label())))
        })
    }

    /// Sends a person a new set-password link (their old links stop working).
    async fn resend_invitation(
        &self,
        user_id: i64,
        way: &SignInWay<'_>,
        acting: &Acting<'_>,
    ) -> Result<bool, StoreError> {
        audited_as!(&self.db, acting, tx, at => {
            // Write first: on SQLite a transaction that reads and then writes fails at once
            // (not after the busy wait) when the mail worker wrote in between.
            sqlx::query("UPDATE password_tokens SET used_at = $1 WHERE user_id = $2 AND used_at IS NULL")
                .bind(at)
                .bind(user_id)
                .execute(&mut *tx)
                .await?;
            let row: Option<(String, String, String)> =
                sqlx::query_as("SELECT email, display_name, role FROM users WHERE id = $1 AND active = TRUE")
                    .bind(user_id)
                    .fetch_optional(&mut *tx)
                    .await?;
            let Some((email, name, role)) = row else { return Ok(false) };
            let role = parsed(&format!("user {user_id}"), "role", &role, Role::parse)?;
            queue_invitation!(tx, user_id, &email, &name, role, way, at);
            (true, done_by(acting, "Set-password link sent", format!("new set-password link for {email}")))
        })
    }

    /// Changes a person, audited. Deactivating ends every session of theirs at once.
    async fn change_person(
        &self,
        user_id: i64,
        change: &PersonChange,
        acting: &Acting<'_>,
    ) -> Result<bool, StoreError> {
        audited_as!(&self.db, acting, tx, at => {
            let (sql, detail) = match change {
                // An admin's choice: a sign-in through the identity provider leaves it alone.
                PersonChange::Role(r) => ("UPDATE users SET role = $1, role_source = $3 WHERE id = $2", format!("role changed to {}", r.label())),
                PersonChange::Team(_) => ("UPDATE users SET team_id = CAST($1 AS BIGINT), team_source = $3 WHERE id = $2", "team changed".to_string()),
                PersonChange::Active(true) => ("UPDATE users SET active = TRUE WHERE id = $2 AND $1 = $1 AND $3 = $3", "reactivated".to_string()),
                PersonChange::Active(false) => ("UPDATE users SET active = FALSE WHERE id = $2 AND $1 = $1 AND $3 = $3", "deactivated".to_string()),
            };
            let value: Option<String> = match change {
                PersonChange::Role(r) => Some(r.as_str().to_string()),
                PersonChange::Team(t) => t.map(|t| t.to_string()),
                PersonChange::Active(_) => Some(String::new()),
            };
            let updated = sqlx::query(sql)
                .bind(value)
                .bind(user_id)
                .bind(app::domain::identity::Source::Admin.as_str())
                .execute(&mut *tx)
                .await?
                .rows_affected();
            if updated == 0 {
                return Ok(false);
            }
            if matches!(change, PersonChange::Active(false)) {
                sqlx::query("DELETE FROM sessions WHERE user_id = $1").bind(user_id).execute(&mut *tx).await?;
                sqlx::query("UPDATE personal_tokens SET revoked_at = $1 WHERE user_id = $2 AND revoked_at IS NULL")
                    .bind(at)
                    .bind(user_id)
                    .execute(&mut *tx)
                    .await?;
            }
            (true, done_by(acting, "Person changed", format!("user {user_id}: {detail}")))
        })
    }

    async fn team_settings(&self) -> Result<Vec<TeamSettings>, StoreError> {
        let rows: Vec<(i64, String, bool)> = ported(async {
            on_pool!(&self.db, pool => sqlx::query_as("SELECT id, stakeholders, one_signer_several_capacities FROM teams ORDER BY name").fetch_all(pool).await)
        })
        .await?;
        Ok(rows
            .into_iter()
            .map(|(team_id, stakeholders, one_signer_several_capacities)| TeamSettings {
                team_id,
                stakeholders,
                one_signer_several_capacities,
            })
            .collect())
    }
    async fn set_team_settings(&self, settings: &TeamSettings, acting: &Acting<'_>) -> Result<bool, StoreError> {
        let TeamSettings { team_id, stakeholders, one_signer_several_capacities: several } = settings;
        let detail = format!(
            "team {team_id}: {} stakeholder addresses; {}",
            app::domain::cr_form::lines(stakeholders).len(),
            if *several {
                "one person may sign off in several capacities"
            } else {
                "a different person signs off each capacity"
            }
        );
        audited_as!(&self.db, acting, tx => {
            let n = sqlx::query("UPDATE teams SET stakeholders = $1, one_signer_several_capacities = $2 WHERE id = $3")
                .bind(stakeholders).bind(several).bind(team_id).execute(&mut *tx).await?.rows_affected();
            if n == 0 {
                return Ok(false);
            }
            (true, done_by(acting, "Team settings changed", detail))
        })
    }
}
