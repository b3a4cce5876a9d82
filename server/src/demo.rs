//! The demo organisation: one person per role, so a newcomer can try every part of the process.

use crate::auth::{hash_password, new_token};
use crate::store::Store;
use app::domain::cr_form::{Risk, Strategy, YesNo};
use app::domain::roles::Role;
use app::service::Change;
use app::service::Clock;

/// The demo people: (email, name, role, team).
pub const DEMO_PEOPLE: &[(&str, &str, Role, Option<&str>)] = &[
    ("dev@example.gov", "Dana Developer", Role::DevTeamMember, Some("Grants Portal team")),
    ("hosting@example.gov", "Hal Hosting", Role::HostingEngineer, Some("Hosting team")),
    ("lead@example.gov", "Lee Lead", Role::HostingLead, Some("Hosting team")),
    ("cor1@example.gov", "Elizabeth COR", Role::Cor, None),
    ("cor2@example.gov", "Alana COR", Role::Cor, None),
    ("isso@example.gov", "Iris ISSO", Role::Isso, None),
    ("archivist@example.gov", "Arlo Archivist", Role::Archivist, None),
    ("admin@example.gov", "Ada Admin", Role::Admin, None),
    // Dana's team-mates: staging is signed off by a different person in each capacity.
    ("qa@example.gov", "Quinn Quality", Role::DevTeamMember, Some("Grants Portal team")),
    ("tester@example.gov", "Tess Tester", Role::DevTeamMember, Some("Grants Portal team")),
    ("product@example.gov", "Pat Product", Role::DevTeamMember, Some("Grants Portal team")),
];

/// Who signs off staging in each capacity in the demo organisation.
pub const DEMO_SIGNERS: &[(app::domain::workflow::SignOffRole, &str)] = &[
    (app::domain::workflow::SignOffRole::Qa, "qa@example.gov"),
    (app::domain::workflow::SignOffRole::Testers, "tester@example.gov"),
    (app::domain::workflow::SignOffRole::Dev, "dev@example.gov"),
    (app::domain::workflow::SignOffRole::Product, "product@example.gov"),
];

/// Creates the demo organisation when the database has no people yet; sets every demo
/// person's password to `password` when one is configured. Returns the password to print when
/// it was generated here (printed once: it is stored only as a hash).
pub async fn seed(
    store: &Store,
    password: Option<&str>,
    clock: &dyn Clock,
) -> Result<Option<String>, Box<dyn std::error::Error + Send + Sync>> {
    let fresh = store.user_count().await? == 0;
    if !fresh && password.is_none() {
        return Ok(None);
    }
    let (password, generated) = match password {
        Some(p) => (p.to_string(), false),
        None => (new_token()[..16].to_string(), true),
    };
    let hash = {
        let password = password.clone();
        tokio::task::spawn_blocking(move || hash_password(&password)).await?.map_err(|e| e.to_string())?
    };
    let now = clock.now().timestamp_millis();
    for (email, name, role, team) in DEMO_PEOPLE {
        let team_id = match team {
            Some(t) => Some(store.ensure_team(t).await?),
            None => None,
        };
        store.ensure_user(email, name, *role, team_id, Some(&hash), now).await?;
    }
    Ok(generated.then_some(password))
}

/// The example requests: (title, system, the state to drive it to).
const EXAMPLES: &[(&str, &str, Example)] = &[
    ("Rotate the grants portal TLS certificate", "Grants portal", Example::Triage),
    ("Update the footer copyright year", "Grants portal", Example::RegularChange),
    ("Raise the upload size limit", "Grants portal", Example::Planning),
    ("Patch the PDF export memory leak", "Grants portal", Example::Staging),
    ("Add an index for the award search", "Grants portal", Example::CrForm),
    ("Upgrade the session library (CVE)", "Grants portal", Example::HostingReview),
    ("Switch the mail relay to the new host", "Grants portal", Example::ReturnedToDev),
    ("Fix the timezone bug in deadlines", "Grants portal", Example::AwaitingApproval),
    ("Enable HTTP/2 on the load balancer", "Grants portal", Example::Rejected),
    ("Patch OpenSSL on the web tier", "Grants portal", Example::Approved),
    ("Block the abusive crawler range", "Grants portal", Example::OnHold),
    ("Restart the search cluster with more heap", "Grants portal", Example::Implementing),
    ("Roll out the login rate limit", "Grants portal", Example::Validating),
    ("Hotfix the broken application submit button", "Grants portal", Example::Completed),
    ("Upgrade the PostgreSQL minor version", "Grants portal", Example::RolledBack),
    ("Move the cron jobs to the new scheduler", "Grants portal", Example::Withdrawn),
];

