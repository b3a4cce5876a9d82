//! The process, read as tests. Unit tests name the rules; property tests throw random actors
//! and actions at the machine and check what must always hold.

use super::*;
use crate::domain::calendar::{Calendar, Freeze};
use crate::domain::execution::StepStatus;
use crate::domain::notify::Recipient;
use crate::domain::quorum::Absence;
use chrono::{NaiveDate, TimeZone};
use proptest::prelude::*;
use std::collections::{HashSet, VecDeque};

const DEV: UserId = 1;
const OTHER_TEAM_DEV: UserId = 2;
const HOSTING: UserId = 3;
const LEAD: UserId = 4;
const COR_A: UserId = 5;
const COR_B: UserId = 6;
const ISSO: UserId = 7;
const ARCHIVIST: UserId = 8;
const ADMIN: UserId = 9;
const HOSTING_2: UserId = 10;
/// Dana's team-mates: each checks staging in a capacity of their own.
const QA: UserId = 11;
const TESTER: UserId = 12;
const PRODUCT_OWNER: UserId = 13;
/// Someone of no role here (QA from another organisation) whom the dev team asks by email.
const OUTSIDER: UserId = 14;

/// Who signs off staging in each capacity: four people of the requesting team.
const SIGNERS: [(SignOffRole, UserId); 4] = [
    (SignOffRole::Qa, QA),
    (SignOffRole::Testers, TESTER),
    (SignOffRole::Dev, DEV),
    (SignOffRole::Product, PRODUCT_OWNER),
];

fn actor(id: UserId) -> Actor {
    let (role, team, name) = match id {
        DEV => (Role::DevTeamMember, Some(1), "Dana"),
        OTHER_TEAM_DEV => (Role::DevTeamMember, Some(2), "Otto"),
        QA => (Role::DevTeamMember, Some(1), "Quinn"),
        TESTER => (Role::DevTeamMember, Some(1), "Tess"),
        PRODUCT_OWNER => (Role::DevTeamMember, Some(1), "Pat"),
        HOSTING => (Role::HostingEngineer, None, "Hal"),
        HOSTING_2 => (Role::HostingEngineer, None, "Hope"),
        LEAD => (Role::HostingLead, None, "Lee"),
        COR_A => (Role::Cor, None, "Elizabeth"),
        COR_B => (Role::Cor, None, "Alana"),
        ISSO => (Role::Isso, None, "Iris"),
        ARCHIVIST => (Role::Archivist, None, "Arlo"),
        OUTSIDER => (Role::Unassigned, None, "Olive"),
        _ => (Role::Admin, None, "Ada"),
    };
    Actor { id, name: name.into(), role, team_id: team }
}

const CAST: [UserId; 13] =
    [DEV, OTHER_TEAM_DEV, HOSTING, LEAD, COR_A, COR_B, ISSO, ARCHIVIST, ADMIN, HOSTING_2, QA, TESTER, PRODUCT_OWNER];

fn cors() -> Vec<Cor> {
    vec![
        Cor { id: COR_A, name: "Elizabeth".into(), absences: vec![] },
        Cor { id: COR_B, name: "Alana".into(), absences: vec![] },
    ]
}

fn date(d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, d).unwrap()
}

/// Tuesday 17 November 2026, 10:00 Eastern: inside the production window.
fn tuesday_morning() -> DateTime<Utc> {
    chrono_tz::America::New_York.with_ymd_and_hms(2026, 11, 17, 10, 0, 0).unwrap().with_timezone(&Utc)
}

fn h(s: &str) -> PlanHash {
    PlanHash(s.into())
}

struct World {
    cors: Vec<Cor>,
    calendar: Calendar,
    now: DateTime<Utc>,
    request: Request,
}

impl World {
    fn new() -> World {
        World {
            cors: cors(),
            calendar: Calendar::default(),
            now: tuesday_morning(),
            request: Request::new(DEV, Some(1), h("empty")),
        }
    }
    fn ctx(&self) -> Context<'_> {
        Context { now: self.now, cors: &self.cors, calendar: &self.calendar }
    }
    fn try_do(&mut self, who: UserId, action: Action) -> Result<Transition, Refusal> {
        let t = decide(&self.request, &actor(who), &action, &self.ctx())?;
        self.request.apply(&t);
        Ok(t)
    }
    fn must(&mut self, who: UserId, action: Action) -> Transition {
        let state = self.request.state;
        self.try_do(who, action.clone()).unwrap_or_else(|e| panic!("{action:?} by {who} in {state:?}: {e}"))
    }
    /// Each capacity signs off staging, each by its own person.
    fn sign_staging(&mut self, evidence: &str) {
        for (role, who) in SIGNERS {
            self.must(who, Action::SignOff { role, evidence: evidence.into(), link: None });
        }
    }
    fn emergency_to_hosting_review(&mut self) {
        self.must(DEV, Action::Triage(TriageAnswers { active_incident: true, ..Default::default() }));
        self.must(DEV, Action::EditPlan { new_hash: h("p1"), complete: true, steps: 1 });
        self.must(DEV, Action::CompletePlan);
        self.sign_staging("https://ci.example/run/1");
        self.must(DEV, Action::CompleteStaging);
        self.must(DEV, Action::UpdateForm { complete: true, planned_start: None, security_related: false });
        self.must(DEV, Action::SubmitForReview);
    }
    fn submitted(&mut self) {
        self.emergency_to_hosting_review();
        self.must(
            HOSTING,
            Action::AssignEngineer {
                engineer: HOSTING,
                role: Some(Role::HostingEngineer),
                name: "Harper Hosting".into(),
            },
        );
        self.must(HOSTING, Action::RecordRiskReview { security_related: false });
        self.must(HOSTING, Action::SubmitToCors);
    }
    /// Submitted, approved by both CORs, and production work started.
    fn implementing(&mut self) {
        self.submitted();
        self.approve(COR_A);
        self.approve(COR_B);
        self.must(HOSTING, Action::StartImplementation { override_reason: None });
    }
    /// Hosting starts and finishes each step of the plan in turn.
    fn run_every_step(&mut self) {
        for step in 1..=self.request.production.steps {
            for status in [StepStatus::Started, StepStatus::Done] {
                self.must(HOSTING, Action::RecordStep { step, rollback: false, status, note: String::new() });
            }
        }
    }
    fn approve(&mut self, who: UserId) -> Transition {
        let plan_hash = self.request.plan_hash.clone();
        self.must(who, Action::Decide { verdict: Verdict::Approve, plan_hash, link: None })
    }
}

fn messages(t: &Transition) -> Vec<&crate::domain::notify::Message> {
    t.effects
        .iter()
        .filter_map(|e| match e {
            Effect::Send(m) => Some(m),
            _ => None,
        })
        .collect()
}

// ---- Step 0: triage --------------------------------------------------------------------------

#[test]
fn an_active_incident_justifies_an_emergency_and_notifies_hosting() {
    let mut w = World::new();
    let t = w.must(DEV, Action::Triage(TriageAnswers { active_incident: true, ..Default::default() }));
    assert_eq!(t.to, State::Planning);
    assert_eq!(messages(&t)[0].kind(), &MessageKind::EmergencyStarted);
    assert_eq!(messages(&t)[0].to()[0].who, Recipient::HostingTeam);
}

#[test]
fn an_immediate_security_or_quality_need_justifies_an_emergency() {
    let mut w = World::new();
    let t = w.must(DEV, Action::Triage(TriageAnswers { security_or_quality_need: true, ..Default::default() }));
    assert_eq!(t.to, State::Planning);
}

#[test]
fn when_nothing_applies_it_becomes_a_regular_change_in_the_next_window_and_hosting_is_told() {
    let mut w = World::new();
    w.calendar.maintenance_windows = vec![Utc.with_ymd_and_hms(2026, 12, 8, 1, 0, 0).unwrap()];
    let t = w.must(DEV, Action::Triage(TriageAnswers::default()));
    assert_eq!(t.to, State::RegularChange);
    assert!(t.effects.contains(&Effect::QueueForWindow(Some(Utc.with_ymd_and_hms(2026, 12, 8, 1, 0, 0).unwrap()))));
    assert_eq!(messages(&t)[0].kind(), &MessageKind::RegularChangeQueued);
    assert!(w.request.state.is_final());
}

#[test]
fn production_down_takes_the_outage_fast_path_straight_to_hosting() {
    let mut w = World::new();
    let t = w.must(DEV, Action::Triage(TriageAnswers { users_cannot_access: true, ..Default::default() }));
    assert_eq!(t.to, State::HostingReview);
    assert!(w.request.fast_path);
}

