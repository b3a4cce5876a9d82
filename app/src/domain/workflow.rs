//! The emergency change process as one state machine.
//!
//! [`RULES`] says, for every action, from which states it may be taken, by whom and under
//! which guard, and where it leads; the README's table is generated from it (a test keeps them
//! equal). [`decide`] checks an action against the rules and the guards and returns the
//! [`Transition`]: the next state and its effects as data (messages, archive copies, audit
//! events). The server persists the effects; nothing here does IO.

use super::calendar::Calendar;
use super::notify::{message, MessageKind};
use super::plan::PlanHash;
use super::quorum::{evaluate, Cor, Decision, Quorum, UserId, Verdict};
use super::roles::Role;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;

/// Where a request stands in the process.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum State {
    /// Step 0: is this really an emergency?
    Triage,
    /// Not justified as an emergency: queued for the next monthly maintenance window.
    RegularChange,
    /// Step 1: the dev team writes the step-by-step operation plan.
    Planning,
    /// Step 2: changes made and validated in staging; sign-offs collected.
    StagingValidation,
    /// Step 3: the emergency CR form is being completed.
    CrForm,
    /// Step 4a: the hosting team checks security and performance risk.
    HostingReview,
    /// Step 4b: submitted to the CORs.
    AwaitingApproval,
    /// Quorum reached; ready for production.
    Approved,
    /// Step 5: the hosting team is applying the plan.
    Implementing,
    /// The dev team is validating the change in production.
    ValidatingInProduction,
    /// Done, stakeholders told, archived.
    Completed,
    /// Sent back to the dev team with comments.
    ReturnedToDev,
    /// A COR rejected it (with a reason).
    Rejected,
    /// The requester withdrew it.
    Withdrawn,
    /// Implementation was aborted and the rollback executed.
    RolledBack,
}

impl State {
    /// Every state, in process order.
    pub const ALL: [State; 15] = [
        State::Triage,
        State::RegularChange,
        State::Planning,
        State::StagingValidation,
        State::CrForm,
        State::HostingReview,
        State::AwaitingApproval,
        State::Approved,
        State::Implementing,
        State::ValidatingInProduction,
        State::Completed,
        State::ReturnedToDev,
        State::Rejected,
        State::Withdrawn,
        State::RolledBack,
    ];

    /// The stable identifier stored in the database.
    pub fn as_str(self) -> &'static str {
        match self {
            State::Triage => "triage",
            State::RegularChange => "regular_change",
            State::Planning => "planning",
            State::StagingValidation => "staging_validation",
            State::CrForm => "cr_form",
            State::HostingReview => "hosting_review",
            State::AwaitingApproval => "awaiting_approval",
            State::Approved => "approved",
            State::Implementing => "implementing",
            State::ValidatingInProduction => "validating_in_production",
            State::Completed => "completed",
            State::ReturnedToDev => "returned_to_dev",
            State::Rejected => "rejected",
            State::Withdrawn => "withdrawn",
            State::RolledBack => "rolled_back",
        }
    }

    /// Parses the stored identifier.
    pub fn parse(s: &str) -> Option<State> {
        State::ALL.into_iter().find(|st| st.as_str() == s)
    }

    /// What people call the state.
    pub fn label(self) -> &'static str {
        match self {
            State::Triage => "Triage",
            State::RegularChange => "Regular change",
            State::Planning => "Planning",
            State::StagingValidation => "Staging validation",
            State::CrForm => "CR form",
            State::HostingReview => "Hosting review",
            State::AwaitingApproval => "Awaiting approval",
            State::Approved => "Approved",
            State::Implementing => "Implementing",
            State::ValidatingInProduction => "Validating in production",
            State::Completed => "Completed",
            State::ReturnedToDev => "Returned to dev",
            State::Rejected => "Rejected",
            State::Withdrawn => "Withdrawn",
            State::RolledBack => "Rolled back",
        }
    }

    /// True from approval on: production work is next, under way or over.
    pub fn is_production_or_later(self) -> bool {
        matches!(
            self,
            State::Approved
                | State::Implementing
                | State::ValidatingInProduction
                | State::Completed
                | State::RolledBack
        )
    }

    /// True when nothing more can happen to the request. (A rejected request is not final:
    /// hosting may rework it and submit again, or return it to the dev team.)
    pub fn is_final(self) -> bool {
        matches!(self, State::RegularChange | State::Completed | State::Withdrawn | State::RolledBack)
    }
}

/// A team's id.
pub type TeamId = i64;

/// The answers to step 0: is this really an emergency?
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct TriageAnswers {
    /// Is there an active, ongoing incident?
    pub active_incident: bool,
    /// Are users unable to reach the service? (Production is down: the outage fast path.)
    pub users_cannot_access: bool,
    /// Is performance significantly degraded?
    pub performance_degraded: bool,
    /// Does the change address an immediate security or quality need?
    pub security_or_quality_need: bool,
}

/// What triage concluded.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum TriageOutcome {
    /// Production is down: straight to hosting, staging sign-off recorded afterwards.
    OutageFastPath,
    /// A justified emergency: plan, validate in staging, complete the form.
    Emergency,
    /// Not justified: a regular change in the next monthly window.
    RegularChange,
}

impl TriageAnswers {
    /// The decision the process document describes.
    pub fn outcome(&self) -> TriageOutcome {
        if self.users_cannot_access {
            TriageOutcome::OutageFastPath
        } else if self.active_incident || self.performance_degraded || self.security_or_quality_need {
            TriageOutcome::Emergency
        } else {
            TriageOutcome::RegularChange
        }
    }
}

/// Who validated the change in staging.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum SignOffRole {
    /// Quality assurance.
    Qa,
    /// Testers.
    Testers,
    /// The developers.
    Dev,
    /// The product owner.
    Product,
}

impl SignOffRole {
    /// All four sign-offs staging needs.
    pub const ALL: [SignOffRole; 4] = [SignOffRole::Qa, SignOffRole::Testers, SignOffRole::Dev, SignOffRole::Product];