/// Two examples planned for the same half hour on the same system: a schedule conflict to see on
/// the hosting review of the first and the decision page of the second.
pub const SHARES_A_SLOT: (&str, &str) = ("Upgrade the session library (CVE)", "Fix the timezone bug in deadlines");

/// How far an example request goes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Example {
    Triage,
    RegularChange,
    Withdrawn,
    Planning,
    Staging,
    CrForm,
    HostingReview,
    ReturnedToDev,
    AwaitingApproval,
    Rejected,
    Approved,
    OnHold,
    Implementing,
    Validating,
    Completed,
    RolledBack,
}

/// Demo requests in every state of the process, so a newcomer sees the whole process at once.
/// Only into an organisation without requests, and only when asked (`OFFCYCLE_DEMO_REQUESTS=1`,
/// which `scripts/dev.sh` sets): the tests start from an empty list.
pub async fn seed_requests(
    store: &Store,
    public_url: &str,
    clock: &dyn Clock,
) -> Result<usize, Box<dyn std::error::Error + Send + Sync>> {
    if store.request_count().await? > 0 {
        return Ok(0);
    }
    let seeder = Seeder::new(store, public_url, clock).await?;
    for (title, system, example) in EXAMPLES {
        seeder.drive(title, system, *example).await?;
    }
    // The hosting team's library starts with the demo's own deployment, as a documented operation.
    let hosting = seeder.person("hosting@example.gov")?;
    let operation = app::domain::plan::library::NewOperation {
        name: "Blue/green deployment of the portal".into(),
        steps: example_plan().steps,
    };
    app::ports::OperationLibrary::save_operation(
        store,
        &operation,
        &app::ports::Acting::new(&hosting, "demo", clock.now()),
    )
    .await?;
    Ok(EXAMPLES.len())
}

type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// Drives requests of the demo organisation through the domain, as its people (the demo seed and
/// the resilience tests use it).
pub struct Seeder<'a> {
    store: &'a Store,
    people: std::collections::HashMap<&'static str, app::api::types::SessionUser>,
    public_url: &'a str,
    clock: &'a dyn Clock,
}