#[test]
fn another_teams_developer_cannot_triage_someone_elses_request() {
    let mut w = World::new();
    let e = w.try_do(OTHER_TEAM_DEV, Action::Triage(TriageAnswers { active_incident: true, ..Default::default() }));
    assert_eq!(e, Err(Refusal::NotPermitted { action: "Answer triage" }));
}

// ---- Steps 1–3: plan, staging, form ----------------------------------------------------------

#[test]
fn staging_starts_only_when_every_step_of_the_plan_is_complete() {
    let mut w = World::new();
    w.must(DEV, Action::Triage(TriageAnswers { active_incident: true, ..Default::default() }));
    w.must(DEV, Action::EditPlan { new_hash: h("draft"), complete: false, steps: 1 });
    assert!(matches!(w.try_do(DEV, Action::CompletePlan), Err(Refusal::Guard(_))));
    w.must(DEV, Action::EditPlan { new_hash: h("p1"), complete: true, steps: 1 });
    assert_eq!(w.must(DEV, Action::CompletePlan).to, State::StagingValidation);
}

#[test]
fn asking_hosting_for_help_starts_the_two_hour_clock_and_tells_hosting() {
    let mut w = World::new();
    w.must(DEV, Action::Triage(TriageAnswers { active_incident: true, ..Default::default() }));
    let t = w.must(DEV, Action::RequestHostingHelp);
    assert!(t.effects.contains(&Effect::StartAssistanceClock));
    assert_eq!(messages(&t)[0].kind(), &MessageKind::AssistanceRequested);
    assert_eq!(t.to, State::Planning);
    // Hosting, told by mail, finds it in its queue until the request moves past preparation.
    assert!(t.to.in_hosting_queue(true) && !t.to.in_hosting_queue(false));
}

#[test]
fn hosting_records_the_call_it_held_and_a_call_still_owed_is_settled_when_review_begins() {
    let mut w = World::new();
    w.must(DEV, Action::Triage(TriageAnswers { active_incident: true, ..Default::default() }));
    assert!(matches!(w.try_do(HOSTING, Action::RecordCallHeld), Err(Refusal::Guard(_))), "nothing asked yet");
    w.must(DEV, Action::RequestHostingHelp);
    assert!(w.request.call_owed);
    // Asked once, the dev team is not offered to ask again; hosting is offered to record the call.
    assert!(!available_actions(&w.request, &actor(DEV), &w.ctx()).contains(&ActionKind::RequestHostingHelp));
    assert!(available_actions(&w.request, &actor(HOSTING), &w.ctx()).contains(&ActionKind::RecordCallHeld));
    // Asked twice (a stale page): refused, so the first request's clock keeps running.
    assert!(matches!(w.try_do(DEV, Action::RequestHostingHelp), Err(Refusal::Guard(g)) if g.contains("already asked")));
    assert_eq!(w.try_do(DEV, Action::RecordCallHeld), Err(Refusal::NotPermitted { action: "Record the call as held" }));
    let t = w.must(HOSTING, Action::RecordCallHeld);
    assert_eq!((t.to, t.effects.contains(&Effect::StopAssistanceClock { held: true })), (State::Planning, true));
    assert!(!w.request.call_owed && !t.to.in_hosting_queue(w.request.call_owed));
    assert!(matches!(w.try_do(HOSTING, Action::RecordCallHeld), Err(Refusal::Guard(_))), "held once");
    // Asked again and never held: submitting for review settles it (hosting has the request).
    w.must(DEV, Action::RequestHostingHelp);
    w.must(DEV, Action::EditPlan { new_hash: h("p1"), complete: true, steps: 1 });
    w.must(DEV, Action::CompletePlan);
    w.sign_staging("https://ci.example/run/1");
    w.must(DEV, Action::CompleteStaging);
    w.must(DEV, Action::UpdateForm { complete: true, planned_start: None, security_related: false });
    assert!(w.request.call_owed, "still owed while the dev team prepares");
    let t = w.must(DEV, Action::SubmitForReview);
    assert!(t.effects.contains(&Effect::StopAssistanceClock { held: false }) && !w.request.call_owed);
}

#[test]
fn the_dev_team_attaches_evidence_in_staging_up_to_the_limit() {
    let file = crate::domain::attachment::EvidenceFile {
        name: "run.log".into(),
        media_type: "text/plain; charset=utf-8".into(),
        size: 12,
        sha256: "ab".repeat(32),
    };
    let attach = |held: usize| Action::AttachEvidence { file: file.clone(), held };
    let mut w = World::new();
    w.must(DEV, Action::Triage(TriageAnswers { active_incident: true, ..Default::default() }));
    assert!(matches!(w.try_do(DEV, attach(0)), Err(Refusal::NotNow { .. })), "not before staging");
    w.must(DEV, Action::EditPlan { new_hash: h("p1"), complete: true, steps: 1 });
    w.must(DEV, Action::CompletePlan);
    let t = w.must(DEV, attach(0));
    assert!(t.effects.contains(&Effect::AttachEvidence(file.clone())));
    assert_eq!(t.to, State::StagingValidation);
    assert!(matches!(w.try_do(HOSTING, attach(1)), Err(Refusal::NotPermitted { .. })), "the dev team's evidence");
    assert!(matches!(
        w.try_do(DEV, attach(crate::domain::limits::ATTACHMENTS)),
        Err(Refusal::Input { input: Input::File, .. })
    ));
}

#[test]
fn staging_needs_qa_testers_dev_and_product_to_sign_off_each_once_with_evidence() {
    let mut w = World::new();
    w.must(DEV, Action::Triage(TriageAnswers { active_incident: true, ..Default::default() }));
    w.must(DEV, Action::EditPlan { new_hash: h("p1"), complete: true, steps: 1 });
    w.must(DEV, Action::CompletePlan);
    assert!(matches!(
        w.try_do(DEV, Action::SignOff { role: SignOffRole::Qa, evidence: " ".into(), link: None }),
        Err(Refusal::Input { input: Input::Evidence, .. })
    ));
    w.must(DEV, Action::SignOff { role: SignOffRole::Qa, evidence: "QA run 12".into(), link: None });
    assert_eq!(
        w.try_do(DEV, Action::SignOff { role: SignOffRole::Qa, evidence: "again".into(), link: None }),
        Err(Refusal::Guard("QA has already signed off".into()))
    );
    assert_eq!(
        w.try_do(DEV, Action::CompleteStaging),
        Err(Refusal::Guard("Staging needs sign-off from Testers, Dev, Product first".into()))
    );
}

#[test]
fn each_capacity_is_signed_off_by_a_different_person_unless_the_team_allows_one_person_several() {
    let mut w = World::new();
    w.must(DEV, Action::Triage(TriageAnswers { active_incident: true, ..Default::default() }));
    w.must(DEV, Action::EditPlan { new_hash: h("p1"), complete: true, steps: 1 });
    w.must(DEV, Action::CompletePlan);
    w.must(DEV, Action::SignOff { role: SignOffRole::Dev, evidence: "unit tests pass".into(), link: None });
    assert_eq!(w.request.signed_elsewhere(DEV), Some(SignOffRole::Dev));
    assert_eq!(
        w.try_do(DEV, Action::SignOff { role: SignOffRole::Qa, evidence: "QA run 12".into(), link: None }),
        Err(Refusal::Input {
            input: Input::Capacity,
            message: "You have signed off as Dev: each capacity is signed off by a different person. Ask whoever checked QA to sign off as themselves".into()
        })
    );
    assert_eq!(w.request.signed_elsewhere(QA), None);
    w.must(QA, Action::SignOff { role: SignOffRole::Qa, evidence: "QA run 12".into(), link: None });
    // The team's setting relaxes it: the same person signs the rest.
    w.request.one_signer_several_capacities = true;
    assert_eq!(w.request.signed_elsewhere(DEV), None);
    w.must(DEV, Action::SignOff { role: SignOffRole::Testers, evidence: "regression suite".into(), link: None });
    w.must(DEV, Action::SignOff { role: SignOffRole::Product, evidence: "looked right".into(), link: None });
    assert_eq!(w.must(DEV, Action::CompleteStaging).to, State::CrForm);
    assert_eq!(w.request.sign_offs.get(&SignOffRole::Product), Some(&DEV));
}