    /// What people call it.
    pub fn label(self) -> &'static str {
        match self {
            SignOffRole::Qa => "QA",
            SignOffRole::Testers => "Testers",
            SignOffRole::Dev => "Dev",
            SignOffRole::Product => "Product",
        }
    }
}

/// A blocker that stops production work until it is lifted.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Hold {
    /// Why.
    pub reason: String,
    /// Who raised it (they, hosting or an admin may lift it).
    pub raised_by: UserId,
}

/// What the domain needs to know about one request to decide what may happen next.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Request {
    /// Where it stands.
    pub state: State,
    /// Who started it.
    pub started_by: UserId,
    /// The requesting dev team.
    pub team_id: Option<TeamId>,
    /// The hosting engineer responsible.
    pub assigned_engineer: Option<UserId>,
    /// Production was down: straight to hosting, staging sign-off recorded afterwards.
    pub fast_path: bool,
    /// Security-related (drives the ISSO CC).
    pub security_related: bool,
    /// The current plan version's hash.
    pub plan_hash: PlanHash,
    /// Every step of the current plan is complete.
    pub plan_complete: bool,
    /// The plan version frozen when hosting submitted to the CORs.
    pub submitted_plan_hash: Option<PlanHash>,
    /// Which submission to the CORs this is (0 before the first): only decisions made on the
    /// current one count.
    pub round: u32,
    /// Every required CR form field is complete.
    pub form_complete: bool,
    /// Hosting completed the security and performance risk review.
    pub risk_review_done: bool,
    /// Staging sign-offs recorded.
    pub sign_offs: BTreeSet<SignOffRole>,
    /// Every COR (or escalation) decision, each with the submission it was made on.
    pub decisions: Vec<Decision>,
    /// A blocker, if one is raised.
    pub hold: Option<Hold>,
    /// When production work is planned to start.
    pub planned_start: Option<DateTime<Utc>>,
}

impl Request {
    /// A request just started by `by` for `team`, with an empty plan.
    pub fn new(by: UserId, team: Option<TeamId>, empty_plan: PlanHash) -> Request {
        Request {
            state: State::Triage,
            started_by: by,
            team_id: team,
            assigned_engineer: None,
            fast_path: false,
            security_related: false,
            plan_hash: empty_plan,
            plan_complete: false,
            submitted_plan_hash: None,
            round: 0,
            form_complete: false,
            risk_review_done: false,
            sign_offs: BTreeSet::new(),
            decisions: Vec::new(),
            hold: None,
            planned_start: None,
        }
    }

    /// True when all four staging sign-offs are recorded.
    pub fn staging_signed_off(&self) -> bool {
        SignOffRole::ALL.iter().all(|r| self.sign_offs.contains(r))
    }
}

/// The person acting.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Actor {
    /// Their id.
    pub id: UserId,
    /// Their name (for the words in the record).
    pub name: String,
    /// Their role.
    pub role: Role,
    /// Their team.
    pub team_id: Option<TeamId>,
}

/// Everything besides the request that decisions depend on.
#[derive(Clone, Copy, Debug)]
pub struct Context<'a> {
    /// Now.
    pub now: DateTime<Utc>,
    /// The configured CORs with their absences.
    pub cors: &'a [Cor],
    /// Holidays, freezes, maintenance windows.
    pub calendar: &'a Calendar,
}

/// Something a person asks to do to a request.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Action {
    /// Answer the triage questions.
    Triage(TriageAnswers),
    /// The plan is written; move on to staging.
    CompletePlan,
    /// Ask the hosting team for a call (within 2 hours).
    RequestHostingHelp,
    /// Sign off staging in one capacity, with evidence.
    SignOff {
        /// In which capacity.
        role: SignOffRole,
        /// A note or link.
        evidence: String,
    },
    /// Staging is validated; move on to the CR form.
    CompleteStaging,
    /// Submit the request for hosting review.
    SubmitForReview,
    /// Make a hosting engineer responsible.
    AssignEngineer {
        /// Who.
        engineer: UserId,
    },
    /// Record the security and performance risk review; it sets or clears the security flag.
    RecordRiskReview {
        /// The review's conclusion.
        security_related: bool,
    },
    /// Send it back to the dev team.
    ReturnToDev {
        /// What to address.
        comments: String,
    },
    /// Submit to the CORs (freezes the plan version).
    SubmitToCors,
    /// Save a new plan version.
    EditPlan {
        /// The new version's hash.
        new_hash: PlanHash,
        /// Whether every step of it is complete.
        complete: bool,
    },
    /// Mark the CR form complete (or not) after an edit.
    UpdateForm {
        /// Every required field is filled in.
        complete: bool,
        /// The requested start of production work.
        planned_start: Option<DateTime<Utc>>,
        /// The form says the change is security-related (counts until hosting's risk review).
        security_related: bool,
    },
    /// Approve or reject the plan version seen.
    Decide {
        /// Approve or reject (with a reason).
        verdict: Verdict,
        /// The plan version the decider saw (pinned by the approval link).
        plan_hash: PlanHash,
    },
    /// Start production work.
    StartImplementation {
        /// Why it goes ahead outside the production window, if it does.
        override_reason: Option<String>,
    },
    /// Mark a plan step (or, after a failure, its rollback) in the execution log.
    RecordStep {
        /// The step, counted from 1.
        step: u32,
        /// True for the step's rollback.
        rollback: bool,
        /// What happened.
        status: super::execution::StepStatus,
        /// A note (required when it failed).
        note: String,
    },
    /// Every step is done; the dev team validates.
    FinishImplementation,
    /// Stop and run the rollback.
    AbortAndRollBack {
        /// Why.
        reason: String,
    },
    /// The dev team confirms the change works in production.
    ValidateInProduction {
        /// What was checked.
        note: String,
    },
    /// Record a problem met during the change (the problem log).
    LogProblem {
        /// What happened, and its effect.
        text: String,
    },
    /// The post-deployment review: the verification checklist and lessons learned.
    RecordPostReview {
        /// The verification items confirmed (their keys).
        checks: Vec<String>,
        /// What to keep or change next time.
        lessons: String,
    },
    /// The requester withdraws the request.
    Withdraw {
        /// Why.
        reason: String,
    },
    /// Raise a blocker.
    RaiseHold {
        /// Why.
        reason: String,
    },
    /// Lift the blocker.
    LiftHold,
}