impl<'a> Seeder<'a> {
    /// A seeder for the demo organisation in `store`.
    pub async fn new(store: &'a Store, public_url: &'a str, clock: &'a dyn Clock) -> Result<Seeder<'a>, BoxError> {
        let mut people = std::collections::HashMap::new();
        for (email, ..) in DEMO_PEOPLE {
            if let Some(c) = store.sign_in_candidate(email).await? {
                people.insert(*email, c.user);
            }
        }
        Ok(Seeder { store, people, public_url, clock })
    }

    /// Starts a request as the demo developer and drives it to `goal`; returns its reference.
    pub async fn drive(&self, title: &str, system: &str, goal: Example) -> Result<String, BoxError> {
        use app::ports::prelude::*;
        let dev = self.person("dev@example.gov")?;
        let start = app::domain::forms::StartRequest { title: title.into(), system: system.into() };
        let summary =
            self.store.start_request(&start, &app::ports::Acting::new(&dev, "demo", self.clock.now())).await?;
        self.advance(&summary.reference, title, goal).await?;
        Ok(summary.reference)
    }

    /// Takes a request just started to `goal`.
    async fn advance(&self, r: &str, title: &str, goal: Example) -> Result<(), BoxError> {
        use app::domain::execution::StepStatus;
        use app::domain::quorum::Verdict;
        use app::domain::workflow::{Action, TriageAnswers};
        use Example as E;
        if goal == E::Triage {
            return Ok(());
        }
        let dev_mail = "dev@example.gov";
        if goal == E::RegularChange {
            let answers = TriageAnswers::default();
            return self
                .act(r, dev_mail, Change { triage: Some(answers), ..Change::action(Action::Triage(answers)) })
                .await;
        }
        let answers =
            TriageAnswers { active_incident: true, security_or_quality_need: true, ..TriageAnswers::default() };
        self.act(r, dev_mail, Change { triage: Some(answers), ..Change::action(Action::Triage(answers)) }).await?;
        if goal == E::Withdrawn {
            return self
                .act(
                    r,
                    dev_mail,
                    Change::action(Action::Withdraw { reason: "Folded into next month's release".into() }),
                )
                .await;
        }
        let plan = example_plan();
        let edit =
            Action::EditPlan { new_hash: plan.hash(), complete: plan.is_complete(), steps: plan.steps.len() as u32 };
        self.act(r, dev_mail, Change { plan: Some(plan.clone()), ..Change::action(edit) }).await?;
        if goal == E::Planning {
            return Ok(());
        }
        self.act(r, dev_mail, Change::action(Action::CompletePlan)).await?;
        if goal == E::Staging {
            return self.act(r, dev_mail, Change::action(Action::RequestHostingHelp)).await;
        }
        for &(role, signer) in DEMO_SIGNERS {
            let evidence = format!("{} checked in staging run 42", role.label());
            self.act(r, signer, Change::action(Action::SignOff { role, evidence, link: None })).await?;
        }
        self.act(r, dev_mail, Change::action(Action::CompleteStaging)).await?;
        if goal == E::CrForm {
            return Ok(());
        }
        let form = example_form(title, self.clock.now());
        let calendar = calendar(self.clock.now());
        let update = Action::UpdateForm {
            complete: form.is_complete(&calendar),
            planned_start: form.planned_start(),
            security_related: form.is_security_related(),
        };
        self.act(r, dev_mail, Change { form: Some(form), ..Change::action(update) }).await?;
        self.act(r, dev_mail, Change::action(Action::SubmitForReview)).await?;
        if goal == E::HostingReview {
            return Ok(());
        }
        let hosting = "hosting@example.gov";
        let engineer = self.person(hosting)?;
        let (engineer, role, name) = (engineer.id, Some(engineer.role), engineer.display_name);
        self.act(r, hosting, Change::action(Action::AssignEngineer { engineer, role, name })).await?;
        if goal == E::ReturnedToDev {
            let comments = "Add the exact relay host name to step 1".to_string();
            return self.act(r, hosting, Change::action(Action::ReturnToDev { comments })).await;
        }
        let review = app::domain::review::RiskReview {
            risks: vec!["secrets".into()],
            notes: "Keys stay in the vault; rotated after the change".into(),
            security_related: Some(YesNo::Yes),
            reason: "Touches authentication".into(),
        };
        let record = Action::RecordRiskReview { security_related: true };
        self.act(r, hosting, Change { risk_review: Some(review), ..Change::action(record) }).await?;
        self.act(r, hosting, Change::action(Action::SubmitToCors)).await?;
        if goal == E::AwaitingApproval {
            return Ok(());
        }
        let plan_hash = plan.hash();
        if goal == E::Rejected {
            let verdict = Verdict::Reject("Wait until the end-of-quarter batch has finished".into());
            return self
                .act(r, "cor2@example.gov", Change::action(Action::Decide { verdict, plan_hash, link: None }))
                .await;
        }
        for cor in ["cor1@example.gov", "cor2@example.gov"] {
            let decide = Action::Decide { verdict: Verdict::Approve, plan_hash: plan_hash.clone(), link: None };
            self.act(r, cor, Change::action(decide)).await?;
        }
        if goal == E::Approved {
            return Ok(());
        }
        if goal == E::OnHold {
            let reason = "Marketing launch at noon: wait until 2pm".to_string();
            return self.act(r, dev_mail, Change::action(Action::RaiseHold { reason })).await;
        }
        let reason = Some("Demo: shows production work at any hour".to_string());
        self.act(r, hosting, Change::action(Action::StartImplementation { override_reason: reason })).await?;
        let mark = |step: u32, rollback: bool, status: StepStatus, note: &str| Action::RecordStep {
            step,
            rollback,
            status,
            note: note.to_string(),
        };
        self.act(r, hosting, Change::action(mark(1, false, StepStatus::Started, ""))).await?;
        if goal == E::Implementing {
            return Ok(());
        }
        if goal == E::RolledBack {
            let failed = mark(1, false, StepStatus::Failed, "The new version refused connections");
            self.act(r, hosting, Change::action(failed)).await?;
            self.act(r, hosting, Change::action(mark(1, true, StepStatus::Done, "Previous version restored"))).await?;
            let reason = "The new version refused connections; restored the old one".to_string();
            return self.act(r, hosting, Change::action(Action::AbortAndRollBack { reason })).await;
        }
        self.act(r, hosting, Change::action(mark(1, false, StepStatus::Done, "Deployed; all instances healthy")))
            .await?;
        for step in 2..=plan.steps.len() as u32 {
            self.act(r, hosting, Change::action(mark(step, false, StepStatus::Started, ""))).await?;
            self.act(r, hosting, Change::action(mark(step, false, StepStatus::Done, ""))).await?;
        }
        self.act(r, hosting, Change::action(Action::FinishImplementation)).await?;
        if goal == E::Validating {
            return Ok(());
        }
        let note = "Submitted a test application end to end".to_string();
        self.act(r, dev_mail, Change::action(Action::ValidateInProduction { note })).await
    }

    fn person(&self, email: &str) -> Result<app::api::types::SessionUser, Box<dyn std::error::Error + Send + Sync>> {
        self.people.get(email).cloned().ok_or_else(|| format!("demo person {email} missing").into())
    }

    /// One action by `who` through the domain and one commit, as the server functions do it: the
    /// domain's refusal or the store's conflict (another writer was first) as the error.
    pub async fn act_as(
        &self,
        reference: &str,
        who: &str,
        action: app::domain::workflow::Action,
    ) -> Result<(), BoxError> {
        self.act(reference, who, Change::action(action)).await
    }

    async fn act(&self, reference: &str, who: &str, change: Change) -> Result<(), BoxError> {
        self.act_with(reference, who, change).await.map(|_| ())
    }

    /// One change through the application service, as the server functions make it; returns the
    /// request as the domain's `apply` left it in memory (what a reload must read back).
    pub async fn act_with(
        &self,
        reference: &str,
        who: &str,
        change: Change,
    ) -> Result<app::domain::workflow::Request, BoxError> {
        use app::service::{Principal, Workflow};
        let user = self.person(who)?;
        let workflow = Workflow { store: self.store, clock: self.clock, public_url: self.public_url };
        let principal = Principal { user: &user, source: "demo", link: None };
        let done = workflow
            .perform(&principal, reference, change.action.kind(), |_| Ok(change.clone()))
            .await
            .map_err(|e| format!("demo {reference}: {e}"))?;
        Ok(done.after)
    }
}

fn calendar(now: chrono::DateTime<chrono::Utc>) -> app::domain::calendar::Calendar {
    app::domain::calendar::Calendar {
        maintenance_windows: app::domain::calendar::monthly_windows(now, 13),
        ..app::domain::calendar::Calendar::default()
    }
}

/// The demo's operation plan: three complete steps.
pub fn example_plan() -> app::domain::plan::Plan {
    use app::domain::plan::{Plan, PlanStep};
    let step = |id: u32, action: &str, commands: &str, rollback: &str| PlanStep {
        id,
        action: action.into(),
        commands: commands.into(),
        owner: "Hosting".into(),
        expected_result: "All instances healthy".into(),
        verification: "curl -fsS https://portal.example.gov/healthz".into(),
        rollback: rollback.into(),
        estimated_minutes: 10,
        source: None,
    };
    Plan {
        steps: vec![
            step(
                1,
                "Deploy the new version to the green pool",
                "deploy --pool green portal:2.4.1",
                "Stop the green pool",
            ),
            step(2, "Switch traffic to green", "lb switch portal green", "lb switch portal blue"),
            step(3, "Watch errors and latency for 15 minutes", "open the portal dashboard", "lb switch portal blue"),
        ],
    }
}

/// The demo's CR form, complete, for a change the Tuesday after `today` at 10am Eastern.
pub fn example_form(title: &str, today: chrono::DateTime<chrono::Utc>) -> app::domain::cr_form::CrForm {
    use chrono::Datelike;
    // The next Tuesday, inside the production window: each example its own half hour from 8am
    // Eastern, except two that share one, so the demo shows a schedule conflict.
    let slot = match EXAMPLES.iter().position(|(t, _, _)| *t == title) {
        Some(i) if title == SHARES_A_SLOT.1 => EXAMPLES.iter().position(|(t, _, _)| *t == SHARES_A_SLOT.0).unwrap_or(i),
        Some(i) => i,
        None => 4,
    };
    let planned_time = format!("{:02}:{:02}", 8 + slot / 2, (slot % 2) * 30);
    let mut day = app::domain::calendar::eastern_date(today).succ_opt().unwrap_or_default();
    while day.weekday() != chrono::Weekday::Tue {
        day = day.succ_opt().unwrap_or(day);
    }
    app::domain::cr_form::CrForm {
        title: title.into(),
        services: "Grants portal web and API".into(),
        environment: "Production".into(),
        artifact: "portal:2.4.1".into(),
        pipeline_url: "https://ci.example.gov/runs/981".into(),
        description: "Blue/green deployment of the fixed version".into(),
        justification: "Applicants cannot submit before the deadline".into(),
        incident_reference: "INC-42".into(),
        security_related: Some(YesNo::Yes),
        security_reason: "Touches authentication".into(),
        impact: "No downtime expected; a rolling switch".into(),
        risk_level: Some(Risk::Medium),
        strategy: Some(Strategy::BlueGreen),
        rollback_plan: "Switch traffic back to blue".into(),
        planned_date: day.format("%Y-%m-%d").to_string(),
        planned_time,
        duration_minutes: "30".into(),
        checklist: app::domain::cr_form::CHECKLIST.iter().map(|(k, _)| k.to_string()).collect(),
        on_call: "Dana Developer, 555-0100".into(),
        affected_teams: "Grants Portal team".into(),
        stakeholders: "owner@example.gov".into(),
        ..app::domain::cr_form::CrForm::default()
    }
}