#[test]
fn someone_asked_by_email_signs_off_from_their_link_alone_in_the_capacity_asked() {
    let mut w = World::new();
    w.must(DEV, Action::Triage(TriageAnswers { active_incident: true, ..Default::default() }));
    w.must(DEV, Action::EditPlan { new_hash: h("p1"), complete: true, steps: 1 });
    w.must(DEV, Action::CompletePlan);
    let ask = |name: &str, email: &str| Action::AskToSignOff {
        role: SignOffRole::Qa,
        name: name.into(),
        email: email.into(),
    };
    assert!(matches!(w.try_do(DEV, ask(" ", "olive@qa.example")), Err(Refusal::Input { input: Input::Name, .. })));
    assert!(matches!(w.try_do(DEV, ask("Olive", "olive")), Err(Refusal::Input { input: Input::Email, .. })));
    assert_eq!(
        w.try_do(OUTSIDER, ask("Olive", "olive@qa.example")),
        Err(Refusal::NotPermitted { action: "Ask someone to sign off" })
    );
    let t = w.must(DEV, ask("Olive Outside", "olive@qa.example"));
    assert!(t.effects.contains(&Effect::InviteSigner {
        role: SignOffRole::Qa,
        name: "Olive Outside".into(),
        email: "olive@qa.example".into()
    }));
    let sent = messages(&t);
    assert_eq!(sent.len(), 1);
    assert_eq!(sent[0].to().iter().map(|a| &a.who).collect::<Vec<_>>(), [&Recipient::AskedToSignOff(SignOffRole::Qa)]);
    assert!(sent[0].cc().is_empty(), "a personal link goes to its holder alone");
    // Before the server files the invitation, the outsider may not even read the request.
    assert!(!may_read(&actor(OUTSIDER), &w.request, &w.ctx()));
    w.request.invited.insert(OUTSIDER, SignOffRole::Qa);
    assert!(may_read(&actor(OUTSIDER), &w.request, &w.ctx()));
    let link = |role: SignOffRole, signature: &str, expires_at: DateTime<Utc>| SignOffLink {
        role,
        expires_at,
        used_at: None,
        withdrawn: false,
        signature: signature.into(),
    };
    let sign =
        |role: SignOffRole, link: Option<SignOffLink>| Action::SignOff { role, evidence: "QA run 12".into(), link };
    let later = w.now + chrono::Duration::days(1);
    assert_eq!(
        w.try_do(OUTSIDER, sign(SignOffRole::Qa, None)),
        Err(Refusal::Guard("Sign off from the link in the email you were sent".into()))
    );
    assert_eq!(
        w.try_do(OUTSIDER, sign(SignOffRole::Testers, Some(link(SignOffRole::Qa, "Olive", later)))),
        Err(Refusal::Guard("This link asks you to sign off as QA".into()))
    );
    assert!(matches!(
        w.try_do(OUTSIDER, sign(SignOffRole::Qa, Some(link(SignOffRole::Qa, "  ", later)))),
        Err(Refusal::Input { input: Input::Name, .. })
    ));
    let expired = w.try_do(OUTSIDER, sign(SignOffRole::Qa, Some(link(SignOffRole::Qa, "Olive", w.now))));
    assert!(matches!(&expired, Err(Refusal::Guard(why)) if why.starts_with("This link expired")), "{expired:?}");
    let t = w.must(OUTSIDER, sign(SignOffRole::Qa, Some(link(SignOffRole::Qa, " Olive Outside ", later))));
    assert!(t.effects.contains(&Effect::RecordSignOff {
        role: SignOffRole::Qa,
        by: OUTSIDER,
        evidence: "QA run 12".into(),
        by_link_as: Some("Olive Outside".into())
    }));
    assert_eq!(w.request.sign_offs.get(&SignOffRole::Qa), Some(&OUTSIDER));
    // Signed: the invitation is spent, and with it the outsider's access.
    assert!(w.request.invited.is_empty());
    assert!(!may_read(&actor(OUTSIDER), &w.request, &w.ctx()));
    assert_eq!(
        w.try_do(DEV, ask("Olive", "olive@qa.example")),
        Err(Refusal::Guard("QA has already signed off".into()))
    );
}

#[test]
fn submitting_for_review_needs_a_complete_form() {
    let mut w = World::new();
    w.must(DEV, Action::Triage(TriageAnswers { active_incident: true, ..Default::default() }));
    w.must(DEV, Action::EditPlan { new_hash: h("p1"), complete: true, steps: 1 });
    w.must(DEV, Action::CompletePlan);
    w.sign_staging("ok");
    w.must(DEV, Action::CompleteStaging);
    assert_eq!(
        w.try_do(DEV, Action::SubmitForReview),
        Err(Refusal::Guard("Complete the CR form before submitting".into()))
    );
}

// ---- Step 4: review and approval -------------------------------------------------------------

#[test]
fn the_forms_security_answer_counts_until_hostings_risk_review_decides() {
    let mut w = World::new();
    w.must(DEV, Action::Triage(TriageAnswers { active_incident: true, ..Default::default() }));
    w.must(DEV, Action::UpdateForm { complete: false, planned_start: None, security_related: true });
    assert!(w.request.security_related);
    w.must(DEV, Action::EditPlan { new_hash: h("p1"), complete: true, steps: 1 });
    w.must(DEV, Action::CompletePlan);
    w.sign_staging("ok");
    w.must(DEV, Action::CompleteStaging);
    w.must(DEV, Action::UpdateForm { complete: true, planned_start: None, security_related: true });
    let t = w.must(DEV, Action::SubmitForReview);
    assert!(messages(&t)[0].cc().iter().any(|a| a.who == Recipient::Isso), "the ISSO is copied from the start");
    w.must(HOSTING, Action::RecordRiskReview { security_related: false });
    w.must(HOSTING, Action::UpdateForm { complete: true, planned_start: None, security_related: true });
    assert!(!w.request.security_related, "the review's conclusion stands");
}

#[test]
fn hosting_must_record_the_risk_review_before_submitting_to_the_cors() {
    let mut w = World::new();
    w.emergency_to_hosting_review();
    assert_eq!(
        w.try_do(HOSTING, Action::SubmitToCors),
        Err(Refusal::Guard("Record the security and performance risk review first".into()))
    );
}

#[test]
fn submission_freezes_the_plan_asks_each_cor_copies_the_teams_and_files_an_archive_copy() {
    let mut w = World::new();
    w.emergency_to_hosting_review();
    w.must(HOSTING, Action::RecordRiskReview { security_related: false });
    let t = w.must(HOSTING, Action::SubmitToCors);
    assert_eq!(t.to, State::AwaitingApproval);
    assert!(t.effects.contains(&Effect::FreezePlan(h("p1"))));
    assert!(t.effects.contains(&Effect::FileArchiveCopy(ArchiveReason::SubmittedToCors)));
    let kinds: Vec<_> = messages(&t).iter().map(|m| m.kind().clone()).collect();
    assert_eq!(
        kinds,
        vec![MessageKind::ApprovalRequest(COR_A), MessageKind::ApprovalRequest(COR_B), MessageKind::SubmittedToCors]
    );
}

#[test]
fn a_security_related_change_copies_the_isso_on_the_submission_but_never_on_a_decision_link() {
    let mut w = World::new();
    w.emergency_to_hosting_review();
    w.must(HOSTING, Action::RecordRiskReview { security_related: true });
    let t = w.must(HOSTING, Action::SubmitToCors);
    let (links, copies): (Vec<_>, Vec<_>) = messages(&t).into_iter().partition(|m| m.kind().carries_decision_link());
    assert_eq!(links.len(), 2);
    assert!(links.iter().all(|m| m.cc().is_empty() && m.to().len() == 1), "each COR's link reaches that COR alone");
    assert!(copies.iter().all(|m| m.cc().iter().any(|a| a.who == Recipient::Isso)));
}

#[test]
fn the_request_is_approved_only_when_both_cors_approve() {
    let mut w = World::new();
    w.submitted();
    assert_eq!(w.approve(COR_A).to, State::AwaitingApproval);
    let t = w.approve(COR_B);
    assert_eq!(t.to, State::Approved);
    assert!(t.effects.contains(&Effect::QuorumBasis("approved by Elizabeth and Alana".into())));
    assert!(t.effects.contains(&Effect::FileArchiveCopy(ArchiveReason::Approved)));
}