/// The kinds of [`Action`], for the rule table.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum ActionKind {
    /// See [`Action::Triage`].
    Triage,
    /// See [`Action::CompletePlan`].
    CompletePlan,
    /// See [`Action::RequestHostingHelp`].
    RequestHostingHelp,
    /// See [`Action::SignOff`].
    SignOff,
    /// See [`Action::CompleteStaging`].
    CompleteStaging,
    /// See [`Action::SubmitForReview`].
    SubmitForReview,
    /// See [`Action::AssignEngineer`].
    AssignEngineer,
    /// See [`Action::RecordRiskReview`].
    RecordRiskReview,
    /// See [`Action::ReturnToDev`].
    ReturnToDev,
    /// See [`Action::SubmitToCors`].
    SubmitToCors,
    /// See [`Action::EditPlan`].
    EditPlan,
    /// See [`Action::UpdateForm`].
    UpdateForm,
    /// See [`Action::Decide`].
    Decide,
    /// See [`Action::StartImplementation`].
    StartImplementation,
    /// See [`Action::RecordStep`].
    RecordStep,
    /// See [`Action::FinishImplementation`].
    FinishImplementation,
    /// See [`Action::AbortAndRollBack`].
    AbortAndRollBack,
    /// See [`Action::ValidateInProduction`].
    ValidateInProduction,
    /// See [`Action::LogProblem`].
    LogProblem,
    /// See [`Action::RecordPostReview`].
    RecordPostReview,
    /// See [`Action::Withdraw`].
    Withdraw,
    /// See [`Action::RaiseHold`].
    RaiseHold,
    /// See [`Action::LiftHold`].
    LiftHold,
}

impl Action {
    /// The action's kind.
    pub fn kind(&self) -> ActionKind {
        match self {
            Action::Triage(_) => ActionKind::Triage,
            Action::CompletePlan => ActionKind::CompletePlan,
            Action::RequestHostingHelp => ActionKind::RequestHostingHelp,
            Action::SignOff { .. } => ActionKind::SignOff,
            Action::CompleteStaging => ActionKind::CompleteStaging,
            Action::SubmitForReview => ActionKind::SubmitForReview,
            Action::AssignEngineer { .. } => ActionKind::AssignEngineer,
            Action::RecordRiskReview { .. } => ActionKind::RecordRiskReview,
            Action::ReturnToDev { .. } => ActionKind::ReturnToDev,
            Action::SubmitToCors => ActionKind::SubmitToCors,
            Action::EditPlan { .. } => ActionKind::EditPlan,
            Action::UpdateForm { .. } => ActionKind::UpdateForm,
            Action::Decide { .. } => ActionKind::Decide,
            Action::StartImplementation { .. } => ActionKind::StartImplementation,
            Action::RecordStep { .. } => ActionKind::RecordStep,
            Action::FinishImplementation => ActionKind::FinishImplementation,
            Action::AbortAndRollBack { .. } => ActionKind::AbortAndRollBack,
            Action::ValidateInProduction { .. } => ActionKind::ValidateInProduction,
            Action::LogProblem { .. } => ActionKind::LogProblem,
            Action::RecordPostReview { .. } => ActionKind::RecordPostReview,
            Action::Withdraw { .. } => ActionKind::Withdraw,
            Action::RaiseHold { .. } => ActionKind::RaiseHold,
            Action::LiftHold => ActionKind::LiftHold,
        }
    }
}

impl ActionKind {
    /// What people call it (the audit log and the README table use these words).
    pub fn label(self) -> &'static str {
        match self {
            ActionKind::Triage => "Answer triage",
            ActionKind::CompletePlan => "Complete the plan",
            ActionKind::RequestHostingHelp => "Request hosting help",
            ActionKind::SignOff => "Sign off staging",
            ActionKind::CompleteStaging => "Complete staging",
            ActionKind::SubmitForReview => "Submit for hosting review",
            ActionKind::AssignEngineer => "Assign a hosting engineer",
            ActionKind::RecordRiskReview => "Record the risk review",
            ActionKind::ReturnToDev => "Return to dev",
            ActionKind::SubmitToCors => "Submit to the CORs",
            ActionKind::EditPlan => "Edit the plan",
            ActionKind::UpdateForm => "Edit the CR form",
            ActionKind::Decide => "Approve or reject",
            ActionKind::StartImplementation => "Start implementation",
            ActionKind::RecordStep => "Record a production step",
            ActionKind::FinishImplementation => "Finish implementation",
            ActionKind::AbortAndRollBack => "Abort and roll back",
            ActionKind::ValidateInProduction => "Validate in production",
            ActionKind::LogProblem => "Log a problem",
            ActionKind::RecordPostReview => "Record the post-deployment review",
            ActionKind::Withdraw => "Withdraw",
            ActionKind::RaiseHold => "Raise a hold",
            ActionKind::LiftHold => "Lift the hold",
        }
    }
}

/// A person's relation to a request, which decides what they may do to it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Party {
    /// A dev team member of the requesting team (or the requester).
    DevTeam,
    /// Any hosting engineer or lead.
    Hosting,
    /// The assigned hosting engineer, or a hosting lead.
    AssignedEngineer,
    /// A configured COR.
    Cor,
    /// The ISSO.
    Isso,
    /// An admin.
    Admin,
    /// Whoever raised the current hold.
    HoldRaiser,
}

