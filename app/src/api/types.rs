//! Data that travels between server and browser.

use crate::domain::cr_form::CrForm;
use crate::domain::plan::Plan;
use crate::domain::roles::Role;
use crate::domain::sla::ClockStatus;
use crate::domain::tasks::Task;
use crate::domain::workflow::{ActionKind, SignOffRole, State, TriageAnswers};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

mod admin;
mod calendar;
mod operations;
mod sign_off;
pub use admin::*;
pub use calendar::*;
pub use operations::*;
pub use sign_off::*;

/// The signed-in person, as the pages show them.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SessionUser {
    /// Database id.
    pub id: i64,
    /// Sign-in email address.
    pub email: String,
    /// Name shown to others.
    pub display_name: String,
    /// Their role.
    pub role: Role,
    /// Their team, if they belong to one.
    pub team_id: Option<i64>,
    /// Their team's name.
    pub team_name: Option<String>,
}

/// A change request as lists and summaries show it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RequestSummary {
    /// `ECR-2026-0001`.
    pub reference: String,
    /// What the change does.
    pub title: String,
    /// The system that needs it.
    pub system: String,
    /// Where it stands (on the wire as its stored key).
    #[serde(with = "crate::domain::workflow::state_key")]
    pub state: State,
    /// Who started it.
    pub started_by: String,
    /// When it was started.
    pub created_at: DateTime<Utc>,
    /// When it last changed.
    pub updated_at: DateTime<Utc>,
}

/// "Your requests": which list it is, and the requests on it, newest first.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RequestList {
    /// Whose requests these are.
    pub kind: crate::domain::access::YourRequests,
    /// The requests.
    pub requests: Vec<RequestSummary>,
}

/// One outgoing message, as the demo mail viewer shows it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct MailView {
    /// Outbox id.
    pub id: i64,
    /// The request's reference, if any.
    pub reference: Option<String>,
    /// What it is about.
    pub kind: String,
    /// Subject line.
    pub subject: String,
    /// To.
    pub to: Vec<String>,
    /// CC.
    pub cc: Vec<String>,
    /// Why each addressee gets it.
    pub reasons: Vec<String>,
    /// Plain-text body.
    pub body: String,
    /// When it was queued.
    pub created_at: DateTime<Utc>,
    /// When it was sent, if it was.
    pub sent_at: Option<DateTime<Utc>>,
    /// Delivery attempts so far.
    pub attempts: i64,
    /// The last delivery error, if the last attempt failed.
    pub last_error: Option<String>,
    /// True when delivery was given up after every retry (admins must act).
    pub gave_up: bool,
}

/// Who will be told, and why (the confirmation page and previews).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct NoticePreview {
    /// Who, in words ("The hosting team").
    pub who: String,
    /// "To" or "CC".
    pub copy: String,
    /// Why.
    pub reason: String,
}

/// Everything the wizard pages show about one request, for the person looking.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RequestView {
    /// The summary.
    pub summary: RequestSummary,
    /// Where it stands.
    pub state: State,
    /// Outage fast path.
    pub fast_path: bool,
    /// Security-related.
    pub security_related: bool,
    /// Triage answers, once given.
    pub triage: Option<TriageAnswers>,
    /// The plan.
    pub plan: Plan,
    /// Its version (sent back with edits: a newer one means someone else saved first).
    pub plan_version: i64,
    /// Its hash, shortened.
    pub plan_hash: String,
    /// The CR form.
    pub form: CrForm,
    /// The requested window's warnings, in words.
    pub window_warnings: Vec<String>,
    /// What the requested window runs into: other changes on the same system, freezes,
    /// maintenance windows (warnings, not blocks).
    #[serde(default)]
    pub conflicts: Vec<String>,
    /// What was changed in staging.
    pub staging_notes: String,
    /// Sign-offs.
    pub sign_offs: Vec<SignOffView>,
    /// People asked by email to sign off whose links are open.
    #[serde(default)]
    pub invitations: Vec<SignOffInvitationView>,
    /// When hosting's call is due (in Eastern-time words, formatted on the server so the
    /// browser needs no timezone tables), and how that clock stands.
    pub assistance: Option<(String, ClockStatus)>,
    /// When hosting last recorded as held a call the dev team asked for (Eastern-time words).
    #[serde(default)]
    pub call_held: Option<String>,
    /// Comments from hosting, when returned.
    pub returned_comments: Option<String>,
    /// The window a regular change is queued for.
    pub queued_window: Option<DateTime<Utc>>,
    /// The same window in Eastern-time words.
    pub queued_window_words: Option<String>,
    /// What this person may do now.
    pub available: Vec<ActionKind>,
    /// The task list.
    pub tasks: Vec<Task>,
    /// Who submitting for review notifies, and why.
    pub submit_notices: Vec<NoticePreview>,
    /// Staging evidence files.
    pub attachments: Vec<AttachmentView>,
    /// The hosting team's latest risk review.
    pub risk_review: Option<crate::domain::review::RiskReview>,
    /// The assigned hosting engineer, by name.
    pub assigned_name: Option<String>,
    /// True when the person looking is the assigned engineer.
    pub assigned_to_me: bool,
    /// The capacity the person looking has signed off in, when the team wants each capacity
    /// signed by someone else: they may not sign another.
    pub signed_as: Option<SignOffRole>,
    /// What submitting to the CORs would send: (message, recipients with reasons).
    pub cors_preview: Vec<(String, Vec<NoticePreview>)>,
    /// The CR form's version (sent back with section saves, for the three-way merge).
    pub form_version: i64,
    /// How many comments the thread has.
    pub comment_count: i64,
    /// The CORs' decisions on the submitted plan version, in words.
    pub decisions: Vec<String>,
}

