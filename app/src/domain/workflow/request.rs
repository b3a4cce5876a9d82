//! The request as the process sees it: its state, the triage answers, sign-offs and holds,
//! and how a transition changes it.

use super::*;

/// Where a request stands in the process. Its one string form (stored, in URLs and the JSON API)
/// is the variant's name in snake case.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[derive(strum::IntoStaticStr, strum::EnumString, strum::VariantArray)]
#[strum(serialize_all = "snake_case")]
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

stored_form!(State);

impl State {
    /// Every state, in process order.
    pub const ALL: &'static [State] = <State as strum::VariantArray>::VARIANTS;

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

    /// True where the rules let the dev team ask hosting for a call: there the hosting queue
    /// lists a request while its dev team waits for the call it asked for.
    pub fn may_ask_for_a_call(self) -> bool {
        ActionKind::RequestHostingHelp.taken_in(self)
    }

    /// Whether the hosting queue lists a request in this state, `call_asked` when its dev team
    /// has asked hosting for a call. Hosting follows a request from the moment its dev team has
    /// handed it over (no longer [`State::preparing`]) until it ends, and keeps a regular change,
    /// which it plans for the monthly window, until that window is over
    /// ([`crate::domain::calendar::regular_changes_queued_since`]); while the dev team prepares,
    /// only a call it asked for brings the request to hosting.
    pub fn in_hosting_queue(self, call_asked: bool) -> bool {
        let handed_over = !self.preparing(false) && !self.is_final();
        handed_over || self == State::RegularChange || (call_asked && self.may_ask_for_a_call())
    }

    /// True while the dev team works through the task list: it may still answer triage or
    /// edit the plan (on the outage fast path, in hosting review too), as the rules say.
    pub fn preparing(self, fast_path: bool) -> bool {
        RULES.iter().any(|r| {
            matches!(r.action, ActionKind::Triage | ActionKind::EditPlan)
                && r.who.contains(&Party::DevTeam)
                && r.from.contains(&self)
                && (fast_path || r.only_on_fast_path.is_none())
        })
    }

    /// True while the dev team prepares the request (plan, staging, CR form), before it goes
    /// to hosting review: what the dev team may still change, as the rules list it.
    pub fn before_review(self) -> bool {
        super::rules::BEFORE_REVIEW.contains(&self)
    }

    /// True while production work is under way (implementing, or validating in production):
    /// where the rules still let hosting abort it and roll back.
    pub fn in_production(self) -> bool {
        ActionKind::AbortAndRollBack.taken_in(self)
    }

    /// True from approval on (production work is next, under way or over): where the rules keep
    /// the problem log open, which the production page shows.
    pub fn is_production_or_later(self) -> bool {
        ActionKind::LogProblem.taken_in(self)
    }

    /// What the closing note says in this state, as its heading: the dev team's validation,
    /// the rollback's reason or the withdrawal's (the record and the production page show it).
    pub fn closing_note_label(self) -> Option<&'static str> {
        match self {
            State::Completed => Some("Validated in production"),
            State::RolledBack => Some("Why it was rolled back"),
            State::Withdrawn => Some("Why it was withdrawn"),
            _ => None,
        }
    }

    /// True when no rule leads out of this state: the request has ended here, though a problem
    /// or the post-deployment review may still be recorded. (A rejected request is not final:
    /// hosting may rework it and submit again, or return it to the dev team.)
    pub fn is_final(self) -> bool {
        !RULES.iter().any(|r| r.from.contains(&self) && !r.leads_to.is_empty())
    }
}

/// A [`State`] as its stored key (`"hosting_review"`), for data that carries the key.
pub mod state_key {
    use super::State;

    /// Writes the key.
    pub fn serialize<S: serde::Serializer>(state: &State, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(state.as_str())
    }

    /// Reads the key; an unknown one is an error, never a default.
    pub fn deserialize<'de, D: serde::Deserializer<'de>>(d: D) -> Result<State, D::Error> {
        let key = <String as serde::Deserialize>::deserialize(d)?;
        State::parse(&key).ok_or_else(|| serde::de::Error::custom(format!("unknown state {key:?}")))
    }
}

/// A team's id.
pub type TeamId = i64;

/// Who validated the change in staging. Its one string form (stored, and the sign-off form's
/// choice) is the variant's name in lower case.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[derive(strum::IntoStaticStr, strum::EnumString, strum::VariantArray)]
#[strum(serialize_all = "snake_case")]
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

stored_form!(SignOffRole, key);

impl SignOffRole {
    /// Capacities in words: "QA", "QA and Dev", "QA, Testers and Product".
    pub fn in_words(roles: &[SignOffRole]) -> String {
        crate::domain::listed(&roles.iter().map(|r| r.label()).collect::<Vec<_>>(), "and")
    }

    /// Why someone who signed off as `already` may not sign off as `self` too (the refusal, and the
    /// staging page's words).
    pub fn another_person_needed(self, already: SignOffRole) -> String {
        format!(
            "You have signed off as {}: each capacity is signed off by a different person. Ask whoever checked {} to sign off as themselves",
            already.label(),
            self.label()
        )
    }