#[test]
fn one_approval_suffices_when_the_other_cor_is_out_of_office() {
    let mut w = World::new();
    w.cors[1].absences.push(Absence { from: date(16), to: date(20), note: Some("leave".into()), set_by: "Ada".into() });
    w.submitted();
    let t = w.approve(COR_A);
    assert_eq!(t.to, State::Approved);
    assert!(t.effects.contains(&Effect::QuorumBasis(
        "approved by Elizabeth; Alana out of office 16 Nov–20 Nov (leave), set by Ada".into()
    )));
}

#[test]
fn when_every_cor_is_out_an_admin_is_asked_and_only_then_may_decide() {
    let mut w = World::new();
    w.emergency_to_hosting_review();
    w.must(HOSTING, Action::RecordRiskReview { security_related: false });
    let plan_hash = w.request.plan_hash.clone();
    for c in &mut w.cors {
        c.absences.push(Absence { from: date(16), to: date(18), note: None, set_by: "Ada".into() });
    }
    let t = w.must(HOSTING, Action::SubmitToCors);
    assert!(messages(&t).iter().any(|m| *m.kind() == MessageKind::Escalated));
    assert_eq!(w.must(ADMIN, Action::Decide { verdict: Verdict::Approve, plan_hash, link: None }).to, State::Approved);
}

#[test]
fn an_admin_cannot_decide_while_a_cor_is_in() {
    let mut w = World::new();
    w.submitted();
    let plan_hash = w.request.plan_hash.clone();
    assert!(matches!(
        w.try_do(ADMIN, Action::Decide { verdict: Verdict::Approve, plan_hash, link: None }),
        Err(Refusal::Guard(_))
    ));
}

#[test]
fn a_cor_decides_once_per_plan_version() {
    let mut w = World::new();
    w.cors.push(Cor { id: 99, name: "Third".into(), absences: vec![] });
    w.submitted();
    w.approve(COR_A);
    let plan_hash = w.request.plan_hash.clone();
    assert_eq!(
        w.try_do(COR_A, Action::Decide { verdict: Verdict::Approve, plan_hash, link: None }),
        Err(Refusal::Guard("You have already decided on this plan version".into()))
    );
}

#[test]
fn any_rejection_rejects_and_needs_a_reason() {
    let mut w = World::new();
    w.submitted();
    w.approve(COR_A);
    let plan_hash = w.request.plan_hash.clone();
    let blank = Action::Decide { verdict: Verdict::Reject("  ".into()), plan_hash: plan_hash.clone(), link: None };
    assert_eq!(
        w.try_do(COR_B, blank),
        Err(Refusal::Input { input: Input::Reason, message: "Give the reason for rejecting".into() })
    );
    let t = w.must(
        COR_B,
        Action::Decide { verdict: Verdict::Reject("No rollback for step 2".into()), plan_hash, link: None },
    );
    assert_eq!(t.to, State::Rejected);
    // Hosting can rework it: back to the dev team.
    assert_eq!(w.must(HOSTING, Action::ReturnToDev { comments: "Add a rollback".into() }).to, State::ReturnedToDev);
}

#[test]
fn a_decision_on_a_stale_plan_version_is_refused() {
    let mut w = World::new();
    w.submitted();
    let t = w.try_do(COR_A, Action::Decide { verdict: Verdict::Approve, plan_hash: h("something else"), link: None });
    assert_eq!(t, Err(Refusal::Guard("The plan changed after this was sent: open the latest version".into())));
}

#[test]
fn a_decision_needs_the_version_sent_to_be_the_current_one() {
    let mut w = World::new();
    w.submitted();
    let sent = w.request.plan_hash.clone();
    // However the plan came to differ from what was sent, neither version may be decided on.
    w.request.plan_hash = h("edited since");
    for plan_hash in [sent, h("edited since")] {
        let t = w.try_do(COR_A, Action::Decide { verdict: Verdict::Approve, plan_hash, link: None });
        assert_eq!(t, Err(Refusal::Guard("The plan changed after this was sent: open the latest version".into())));
    }
}

#[test]
fn an_emailed_link_decides_only_while_unused_current_and_unexpired_and_says_why() {
    use crate::domain::quorum::LinkStanding;
    let mut w = World::new();
    w.submitted();
    let plan_hash = w.request.plan_hash.clone();
    let now = w.now;
    let fresh = LinkStanding { plan_hash, expires_at: now + chrono::Duration::hours(72), used_at: None, voided: false };
    let by = |link: LinkStanding| Action::Decide {
        verdict: Verdict::Approve,
        plan_hash: link.plan_hash.clone(),
        link: Some(link),
    };
    let refused = |w: &mut World, link: LinkStanding, why: &str| match w.try_do(COR_A, by(link)) {
        Err(Refusal::Guard(m)) => assert!(m.contains(why), "{m}"),
        other => panic!("expected a refusal saying {why:?}: {other:?}"),
    };
    refused(&mut w, LinkStanding { used_at: Some(now), ..fresh.clone() }, "This link was used at");
    refused(&mut w, LinkStanding { voided: true, ..fresh.clone() }, "The plan changed after this link was sent");
    refused(
        &mut w,
        LinkStanding { plan_hash: h("an older version"), ..fresh.clone() },
        "The plan changed after this link was sent",
    );
    refused(&mut w, LinkStanding { expires_at: now, ..fresh.clone() }, "This link expired at");
    w.must(COR_A, by(fresh.clone()));
    // Once the request has moved on, a spent link still says it was used (not "not possible now").
    w.approve(COR_B);
    assert_eq!(w.request.state, State::Approved);
    refused(&mut w, LinkStanding { used_at: Some(now), ..fresh }, "This link was used at");
}

#[test]
fn a_plan_edit_after_approval_voids_the_approvals_and_asks_again() {
    let mut w = World::new();
    w.submitted();
    w.approve(COR_A);
    w.approve(COR_B);
    let t = w.must(HOSTING, Action::EditPlan { new_hash: h("p2"), complete: true, steps: 1 });
    assert_eq!(t.to, State::HostingReview);
    assert!(t.effects.contains(&Effect::VoidDecisions));
    assert_eq!(w.request.decisions.len(), 2, "the record keeps them");
    assert_eq!(w.request.submitted_plan_hash, None);
    let resubmit = w.must(HOSTING, Action::SubmitToCors);
    assert!(resubmit.effects.contains(&Effect::FreezePlan(h("p2"))));
    let today = crate::domain::calendar::eastern_date(w.now);
    let r = &w.request;
    assert!(matches!(evaluate(&w.cors, &r.decisions, &r.plan_hash, r.round, today), Quorum::Pending { .. }));
}

#[test]
fn a_plan_edited_back_to_an_earlier_text_asks_the_cors_again() {
    let mut w = World::new();
    w.submitted();
    w.approve(COR_A);
    w.must(HOSTING, Action::EditPlan { new_hash: h("p2"), complete: true, steps: 1 });
    w.must(HOSTING, Action::EditPlan { new_hash: h("p1"), complete: true, steps: 1 });
    w.must(HOSTING, Action::SubmitToCors);
    assert_eq!(w.request.round, 2);
    // COR A's approval of p1 was on the first submission: COR B alone is not enough.
    assert_eq!(w.approve(COR_B).to, State::AwaitingApproval);
    assert_eq!(w.approve(COR_A).to, State::Approved);
}

#[test]
fn a_rejected_request_with_an_unchanged_plan_can_be_returned_and_resubmitted() {
    let mut w = World::new();
    w.submitted();
    w.approve(COR_A);
    let plan_hash = w.request.plan_hash.clone();
    let t = w.must(
        COR_B,
        Action::Decide { verdict: Verdict::Reject("Add the rollback timing".into()), plan_hash, link: None },
    );
    assert_eq!(t.to, State::Rejected);
    let back = w.must(HOSTING, Action::ReturnToDev { comments: "Add the rollback timing".into() });
    assert!(back.effects.contains(&Effect::VoidDecisions), "unused links of the rejected submission die");
    w.must(DEV, Action::SubmitForReview);
    w.must(HOSTING, Action::SubmitToCors);
    assert_eq!(w.approve(COR_B).to, State::AwaitingApproval, "the rejecting COR decides again");
    assert_eq!(w.approve(COR_A).to, State::Approved, "and so does the one who approved before");
}

#[test]
fn only_a_configured_cor_may_approve() {
    let mut w = World::new();
    w.submitted();
    let plan_hash = w.request.plan_hash.clone();
    for who in [DEV, HOSTING, ISSO, ARCHIVIST] {
        let e = w.try_do(who, Action::Decide { verdict: Verdict::Approve, plan_hash: plan_hash.clone(), link: None });
        assert_eq!(e, Err(Refusal::NotPermitted { action: "Approve or reject" }), "{who}");
    }
}

