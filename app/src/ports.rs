//! What server functions need from the outside world, as traits the `server` crate implements
//! (storage, accounts). Server functions reach them through Leptos context; only under `ssr`.

use crate::api::types::{
    AbsenceView, ArchiveCopyView, ArchiveRow, AttachmentView, AuditView, CommentView, MailView, PersonView, QueueItem,
    RequestSummary, SessionUser, SessionView, SignOffView, TeamSettings, TokenView, VersionInfo, WebhookView,
};
use crate::domain::cr_form::CrForm;
use crate::domain::forms::StartRequest;
use crate::domain::plan::Plan;
use crate::domain::quorum::Cor;
use crate::domain::reference::Reference;
use crate::domain::workflow::{Request, Transition, TriageAnswers};
use crate::error::AppError;
use async_trait::async_trait;
use chrono::{DateTime, Utc};

mod context;
mod people;
pub use context::*;
pub use people::*;

/// A storage failure. Details go to the log; the person sees [`AppError::Internal`].
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// Someone else wrote first (optimistic concurrency).
    #[error("conflict: {0}")]
    Conflict(String),
    /// The decision link was used, voided or expired before this commit (nothing written).
    #[error("the decision link is spent")]
    LinkSpent,
    /// The database refused or failed.
    #[error("database: {0}")]
    Backend(String),
    /// The database cannot be reached (connection refused or lost, pool timed out).
    #[error("database unavailable: {0}")]
    Unavailable(String),
}

impl From<StoreError> for AppError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::Conflict(_) => AppError::Conflict,
            StoreError::LinkSpent => {
                AppError::Refused("This link has already been used, has expired or was replaced by a newer one".into())
            }
            StoreError::Unavailable(detail) => {
                leptos::logging::warn!("database unavailable: {detail}");
                AppError::Unavailable
            }
            StoreError::Backend(detail) => {
                leptos::logging::error!("storage failure: {detail}");
                AppError::Internal
            }
        }
    }
}

/// Who does something, from where and when: what the audit trail records beside each change
/// the stores make for a person (the request's own transitions carry theirs in [`Commit`]).
#[derive(Clone, Debug)]
pub struct Acting<'a> {
    /// The person.
    pub by: &'a SessionUser,
    /// Where from: the client's address, or "api", "demo", "test".
    pub source: String,
    /// When, by the server's clock.
    pub now: DateTime<Utc>,
}