    /// All four sign-offs staging needs.
    pub const ALL: &'static [SignOffRole] = <SignOffRole as strum::VariantArray>::VARIANTS;

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

/// An emailed sign-off link as its holder uses it: the capacity it asks for, whether it still
/// works, and the name its holder typed to sign.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct SignOffLink {
    /// The capacity the dev team asked for.
    pub role: SignOffRole,
    /// When it stops working.
    pub expires_at: DateTime<Utc>,
    /// When it was used, if it was.
    pub used_at: Option<DateTime<Utc>>,
    /// The dev team asked someone else for this capacity since.
    pub withdrawn: bool,
    /// The name its holder typed to sign.
    pub signature: String,
}

impl SignOffLink {
    /// Why the link cannot sign at `now`, in words for its holder; `None` while it can.
    pub fn closed(&self, now: DateTime<Utc>) -> Option<String> {
        crate::domain::link_closed(
            self.used_at,
            "your sign-off is recorded",
            self.withdrawn.then_some(
                "The dev team has asked someone else to sign off in this capacity, so this link no longer works.",
            ),
            self.expires_at,
            "Ask the dev team to send you a new one.",
            now,
        )
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
    /// Staging sign-offs recorded: each capacity and who signed it.
    pub sign_offs: BTreeMap<SignOffRole, UserId>,
    /// The requesting team lets one person sign off in several capacities (a team setting, off by
    /// default: QA, testers, dev and product are different people).
    pub one_signer_several_capacities: bool,
    /// People asked by email to sign off, with the capacity each was asked for (open links).
    pub invited: BTreeMap<UserId, SignOffRole>,
    /// Every COR (or escalation) decision, each with the submission it was made on.
    pub decisions: Vec<Decision>,
    /// A blocker, if one is raised.
    pub hold: Option<Hold>,
    /// The dev team asked hosting for a call that is not yet held (its clock runs).
    pub call_owed: bool,
    /// When production work is planned to start.
    pub planned_start: Option<DateTime<Utc>>,
    /// Production work so far on the current plan.
    pub production: Execution,
}

impl Request {
    /// Who started it, for which team.
    pub fn owner(&self) -> Owner {
        Owner { started_by: self.started_by, team_id: self.team_id }
    }

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
            sign_offs: BTreeMap::new(),
            one_signer_several_capacities: false,
            invited: BTreeMap::new(),
            decisions: Vec::new(),
            hold: None,
            call_owed: false,
            planned_start: None,
            production: Execution::default(),
        }
    }

    /// True when all four staging sign-offs are recorded.
    pub fn staging_signed_off(&self) -> bool {
        SignOffRole::ALL.iter().all(|r| self.sign_offs.contains_key(r))
    }

    /// The capacity `who` has already signed off in, when the team wants a different person in
    /// each: they may not sign another.
    pub fn signed_elsewhere(&self, who: UserId) -> Option<SignOffRole> {
        if self.one_signer_several_capacities {
            return None;
        }
        self.sign_offs.iter().find(|(_, by)| **by == who).map(|(role, _)| *role)
    }

    /// The plan version the CORs decide on: the one submitted to them, or the current one
    /// before any submission.
    pub fn plan_under_decision(&self) -> &PlanHash {
        self.submitted_plan_hash.as_ref().unwrap_or(&self.plan_hash)
    }

    /// True when `who` has decided on `plan_hash` in the current submission.
    pub fn has_decided(&self, who: UserId, plan_hash: &PlanHash) -> bool {
        self.decisions.iter().any(|d| d.by == who && &d.plan_hash == plan_hash && d.round == self.round)
    }

    /// Where approval of the plan under decision stands on `day` (Eastern), given the CORs and
    /// their absences.
    pub fn quorum(&self, cors: &[Cor], day: chrono::NaiveDate) -> Quorum {
        evaluate(cors, &self.decisions, self.plan_under_decision(), self.round, day)
    }
}

impl Request {
    /// Applies an allowed transition to this snapshot (what the server persists, in memory).
    pub fn apply(&mut self, t: &Transition) {
        self.state = t.to;
        for e in &t.effects {
            match e {
                Effect::MarkFastPath => self.fast_path = true,
                Effect::RecordSignOff { role, by, .. } => {
                    self.sign_offs.insert(*role, *by);
                    self.invited.retain(|_, asked| asked != role);
                }
                Effect::NewPlanVersion { hash, complete, steps } => {
                    self.plan_hash = hash.clone();
                    self.plan_complete = *complete;
                    self.production.steps = *steps;
                }
                Effect::RecordStep { step, rollback, status, .. } => {
                    self.production.marks.push(Mark { step: *step, rollback: *rollback, status: *status })
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
                Effect::Assign { engineer, .. } => self.assigned_engineer = Some(*engineer),
                Effect::SetHold(h) => self.hold = Some(h.clone()),
                Effect::ClearHold => self.hold = None,
                Effect::StartAssistanceClock => self.call_owed = true,
                Effect::StopAssistanceClock { .. } => self.call_owed = false,
                // The person's id is the server's to find: the snapshot learns it on reload.
                Effect::Send(_)
                | Effect::InviteSigner { .. }
                | Effect::FileArchiveCopy(_)
                | Effect::LogProblem(_)
                | Effect::PostReview { .. }
                | Effect::Audit { .. }
                | Effect::QueueForWindow(_)
                | Effect::AttachEvidence(_)
                | Effect::StampSubmitted
                | Effect::StampApprovalRequested
                | Effect::StampImplementationStarted
                | Effect::QuorumBasis(_)
                | Effect::ReturnComments(_)
                | Effect::StagingNotes(_)
                | Effect::RecordOverride(_)
                | Effect::RecordReason(_) => {}
            }
        }
    }
}