/// One page of a request's comment thread.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CommentThread {
    /// How many comments the whole thread has.
    pub total: i64,
    /// Which page this is, of how many.
    pub page: crate::domain::history::ThreadPage,
    /// This page's comments, oldest first.
    pub comments: Vec<CommentView>,
}

/// One comment on a request (plain text).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CommentView {
    /// Who wrote it.
    pub author: String,
    /// Their role, in words.
    pub author_role: String,
    /// The text, shown as typed (never as markup).
    pub body: String,
    /// When, in Eastern-time words.
    pub when: String,
}

/// One saved version of the plan or the CR form.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct VersionInfo {
    /// Its number.
    pub version: i64,
    /// Who saved it.
    pub by: String,
    /// When.
    pub at: DateTime<Utc>,
    /// When, in Eastern-time words.
    pub when: String,
}

/// A request's history: every version, and the differences between two of them.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct HistoryView {
    /// The request.
    pub summary: RequestSummary,
    /// Plan versions, newest first.
    pub plan_versions: Vec<VersionInfo>,
    /// CR form versions, newest first.
    pub form_versions: Vec<VersionInfo>,
    /// The plan versions compared, and what changed from one to the other.
    pub plan_diff: Option<(i64, i64, Vec<crate::domain::history::StepChange>)>,
    /// The form versions compared, and what changed.
    pub form_diff: Option<(i64, i64, Vec<crate::domain::history::FieldChange>)>,
}

/// How the hosting queue is narrowed (every field optional; empty means any).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct QueueFilter {
    /// A state key.
    pub state: String,
    /// Part of the system's name.
    pub system: String,
    /// A team's name.
    pub team: String,
    /// Changed on or after this date (YYYY-MM-DD, Eastern).
    pub from: String,
    /// Changed on or before this date.
    pub to: String,
    /// A reference or part of a title.
    pub q: String,
    /// "mine", "unassigned" or empty.
    pub assigned: String,
    /// Keyset cursor: the last row of the previous page (`updated_at:id`).
    pub after: String,
}

/// One row of the hosting queue.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct QueueRow {
    /// The request.
    pub summary: RequestSummary,
    /// Its team's name.
    pub team: Option<String>,
    /// The assigned engineer.
    pub assigned: Option<String>,
    /// The clock that matters now, in words, with its status (assistance call or assignment).
    pub clock: Option<(String, ClockStatus)>,
    /// The clock is the call the dev team asked for (hosting records it held from the row).
    pub call_owed: bool,
    /// The maintenance window a regular change is planned for, in words.
    pub window: Option<String>,
}

/// A page of the hosting queue.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct QueuePage {
    /// The rows, longest waiting first.
    pub rows: Vec<QueueRow>,
    /// The cursor of the next page, if there is one.
    pub next: Option<String>,
    /// The hosting engineers (to assign to).
    pub engineers: Vec<(i64, String)>,
    /// The teams (for the filter).
    pub teams: Vec<String>,
    /// The viewer may record a call as held (hosting; an admin reads the queue but does not).
    pub can_record_calls: bool,
}

/// A queue row as storage returns it (the server function adds the clock).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct QueueItem {
    /// The request.
    pub summary: RequestSummary,
    /// Team name.
    pub team: Option<String>,
    /// Assigned engineer's name.
    pub assigned: Option<String>,
    /// Submitted for review at.
    pub submitted_at: Option<DateTime<Utc>>,
    /// Hosting's help asked for at.
    pub assistance_requested_at: Option<DateTime<Utc>>,
    /// The maintenance window it is queued for (a regular change).
    pub queued_window: Option<DateTime<Utc>>,
    /// Keyset position.
    pub cursor: (i64, i64),
}