impl Party {
    /// What the README table calls it.
    pub fn label(self) -> &'static str {
        match self {
            Party::DevTeam => "dev team",
            Party::Hosting => "hosting",
            Party::AssignedEngineer => "assigned engineer",
            Party::Cor => "COR",
            Party::Isso => "ISSO",
            Party::Admin => "admin",
            Party::HoldRaiser => "hold raiser",
        }
    }

    /// True when `actor` stands in this relation to `request`.
    pub fn includes(self, actor: &Actor, request: &Request, ctx: &Context) -> bool {
        match self {
            Party::DevTeam => {
                actor.role == Role::DevTeamMember
                    && (actor.id == request.started_by || (actor.team_id.is_some() && actor.team_id == request.team_id))
            }
            Party::Hosting => actor.role.is_hosting(),
            Party::AssignedEngineer => {
                actor.role == Role::HostingLead
                    || (actor.role.is_hosting() && request.assigned_engineer == Some(actor.id))
            }
            Party::Cor => actor.role == Role::Cor && ctx.cors.iter().any(|c| c.id == actor.id),
            Party::Isso => actor.role == Role::Isso,
            Party::Admin => actor.role == Role::Admin,
            Party::HoldRaiser => request.hold.as_ref().is_some_and(|h| h.raised_by == actor.id),
        }
    }
}

/// Who may read a request: its dev team, and everyone on the hosting, approval, security,
/// archive and admin side (they act on or oversee every request). Other dev teams may not.
pub fn may_read(actor: &Actor, request: &Request, ctx: &Context) -> bool {
    match actor.role {
        Role::DevTeamMember => Party::DevTeam.includes(actor, request, ctx),
        Role::HostingEngineer | Role::HostingLead | Role::Cor | Role::Isso | Role::Archivist | Role::Admin => true,
        Role::Unassigned => false,
    }
}

/// One row of the process: an action, where it may be taken, by whom, under which guard, and
/// where it leads.
#[derive(Clone, Copy, Debug)]
pub struct Rule {
    /// The action.
    pub action: ActionKind,
    /// The states it may be taken in.
    pub from: &'static [State],
    /// Who may take it (any of these).
    pub who: &'static [Party],
    /// The guard, in words (the code is in [`decide`]).
    pub guard: &'static str,
    /// Where it leads, in words.
    pub to: &'static str,
    /// A rule for the outage fast path alone: the refusal when the request is not on it.
    pub only_on_fast_path: Option<&'static str>,
}

use State as S;

const BEFORE_REVIEW: &[State] = &[S::Planning, S::StagingValidation, S::CrForm, S::ReturnedToDev];
const HOSTING_EDITS: &[State] = &[
    S::Planning,
    S::StagingValidation,
    S::CrForm,
    S::ReturnedToDev,
    S::HostingReview,
    S::AwaitingApproval,
    S::Approved,
    S::Rejected,
];
const OPEN: &[State] = &[
    S::Triage,
    S::Planning,
    S::StagingValidation,
    S::CrForm,
    S::HostingReview,
    S::AwaitingApproval,
    S::Approved,
    S::Implementing,
    S::ValidatingInProduction,
    S::ReturnedToDev,
    S::Rejected,
];
const WITHDRAWABLE: &[State] = &[
    S::Triage,
    S::Planning,
    S::StagingValidation,
    S::CrForm,
    S::HostingReview,
    S::AwaitingApproval,
    S::Approved,
    S::ReturnedToDev,
    S::Rejected,
];
const ALL_INVOLVED: &[Party] = &[Party::DevTeam, Party::Hosting, Party::Cor, Party::Isso, Party::Admin];

