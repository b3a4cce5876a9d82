//! Data that travels between server and browser.

use crate::domain::calendar::ClockStatus;
use crate::domain::cr_form::CrForm;
use crate::domain::plan::Plan;
use crate::domain::roles::Role;
use crate::domain::tasks::Task;
use crate::domain::workflow::{ActionKind, SignOffRole, State, TriageAnswers};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

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
    /// The stored state key (see the workflow module).
    pub state: String,
    /// Who started it.
    pub started_by: String,
    /// When it was started.
    pub created_at: DateTime<Utc>,
    /// When it last changed.
    pub updated_at: DateTime<Utc>,
}

/// A staging sign-off as shown.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SignOffView {
    /// In which capacity.
    pub role: SignOffRole,
    /// Who signed.
    pub signer: String,
    /// Their evidence.
    pub evidence: String,
    /// When.
    pub at: DateTime<Utc>,
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
    /// What was changed in staging.
    pub staging_notes: String,
    /// Sign-offs.
    pub sign_offs: Vec<SignOffView>,
    /// When hosting's call is due (in Eastern-time words, formatted on the server so the
    /// browser needs no timezone tables), and how that clock stands.
    pub assistance: Option<(String, ClockStatus)>,
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
    /// What submitting to the CORs would send: (message, recipients with reasons).
    pub cors_preview: Vec<(String, Vec<NoticePreview>)>,
}

impl RequestView {
    /// True when this person may take the action now (guards aside).
    pub fn can(&self, action: ActionKind) -> bool {
        self.available.contains(&action)
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