#[test]
fn hosting_returns_a_request_to_dev_with_comments_and_dev_resubmits() {
    let mut w = World::new();
    w.emergency_to_hosting_review();
    assert!(matches!(
        w.try_do(HOSTING, Action::ReturnToDev { comments: "".into() }),
        Err(Refusal::Input { input: Input::Comments, .. })
    ));
    let t = w.must(HOSTING, Action::ReturnToDev { comments: "Split the migration".into() });
    assert_eq!(messages(&t)[0].to()[0].who, Recipient::DevTeam);
    assert_eq!(w.must(DEV, Action::SubmitForReview).to, State::HostingReview);
}

// ---- Step 5: production ----------------------------------------------------------------------

#[test]
fn the_assigned_engineer_starts_inside_the_production_window() {
    let mut w = World::new();
    w.submitted();
    w.approve(COR_A);
    w.approve(COR_B);
    assert_eq!(
        w.try_do(HOSTING_2, Action::StartImplementation { override_reason: None }),
        Err(Refusal::NotPermitted { action: "Start implementation" })
    );
    assert_eq!(
        w.try_do(DEV, Action::StartImplementation { override_reason: None }),
        Err(Refusal::NotPermitted { action: "Start implementation" })
    );
    assert_eq!(w.must(HOSTING, Action::StartImplementation { override_reason: None }).to, State::Implementing);
}

#[test]
fn only_the_approved_plan_version_is_executed_and_never_on_hold() {
    let mut w = World::new();
    w.submitted();
    w.approve(COR_A);
    w.approve(COR_B);
    // A snapshot whose current plan is not the one the CORs approved (a stale or tampered load).
    let approved = w.request.plan_hash.clone();
    w.request.plan_hash = PlanHash("0".repeat(64));
    match w.try_do(HOSTING, Action::StartImplementation { override_reason: None }) {
        Err(Refusal::Guard(m)) => assert!(m.contains("Only the approved plan version"), "{m}"),
        other => panic!("expected a refusal, got {other:?}"),
    }
    w.request.plan_hash = approved;
    w.must(DEV, Action::RaiseHold { reason: "Launch at noon".into() });
    match w.try_do(HOSTING, Action::StartImplementation { override_reason: None }) {
        Err(Refusal::Guard(m)) => assert!(m.contains("on hold"), "{m}"),
        other => panic!("expected a refusal, got {other:?}"),
    }
    w.must(DEV, Action::LiftHold);
    assert_eq!(w.must(HOSTING, Action::StartImplementation { override_reason: None }).to, State::Implementing);
}

#[test]
fn outside_the_window_or_in_a_freeze_starting_needs_an_override_reason_which_is_recorded() {
    let mut w = World::new();
    w.submitted();
    w.approve(COR_A);
    w.approve(COR_B);
    w.calendar.freezes.push(Freeze {
        name: "Open enrollment".into(),
        reason: "peak".into(),
        from: date(16),
        to: date(18),
    });
    match w.try_do(HOSTING, Action::StartImplementation { override_reason: Some(" ".into()) }) {
        Err(Refusal::Input { input: Input::OverrideReason, message: m }) => {
            assert!(m.contains("Open enrollment change freeze") && m.contains("say why it cannot wait"), "{m}")
        }
        other => panic!("{other:?}"),
    }
    let t = w.must(HOSTING, Action::StartImplementation { override_reason: Some("Active breach".into()) });
    assert!(t.effects.contains(&Effect::RecordOverride("Active breach".into())));
}

#[test]
fn a_request_on_hold_cannot_start_until_the_hold_is_lifted() {
    let mut w = World::new();
    w.submitted();
    w.approve(COR_A);
    w.approve(COR_B);
    let offered = |w: &World, who| available_actions(&w.request, &actor(who), &w.ctx());
    assert!(
        offered(&w, HOSTING).contains(&ActionKind::RaiseHold) && !offered(&w, HOSTING).contains(&ActionKind::LiftHold)
    );
    w.must(DEV, Action::RaiseHold { reason: "Vendor outage".into() });
    // On hold: lifting it is offered, raising another is not (and is refused from a stale page).
    assert!(
        offered(&w, HOSTING).contains(&ActionKind::LiftHold) && !offered(&w, HOSTING).contains(&ActionKind::RaiseHold)
    );
    let again = Action::RaiseHold { reason: "Another".into() };
    assert!(matches!(w.try_do(HOSTING, again), Err(Refusal::Guard(g)) if g.contains("already on hold")));
    assert!(matches!(w.try_do(HOSTING, Action::StartImplementation { override_reason: None }), Err(Refusal::Guard(_))));
    assert_eq!(w.try_do(OTHER_TEAM_DEV, Action::LiftHold), Err(Refusal::NotPermitted { action: "Lift the hold" }));
    w.must(DEV, Action::LiftHold);
    assert_eq!(w.must(HOSTING, Action::StartImplementation { override_reason: None }).to, State::Implementing);
}

#[test]
fn a_failed_change_is_rolled_back_with_a_reason_and_archived() {
    let mut w = World::new();
    w.implementing();
    let t = w.must(HOSTING, Action::AbortAndRollBack { reason: "Step 2 failed".into() });
    assert_eq!(t.to, State::RolledBack);
    assert!(t.effects.contains(&Effect::FileArchiveCopy(ArchiveReason::Closed)));
}

#[test]
fn a_change_partway_through_is_not_ended_as_rolled_back_before_its_steps_are_undone() {
    let mut w = World::new();
    w.implementing();
    let mark = |status, rollback| Action::RecordStep { step: 1, rollback, status, note: "Pods crash".into() };
    w.must(HOSTING, mark(StepStatus::Started, false));
    let abort = Action::AbortAndRollBack { reason: "The window closed".into() };
    assert!(
        matches!(w.try_do(HOSTING, abort.clone()), Err(Refusal::Input { input: Input::Reason, ref message }) if message.contains("step 1 has begun")),
    );
    w.must(HOSTING, mark(StepStatus::Failed, false));
    w.must(HOSTING, mark(StepStatus::Done, true));
    assert_eq!(w.must(HOSTING, abort).to, State::RolledBack);
}

#[test]
fn the_dev_team_validates_in_production_then_stakeholders_are_notified() {
    let mut w = World::new();
    w.implementing();
    w.run_every_step();
    w.must(HOSTING, Action::FinishImplementation);
    assert!(matches!(
        w.try_do(HOSTING, Action::ValidateInProduction { note: "ok".into() }),
        Err(Refusal::NotPermitted { .. })
    ));
    let t = w.must(DEV, Action::ValidateInProduction { note: "Smoke tests pass".into() });
    assert_eq!(t.to, State::Completed);
    assert_eq!(messages(&t)[0].to()[0].who, Recipient::Stakeholders);
    // The post-implementation review takes the verification list's items only.
    let review = |checks: &[&str]| Action::RecordPostReview {
        checks: checks.iter().map(|c| c.to_string()).collect(),
        lessons: "Rehearse the rollback".into(),
    };
    assert_eq!(
        w.try_do(DEV, review(&["health_checks", "made_up"])),
        Err(Refusal::Input { input: Input::Checks, message: "Choose verification items from the list".into() })
    );
    assert_eq!(w.must(DEV, review(&["health_checks", "latency"])).to, State::Completed);
}

#[test]
fn on_the_fast_path_staging_sign_off_is_recorded_afterwards_before_closing() {
    let mut w = World::new();
    w.must(DEV, Action::Triage(TriageAnswers { users_cannot_access: true, ..Default::default() }));
    w.must(HOSTING, Action::EditPlan { new_hash: h("hotfix"), complete: true, steps: 1 });
    w.must(HOSTING, Action::UpdateForm { complete: true, planned_start: None, security_related: false });
    w.must(
        HOSTING,
        Action::AssignEngineer { engineer: HOSTING, role: Some(Role::HostingEngineer), name: "Harper Hosting".into() },
    );
    w.must(HOSTING, Action::RecordRiskReview { security_related: false });
    w.must(HOSTING, Action::SubmitToCors);
    w.approve(COR_A);
    w.approve(COR_B);
    w.must(HOSTING, Action::StartImplementation { override_reason: None });
    w.run_every_step();
    w.must(HOSTING, Action::FinishImplementation);
    assert!(matches!(w.try_do(DEV, Action::ValidateInProduction { note: "ok".into() }), Err(Refusal::Guard(_))));
    w.sign_staging("verified after the fix");
    assert_eq!(w.must(DEV, Action::ValidateInProduction { note: "ok".into() }).to, State::Completed);
}