/// The process. [`decide`] finds the first row whose action, state and party match.
pub const RULES: &[Rule] = &[
    Rule {
        action: ActionKind::Triage,
        from: &[S::Triage],
        who: &[Party::DevTeam, Party::Hosting, Party::Admin],
        guard: "—",
        to: "Planning (incident, degraded performance, security or quality need); Hosting review on the outage fast path (users cannot reach the service); Regular change (none apply)",
        only_on_fast_path: None,
    },
    Rule {
        action: ActionKind::EditPlan,
        from: BEFORE_REVIEW,
        who: &[Party::DevTeam],
        guard: "the plan changed",
        to: "same state, new plan version",
        only_on_fast_path: None,
    },
    Rule {
        action: ActionKind::EditPlan,
        from: HOSTING_EDITS,
        who: &[Party::Hosting],
        guard: "the plan changed",
        to: "same state, new plan version; after submission: Hosting review, earlier approvals void",
        only_on_fast_path: None,
    },
    Rule {
        action: ActionKind::EditPlan,
        from: &[S::HostingReview],
        who: &[Party::DevTeam],
        guard: "outage fast path only; the plan changed",
        to: "same state, new plan version",
        only_on_fast_path: Some("The request is with the hosting team now"),
    },
    Rule {
        action: ActionKind::CompletePlan,
        from: &[S::Planning],
        who: &[Party::DevTeam, Party::Hosting],
        guard: "at least one step, every step complete",
        to: "Staging validation",
        only_on_fast_path: None,
    },
    Rule {
        action: ActionKind::RequestHostingHelp,
        from: &[S::Planning, S::StagingValidation, S::CrForm, S::ReturnedToDev],
        who: &[Party::DevTeam],
        guard: "—",
        to: "same state; hosting calls within 2 hours",
        only_on_fast_path: None,
    },
    Rule {
        action: ActionKind::SignOff,
        from: &[S::StagingValidation],
        who: &[Party::DevTeam],
        guard: "evidence given; not yet signed in that capacity",
        to: "same state",
        only_on_fast_path: None,
    },
    Rule {
        action: ActionKind::SignOff,
        from: &[S::HostingReview, S::AwaitingApproval, S::Approved, S::Implementing, S::ValidatingInProduction],
        who: &[Party::DevTeam],
        guard: "outage fast path only (recorded afterwards); evidence given",
        to: "same state",
        only_on_fast_path: Some("Staging sign-off is recorded during staging validation"),
    },
    Rule {
        action: ActionKind::CompleteStaging,
        from: &[S::StagingValidation],
        who: &[Party::DevTeam],
        guard: "QA, testers, dev and product have all signed off",
        to: "CR form",
        only_on_fast_path: None,
    },
    Rule {
        action: ActionKind::UpdateForm,
        from: &[S::Planning, S::StagingValidation, S::CrForm, S::ReturnedToDev],
        who: &[Party::DevTeam, Party::Hosting],
        guard: "—",
        to: "same state",
        only_on_fast_path: None,
    },
    Rule {
        action: ActionKind::UpdateForm,
        from: &[S::HostingReview],
        who: &[Party::Hosting],
        guard: "—",
        to: "same state",
        only_on_fast_path: None,
    },
    Rule {
        action: ActionKind::UpdateForm,
        from: &[S::HostingReview],
        who: &[Party::DevTeam],
        guard: "outage fast path only",
        to: "same state",
        only_on_fast_path: Some("The request is with the hosting team now"),
    },
    Rule {
        action: ActionKind::SubmitForReview,
        from: &[S::CrForm, S::ReturnedToDev],
        who: &[Party::DevTeam],
        guard: "plan and CR form complete; staging signed off",
        to: "Hosting review",
        only_on_fast_path: None,
    },
    Rule {
        action: ActionKind::AssignEngineer,
        from: OPEN,
        who: &[Party::Hosting, Party::Admin],
        guard: "—",
        to: "same state",
        only_on_fast_path: None,
    },
    Rule {
        action: ActionKind::RecordRiskReview,
        from: &[S::HostingReview],
        who: &[Party::Hosting],
        guard: "—",
        to: "same state; sets or clears security-related",
        only_on_fast_path: None,
    },
    Rule {
        action: ActionKind::ReturnToDev,
        from: &[S::HostingReview, S::Rejected],
        who: &[Party::Hosting],
        guard: "comments given",
        to: "Returned to dev",
        only_on_fast_path: None,
    },
    Rule {
        action: ActionKind::SubmitToCors,
        from: &[S::HostingReview],
        who: &[Party::Hosting],
        guard: "plan and CR form complete; risk review done; staging signed off (except on the fast path); not on hold",
        to: "Awaiting approval; plan version frozen; archive copy filed",
        only_on_fast_path: None,
    },
    Rule {
        action: ActionKind::Decide,
        from: &[S::AwaitingApproval],
        who: &[Party::Cor],
        guard: "the submitted plan version; one decision per COR; a rejection has a reason; not on hold",
        to: "Approved when the quorum is reached (archive copy filed); Rejected on any rejection; else same state",
        only_on_fast_path: None,
    },
    Rule {
        action: ActionKind::Decide,
        from: &[S::AwaitingApproval],
        who: &[Party::Admin],
        guard: "only when every COR is out of office (escalated); as for a COR",
        to: "as for a COR",
        only_on_fast_path: None,
    },
    Rule {
        action: ActionKind::StartImplementation,
        from: &[S::Approved],
        who: &[Party::AssignedEngineer],
        guard: "not on hold; the approved plan version is current; inside the production window or an override reason",
        to: "Implementing",
        only_on_fast_path: None,
    },
    Rule {
        action: ActionKind::RecordStep,
        from: &[S::Implementing],
        who: &[Party::AssignedEngineer],
        guard: "steps in order, one at a time; after a failure only the rollback, newest first; a failure needs a note",
        to: "same state",
        only_on_fast_path: None,
    },
    Rule {
        action: ActionKind::FinishImplementation,
        from: &[S::Implementing],
        who: &[Party::AssignedEngineer],
        guard: "every step of the execution log done",
        to: "Validating in production",
        only_on_fast_path: None,
    },
    Rule {
        action: ActionKind::AbortAndRollBack,
        from: &[S::Implementing, S::ValidatingInProduction],
        who: &[Party::AssignedEngineer],
        guard: "a reason; after a failed step, every rollback item done (newest first)",
        to: "Rolled back; stakeholders notified; archive copy filed",
        only_on_fast_path: None,
    },
    Rule {
        action: ActionKind::ValidateInProduction,
        from: &[S::ValidatingInProduction],
        who: &[Party::DevTeam],
        guard: "a note; on the fast path, staging signed off",
        to: "Completed; stakeholders notified; archive copy filed",
        only_on_fast_path: None,
    },
    Rule {
        action: ActionKind::LogProblem,
        from: &[S::Approved, S::Implementing, S::ValidatingInProduction, S::Completed, S::RolledBack],
        who: &[Party::DevTeam, Party::Hosting, Party::Admin],
        guard: "a description",
        to: "same state; in the problem log",
        only_on_fast_path: None,
    },
    Rule {
        action: ActionKind::RecordPostReview,
        from: &[S::ValidatingInProduction, S::Completed, S::RolledBack],
        who: &[Party::DevTeam, Party::Hosting],
        guard: "lessons learned given; known verification items only",
        to: "same state; after closing, an archive copy filed",
        only_on_fast_path: None,
    },
    Rule {
        action: ActionKind::Withdraw,
        from: WITHDRAWABLE,
        who: &[Party::DevTeam, Party::Admin],
        guard: "a reason",
        to: "Withdrawn",
        only_on_fast_path: None,
    },
    Rule {
        action: ActionKind::RaiseHold,
        from: OPEN,
        who: ALL_INVOLVED,
        guard: "a reason; not already on hold",
        to: "same state, on hold",
        only_on_fast_path: None,
    },
    Rule {
        action: ActionKind::LiftHold,
        from: OPEN,
        who: &[Party::HoldRaiser, Party::Hosting, Party::Admin],
        guard: "on hold",
        to: "same state",
        only_on_fast_path: None,
    },
];

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
}

/// An archive copy to file, and why.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
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

impl ArchiveReason {
    /// The stable identifier stored in the database.
    pub fn as_str(self) -> &'static str {
        match self {
            ArchiveReason::SubmittedToCors => "submitted_to_cors",
            ArchiveReason::Approved => "approved",
            ArchiveReason::Closed => "closed",
            ArchiveReason::Reviewed => "reviewed",
        }
    }

    /// Parses the stored identifier.
    pub fn parse(s: &str) -> Option<ArchiveReason> {
        [ArchiveReason::SubmittedToCors, ArchiveReason::Approved, ArchiveReason::Closed, ArchiveReason::Reviewed]
            .into_iter()
            .find(|r| r.as_str() == s)
    }

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
    Send(super::notify::Message),
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
        status: super::execution::StepStatus,
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
        /// The evidence.
        evidence: String,
    },
    /// Save the new plan version.
    NewPlanVersion {
        /// Its hash.
        hash: PlanHash,
        /// Every step complete.
        complete: bool,
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
    /// Make an engineer responsible.
    Assign(UserId),
    /// Record comments returned to the dev team.
    ReturnComments(String),
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

fn rule_for(request: &Request, actor: &Actor, action: ActionKind, ctx: &Context) -> Result<&'static Rule, Refusal> {
    let in_state: Vec<&'static Rule> =
        RULES.iter().filter(|r| r.action == action && r.from.contains(&request.state)).collect();
    if in_state.is_empty() {
        return Err(Refusal::NotNow { action: action.label(), state: request.state.label() });
    }
    in_state
        .into_iter()
        .find(|r| r.who.iter().any(|p| p.includes(actor, request, ctx)))
        .ok_or(Refusal::NotPermitted { action: action.label() })
}