impl<'a> Acting<'a> {
    /// `by`, from `source`, at `now`.
    pub fn new(by: &'a SessionUser, source: &str, now: DateTime<Utc>) -> Acting<'a> {
        Acting { by, source: source.to_string(), now }
    }
}

/// Change requests themselves: starting, loading, committing a transition, and the people and lists that decisions read. One implementation per database backend.
#[async_trait]
pub trait Requests: Send + Sync {
    /// Starts a draft request with the next reference of `now`'s year, in one transaction
    /// with its audit event.
    async fn start_request(&self, form: &StartRequest, acting: &Acting<'_>) -> Result<RequestSummary, StoreError>;
    /// Starts a request as `start_request` does, once per `key` and person: a call with a key
    /// they used before returns the request that call started, and `true` (a replay).
    async fn start_request_once(
        &self,
        form: &StartRequest,
        key: &str,
        acting: &Acting<'_>,
    ) -> Result<(RequestSummary, bool), StoreError>;
    /// The requests this person started, newest first.
    async fn requests_started_by(&self, user_id: i64) -> Result<Vec<RequestSummary>, StoreError>;
    /// The requests this hosting engineer is assigned to or started, newest first.
    async fn requests_taken_by(&self, user_id: i64) -> Result<Vec<RequestSummary>, StoreError>;
    /// The requests marked security-related, newest first.
    async fn security_related_requests(&self) -> Result<Vec<RequestSummary>, StoreError>;
    /// The requests this COR approved or rejected, newest first.
    async fn requests_decided_by(&self, cor_id: i64) -> Result<Vec<RequestSummary>, StoreError>;
    /// One request by its reference.
    async fn request_by_reference(&self, reference: Reference) -> Result<Option<RequestSummary>, StoreError>;
    /// Everything the wizard and the domain need about one request.
    async fn load_request(&self, reference: Reference) -> Result<Option<LoadedRequest>, StoreError>;
    /// Persists an allowed transition and all its effects in one transaction. Fails with
    /// [`StoreError::Conflict`] when the request changed since it was loaded.
    async fn commit(&self, commit: Commit<'_>) -> Result<(), StoreError>;
    /// Requests in the states [`crate::domain::access::awaits_decision_of`] gives for a COR, on
    /// which this COR has not decided (the plan and round now submitted).
    async fn awaiting_decision(&self, cor_id: i64) -> Result<Vec<RequestSummary>, StoreError>;
    /// An active person by id.
    async fn active_user(&self, user_id: i64) -> Result<Option<SessionUser>, StoreError>;
    /// The configured CORs with the absences that matter from `now` on.
    async fn configured_cors(&self, now: DateTime<Utc>) -> Result<Vec<Cor>, StoreError>;
    /// The newest outgoing messages (the demo mail viewer).
    async fn recent_mail(&self, limit: i64) -> Result<Vec<MailView>, StoreError>;
    /// Messages whose delivery failed and that are not sent yet (retrying or given up).
    async fn undelivered_mail(&self, limit: i64) -> Result<Vec<MailView>, StoreError>;
}

/// What the hosting team works from: the queue, who can take a request, the teams, the problem log. One implementation per database backend.
#[async_trait]
pub trait QueueStore: Send + Sync {
    /// One page of requests that need the hosting team, longest unchanged first, narrowed by
    /// `query` (keyset pagination: fast on any page).
    async fn hosting_queue(&self, query: &QueueQuery, limit: i64) -> Result<Vec<QueueItem>, StoreError>;
    /// Active hosting engineers and leads: (id, name).
    async fn hosting_engineers(&self) -> Result<Vec<(i64, String)>, StoreError>;
    /// Every team's name.
    async fn team_names(&self) -> Result<Vec<String>, StoreError>;
    /// The problem log across requests, newest first.
    async fn problem_log(&self, limit: i64) -> Result<Vec<crate::domain::execution::Problem>, StoreError>;
}

/// A request's history: plan and CR form versions, its audit trail and its comment thread. One implementation per database backend.
#[async_trait]
pub trait HistoryStore: Send + Sync {
    /// Every saved plan version of a request, newest first.
    async fn plan_history(&self, request_id: i64) -> Result<Vec<VersionInfo>, StoreError>;
    /// One saved plan version; version 0, before the first save, is the empty plan.
    async fn plan_at(&self, request_id: i64, version: i64) -> Result<Option<Plan>, StoreError>;
    /// Every saved CR form version, newest first.
    async fn form_history(&self, request_id: i64) -> Result<Vec<VersionInfo>, StoreError>;
    /// One saved CR form version; version 0, before the first save, is the empty form.
    async fn form_at(&self, request_id: i64, version: i64) -> Result<Option<CrForm>, StoreError>;
    /// A request's audit trail, oldest first.
    async fn audit_trail(&self, request_id: i64) -> Result<Vec<AuditView>, StoreError>;
    /// Adds a comment (plain text) with its audit event, in one transaction.
    async fn add_comment(
        &self,
        request: &LoadedRequest,
        comment: &crate::domain::history::NewComment,
        acting: &Acting<'_>,
    ) -> Result<(), StoreError>;
    /// `limit` comments of a request's thread from `offset`, oldest first.
    async fn comment_page(&self, request_id: i64, offset: i64, limit: i64) -> Result<Vec<CommentView>, StoreError>;
}

/// The archive: search across every request and copies whose folder write fails. One implementation per database backend.
#[async_trait]
pub trait ArchiveStore: Send + Sync {
    /// Requests in any state with their archive copies, most recently changed first, after
    /// `q.after` (descending keyset); each with its (updated_at, id) cursor.
    async fn archive_search(&self, q: &QueueQuery, limit: i64) -> Result<Vec<(ArchiveRow, (i64, i64))>, StoreError>;
    /// Archive copies whose folder write keeps failing.
    async fn archive_folder_problems(&self) -> Result<Vec<ArchiveCopyView>, StoreError>;
}

/// The admin-managed calendar and the changes scheduled on it. One implementation per database backend.
#[async_trait]
pub trait CalendarStore: Send + Sync {
    /// The admin-managed calendar entries.
    async fn calendar_entries(&self) -> Result<Vec<crate::domain::calendar::CalendarEntry>, StoreError>;
    /// Adds a calendar entry (audited); returns its id.
    async fn add_calendar_entry(
        &self,
        entry: &crate::domain::calendar::CalendarEntry,
        acting: &Acting<'_>,
    ) -> Result<i64, StoreError>;
    /// Removes a calendar entry (audited); false when there was none.
    async fn remove_calendar_entry(&self, id: i64, acting: &Acting<'_>) -> Result<bool, StoreError>;
    /// Changes planned between `from` and `to`.
    async fn scheduled_changes(
        &self,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> Result<Vec<crate::api::types::ScheduledChange>, StoreError>;
}

/// The CORs' side: decision links and out-of-office periods. One implementation per database backend.
#[async_trait]
pub trait ApprovalStore: Send + Sync {
    /// A decision link by the SHA-256 of its token.
    async fn decision_link(&self, token_hash: &str) -> Result<Option<DecisionLink>, StoreError>;
    /// Notes that a decision link's page was shown (the first time counts).
    async fn decision_link_opened(&self, token_hash: &str, at: DateTime<Utc>) -> Result<(), StoreError>;
    /// A sign-off link by the SHA-256 of its token.
    async fn sign_off_link(&self, token_hash: &str) -> Result<Option<SignOffInvitation>, StoreError>;
    /// Notes that a sign-off link's page was shown (the first time counts).
    async fn sign_off_link_opened(&self, token_hash: &str, at: DateTime<Utc>) -> Result<(), StoreError>;
    /// Every recorded out-of-office period.
    async fn absences(&self) -> Result<Vec<AbsenceView>, StoreError>;
    /// Records an out-of-office period, audited.
    async fn add_absence(
        &self,
        cor: i64,
        absence: &crate::domain::quorum::NewAbsence,
        acting: &Acting<'_>,
    ) -> Result<(), StoreError>;
    /// Removes one, audited; `false` when there was none.
    async fn remove_absence(&self, id: i64, acting: &Acting<'_>) -> Result<bool, StoreError>;
}

/// Everything the pages and the application service read and write about change requests.
pub trait RequestStore:
    Requests + QueueStore + HistoryStore + ArchiveStore + CalendarStore + ApprovalStore + OperationLibrary
{
}

impl<T: Requests + QueueStore + HistoryStore + ArchiveStore + CalendarStore + ApprovalStore + OperationLibrary>
    RequestStore for T
{
}

/// The hosting team's documented operations. One implementation per database backend.
#[async_trait]
pub trait OperationLibrary: Send + Sync {
    /// The newest version of every operation, by name.
    async fn operations(&self) -> Result<Vec<crate::api::types::OperationView>, StoreError>;
    /// One version, by id.
    async fn operation(&self, id: i64) -> Result<Option<crate::api::types::OperationView>, StoreError>;
    /// Saves `steps` as the next version of `name` (names compared without case), audited;
    /// returns the new version's id.
    async fn save_operation(
        &self,
        operation: &crate::domain::plan::library::NewOperation,
        acting: &Acting<'_>,
    ) -> Result<i64, StoreError>;
}

/// The storage traits, for code that calls them on a concrete store.
pub mod prelude {
    pub use super::{
        Acting, Administration, ApprovalStore, ArchiveStore, CalendarStore, HistoryStore, People, QueueStore,
        RequestStore, Requests, Sessions, Webhooks,
    };
}

/// `text` as a `LIKE` pattern (escaped with `\\`) matching it anywhere, lower-cased; wildcards
/// typed by people are literal. Empty for empty text.
pub fn contains_pattern(text: &str) -> String {
    let t = text.trim().to_lowercase();
    if t.is_empty() {
        return String::new();
    }
    let escaped = t.replace('\\', "\\\\").replace('%', "\\%").replace('_', "\\_");
    format!("%{escaped}%")
}

/// The hosting queue's narrowing, as storage applies it (already parsed and escaped).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct QueueQuery {
    /// One state, or every state the list shows.
    pub state: Option<crate::domain::workflow::State>,
    /// `LIKE` pattern for the system (escaped with `\`), or empty.
    pub system_like: String,
    /// Team name, or empty.
    pub team: String,
    /// Updated at or after (Unix ms).
    pub from_ms: i64,
    /// Updated before (Unix ms).
    pub to_ms: i64,
    /// A reference (exact), or empty.
    pub reference: String,
    /// Text the title must contain (lower-cased, taken literally), or empty. Storage answers it
    /// from a trigram or words index where one applies; the meaning stays "contains".
    pub title_contains: String,
    /// Only requests assigned to this user.
    pub assigned_to: Option<i64>,
    /// Only unassigned requests.
    pub unassigned: bool,
    /// Start after this (updated_at, id).
    pub after: (i64, i64),
    /// Regular changes whose maintenance window opened before this (Unix ms) are left out
    /// (`i64::MIN` keeps them all; one with no window is always kept).
    pub regular_windows_since_ms: i64,
}

/// An emailed decision link, as stored (the token itself never is).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DecisionLink {
    /// The request it is for.
    pub reference: String,
    /// The COR it is for.
    pub cor_id: i64,
    /// The plan version it is bound to.
    pub plan_hash: String,
    /// When it stops working.
    pub expires_at: DateTime<Utc>,
    /// When it was used, if it was.
    pub used_at: Option<DateTime<Utc>>,
    /// When a plan edit voided it, if one did.
    pub voided_at: Option<DateTime<Utc>>,
}

/// A sign-off invitation as its emailed link finds it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SignOffInvitation {
    /// The request it is for.
    pub reference: String,
    /// The capacity asked for.
    pub role: crate::domain::workflow::SignOffRole,
    /// The person asked.
    pub invitee_id: i64,
    /// When it stops working.
    pub expires_at: DateTime<Utc>,
    /// When it was used, if it was.
    pub used_at: Option<DateTime<Utc>>,
    /// When the dev team asked someone else (or the capacity was signed), if it happened.
    pub withdrawn_at: Option<DateTime<Utc>>,
}

impl SignOffInvitation {
    /// What the domain checks before the link may sign, with the name its holder typed.
    pub fn link(&self, signature: &str) -> crate::domain::workflow::SignOffLink {
        crate::domain::workflow::SignOffLink {
            role: self.role,
            expires_at: self.expires_at,
            used_at: self.used_at,
            withdrawn: self.withdrawn_at.is_some(),
            signature: signature.trim().to_string(),
        }
    }
}

impl DecisionLink {
    /// What the domain checks before the link may decide.
    pub fn standing(&self) -> crate::domain::quorum::LinkStanding {
        crate::domain::quorum::LinkStanding {
            plan_hash: crate::domain::plan::PlanHash(self.plan_hash.clone()),
            expires_at: self.expires_at,
            used_at: self.used_at,
            voided: self.voided_at.is_some(),
        }
    }
}

/// One request as loaded for a decision: the domain snapshot plus what the pages show.
#[derive(Clone, Debug)]
pub struct LoadedRequest {
    /// Database id.
    pub id: i64,
    /// Bumped by every commit (optimistic concurrency).
    pub row_version: i64,
    /// The summary.
    pub summary: RequestSummary,
    /// What the domain decides on.
    pub snapshot: Request,
    /// The current plan.
    pub plan: Plan,
    /// Its version number (0: no plan saved yet).
    pub plan_version: i64,
    /// The CR form as saved.
    pub form: CrForm,
    /// Its version number.
    pub form_version: i64,
    /// The triage answers, once given.
    pub triage: Option<TriageAnswers>,
    /// What was changed in staging.
    pub staging_notes: String,
    /// Staging sign-offs.
    pub sign_offs: Vec<SignOffView>,
    /// People asked by email to sign off whose links are open.
    pub invitations: Vec<crate::api::types::SignOffInvitationView>,
    /// When the dev team last asked hosting for a call.
    pub assistance_requested_at: Option<DateTime<Utc>>,
    /// When hosting last recorded as held a call the dev team asked for.
    pub call_held_at: Option<DateTime<Utc>>,
    /// Comments from hosting when returned.
    pub returned_comments: Option<String>,
    /// The maintenance window a regular change is queued for.
    pub queued_window: Option<DateTime<Utc>>,
    /// When the dev team submitted it for review.
    pub submitted_at: Option<DateTime<Utc>>,
    /// Staging evidence files.
    pub attachments: Vec<AttachmentView>,
    /// The hosting team's latest risk review.
    pub risk_review: Option<crate::domain::review::RiskReview>,
    /// The assigned hosting engineer's name.
    pub assigned_name: Option<String>,
    /// How many comments its thread has (the thread itself loads page by page).
    pub comment_count: i64,
    /// The production execution log, oldest first.
    pub execution: Vec<crate::domain::execution::StepMark>,
    /// When production work started.
    pub implementation_started_at: Option<DateTime<Utc>>,
    /// Why it started outside the production window, if it did.
    pub override_reason: Option<String>,
    /// The closing note: the dev team's validation, the rollback reason or the withdrawal reason.
    pub closing_note: Option<String>,
    /// The post-deployment review, once recorded.
    pub post_review: Option<crate::domain::execution::PostReview>,
    /// Problems logged against this request, oldest first.
    pub problems: Vec<crate::domain::execution::Problem>,
}

/// Everything a commit writes.
#[derive(Clone, Copy, Debug)]
pub struct Commit<'a> {
    /// The request as loaded.
    pub request: &'a LoadedRequest,
    /// Who acted.
    pub actor: &'a SessionUser,
    /// From where.
    pub source: &'a str,
    /// When.
    pub now: DateTime<Utc>,
    /// What the domain decided.
    pub transition: &'a Transition,
    /// The snapshot after the transition.
    pub after: &'a Request,
    /// The new plan, with a `NewPlanVersion` effect.
    pub plan: Option<&'a Plan>,
    /// The new form, with a `FormUpdated` effect.
    pub form: Option<&'a CrForm>,
    /// The triage answers, with a triage transition.
    pub triage: Option<&'a TriageAnswers>,
    /// The risk review, with a risk-review transition.
    pub risk_review: Option<&'a crate::domain::review::RiskReview>,
    /// The evidence file's bytes, with an `AttachEvidence` effect.
    pub attachment: Option<&'a [u8]>,
    /// The public address, for links in messages.
    pub public_url: &'a str,
    /// The emailed link this action spends, if it came by one.
    pub link: Option<EmailedLink<'a>>,
}

/// A personal emailed link an action comes by, as the SHA-256 of its token: the commit spends
/// it in the action's own transaction (single use).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EmailedLink<'a> {
    /// A COR's decision link.
    Decision(&'a str),
    /// A sign-off link.
    SignOff(&'a str),
}