impl RequestView {
    /// True when this person may take the action now (guards aside).
    pub fn can(&self, action: ActionKind) -> bool {
        self.available.contains(&action)
    }

    /// Who in hosting has the request, in words.
    pub fn hosting_engineer(&self) -> String {
        self.assigned_name.clone().unwrap_or_else(|| "Nobody yet".into())
    }
}

/// A staging evidence file, as listed (its bytes download separately).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AttachmentView {
    /// Its id.
    pub id: i64,
    /// The cleaned file name.
    pub file_name: String,
    /// Media type it is served as.
    pub media_type: String,
    /// Size in bytes.
    pub size_bytes: i64,
    /// SHA-256, hex.
    pub sha256: String,
    /// Who uploaded it.
    pub uploaded_by: String,
}

/// What a COR sees when deciding (from an emailed link or signed in).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DecisionView {
    /// The request.
    pub summary: RequestSummary,
    /// Security-related.
    pub security_related: bool,
    /// What the requested window runs into (other changes on the same system, freezes,
    /// maintenance windows).
    #[serde(default)]
    pub conflicts: Vec<String>,
    /// What the change does, why, its impact and risk (from the CR form).
    pub form: CrForm,
    /// The plan they decide on.
    pub plan: Plan,
    /// Its fingerprint (short).
    pub plan_hash: String,
    /// The COR deciding.
    pub cor_name: String,
    /// The quorum in words, with the out-of-office basis.
    pub quorum: String,
    /// Decisions so far, in words.
    pub decisions: Vec<String>,
    /// True when this COR may decide now.
    pub can_decide: bool,
    /// Why not, when they may not (used, expired, voided, decided).
    pub closed_reason: Option<String>,
}

/// One archived copy of a change record.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ArchiveCopyView {
    /// Its id (the download address).
    pub id: i64,
    /// The request's reference.
    pub reference: String,
    /// 1, 2, 3… per request.
    pub copy_number: i64,
    /// Why it was filed, in words.
    pub reason: String,
    /// The state it was filed in, in words.
    pub state: String,
    /// When it was filed.
    pub filed_at: DateTime<Utc>,
    /// SHA-256 of the PDF, once rendered.
    pub sha256: Option<String>,
    /// Its size in bytes, once rendered.
    pub size_bytes: Option<i64>,
    /// The archive folder's file name (`ECR-2026-0042_20261121_v03.pdf`).
    pub file_name: String,
    /// The folder copy: written, failing (with the error) or not configured.
    pub folder_error: Option<String>,
    /// When the folder copy was written.
    pub folder_written_at: Option<DateTime<Utc>>,
}

/// One request in an archive search, with its copies.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ArchiveRow {
    /// The request.
    pub summary: RequestSummary,
    /// Its team.
    pub team: Option<String>,
    /// Its archived copies, oldest first.
    pub copies: Vec<ArchiveCopyView>,
}

/// A page of archive search results.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ArchivePage {
    /// The requests, most recently changed first.
    pub rows: Vec<ArchiveRow>,
    /// The cursor of the next page, if there is one.
    pub next: Option<String>,
    /// The teams (for the filter).
    pub teams: Vec<String>,
    /// Copies whose archive-folder write keeps failing (shown to admins).
    pub folder_problems: Vec<ArchiveCopyView>,
}

/// The production page: the approved plan as it is executed.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProductionView {
    /// The request.
    pub summary: RequestSummary,
    /// Where the steps stand.
    pub progress: crate::domain::execution::Progress,
    /// What this person may do now.
    pub available: Vec<ActionKind>,
    /// When production work started.
    pub started_at: Option<DateTime<Utc>>,
    /// Minutes since then (or until it ended).
    pub elapsed_minutes: Option<i64>,
    /// Why it started outside the production window.
    pub override_reason: Option<String>,
    /// Production-window warnings if work started now.
    pub window_warnings: Vec<String>,
    /// The hold, with who raised it.
    pub hold: Option<String>,
    /// The dev team's validation note, the rollback reason, or the withdrawal reason.
    pub closing_note: Option<String>,
    /// The assigned engineer.
    pub assigned_name: Option<String>,
    /// True while the page should follow the work by itself (work in progress).
    pub live: bool,
    /// The request's version, to notice when someone else records progress.
    pub version: i64,
    /// The post-deployment review, once recorded.
    pub post_review: Option<crate::domain::execution::PostReview>,
    /// Problems logged against the request.
    pub problems: Vec<crate::domain::execution::Problem>,
}
