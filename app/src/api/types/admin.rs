//! What the admin and account pages show: people, sessions, tokens, audit, webhooks.

use super::*;

/// A person, as admins see them.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PersonView {
    /// Their id.
    pub id: i64,
    /// Sign-in email.
    pub email: String,
    /// Name.
    pub name: String,
    /// Role.
    pub role: Role,
    /// Team id.
    pub team_id: Option<i64>,
    /// Team name.
    pub team: Option<String>,
    /// False once deactivated.
    pub active: bool,
    /// False until they set a password from their invitation.
    pub has_password: bool,
    /// They sign in through the identity provider (linked by issuer and subject).
    pub linked: bool,
    /// Their role came from the identity provider's groups (a sign-in may change it).
    pub role_from_provider: bool,
}

/// How people may sign in here.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SignInMethods {
    /// The identity provider's label ("Sign in with …"), when OIDC is configured.
    pub provider: Option<String>,
    /// Password sign-in is kept for admins (break-glass).
    pub passwords_for_admins_only: bool,
}

/// The admin page: people and teams.
/// What a team decides for its own changes.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct TeamSettings {
    /// The team.
    pub team_id: i64,
    /// Its standing stakeholders, one email address per line: told when a change of the team's
    /// completes or is rolled back.
    pub stakeholders: String,
    /// One person may sign off staging in several capacities (off: a different person each).
    pub one_signer_several_capacities: bool,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PeopleView {
    /// Everyone.
    pub people: Vec<PersonView>,
    /// Every team: (id, name).
    pub teams: Vec<(i64, String)>,
    /// Each team's settings.
    pub settings: Vec<TeamSettings>,
    /// The admin looking (they cannot deactivate or demote themselves).
    pub me: i64,
}

/// One open session of the signed-in person.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SessionView {
    /// The first 16 hex digits of the session's hash (enough to name it; not the token).
    pub id: String,
    /// When it started.
    pub started: DateTime<Utc>,
    /// When it was last used.
    pub last_seen: DateTime<Utc>,
    /// From where.
    pub source: String,
    /// True for the session making this request.
    pub current: bool,
}

/// A personal access token, as its owner sees it (never the token itself after creation).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TokenView {
    /// Its id.
    pub id: i64,
    /// The owner's name for it.
    pub name: String,
    /// `read`.
    pub scope: String,
    /// Created.
    pub created: DateTime<Utc>,
    /// Expires.
    pub expires: DateTime<Utc>,
    /// Last used, if ever.
    pub last_used: Option<DateTime<Utc>>,
}

/// The account page: sessions and API tokens.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccountView {
    /// Open sessions.
    pub sessions: Vec<SessionView>,
    /// Personal access tokens that still work.
    pub tokens: Vec<TokenView>,
    /// A token just created, shown this once.
    pub new_token: Option<String>,
}

/// One audit event, as a request's trail shows it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditView {
    /// Its sequence number in the chain.
    pub id: i64,
    /// When (UTC).
    pub at: DateTime<Utc>,
    /// Who.
    pub actor: String,
    /// What.
    pub action: String,
    /// Details.
    pub detail: String,
    /// From where.
    pub source: String,
    /// `success` or `failure`.
    pub outcome: String,
}

/// An outgoing webhook, as admins see it (never its secret after creation).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct WebhookView {
    /// Its id.
    pub id: i64,
    /// The team it is for; none: every request.
    pub team: Option<String>,
    /// Where deliveries go.
    pub url: String,
    /// Event keys, or `*` for all.
    pub events: String,
    /// Slack-compatible body (`{"text": …}`).
    pub slack: bool,
}

/// The webhooks page: hooks and their recent deliveries.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct WebhooksView {
    /// Active hooks.
    pub hooks: Vec<WebhookView>,
    /// The newest deliveries (the outbox's webhook rows).
    pub deliveries: Vec<MailView>,
    /// Teams for the form.
    pub teams: Vec<(i64, String)>,
    /// The signing secret of a webhook just added, shown this once.
    pub new_secret: Option<String>,
}
