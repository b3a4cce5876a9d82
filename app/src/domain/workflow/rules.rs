//! The rule table: every action, where it may be taken, by whom, under which guard.

use super::*;

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
    /// Where it leads, in words (the README's "next" column).
    pub to: &'static str,
    /// The states it may move the request to; none, and the request stays where it is.
    /// [`decide`] moves it nowhere else, and a state none leads out of is final.
    pub leads_to: &'static [State],
    /// A rule for the outage fast path alone: the refusal when the request is not on it.
    pub only_on_fast_path: Option<&'static str>,
}

/// Where the dev team prepares the request, before hosting review (see [`State::before_review`]).
pub(crate) const BEFORE_REVIEW: &[State] = &[S::Planning, S::StagingValidation, S::CrForm, S::ReturnedToDev];
/// Where an outage fast-path request goes after triage while its dev team records staging
/// (sign-offs, what was changed) afterwards.
const STAGING_AFTERWARDS: &[State] =
    &[S::HostingReview, S::AwaitingApproval, S::Approved, S::Implementing, S::ValidatingInProduction];
/// The refusals of the fast-path rules, off the fast path.
const SIGN_OFF_IN_STAGING: &str = "Staging sign-off is recorded during staging validation";
const WITH_HOSTING: &str = "The request is with the hosting team now";
/// Where a decision leads, a COR's or an admin's on escalation.
const QUORUM_DECIDES: &str =
    "Approved when the quorum is reached (archive copy filed); Rejected on any rejection; else same state";
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
        leads_to: &[S::Planning, S::HostingReview, S::RegularChange],
        only_on_fast_path: None,
    },
    Rule {
        action: ActionKind::EditPlan,
        from: BEFORE_REVIEW,
        who: &[Party::DevTeam],
        guard: "the plan changed; at most 200 steps",
        to: "same state, new plan version",
        leads_to: &[],
        only_on_fast_path: None,
    },
    Rule {
        action: ActionKind::EditPlan,
        from: HOSTING_EDITS,
        who: &[Party::Hosting],
        guard: "the plan changed; at most 200 steps",
        to: "same state, new plan version; after submission: Hosting review, earlier approvals void",
        leads_to: &[S::HostingReview],
        only_on_fast_path: None,
    },
    Rule {
        action: ActionKind::EditPlan,
        from: &[S::HostingReview],
        who: &[Party::DevTeam],
        guard: "outage fast path only; the plan changed; at most 200 steps",
        to: "same state, new plan version",
        leads_to: &[],
        only_on_fast_path: Some(WITH_HOSTING),
    },
    Rule {
        action: ActionKind::CompletePlan,
        from: &[S::Planning],
        who: &[Party::DevTeam, Party::Hosting],
        guard: "at least one step, every step complete",
        to: "Staging validation",
        leads_to: &[S::StagingValidation],
        only_on_fast_path: None,
    },
    Rule {
        action: ActionKind::RequestHostingHelp,
        from: BEFORE_REVIEW,
        who: &[Party::DevTeam],
        guard: "no call already waiting",
        to: "same state; hosting calls within 2 hours",
        leads_to: &[],
        only_on_fast_path: None,
    },
    Rule {
        action: ActionKind::RecordCallHeld,
        from: BEFORE_REVIEW,
        who: &[Party::Hosting],
        guard: "the dev team asked for a call not yet recorded as held",
        to: "same state; the call's clock stops",
        leads_to: &[],
        only_on_fast_path: None,
    },
    Rule {
        action: ActionKind::SignOff,
        from: &[S::StagingValidation],
        who: &[Party::DevTeam, Party::InvitedSigner],
        guard: "evidence given; not yet signed in that capacity; each capacity by a different person unless the team allows one person several; a person asked by email signs from their link, in the capacity asked, with their name",
        to: "same state",
        leads_to: &[],
        only_on_fast_path: None,
    },
    Rule {
        action: ActionKind::SignOff,
        from: STAGING_AFTERWARDS,
        who: &[Party::DevTeam, Party::InvitedSigner],
        guard: "outage fast path only (recorded afterwards); evidence given; each capacity by a different person unless the team allows one person several; a person asked by email signs from their link, in the capacity asked, with their name",
        to: "same state",
        leads_to: &[],
        only_on_fast_path: Some(SIGN_OFF_IN_STAGING),
    },
    Rule {
        action: ActionKind::AttachEvidence,
        from: &[S::StagingValidation],
        who: &[Party::DevTeam, Party::InvitedSigner],
        guard: "a PDF, image or text file under 10 MB whose content matches its name; at most 50 a request",
        to: "same state",
        leads_to: &[],
        only_on_fast_path: None,
    },
    Rule {
        action: ActionKind::AttachEvidence,
        from: STAGING_AFTERWARDS,
        who: &[Party::DevTeam, Party::InvitedSigner],
        guard: "outage fast path only (recorded afterwards); a PDF, image or text file under 10 MB whose content matches its name; at most 50 a request",
        to: "same state",
        leads_to: &[],
        only_on_fast_path: Some("Staging evidence is attached during staging validation"),
    },
    Rule {
        action: ActionKind::AskToSignOff,
        from: &[S::StagingValidation],
        who: &[Party::DevTeam],
        guard: "not yet signed in that capacity; name and email address given",
        to: "same state; the person gets a personal single-use link (an earlier one for that capacity stops working)",
        leads_to: &[],
        only_on_fast_path: None,
    },
    Rule {
        action: ActionKind::AskToSignOff,
        from: STAGING_AFTERWARDS,
        who: &[Party::DevTeam],
        guard: "outage fast path only; not yet signed in that capacity; name and email address given",
        to: "same state; the person gets a personal single-use link (an earlier one for that capacity stops working)",
        leads_to: &[],
        only_on_fast_path: Some(SIGN_OFF_IN_STAGING),
    },
    Rule {
        action: ActionKind::RecordStagingNotes,
        from: &[S::StagingValidation],
        who: &[Party::DevTeam],
        guard: "—",
        to: "same state",
        leads_to: &[],
        only_on_fast_path: None,
    },
    Rule {
        action: ActionKind::RecordStagingNotes,
        from: STAGING_AFTERWARDS,
        who: &[Party::DevTeam],
        guard: "outage fast path only (recorded afterwards)",
        to: "same state",
        leads_to: &[],
        only_on_fast_path: Some("What was changed in staging is recorded during staging validation"),
    },
    Rule {
        action: ActionKind::CompleteStaging,
        from: &[S::StagingValidation],
        who: &[Party::DevTeam],
        guard: "QA, testers, dev and product have all signed off",
        to: "CR form",
        leads_to: &[S::CrForm],
        only_on_fast_path: None,
    },
    Rule {
        action: ActionKind::UpdateForm,
        from: BEFORE_REVIEW,
        who: &[Party::DevTeam, Party::Hosting],
        guard: "—",
        to: "same state",
        leads_to: &[],
        only_on_fast_path: None,
    },
    Rule {
        action: ActionKind::UpdateForm,
        from: &[S::HostingReview],
        who: &[Party::Hosting],
        guard: "—",
        to: "same state",
        leads_to: &[],
        only_on_fast_path: None,
    },
    Rule {
        action: ActionKind::UpdateForm,
        from: &[S::HostingReview],
        who: &[Party::DevTeam],
        guard: "outage fast path only",
        to: "same state",
        leads_to: &[],
        only_on_fast_path: Some(WITH_HOSTING),
    },
    Rule {
        action: ActionKind::SubmitForReview,
        from: &[S::CrForm, S::ReturnedToDev],
        who: &[Party::DevTeam],
        guard: "plan and CR form complete; staging signed off",
        to: "Hosting review",
        leads_to: &[S::HostingReview],
        only_on_fast_path: None,
    },
    Rule {
        action: ActionKind::AssignEngineer,
        from: OPEN,
        who: &[Party::Hosting, Party::Admin],
        guard: "the person assigned is a hosting engineer or lead",
        to: "same state; the requesting team is told who took it",
        leads_to: &[],
        only_on_fast_path: None,
    },
    Rule {
        action: ActionKind::RecordRiskReview,
        from: &[S::HostingReview],
        who: &[Party::Hosting],
        guard: "—",
        to: "same state; sets or clears security-related",
        leads_to: &[],
        only_on_fast_path: None,
    },
    Rule {
        action: ActionKind::ReturnToDev,
        from: &[S::HostingReview, S::Rejected],
        who: &[Party::Hosting],
        guard: "comments given",
        to: "Returned to dev",
        leads_to: &[S::ReturnedToDev],
        only_on_fast_path: None,
    },
    Rule {
        action: ActionKind::SubmitToCors,
        from: &[S::HostingReview],
        who: &[Party::Hosting],
        guard: "plan and CR form complete; risk review done; staging signed off (except on the fast path); not on hold",
        to: "Awaiting approval; plan version frozen; archive copy filed",
        leads_to: &[S::AwaitingApproval],
        only_on_fast_path: None,
    },
    Rule {
        action: ActionKind::Decide,
        from: &[S::AwaitingApproval],
        who: &[Party::Cor],
        guard: "an emailed link unused, not voided by a plan change and unexpired; the submitted plan version; one decision per COR; a rejection has a reason; not on hold",
        to: QUORUM_DECIDES,
        leads_to: &[S::Approved, S::Rejected],
        only_on_fast_path: None,
    },
    Rule {
        action: ActionKind::Decide,
        from: &[S::AwaitingApproval],
        who: &[Party::Escalation],
        guard: "only when every COR is out of office (escalated); as for a COR",
        to: QUORUM_DECIDES,
        leads_to: &[S::Approved, S::Rejected],
        only_on_fast_path: None,
    },
    Rule {
        action: ActionKind::StartImplementation,
        from: &[S::Approved],
        who: &[Party::AssignedEngineer],
        guard: "not on hold; the approved plan version is current; inside the production window or an override reason",
        to: "Implementing",
        leads_to: &[S::Implementing],
        only_on_fast_path: None,
    },
    Rule {
        action: ActionKind::RecordStep,
        from: &[S::Implementing],
        who: &[Party::AssignedEngineer],
        guard: "steps in order, one at a time; after a failure only the rollback, newest first; a failure needs a note",
        to: "same state",
        leads_to: &[],
        only_on_fast_path: None,
    },
    Rule {
        action: ActionKind::FinishImplementation,
        from: &[S::Implementing],
        who: &[Party::AssignedEngineer],
        guard: "every step of the execution log done",
        to: "Validating in production",
        leads_to: &[S::ValidatingInProduction],
        only_on_fast_path: None,
    },
    Rule {
        action: ActionKind::AbortAndRollBack,
        from: &[S::Implementing, S::ValidatingInProduction],
        who: &[Party::AssignedEngineer],
        guard: "a reason; after a failed step, every rollback item done (newest first); without one, no step begun or every step done",
        to: "Rolled back; stakeholders notified; archive copy filed",
        leads_to: &[S::RolledBack],
        only_on_fast_path: None,
    },
    Rule {
        action: ActionKind::ValidateInProduction,
        from: &[S::ValidatingInProduction],
        who: &[Party::DevTeam],
        guard: "a note; on the fast path, staging signed off",
        to: "Completed; stakeholders notified; archive copy filed",
        leads_to: &[S::Completed],
        only_on_fast_path: None,
    },
    Rule {
        action: ActionKind::LogProblem,
        from: &[S::Approved, S::Implementing, S::ValidatingInProduction, S::Completed, S::RolledBack],
        who: &[Party::DevTeam, Party::Hosting, Party::Admin],
        guard: "a description",
        to: "same state; in the problem log",
        leads_to: &[],
        only_on_fast_path: None,
    },
    Rule {
        action: ActionKind::RecordPostReview,
        from: &[S::ValidatingInProduction, S::Completed, S::RolledBack],
        who: &[Party::DevTeam, Party::Hosting],
        guard: "lessons learned given; known verification items only",
        to: "same state; after closing, an archive copy filed",
        leads_to: &[],
        only_on_fast_path: None,
    },
    Rule {
        action: ActionKind::Withdraw,
        from: WITHDRAWABLE,
        who: &[Party::DevTeam, Party::Admin],
        guard: "a reason",
        to: "Withdrawn",
        leads_to: &[S::Withdrawn],
        only_on_fast_path: None,
    },
    Rule {
        action: ActionKind::RaiseHold,
        from: OPEN,
        who: ALL_INVOLVED,
        guard: "a reason; not already on hold",
        to: "same state, on hold",
        leads_to: &[],
        only_on_fast_path: None,
    },
    Rule {
        action: ActionKind::LiftHold,
        from: OPEN,
        who: &[Party::HoldRaiser, Party::Hosting, Party::Admin],
        guard: "on hold",
        to: "same state",
        leads_to: &[],
        only_on_fast_path: None,
    },
];

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