fn guard(ok: bool, message: &str) -> Result<(), Refusal> {
    if ok {
        Ok(())
    } else {
        Err(Refusal::Guard(message.to_string()))
    }
}

fn not_blank(text: &str, message: &str) -> Result<(), Refusal> {
    guard(!text.trim().is_empty(), message)
}

/// The actions this person could take on this request now (their guards may still refuse).
pub fn available_actions(request: &Request, actor: &Actor, ctx: &Context) -> Vec<ActionKind> {
    let mut kinds: Vec<ActionKind> = RULES
        .iter()
        .filter(|r| r.from.contains(&request.state) && r.who.iter().any(|p| p.includes(actor, request, ctx)))
        .map(|r| r.action)
        .collect();
    kinds.sort();
    kinds.dedup();
    kinds
}

/// Checks `action` by `actor` against the process and returns what follows, or why not.
pub fn decide(request: &Request, actor: &Actor, action: &Action, ctx: &Context) -> Result<Transition, Refusal> {
    let rule = rule_for(request, actor, action.kind(), ctx)?;
    let sec = request.security_related;
    let from = request.state;
    let mut to = from;
    let mut effects = Vec::new();
    let on_hold = request.hold.is_some();
    let detail: String;
    // The dev team keeps writing plan and form (and records staging sign-offs afterwards) when
    // triage sends an outage straight to hosting.
    if let Some(why) = rule.only_on_fast_path {
        guard(request.fast_path, why)?;
    }

    match action {
        Action::Triage(answers) => {
            match answers.outcome() {
                TriageOutcome::OutageFastPath => {
                    to = S::HostingReview;
                    effects.push(Effect::MarkFastPath);
                    effects.push(Effect::Send(message(MessageKind::EmergencyStarted, sec)));
                    detail = "production is down: outage fast path, straight to hosting; staging sign-off recorded afterwards".into();
                }
                TriageOutcome::Emergency => {
                    to = S::Planning;
                    effects.push(Effect::Send(message(MessageKind::EmergencyStarted, sec)));
                    detail = "emergency justified: hosting notified".into();
                }
                TriageOutcome::RegularChange => {
                    to = S::RegularChange;
                    let window = ctx.calendar.next_maintenance_window(ctx.now);
                    effects.push(Effect::QueueForWindow(window));
                    effects.push(Effect::Send(message(MessageKind::RegularChangeQueued, sec)));
                    detail = match window {
                        Some(w) => format!(
                            "not an emergency: queued for the maintenance window of {}",
                            w.format("%Y-%m-%d %H:%M UTC")
                        ),
                        None => "not an emergency: queued for the next maintenance window (none scheduled yet)".into(),
                    };
                }
            }
        }
        Action::EditPlan { new_hash, complete } => {
            guard(new_hash != &request.plan_hash, "The plan has not changed")?;
            effects.push(Effect::NewPlanVersion { hash: new_hash.clone(), complete: *complete });
            if matches!(from, S::AwaitingApproval | S::Approved | S::Rejected) {
                to = S::HostingReview;
                effects.push(Effect::VoidDecisions);
                effects.push(Effect::Send(message(MessageKind::ApprovalsVoided, sec)));
                detail = format!(
                    "new plan version {} after submission: earlier approvals and links are void",
                    new_hash.short()
                );
            } else {
                detail = format!("new plan version {}", new_hash.short());
            }
        }
        Action::CompletePlan => {
            guard(
                request.plan_complete,
                "Add at least one step, and complete every field of every step, before moving on to staging",
            )?;
            to = S::StagingValidation;
            detail = "plan complete".into();
        }
        Action::RequestHostingHelp => {
            effects.push(Effect::StartAssistanceClock);
            effects.push(Effect::Send(message(MessageKind::AssistanceRequested, sec)));
            detail = "asked hosting for a call within 2 hours".into();
        }
        Action::SignOff { role, evidence } => {
            not_blank(evidence, "Give a note or a link as evidence for the sign-off")?;
            guard(!request.sign_offs.contains(role), &format!("{} has already signed off", role.label()))?;
            effects.push(Effect::RecordSignOff { role: *role, evidence: evidence.clone() });
            detail = format!("{} signed off staging", role.label());
        }
        Action::CompleteStaging => {
            let missing: Vec<&str> =
                SignOffRole::ALL.iter().filter(|r| !request.sign_offs.contains(r)).map(|r| r.label()).collect();
            guard(missing.is_empty(), &format!("Staging needs sign-off from {} first", missing.join(", ")))?;
            to = S::CrForm;
            detail = "staging validated".into();
        }
        Action::UpdateForm { complete, planned_start, security_related } => {
            effects.push(Effect::FormUpdated {
                complete: *complete,
                planned_start: *planned_start,
                security_related: *security_related,
            });
            detail = "CR form saved".into();
        }
        Action::SubmitForReview => {
            guard(request.plan_complete, "Complete the operation plan before submitting")?;
            guard(request.form_complete, "Complete the CR form before submitting")?;
            guard(request.fast_path || request.staging_signed_off(), "Staging needs every sign-off before submitting")?;
            to = S::HostingReview;
            effects.push(Effect::Send(message(MessageKind::SubmittedForReview, sec)));
            detail = "submitted for hosting review".into();
        }
        Action::AssignEngineer { engineer } => {
            effects.push(Effect::Assign(*engineer));
            detail = format!("hosting engineer {engineer} assigned");
        }
        Action::RecordRiskReview { security_related } => {
            effects.push(Effect::SetSecurityRelated(*security_related));
            detail = if *security_related {
                "risk review: security-related (ISSO copied)".into()
            } else {
                "risk review: not security-related".into()
            };
        }
        Action::ReturnToDev { comments } => {
            not_blank(comments, "Say what the dev team needs to change")?;
            to = S::ReturnedToDev;
            if from == S::Rejected {
                // The rejection ends this submission: a resubmission, changed or not, asks again.
                effects.push(Effect::VoidDecisions);
            }
            effects.push(Effect::ReturnComments(comments.clone()));
            effects.push(Effect::Send(message(MessageKind::ReturnedToDev, sec)));
            detail = "returned to dev with comments".into();
        }
        Action::SubmitToCors => {
            guard(!on_hold, "The request is on hold: lift the hold first")?;
            guard(request.plan_complete, "Complete the operation plan before submitting to the CORs")?;
            guard(request.form_complete, "Complete the CR form before submitting to the CORs")?;
            guard(request.risk_review_done, "Record the security and performance risk review first")?;
            guard(
                request.fast_path || request.staging_signed_off(),
                "Staging needs every sign-off first (only the outage fast path records it afterwards)",
            )?;
            guard(!ctx.cors.is_empty(), "No CORs are configured: ask an admin to configure them")?;
            to = S::AwaitingApproval;
            effects.push(Effect::FreezePlan(request.plan_hash.clone()));
            for cor in ctx.cors {
                effects.push(Effect::Send(message(MessageKind::ApprovalRequest(cor.id), sec)));
            }
            effects.push(Effect::Send(message(MessageKind::SubmittedToCors, sec)));
            effects.push(Effect::FileArchiveCopy(ArchiveReason::SubmittedToCors));
            let today = super::calendar::eastern_date(ctx.now);
            if let Quorum::Escalated { basis } = evaluate(ctx.cors, &[], &request.plan_hash, request.round + 1, today) {
                effects.push(Effect::Send(message(MessageKind::Escalated, sec)));
                effects.push(Effect::QuorumBasis(basis));
            }
            detail = format!("submitted to the CORs with plan version {}", request.plan_hash.short());
        }
        Action::Decide { verdict, plan_hash } => {
            guard(!on_hold, "The request is on hold: no decision until the hold is lifted")?;
            let submitted = request.submitted_plan_hash.as_ref();
            guard(
                submitted == Some(plan_hash) && plan_hash == &request.plan_hash,
                "The plan changed after this was sent: open the latest version",
            )?;
            guard(
                !request
                    .decisions
                    .iter()
                    .any(|d| d.by == actor.id && &d.plan_hash == plan_hash && d.round == request.round),
                "You have already decided on this plan version",
            )?;
            if let Verdict::Reject(reason) = verdict {
                not_blank(reason, "Give a reason for rejecting")?;
            }
            let today = super::calendar::eastern_date(ctx.now);
            let escalation = actor.role == Role::Admin;
            if escalation {
                guard(
                    matches!(
                        evaluate(ctx.cors, &request.decisions, plan_hash, request.round, today),
                        Quorum::Escalated { .. }
                    ),
                    "An admin decides only when every COR is out of office",
                )?;
            }
            let decision = Decision {
                by: actor.id,
                name: actor.name.clone(),
                verdict: verdict.clone(),
                at: ctx.now,
                plan_hash: plan_hash.clone(),
                round: request.round,
                on_escalation: escalation,
            };
            let mut all = request.decisions.clone();
            all.push(decision.clone());
            effects.push(Effect::RecordDecision(decision));
            match evaluate(ctx.cors, &all, plan_hash, request.round, today) {
                Quorum::Approved { basis } => {
                    to = S::Approved;
                    effects.push(Effect::QuorumBasis(basis.clone()));
                    effects.push(Effect::Send(message(MessageKind::Approved, sec)));
                    effects.push(Effect::FileArchiveCopy(ArchiveReason::Approved));
                    detail = format!("{} approved; quorum reached: {basis}", actor.name);
                }
                Quorum::Rejected { by, reason } => {
                    to = S::Rejected;
                    // Before the message, so the message carries who rejected and why.
                    effects.push(Effect::QuorumBasis(format!("rejected by {by}: {reason}")));
                    effects.push(Effect::Send(message(MessageKind::Rejected, sec)));
                    detail = format!("{by} rejected: {reason}");
                }
                Quorum::Pending { basis, .. } | Quorum::Escalated { basis } => {
                    effects.push(Effect::QuorumBasis(basis.clone()));
                    detail = format!("{} approved; {basis}", actor.name);
                }
            }
        }
        Action::StartImplementation { override_reason } => {
            guard(!on_hold, "The request is on hold: production work cannot start until the hold is lifted")?;
            guard(
                request.submitted_plan_hash.as_ref() == Some(&request.plan_hash),
                "Only the approved plan version can be executed",
            )?;
            let warnings = ctx.calendar.check(ctx.now);
            if !warnings.is_empty() {
                let reason = override_reason.as_deref().unwrap_or("").trim();
                let words: Vec<String> = warnings.iter().map(|w| w.message()).collect();
                guard(!reason.is_empty(), &format!("{}: give a reason to go ahead now", words.join("; ")))?;
                effects.push(Effect::RecordOverride(reason.to_string()));
            }
            to = S::Implementing;
            effects.push(Effect::Send(message(MessageKind::ImplementationStarted, sec)));
            detail = "production work started".into();
        }
        Action::RecordStep { step, rollback, status, note } => {
            use super::execution::StepStatus;
            if *status == StepStatus::Failed {
                not_blank(note, "Say what went wrong")?;
            }
            effects.push(Effect::RecordStep {
                step: *step,
                rollback: *rollback,
                status: *status,
                note: note.trim().to_string(),
            });
            detail = match (rollback, status) {
                (true, _) => format!("rolled back step {step}"),
                (false, StepStatus::Started) => format!("started step {step}"),
                (false, StepStatus::Done) => format!("step {step} done"),
                (false, StepStatus::Failed) => format!("step {step} failed: {}", note.trim()),
            };
        }
        Action::FinishImplementation => {
            to = S::ValidatingInProduction;
            detail = "every step done; dev team validating".into();
        }
        Action::AbortAndRollBack { reason } => {
            not_blank(reason, "Say why the change is being rolled back")?;
            to = S::RolledBack;
            effects.push(Effect::RecordReason(reason.clone()));
            effects.push(Effect::Send(message(MessageKind::RolledBack, sec)));
            effects.push(Effect::FileArchiveCopy(ArchiveReason::Closed));
            detail = format!("aborted and rolled back: {reason}");
        }
        Action::ValidateInProduction { note } => {
            not_blank(note, "Say what you checked in production")?;
            guard(
                !request.fast_path || request.staging_signed_off(),
                "On the outage fast path, record the staging sign-offs before closing",
            )?;
            to = S::Completed;
            effects.push(Effect::RecordReason(note.clone()));
            effects.push(Effect::Send(message(MessageKind::Completed, sec)));
            effects.push(Effect::FileArchiveCopy(ArchiveReason::Closed));
            detail = "validated in production; stakeholders notified".into();
        }
        Action::LogProblem { text } => {
            not_blank(text, "Describe the problem and its effect")?;
            effects.push(Effect::LogProblem(text.trim().to_string()));
            detail = format!("problem logged: {}", text.trim());
        }
        Action::RecordPostReview { checks, lessons } => {
            not_blank(lessons, "Say what to keep or change next time")?;
            let known = |c: &String| super::execution::VERIFICATION.iter().any(|(k, _)| k == c);
            guard(checks.iter().all(known), "Choose verification items from the list")?;
            effects.push(Effect::PostReview { checks: checks.clone(), lessons: lessons.trim().to_string() });
            if request.state.is_final() {
                // The closing copy is filed already: the review gets a copy of its own.
                effects.push(Effect::FileArchiveCopy(ArchiveReason::Reviewed));
            }
            detail = format!(
                "post-deployment review recorded ({} of {} checks)",
                checks.len(),
                super::execution::VERIFICATION.len()
            );
        }
        Action::Withdraw { reason } => {
            not_blank(reason, "Say why the request is withdrawn")?;
            to = S::Withdrawn;
            effects.push(Effect::RecordReason(reason.clone()));
            effects.push(Effect::Send(message(MessageKind::Withdrawn, sec)));
            detail = format!("withdrawn: {reason}");
        }
        Action::RaiseHold { reason } => {
            not_blank(reason, "Say what is blocking the change")?;
            guard(!on_hold, "The request is already on hold")?;
            effects.push(Effect::SetHold(Hold { reason: reason.clone(), raised_by: actor.id }));
            effects.push(Effect::Send(message(MessageKind::OnHold, sec)));
            detail = format!("on hold: {reason}");
        }
        Action::LiftHold => {
            guard(on_hold, "The request is not on hold")?;
            effects.push(Effect::ClearHold);
            detail = "hold lifted".into();
        }
    }
    // Entering these states starts a clock the record keeps.
    if to != from {
        match to {
            S::HostingReview => effects.push(Effect::StampSubmitted),
            S::AwaitingApproval => effects.push(Effect::StampApprovalRequested),
            S::Implementing => effects.push(Effect::StampImplementationStarted),
            _ => {}
        }
    }
    effects.push(Effect::Audit { action: action.kind().label().to_string(), detail });
    Ok(Transition { from, to, effects })
}