#[test]
fn the_requester_may_withdraw_before_production_work_starts_but_not_after() {
    let mut w = World::new();
    w.submitted();
    assert_eq!(w.must(DEV, Action::Withdraw { reason: "Fixed upstream".into() }).to, State::Withdrawn);
    let mut w = World::new();
    w.implementing();
    assert!(matches!(w.try_do(DEV, Action::Withdraw { reason: "x".into() }), Err(Refusal::NotNow { .. })));
}

#[test]
fn an_archivist_changes_nothing() {
    let w = World::new();
    assert!(available_actions(&w.request, &actor(ARCHIVIST), &w.ctx()).is_empty());
}

/// Run with `UPDATE_README=1` to rewrite the README's table from [`RULES`].
#[test]
fn each_rules_words_name_the_states_it_leads_to_and_the_final_states_are_where_none_leads_on() {
    for rule in RULES {
        for state in rule.leads_to {
            assert!(rule.to.contains(state.label()), "{:?}: {:?} does not name {state:?}", rule.action, rule.to);
        }
        if rule.leads_to.is_empty() {
            assert!(rule.to.starts_with("same state"), "{:?}: {:?}", rule.action, rule.to);
        }
    }
    let finals: Vec<State> = State::ALL.iter().copied().filter(|s| s.is_final()).collect();
    assert_eq!(finals, [State::RegularChange, State::Completed, State::Withdrawn, State::RolledBack]);
}

#[test]
fn the_readme_table_is_the_rule_table() {
    crate::readme::assert_section("rules", &rules_table_markdown());
}

// ---- Reachability ----------------------------------------------------------------------------

/// A finite alphabet of concrete actions, enough to reach every state.
fn alphabet() -> Vec<Action> {
    let mut v = vec![
        Action::Triage(TriageAnswers { active_incident: true, ..Default::default() }),
        Action::Triage(TriageAnswers { users_cannot_access: true, ..Default::default() }),
        Action::Triage(TriageAnswers::default()),
        Action::EditPlan { new_hash: h("p1"), complete: true, steps: 1 },
        Action::EditPlan { new_hash: h("p2"), complete: true, steps: 1 },
        Action::EditPlan { new_hash: h("draft"), complete: false, steps: 1 },
        Action::CompletePlan,
        Action::RequestHostingHelp,
        Action::RecordCallHeld,
        Action::CompleteStaging,
        Action::UpdateForm { complete: true, planned_start: None, security_related: false },
        Action::SubmitForReview,
        Action::AssignEngineer { engineer: HOSTING, role: Some(Role::HostingEngineer), name: "Harper Hosting".into() },
        Action::RecordRiskReview { security_related: false },
        Action::RecordRiskReview { security_related: true },
        Action::ReturnToDev { comments: "fix".into() },
        Action::SubmitToCors,
        Action::StartImplementation { override_reason: None },
        Action::StartImplementation { override_reason: Some("urgent".into()) },
        Action::RecordStep { step: 1, rollback: false, status: StepStatus::Started, note: String::new() },
        Action::RecordStep { step: 1, rollback: false, status: StepStatus::Done, note: String::new() },
        Action::RecordStep { step: 1, rollback: false, status: StepStatus::Failed, note: "broke".into() },
        Action::RecordStep { step: 1, rollback: true, status: StepStatus::Done, note: String::new() },
        Action::FinishImplementation,
        Action::AbortAndRollBack { reason: "failed".into() },
        Action::ValidateInProduction { note: "ok".into() },
        Action::Withdraw { reason: "no longer needed".into() },
        Action::RaiseHold { reason: "blocked".into() },
        Action::LiftHold,
    ];
    for &role in SignOffRole::ALL {
        v.push(Action::SignOff { role, evidence: "evidence".into(), link: None });
        v.push(Action::AskToSignOff { role, name: "Olive".into(), email: "olive@qa.example".into() });
    }
    for hash in ["p1", "p2", "draft"] {
        v.push(Action::Decide { verdict: Verdict::Approve, plan_hash: h(hash), link: None });
        v.push(Action::Decide { verdict: Verdict::Reject("no".into()), plan_hash: h(hash), link: None });
    }
    v
}

#[test]
fn every_state_is_reachable_from_triage() {
    let mut w = World::new();
    // The search acts as four people; a team that lets one person sign every capacity keeps it
    // small (the property test covers teams that do not).
    w.request.one_signer_several_capacities = true;
    let ctx = w.ctx();
    let alphabet = alphabet();
    // Requests that differ only in what no guard reads (decisions of earlier rounds, how many
    // rounds there were) are one node: the search stays small enough to reach "completed".
    let key = |r: &Request| {
        let mut k = r.clone();
        k.decisions.retain(|d| d.round == r.round);
        k.round = 0;
        k
    };
    let mut seen: HashSet<Request> = HashSet::new();
    let mut states: HashSet<State> = HashSet::new();
    let mut queue = VecDeque::from([(w.request.clone(), 0u32)]);
    while let Some((req, depth)) = queue.pop_front() {
        states.insert(req.state);
        if depth >= 22 || states.len() == State::ALL.len() {
            continue;
        }
        for who in [DEV, HOSTING, COR_A, COR_B] {
            for action in &alphabet {
                if let Ok(t) = decide(&req, &actor(who), action, &ctx) {
                    let mut next = req.clone();
                    next.apply(&t);
                    // Decisions carry times; the same decision reached twice is the same node.
                    if seen.insert(key(&next)) {
                        queue.push_back((next, depth + 1));
                    }
                }
            }
        }
    }
    let missing: Vec<_> = State::ALL.iter().filter(|s| !states.contains(s)).collect();
    assert!(missing.is_empty(), "unreachable: {missing:?}");
}

// ---- Properties ------------------------------------------------------------------------------

fn arb_action() -> impl Strategy<Value = Action> {
    let fixed = alphabet();
    prop_oneof![
        4 => proptest::sample::select(fixed),
        1 => (any::<bool>(), any::<bool>(), any::<bool>(), any::<bool>()).prop_map(|(a, b, c, d)| Action::Triage(TriageAnswers {
            active_incident: a, users_cannot_access: b, performance_degraded: c, security_or_quality_need: d
        })),
        1 => proptest::sample::select(CAST.to_vec()).prop_map(|engineer| Action::AssignEngineer { engineer, role: Some(actor(engineer).role), name: "Harper Hosting".into() }),
        1 => "[ a-z]{0,4}".prop_map(|r| Action::Decide { verdict: Verdict::Reject(r), plan_hash: h("p1"), link: None }),
        1 => proptest::option::of("[ a-z]{0,3}").prop_map(|o| Action::StartImplementation { override_reason: o }),
        2 => (0u32..4, any::<bool>(), proptest::sample::select(vec![StepStatus::Started, StepStatus::Done, StepStatus::Failed]), "[ a-z]{0,2}")
            .prop_map(|(step, rollback, status, note)| Action::RecordStep { step, rollback, status, note }),
    ]
}

