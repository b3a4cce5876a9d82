//! Who acts and what they ask to do; who counts as which party.

use super::*;

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
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, strum::EnumDiscriminants)]
#[strum_discriminants(
    name(ActionKind),
    derive(Hash, PartialOrd, Ord, Serialize, Deserialize),
    doc = "The kinds of [`Action`], for the rule table (derived: one kind per action)."
)]
pub enum Action {
    /// Answer the triage questions.
    Triage(TriageAnswers),
    /// The plan is written; move on to staging.
    CompletePlan,
    /// Ask the hosting team for a call (within [`crate::domain::sla::ASSISTANCE_CALL_HOURS`]).
    RequestHostingHelp,
    /// Hosting held the call the dev team asked for: its clock stops.
    RecordCallHeld,
    /// Sign off staging in one capacity, with evidence.
    SignOff {
        /// In which capacity.
        role: SignOffRole,
        /// A note or link.
        evidence: String,
        /// The emailed link it comes by, if it does (signed in: `None`).
        link: Option<SignOffLink>,
    },
    /// Ask someone by email to sign off staging in one capacity: they get a personal,
    /// single-use link (QA or the product owner are often not dev-team members here).
    AskToSignOff {
        /// In which capacity.
        role: SignOffRole,
        /// Their name.
        name: String,
        /// Their email address (lower case, trimmed).
        email: String,
    },
    /// Attach a staging evidence file (a log, a screenshot, a test report).
    AttachEvidence {
        /// The file.
        file: crate::domain::attachment::EvidenceFile,
        /// How many files the request holds already.
        held: usize,
    },
    /// Record what was changed in staging (what the plan is adjusted from).
    RecordStagingNotes {
        /// The notes, trimmed.
        notes: String,
    },
    /// Staging is validated; move on to the CR form.
    CompleteStaging,
    /// Submit the request for hosting review.
    SubmitForReview,
    /// Make a hosting engineer responsible.
    AssignEngineer {
        /// Who.
        engineer: UserId,
        /// Their role now; `None` when no active person has that id.
        role: Option<Role>,
        /// Their name as others see it: the requesting team is told who took the request.
        name: String,
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
        /// How many steps it has.
        steps: u32,
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
        /// The emailed link it comes by, if it does (signed in: `None`).
        link: Option<LinkStanding>,
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
        status: crate::domain::execution::StepStatus,
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

impl Action {
    /// The action's kind.
    pub fn kind(&self) -> ActionKind {
        self.into()
    }
}

impl ActionKind {
    /// True when some rule lets this action be taken in `state` (by someone, guards aside).
    pub fn taken_in(self, state: State) -> bool {
        RULES.iter().any(|r| r.action == self && r.from.contains(&state))
    }

    /// What people call it (the audit log and the README table use these words).
    pub fn label(self) -> &'static str {
        match self {
            ActionKind::Triage => "Answer triage",
            ActionKind::CompletePlan => "Complete the plan",
            ActionKind::RequestHostingHelp => "Request hosting help",
            ActionKind::RecordCallHeld => "Record the call as held",
            ActionKind::SignOff => "Sign off staging",
            ActionKind::AskToSignOff => "Ask someone to sign off",
            ActionKind::AttachEvidence => "Attach staging evidence",
            ActionKind::RecordStagingNotes => "Record staging changes",
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
    /// An admin deciding in the CORs' place (the guard: every COR is out of office).
    Escalation,
    /// Whoever raised the current hold.
    HoldRaiser,
    /// Someone the dev team asked by email to sign off staging (by their link alone).
    InvitedSigner,
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
            Party::Escalation => "admin (escalation)",
            Party::HoldRaiser => "hold raiser",
            Party::InvitedSigner => "person asked by email",
        }
    }

    /// True when `actor` stands in this relation to `request`.
    pub fn includes(self, actor: &Actor, request: &Request, ctx: &Context) -> bool {
        match self {
            Party::DevTeam => request.owner().is_dev_team(actor),
            Party::Hosting => actor.role.is_hosting(),
            Party::AssignedEngineer => {
                actor.role == Role::HostingLead
                    || (actor.role.is_hosting() && request.assigned_engineer == Some(actor.id))
            }
            Party::Cor => actor.role == Role::Cor && ctx.cors.iter().any(|c| c.id == actor.id),
            Party::Isso => actor.role == Role::Isso,
            Party::Admin | Party::Escalation => actor.role == Role::Admin,
            Party::HoldRaiser => request.hold.as_ref().is_some_and(|h| h.raised_by == actor.id),
            Party::InvitedSigner => request.invited.contains_key(&actor.id),
        }
    }
}

/// Whose request it is, as the dev team's rules see it: who started it, for which team. The
/// calendar, its feed and the schedule conflicts carry it for each change they list.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Owner {
    /// Who started it.
    pub started_by: UserId,
    /// The requesting dev team.
    pub team_id: Option<TeamId>,
}

impl Owner {
    /// True when `actor` is of its dev team: a dev team member who started it, or of its team.
    pub fn is_dev_team(&self, actor: &Actor) -> bool {
        actor.role == Role::DevTeamMember
            && (actor.id == self.started_by || (actor.team_id.is_some() && actor.team_id == self.team_id))
    }

    /// True when `actor` may see the request by their role ([`ReadScope`]).
    pub fn readable_by(&self, actor: &Actor) -> bool {
        match ReadScope::of(actor) {
            ReadScope::Every => true,
            ReadScope::DevTeam { .. } => self.is_dev_team(actor),
            ReadScope::Nothing => false,
        }
    }
}

/// Which requests someone reads by their role: one rule for a single request and for lists
/// (the store narrows a list to the same scope).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ReadScope {
    /// The hosting, approval, security, archive and admin side: they act on or oversee every
    /// request.
    Every,
    /// A dev team member: what they started and what their team started; other dev teams' not.
    DevTeam {
        /// Who they are.
        person: UserId,
        /// Their team, if they have one.
        team: Option<TeamId>,
    },
    /// Someone without a role yet: nothing.
    Nothing,
}

impl ReadScope {
    /// The scope of `actor`'s role.
    pub fn of(actor: &Actor) -> ReadScope {
        match actor.role {
            Role::DevTeamMember => ReadScope::DevTeam { person: actor.id, team: actor.team_id },
            Role::HostingEngineer | Role::HostingLead | Role::Cor | Role::Isso | Role::Archivist | Role::Admin => {
                ReadScope::Every
            }
            Role::Unassigned => ReadScope::Nothing,
        }
    }
}

/// Who may read a request: whoever its [`Owner`] lets by their role, and whoever the dev team
/// asked to sign off while their link is open.
pub fn may_read(actor: &Actor, request: &Request, ctx: &Context) -> bool {
    // Someone asked to sign off reads what they sign: the plan and what changed in staging.
    Party::InvitedSigner.includes(actor, request, ctx) || request.owner().readable_by(actor)
}
