//! The people and accounts ports: administration, sessions, tokens, webhooks; signing in.

use super::*;
use crate::domain::access::NewToken;
use crate::domain::webhook::NewWebhook;

/// A change an admin makes to a person.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PersonChange {
    /// A new role.
    Role(crate::domain::roles::Role),
    /// A new team (or none).
    Team(Option<i64>),
    /// Deactivate (their sessions and tokens end at once) or reactivate.
    Active(bool),
}

/// People and teams: the admins' directory, invitations and stakeholder lists. One implementation per database backend.
#[async_trait]
pub trait People: Send + Sync {
    /// Everyone, by name.
    async fn people(&self) -> Result<Vec<PersonView>, StoreError>;
    /// Every team: (id, name).
    async fn teams(&self) -> Result<Vec<(i64, String)>, StoreError>;
    /// Creates a team, audited; `None` when the name is taken.
    async fn create_team(
        &self,
        name: &crate::domain::roles::TeamName,
        acting: &Acting<'_>,
    ) -> Result<Option<i64>, StoreError>;
    /// Invites a person (no password yet; the invitation's set-password link is made when it
    /// is sent); `None` when the email is taken.
    async fn invite(
        &self,
        person: &crate::domain::roles::NewPerson,
        way: &crate::domain::notify::SignInWay<'_>,
        acting: &Acting<'_>,
    ) -> Result<Option<i64>, StoreError>;
    /// Sends a new set-password link; `false` for an unknown or inactive person.
    async fn resend_invitation(
        &self,
        user_id: i64,
        way: &crate::domain::notify::SignInWay<'_>,
        acting: &Acting<'_>,
    ) -> Result<bool, StoreError>;
    /// Changes a person, audited; `false` when there is no such person.
    async fn change_person(&self, user_id: i64, change: &PersonChange, acting: &Acting<'_>)
        -> Result<bool, StoreError>;
    /// Every team's settings.
    async fn team_settings(&self) -> Result<Vec<TeamSettings>, StoreError>;
    /// Replaces a team's settings, audited; `false` for an unknown team.
    async fn set_team_settings(&self, settings: &TeamSettings, acting: &Acting<'_>) -> Result<bool, StoreError>;
}

/// A person's sessions and personal API tokens. One implementation per database backend.
#[async_trait]
pub trait Sessions: Send + Sync {
    /// A person's open sessions.
    async fn sessions_of(&self, user_id: i64) -> Result<Vec<SessionView>, StoreError>;
    /// Ends one of a person's sessions.
    async fn end_session_of(&self, user_id: i64, id: &str) -> Result<bool, StoreError>;
    /// A person's working API tokens.
    async fn tokens_of(&self, user_id: i64, now: DateTime<Utc>) -> Result<Vec<TokenView>, StoreError>;
    /// Makes a new API token (256 bits from the operating system, with a recognisable
    /// `ofc_` prefix for secret scanners), stores its hash, and returns it: the only time
    /// anyone sees it.
    async fn create_token(&self, token: &NewToken, acting: &Acting<'_>) -> Result<String, StoreError>;
    /// Revokes one of a person's API tokens.
    async fn revoke_token(&self, id: i64, acting: &Acting<'_>) -> Result<bool, StoreError>;
}

/// Where request events are posted. One implementation per database backend.
#[async_trait]
pub trait Webhooks: Send + Sync {
    /// Active webhooks.
    async fn webhooks(&self) -> Result<Vec<WebhookView>, StoreError>;
    /// The newest webhook deliveries.
    async fn webhook_deliveries(&self, limit: i64) -> Result<Vec<MailView>, StoreError>;
    /// Adds a webhook (its secret made here, returned once), audited.
    async fn add_webhook(&self, hook: &NewWebhook, acting: &Acting<'_>) -> Result<String, StoreError>;
    /// Turns a webhook off, audited.
    async fn remove_webhook(&self, id: i64, acting: &Acting<'_>) -> Result<bool, StoreError>;
}

/// Everything administration reaches: people, sessions and tokens, webhooks.
pub trait Administration: People + Sessions + Webhooks {}

impl<T: People + Sessions + Webhooks> Administration for T {}

/// A session that sign-in created: the raw cookie value (only ever sent to the browser).
#[derive(Clone, Debug)]
pub struct NewSession {
    /// The secret cookie value; the database keeps only its SHA-256.
    pub token: String,
    /// Who signed in.
    pub user: SessionUser,
}

/// Sign-in and sign-out. Password hashing and session storage live behind this.
#[async_trait]
pub trait Accounts: Send + Sync {
    /// Checks the password and opens a new session (a fresh ID: never reuse one from before sign-in).
    async fn sign_in(&self, email: &str, password: &str, source: &str) -> Result<NewSession, AppError>;
    /// Ends the session on the server; where to go next when the identity provider opened it
    /// and offers RP-initiated logout (its `end_session_endpoint`).
    async fn sign_out(&self, session_token_hash: &str) -> Result<Option<String>, AppError>;
    /// Whose set-password link this is, while it works: the email address.
    async fn password_link(&self, token: &str) -> Result<Option<String>, AppError>;
    /// Sets a password from a link (policy checked: field errors on `password`).
    async fn set_password(&self, token: &str, password: &str, source: &str) -> Result<(), AppError>;
}

/// SHA-256 of a secret token (sessions, decision links), hex: what the database keeps
/// instead of the token.
pub fn token_hash(token: &str) -> String {
    use sha2::Digest;
    hex::encode(sha2::Sha256::digest(token.as_bytes()))
}