fn arb_world() -> impl Strategy<Value = (Vec<bool>, u32, bool, bool)> {
    // Which CORs are out; the hour (Eastern) of day; whether a freeze is on; whether the team lets
    // one person sign off in several capacities.
    (proptest::collection::vec(any::<bool>(), 1..4), 0u32..24, any::<bool>(), any::<bool>())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 2000, ..ProptestConfig::default() })]

    /// Random sequences of actions by random actors: the invariants of the process hold.
    #[test]
    fn the_process_invariants_hold_for_any_sequence(
        (absent, hour, freeze, several) in arb_world(),
        start in 0u8..6,
        steps in proptest::collection::vec((proptest::sample::select(CAST.to_vec()), arb_action()), 0..60),
    ) {
        let mut w = World::new();
        w.cors = absent.iter().enumerate().map(|(i, out)| Cor {
            id: [COR_A, COR_B, 50][i],
            name: format!("C{i}"),
            absences: if *out { vec![Absence { from: date(1), to: date(30), note: None, set_by: "x".into() }] } else { vec![] },
        }).collect();
        w.now = chrono_tz::America::New_York.with_ymd_and_hms(2026, 11, 17, hour, 0, 0).unwrap().with_timezone(&Utc);
        w.request.one_signer_several_capacities = several;
        // Random sequences rarely get far on their own: start some runs deep in the process, and
        // some in staging, where the sign-offs are made.
        if start == 5 {
            w.must(DEV, Action::Triage(TriageAnswers { active_incident: true, ..Default::default() }));
            w.must(DEV, Action::EditPlan { new_hash: h("p1"), complete: true, steps: 1 });
            w.must(DEV, Action::CompletePlan);
        } else if start >= 1 {
            w.emergency_to_hosting_review();
        }
        if (2..5).contains(&start) {
            w.must(HOSTING, Action::AssignEngineer { engineer: HOSTING, role: Some(Role::HostingEngineer), name: "Harper Hosting".into() });
            w.must(HOSTING, Action::RecordRiskReview { security_related: hour % 2 == 0 });
            w.must(HOSTING, Action::SubmitToCors);
        }
        if (3..5).contains(&start) {
            let plan_hash = w.request.plan_hash.clone();
            for who in [COR_A, COR_B, ADMIN] {
                let _ = w.try_do(who, Action::Decide { verdict: Verdict::Approve, plan_hash: plan_hash.clone(), link: None });
            }
        }
        if start == 4 {
            let _ = w.try_do(HOSTING, Action::StartImplementation { override_reason: Some("test".into()) });
        }
        if freeze {
            w.calendar.freezes.push(Freeze { name: "F".into(), reason: "r".into(), from: date(17), to: date(17) });
        }
        for (who, action) in steps {
            let before = w.request.clone();
            let a = actor(who);
            let ctx = w.ctx();
            match decide(&before, &a, &action, &ctx) {
                Ok(t) => {
                    // Only permitted actors change anything: some rule for this action and state names
                    // them, and the request moves only where that rule leads.
                    let rule = RULES.iter().find(|r| r.action == action.kind() && r.from.contains(&before.state)
                        && r.who.iter().any(|p| p.includes(&a, &before, &ctx)));
                    prop_assert!(rule.is_some());
                    prop_assert!(t.to == t.from || rule.is_some_and(|r| r.leads_to.contains(&t.to)), "{:?} → {:?}", t.from, t.to);
                    // Every transition yields exactly one audit event.
                    prop_assert_eq!(t.effects.iter().filter(|e| matches!(e, Effect::Audit { .. })).count(), 1);
                    prop_assert_eq!(t.from, before.state);
                    prop_assert!(!before.state.is_final(), "nothing happens to a closed request");
                    // A clock starts exactly when its state is entered.
                    let entered = |s: State| t.to == s && t.from != s;
                    let count = |e: &Effect| t.effects.iter().filter(|x| *x == e).count();
                    prop_assert_eq!(count(&Effect::StampSubmitted), usize::from(entered(State::HostingReview)));
                    prop_assert_eq!(count(&Effect::StampApprovalRequested), usize::from(entered(State::AwaitingApproval)));
                    prop_assert_eq!(count(&Effect::StampImplementationStarted), usize::from(entered(State::Implementing)));
                    w.request.apply(&t);
                    let r = &w.request;
                    // Never approved without quorum, never on a stale plan hash.
                    if r.state == State::Approved && before.state != State::Approved {
                        let today = crate::domain::calendar::eastern_date(w.now);
                        let approved =
                            matches!(evaluate(&w.cors, &r.decisions, &r.plan_hash, r.round, today), Quorum::Approved { .. });
                        prop_assert!(approved, "approved without quorum");
                        prop_assert_eq!(r.submitted_plan_hash.as_ref(), Some(&r.plan_hash));
                        prop_assert!(r
                            .decisions
                            .iter()
                            .filter(|d| d.round == r.round)
                            .all(|d| d.plan_hash == r.plan_hash && d.verdict == Verdict::Approve));
                    }
                    // Handed over for validation only with every step done; closed as rolled back
                    // only with the rollback checklist done.
                    // Every mark in the log was a possible next mark when it was made.
                    let mut replay = Execution { steps: r.production.steps, marks: Vec::new() };
                    for m in &r.production.marks {
                        prop_assert!(replay.check(m.step, m.rollback, m.status).is_ok(), "{:?}", r.production);
                        replay.marks.push(*m);
                    }
                    if r.state == State::ValidatingInProduction && before.state != r.state {
                        prop_assert!(r.production.all_done());
                    }
                    // A call is owed only where one may be asked.
                    prop_assert!(!r.call_owed || r.state.may_ask_for_a_call(), "{:?}", r.state);
                    if r.state == State::RolledBack {
                        prop_assert_eq!(r.production.rollback_pending(), None);
                        prop_assert!(r.production.may_end_as_rolled_back().is_ok(), "{:?}", r.production);
                    }
                    // Each capacity by a different person, unless the team allows otherwise.
                    if !r.one_signer_several_capacities {
                        let mut signers: Vec<UserId> = r.sign_offs.values().copied().collect();
                        let n = signers.len();
                        signers.sort();
                        signers.dedup();
                        prop_assert_eq!(signers.len(), n, "one person in two capacities: {:?}", r.sign_offs);
                    }
                    if r.state == State::Implementing && before.state != State::Implementing {
                        prop_assert!(before.hold.is_none());
                        prop_assert_eq!(r.submitted_plan_hash.as_ref(), Some(&r.plan_hash));
                    }
                }
                Err(_) => prop_assert_eq!(&w.request, &before),
            }
            // Every decision is recorded once: one per person per submission round (a plan edited
            // back to an earlier text is a new round, asked again: decisions.round).
            let mut keys: Vec<_> = w.request.decisions.iter().map(|d| (d.by, d.round)).collect();
            let n = keys.len();
            keys.sort();
            keys.dedup();
            prop_assert_eq!(keys.len(), n);
        }
    }
}

#[test]
fn archive_copies_are_named_by_reference_filing_date_and_copy_number() {
    let at = chrono::TimeZone::with_ymd_and_hms(&Utc, 2026, 11, 21, 23, 59, 0).unwrap();
    assert_eq!(archive_file_name("ECR-2026-0042", at, 3), "ECR-2026-0042_20261121_v03.pdf");
    for r in [ArchiveReason::SubmittedToCors, ArchiveReason::Approved, ArchiveReason::Closed, ArchiveReason::Reviewed] {
        assert_eq!(ArchiveReason::parse(r.as_str()), Some(r));
    }
}

#[test]
fn only_a_hosting_engineer_or_lead_can_be_assigned() {
    let mut w = World::new();
    w.emergency_to_hosting_review();
    for role in [Some(Role::DevTeamMember), Some(Role::Cor), Some(Role::Admin), None] {
        assert_eq!(
            w.try_do(HOSTING, Action::AssignEngineer { engineer: DEV, role, name: "Harper Hosting".into() }),
            Err(Refusal::Input { input: Input::Engineer, message: "Choose a hosting engineer".into() })
        );
    }
    w.must(
        HOSTING,
        Action::AssignEngineer { engineer: LEAD, role: Some(Role::HostingLead), name: "Harper Hosting".into() },
    );
}

#[test]
fn the_requesting_team_is_told_who_took_the_request_once_per_engineer() {
    use crate::domain::notify::{MessageKind, Recipient};
    let mut w = World::new();
    w.emergency_to_hosting_review();
    let assign = |engineer, role, name: &str| Action::AssignEngineer { engineer, role: Some(role), name: name.into() };
    let told = |t: &Transition| {
        messages(t)
            .iter()
            .filter(|m| *m.kind() == MessageKind::EngineerAssigned)
            .map(|m| m.to().iter().map(|a| a.who.clone()).collect::<Vec<_>>())
            .collect::<Vec<_>>()
    };
    let t = w.must(HOSTING, assign(HOSTING, Role::HostingEngineer, "Harper Hosting"));
    assert_eq!(told(&t), [vec![Recipient::DevTeam]]);
    assert!(t.effects.contains(&Effect::Assign { engineer: HOSTING, name: "Harper Hosting".into() }));
    // Taking it again changes nobody: no second message.
    assert!(told(&w.must(HOSTING, assign(HOSTING, Role::HostingEngineer, "Harper Hosting"))).is_empty());
    // Handing it to someone else does.
    assert_eq!(told(&w.must(HOSTING, assign(LEAD, Role::HostingLead, "Lee Lead"))), [vec![Recipient::DevTeam]]);
}