impl Request {
    /// Applies an allowed transition to this snapshot (what the server persists, in memory).
    pub fn apply(&mut self, t: &Transition) {
        self.state = t.to;
        for e in &t.effects {
            match e {
                Effect::MarkFastPath => self.fast_path = true,
                Effect::RecordSignOff { role, .. } => {
                    self.sign_offs.insert(*role);
                }
                Effect::NewPlanVersion { hash, complete } => {
                    self.plan_hash = hash.clone();
                    self.plan_complete = *complete;
                }
                Effect::FormUpdated { complete, planned_start, security_related } => {
                    self.form_complete = *complete;
                    self.planned_start = *planned_start;
                    // Hosting's risk review has the last word on the security flag.
                    if !self.risk_review_done {
                        self.security_related = *security_related;
                    }
                }
                Effect::FreezePlan(hash) => {
                    self.submitted_plan_hash = Some(hash.clone());
                    self.round += 1;
                }
                // Decisions stay in the record; the next submission is a new round.
                Effect::VoidDecisions => self.submitted_plan_hash = None,
                Effect::RecordDecision(d) => self.decisions.push(d.clone()),
                Effect::SetSecurityRelated(flag) => {
                    self.security_related = *flag;
                    self.risk_review_done = true;
                }
                Effect::Assign(id) => self.assigned_engineer = Some(*id),
                Effect::SetHold(h) => self.hold = Some(h.clone()),
                Effect::ClearHold => self.hold = None,
                Effect::Send(_)
                | Effect::FileArchiveCopy(_)
                | Effect::RecordStep { .. }
                | Effect::LogProblem(_)
                | Effect::PostReview { .. }
                | Effect::Audit { .. }
                | Effect::QueueForWindow(_)
                | Effect::StartAssistanceClock
                | Effect::StampSubmitted
                | Effect::StampApprovalRequested
                | Effect::StampImplementationStarted
                | Effect::QuorumBasis(_)
                | Effect::ReturnComments(_)
                | Effect::RecordOverride(_)
                | Effect::RecordReason(_) => {}
            }
        }
    }
}

/// The README's state-machine table, generated from [`RULES`].
pub fn rules_table_markdown() -> String {
    let mut out = String::from("| action | from | who | guard | next |\n| --- | --- | --- | --- | --- |\n");
    for r in RULES {
        let from: Vec<&str> = r.from.iter().map(|s| s.label()).collect();
        let who: Vec<&str> = r.who.iter().map(|p| p.label()).collect();
        out.push_str(&format!(
            "| {} | {} | {} | {} | {} |\n",
            r.action.label(),
            from.join(", "),
            who.join(", "),
            r.guard,
            r.to
        ));
    }
    out
}

#[cfg(test)]
mod tests;
