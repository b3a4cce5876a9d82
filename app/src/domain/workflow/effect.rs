//! What the process answers: a refusal, or a transition with the effects to persist.

use super::*;

/// Why the process says no.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error, Serialize, Deserialize)]
pub enum Refusal {
    /// The action does not exist in this state.
    #[error("“{action}” is not possible while the request is in {state}")]
    NotNow {
        /// The action's label.
        action: &'static str,
        /// The state's label.
        state: &'static str,
    },
    /// This person may not take this action on this request.
    #[error("You cannot “{action}” on this request")]
    NotPermitted {
        /// The action's label.
        action: &'static str,
    },
    /// A guard failed; the message says what is missing.
    #[error("{0}")]
    Guard(String),
    /// What was given for one of the action's inputs does not do: the message says what to give.
    #[error("{message}")]
    Input {
        /// Which input.
        input: Input,
        /// What to give.
        message: String,
    },
}

/// An input of an action that a refusal can point at (a page shows the refusal at its field).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Input {
    /// A reason (rejecting, rolling back, withdrawing, raising a hold).
    Reason,
    /// A note (a failed step, the validation in production).
    Note,
    /// The evidence for a sign-off.
    Evidence,
    /// The capacity a sign-off is made in.
    Capacity,
    /// A person's name (someone asked to sign off; the name typed to sign by link).
    Name,
    /// A person's email address.
    Email,
    /// Comments returned to the dev team.
    Comments,
    /// A problem's description.
    Problem,
    /// The lessons of the post-deployment review.
    Lessons,
    /// The verification items of the post-deployment review.
    Checks,
    /// Why production work goes ahead outside the window.
    OverrideReason,
    /// The hosting engineer to assign.
    Engineer,
    /// A plan step's action (where a plan with too many steps is refused).
    StepAction,
    /// An evidence file.
    File,
}

impl Input {
    /// The input's name, as the action's form calls it unless the page says otherwise.
    pub fn name(self) -> &'static str {
        match self {
            Input::Reason => "reason",
            Input::Note => "note",
            Input::Evidence => "evidence",
            Input::Capacity => "role",
            Input::Name => "name",
            Input::Email => "email",
            Input::Comments => "comments",
            Input::Problem => "problem",
            Input::Lessons => "lessons",
            Input::Checks => "verify",
            Input::OverrideReason => "override_reason",
            Input::Engineer => "engineer",
            Input::StepAction => "action",
            Input::File => "file",
        }
    }
}

/// An archive copy to file, and why.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, strum::IntoStaticStr, strum::EnumString)]
#[strum(serialize_all = "snake_case")]
pub enum ArchiveReason {
    /// Submitted to the CORs.
    SubmittedToCors,
    /// Approved.
    Approved,
    /// Completed (or rolled back).
    Closed,
    /// The post-deployment review was recorded after closing.
    Reviewed,
}

stored_form!(ArchiveReason);

impl ArchiveReason {
    /// Why the copy was filed, in words.
    pub fn label(self) -> &'static str {
        match self {
            ArchiveReason::SubmittedToCors => "Submitted to the CORs",
            ArchiveReason::Approved => "Approved",
            ArchiveReason::Closed => "Closed",
            ArchiveReason::Reviewed => "Post-deployment review",
        }
    }
}

/// The archive folder's name for a copy: `ECR-2026-0042_20261121_v03.pdf` (filing date, UTC).
pub fn archive_file_name(reference: &str, filed_at: DateTime<Utc>, copy_number: i64) -> String {
    format!("{reference}_{}_v{copy_number:02}.pdf", filed_at.format("%Y%m%d"))
}

/// What persisting a transition must do besides changing the state.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Effect {
    /// Send a message (through the outbox, in the same transaction).
    Send(crate::domain::notify::Message),
    /// File an immutable archive copy.
    FileArchiveCopy(ArchiveReason),
    /// Add to the problem log.
    LogProblem(String),
    /// Save the post-deployment review.
    PostReview {
        /// Verification items confirmed.
        checks: Vec<String>,
        /// Lessons learned.
        lessons: String,
    },
    /// Append a mark to the execution log.
    RecordStep {
        /// The step, counted from 1.
        step: u32,
        /// True for the step's rollback.
        rollback: bool,
        /// What happened.
        status: crate::domain::execution::StepStatus,
        /// The note.
        note: String,
    },
    /// Record an audit event (every transition has one).
    Audit {
        /// The action's label.
        action: String,
        /// What happened, in words.
        detail: String,
    },
    /// Mark the request as taking the outage fast path.
    MarkFastPath,
    /// Queue a regular change for the next maintenance window (none scheduled yet: `None`).
    QueueForWindow(Option<DateTime<Utc>>),
    /// Start the 2-hour assistance clock.
    StartAssistanceClock,
    /// Stop it: the call was `held` (the dev team is told when), or the request left the states
    /// where one may be asked.
    StopAssistanceClock {
        /// Hosting recorded the call as held.
        held: bool,
    },
    /// File a staging evidence file (its bytes come with the change).
    AttachEvidence(crate::domain::attachment::EvidenceFile),
    /// The request entered hosting review: the queue counts its wait from now.
    StampSubmitted,
    /// The request went to the CORs: reminders and escalation count from now.
    StampApprovalRequested,
    /// Implementation began now.
    StampImplementationStarted,
    /// Record a staging sign-off.
    RecordSignOff {
        /// In which capacity.
        role: SignOffRole,
        /// Who signed.
        by: UserId,
        /// The evidence.
        evidence: String,
        /// Signed from an emailed link: the name its holder typed (signed in: `None`).
        by_link_as: Option<String>,
    },
    /// Ask someone to sign off by email: the server finds or adds the person and files the
    /// invitation (an earlier one for the capacity stops working); the link is made when the
    /// message is sent.
    InviteSigner {
        /// In which capacity.
        role: SignOffRole,
        /// Their name.
        name: String,
        /// Their email address.
        email: String,
    },
    /// Save the new plan version.
    NewPlanVersion {
        /// Its hash.
        hash: PlanHash,
        /// Every step complete.
        complete: bool,
        /// How many steps it has.
        steps: u32,
    },
    /// Save the form's completeness and the planned start.
    FormUpdated {
        /// Every required field is filled in.
        complete: bool,
        /// The requested start.
        planned_start: Option<DateTime<Utc>>,
        /// The form's security answer (ignored once hosting has reviewed the risk).
        security_related: bool,
    },
    /// Freeze this plan version for the CORs.
    FreezePlan(PlanHash),
    /// Earlier decisions and approval links no longer count.
    VoidDecisions,
    /// Record a decision.
    RecordDecision(Decision),
    /// Record the quorum's basis in words.
    QuorumBasis(String),
    /// Set the security-related flag from the risk review.
    SetSecurityRelated(bool),
    /// Make an engineer responsible (their name goes into the message to the requester).
    Assign {
        /// Who.
        engineer: UserId,
        /// Their name.
        name: String,
    },
    /// Record comments returned to the dev team.
    ReturnComments(String),
    /// Record what was changed in staging.
    StagingNotes(String),
    /// Record the reason for going ahead outside the production window.
    RecordOverride(String),
    /// Record a reason (withdrawal, rollback, validation note).
    RecordReason(String),
    /// Raise a hold.
    SetHold(Hold),
    /// Lift the hold.
    ClearHold,
}

/// The outcome of an allowed action: the next state and everything to persist with it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Transition {
    /// The state before.
    pub from: State,
    /// The state after (may equal `from`).
    pub to: State,
    /// Effects, in order.
    pub effects: Vec<Effect>,
}