#[test]
fn a_plan_has_at_most_the_step_limit() {
    let mut w = World::new();
    w.must(DEV, Action::Triage(TriageAnswers { users_cannot_access: true, ..Default::default() }));
    let limit = crate::domain::limits::PLAN_STEPS as u32;
    w.must(DEV, Action::EditPlan { new_hash: h("full"), complete: true, steps: limit });
    assert!(matches!(
        w.try_do(DEV, Action::EditPlan { new_hash: h("one more"), complete: true, steps: limit + 1 }),
        Err(Refusal::Input { input: Input::StepAction, .. })
    ));
}

#[test]
fn the_rules_table_names_the_step_limit_that_decide_checks() {
    let limit = format!("at most {} steps", crate::domain::limits::PLAN_STEPS);
    for rule in RULES.iter().filter(|r| r.action == ActionKind::EditPlan) {
        assert!(rule.guard.contains(&limit), "{:?} does not say {limit}", rule.guard);
    }
}

#[test]
fn the_rules_table_names_the_evidence_limits_that_are_checked() {
    let size = format!("under {}", crate::domain::attachment::size_in_words());
    let count = format!("at most {} a request", crate::domain::limits::ATTACHMENTS);
    for rule in RULES.iter().filter(|r| r.action == ActionKind::AttachEvidence) {
        assert!(
            rule.guard.contains(&size) && rule.guard.contains(&count),
            "{:?} does not say {size} and {count}",
            rule.guard
        );
    }
}

#[test]
fn the_dev_team_prepares_until_hosting_review_and_through_it_on_the_fast_path() {
    for &state in State::ALL {
        for fast_path in [false, true] {
            let expected = matches!(
                state,
                State::Triage | State::Planning | State::StagingValidation | State::CrForm | State::ReturnedToDev
            ) || (fast_path && state == State::HostingReview);
            assert_eq!(state.preparing(fast_path), expected, "{state:?}, fast path {fast_path}");
        }
    }
}

#[test]
fn the_hosting_queue_lists_what_was_handed_over_until_it_ends_regular_changes_and_owed_calls() {
    use State as S;
    let always = [
        S::HostingReview,
        S::AwaitingApproval,
        S::Approved,
        S::Implementing,
        S::ValidatingInProduction,
        S::RegularChange,
        S::Rejected,
    ];
    let with_a_call = [S::Planning, S::StagingValidation, S::CrForm, S::ReturnedToDev];
    for &state in State::ALL {
        assert_eq!(state.in_hosting_queue(false), always.contains(&state), "{state:?}");
        assert_eq!(state.in_hosting_queue(true), always.contains(&state) || with_a_call.contains(&state), "{state:?}");
    }
}

#[test]
fn before_review_is_where_the_dev_team_may_change_the_form_off_the_fast_path() {
    for &state in State::ALL {
        let may_change = RULES.iter().any(|r| {
            r.action == ActionKind::UpdateForm
                && r.who.contains(&Party::DevTeam)
                && r.from.contains(&state)
                && r.only_on_fast_path.is_none()
        });
        assert_eq!(state.before_review(), may_change, "{state:?}");
        assert_eq!(state.before_review(), state.preparing(false) && state != State::Triage, "{state:?}");
    }
}

#[test]
fn production_work_is_under_way_while_it_may_be_rolled_back_and_its_page_opens_at_approval() {
    use State as S;
    let under_way: Vec<_> = State::ALL.iter().copied().filter(|s| s.in_production()).collect();
    assert_eq!(under_way, [S::Implementing, S::ValidatingInProduction]);
    let from_approval: Vec<_> = State::ALL.iter().copied().filter(|s| s.is_production_or_later()).collect();
    assert_eq!(from_approval, [S::Approved, S::Implementing, S::ValidatingInProduction, S::Completed, S::RolledBack]);
}

#[test]
fn a_closing_note_is_headed_by_how_the_request_ended() {
    use State as S;
    let headed: Vec<_> = State::ALL.iter().filter_map(|s| s.closing_note_label().map(|l| (*s, l))).collect();
    assert_eq!(
        headed,
        [
            (S::Completed, "Validated in production"),
            (S::Withdrawn, "Why it was withdrawn"),
            (S::RolledBack, "Why it was rolled back"),
        ]
    );
    assert!(headed.iter().all(|(s, _)| s.is_final()), "only an ended request has a closing note");
}

#[test]
fn sign_off_capacities_are_listed_in_words() {
    use SignOffRole as R;
    assert_eq!(SignOffRole::in_words(&[R::Qa]), "QA");
    assert_eq!(SignOffRole::in_words(&[R::Qa, R::Dev]), "QA and Dev");
    assert_eq!(SignOffRole::in_words(&[R::Qa, R::Testers, R::Product]), "QA, Testers and Product");
}

#[test]
fn every_state_round_trips_through_its_stored_name_which_never_changes() {
    for &state in State::ALL {
        assert_eq!(State::parse(state.as_str()), Some(state));
    }
    assert_eq!(State::parse("Triage"), None);
    let names: Vec<&str> = State::ALL.iter().map(|s| s.as_str()).collect();
    assert_eq!(
        names,
        [
            "triage",
            "regular_change",
            "planning",
            "staging_validation",
            "cr_form",
            "hosting_review",
            "awaiting_approval",
            "approved",
            "implementing",
            "validating_in_production",
            "completed",
            "returned_to_dev",
            "rejected",
            "withdrawn",
            "rolled_back"
        ]
    );
}

#[test]
fn sign_off_keys_round_trip_and_never_change() {
    let keys: Vec<&str> = SignOffRole::ALL.iter().map(|r| r.key()).collect();
    assert_eq!(keys, ["qa", "testers", "dev", "product"]);
    for &role in SignOffRole::ALL {
        assert_eq!(SignOffRole::parse(role.key()), Some(role));
    }
    assert_eq!(SignOffRole::parse("QA"), None);
}

#[test]
fn the_other_stored_names_never_change() {
    use crate::domain::calendar::EntryKind;
    let reasons =
        [ArchiveReason::SubmittedToCors, ArchiveReason::Approved, ArchiveReason::Closed, ArchiveReason::Reviewed];
    assert_eq!(reasons.map(ArchiveReason::as_str), ["submitted_to_cors", "approved", "closed", "reviewed"]);
    assert_eq!(
        [EntryKind::Holiday, EntryKind::Freeze, EntryKind::Window].map(EntryKind::as_str),
        ["holiday", "freeze", "window"]
    );
    assert_eq!(
        [StepStatus::Started, StepStatus::Done, StepStatus::Failed].map(StepStatus::as_str),
        ["started", "done", "failed"]
    );
    for r in reasons {
        assert_eq!(ArchiveReason::parse(r.as_str()), Some(r));
    }
    assert_eq!(EntryKind::parse("Freeze"), None);
}

#[test]
fn the_cors_decide_on_the_submitted_plan_in_the_current_round() {
    let mut r = Request::new(DEV, Some(1), h("draft"));
    assert_eq!(r.plan_under_decision(), &h("draft"), "before any submission: the current plan");
    r.submitted_plan_hash = Some(h("sent"));
    r.plan_hash = h("edited");
    r.round = 2;
    assert_eq!(r.plan_under_decision(), &h("sent"));
    let decision = |round| Decision {
        by: COR_A,
        name: "Elizabeth".into(),
        verdict: Verdict::Approve,
        at: tuesday_morning(),
        plan_hash: h("sent"),
        round,
        on_escalation: false,
    };
    r.decisions.push(decision(1));
    assert!(!r.has_decided(COR_A, &h("sent")), "a decision of an earlier round does not count");
    assert!(matches!(r.quorum(&cors(), date(17)), Quorum::Pending { .. }));
    r.decisions.push(decision(2));
    assert!(r.has_decided(COR_A, &h("sent")) && !r.has_decided(COR_B, &h("sent")));
    assert!(!r.has_decided(COR_A, &h("edited")));
    assert_eq!(r.quorum(&cors(), date(17)).basis(), "approved by Elizabeth; waiting for Alana");
}

#[test]
fn a_spent_sign_off_link_says_so_even_after_staging_has_moved_on() {
    let mut w = World::new();
    w.emergency_to_hosting_review();
    let link = SignOffLink {
        role: SignOffRole::Qa,
        expires_at: w.now + chrono::Duration::hours(72),
        used_at: Some(w.now - chrono::Duration::hours(1)),
        withdrawn: false,
        signature: "Olive Outside".into(),
    };
    let refusal =
        w.try_do(OUTSIDER, Action::SignOff { role: SignOffRole::Qa, evidence: "run 1".into(), link: Some(link) });
    assert!(matches!(&refusal, Err(Refusal::Guard(why)) if why.contains("was used")), "{refusal:?}");
}
