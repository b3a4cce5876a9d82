//! What the domain's `apply` leaves in memory is exactly what a reload reads from each database:
//! random sequences of actions by the demo people, each committed, each reloaded and compared
//! (a refused action leaves the stored request as it was).

mod common;
use app::domain::execution::StepStatus;
use app::domain::quorum::Verdict;
use app::domain::reference::Reference;
use app::domain::roles::Role;
use app::domain::workflow::{Action, Request, TriageAnswers};
use app::ports::prelude::*;
use app::service::Change;
use common::*;
use proptest::prelude::*;
use proptest::test_runner::{Config, TestCaseError, TestRunner};
use server::demo::{example_form, example_plan, Example, Seeder};
use server::store::{Db, Store};

const DEV: &str = "dev@example.gov";
const HOSTING: &str = "hosting@example.gov";

/// The `n`th action of the alphabet, built for the request as it stands.
fn action(n: usize, now: &Request) -> (&'static str, Change) {
    let mark = |step, rollback, status: StepStatus, note: &str| Action::RecordStep {
        step,
        rollback,
        status,
        note: note.into(),
    };
    let submitted = now.submitted_plan_hash.clone().unwrap_or_else(|| now.plan_hash.clone());
    match n {
        0..=2 => {
            let answers = match n {
                0 => TriageAnswers { active_incident: true, ..TriageAnswers::default() },
                1 => TriageAnswers { users_cannot_access: true, ..TriageAnswers::default() },
                _ => TriageAnswers::default(),
            };
            (DEV, Change { triage: Some(answers), ..Change::action(Action::Triage(answers)) })
        }
        3 | 4 => {
            // The demo plan, or its first step alone: two versions to switch between.
            let mut plan = example_plan();
            plan.steps.truncate(if n == 3 { 1 } else { 3 });
            let edit = Action::EditPlan {
                new_hash: plan.hash(),
                complete: plan.is_complete(),
                steps: plan.steps.len() as u32,
            };
            (if n == 3 { DEV } else { HOSTING }, Change { plan: Some(plan), ..Change::action(edit) })
        }
        5 => (DEV, Change::action(Action::CompletePlan)),
        6 => (DEV, Change::action(Action::RequestHostingHelp)),
        7..=10 => {
            let (role, signer) = server::demo::DEMO_SIGNERS[n - 7];
            (signer, Change::action(Action::SignOff { role, evidence: format!("{} run 7", role.label()), link: None }))
        }
        11 => (DEV, Change::action(Action::CompleteStaging)),
        12 => {
            let form = example_form("Reload test", chrono::Utc::now());
            let calendar = app::domain::calendar::Calendar {
                maintenance_windows: app::domain::calendar::monthly_windows(chrono::Utc::now(), 13),
                ..Default::default()
            };
            let update = Action::UpdateForm {
                complete: form.is_complete(&calendar),
                planned_start: form.planned_start(),
                security_related: form.is_security_related(),
            };
            (DEV, Change { form: Some(form), ..Change::action(update) })
        }
        13 => (DEV, Change::action(Action::SubmitForReview)),
        14 => (
            HOSTING,
            Change::action(Action::AssignEngineer {
                engineer: 2,
                role: Some(Role::HostingEngineer),
                name: "Harper Hosting".into(),
            }),
        ),
        15 => {
            let review = app::domain::review::RiskReview {
                risks: vec!["secrets".into()],
                notes: "Keys stay in the vault".into(),
                security_related: Some(app::domain::cr_form::YesNo::Yes),
                reason: "Touches authentication".into(),
            };
            (
                HOSTING,
                Change {
                    risk_review: Some(review),
                    ..Change::action(Action::RecordRiskReview { security_related: true })
                },
            )
        }
        16 => (HOSTING, Change::action(Action::ReturnToDev { comments: "Name the relay host".into() })),
        17 => (HOSTING, Change::action(Action::SubmitToCors)),
        18 => (
            "cor1@example.gov",
            Change::action(Action::Decide { verdict: Verdict::Approve, plan_hash: submitted, link: None }),
        ),
        19 => (
            "cor2@example.gov",
            Change::action(Action::Decide { verdict: Verdict::Approve, plan_hash: submitted, link: None }),
        ),
        20 => (
            "cor2@example.gov",
            Change::action(Action::Decide {
                verdict: Verdict::Reject("Wait".into()),
                plan_hash: submitted,
                link: None,
            }),
        ),
        21 => (HOSTING, Change::action(Action::StartImplementation { override_reason: Some("Reload test".into()) })),
        22..=27 => {
            let step = (n as u32 - 22) / 2 + 1;
            let status = if n.is_multiple_of(2) { StepStatus::Started } else { StepStatus::Done };
            (HOSTING, Change::action(mark(step, false, status, "")))
        }
        28 => (HOSTING, Change::action(mark(1, false, StepStatus::Failed, "Refused connections"))),
        29 => (HOSTING, Change::action(mark(1, true, StepStatus::Done, "Restored"))),
        30 => (HOSTING, Change::action(Action::FinishImplementation)),
        31 => (HOSTING, Change::action(Action::AbortAndRollBack { reason: "Refused connections".into() })),
        32 => (DEV, Change::action(Action::ValidateInProduction { note: "Smoke tests pass".into() })),
        33 => (DEV, Change::action(Action::RaiseHold { reason: "Launch at noon".into() })),
        34 => (DEV, Change::action(Action::LiftHold)),
        35 => (HOSTING, Change::action(Action::LogProblem { text: "The relay was slow".into() })),
        36 => (
            HOSTING,
            Change::action(Action::RecordPostReview {
                checks: vec!["latency".into()],
                lessons: "Warm the cache".into(),
            }),
        ),
        37 => (DEV, Change::action(Action::RecordStagingNotes { notes: "Deployed 4.2.1 to staging".into() })),
        38 => (HOSTING, Change::action(Action::RecordCallHeld)),
        _ => (DEV, Change::action(Action::Withdraw { reason: "Fixed upstream".into() })),
    }
}
const ALPHABET: usize = 40;

const STARTS: [Example; 8] = [
    Example::Triage,
    Example::Planning,
    Example::CrForm,
    Example::HostingReview,
    Example::AwaitingApproval,
    Example::Approved,
    Example::Implementing,
    Example::Validating,
];

async fn snapshot(store: &Store, reference: &str) -> Request {
    let r = Reference::parse(reference).unwrap();
    store.load_request(r).await.unwrap().expect("the request").snapshot
}

both_backends!(a_committed_transition_reloads_exactly_as_apply_left_it, |url: String, _b| async move {
    let store = Store::new(Db::open(&url).await.unwrap());
    server::demo::seed(&store, Some("password"), &app::service::SystemClock).await.unwrap();
    let seeder = Seeder::new(&store, "http://localhost:3000", &app::service::SystemClock).await.unwrap();
    let cases = std::env::var("RELOAD_CASES").ok().and_then(|n| n.parse().ok()).unwrap_or(24);
    let mut runner = TestRunner::new(Config { cases, failure_persistence: None, ..Config::default() });
    let strategy = (0..STARTS.len(), proptest::collection::vec(0..ALPHABET, 1..40));
    let (committed, refused) = (std::cell::Cell::new(0usize), std::cell::Cell::new(0usize));
    let result = runner.run(&strategy, |(start, actions)| {
        tokio::task::block_in_place(|| {
            tokio::runtime::Handle::current().block_on(async {
                let reference = seeder.drive("Reload test", "Portal", STARTS[start]).await.unwrap();
                for n in actions {
                    let before = snapshot(&store, &reference).await;
                    let (who, change) = action(n, &before);
                    let action = change.action.clone();
                    match seeder.act_with(&reference, who, change).await {
                        Ok(after) => {
                            committed.set(committed.get() + 1);
                            let reloaded = snapshot(&store, &reference).await;
                            prop_assert_eq!(&reloaded, &after, "{:?} by {} from {:?}", action, who, before.state);
                        }
                        Err(_) => {
                            refused.set(refused.get() + 1);
                            prop_assert_eq!(&snapshot(&store, &reference).await, &before, "refused {:?}", action);
                        }
                    }
                }
                Ok::<(), TestCaseError>(())
            })
        })
    });
    let (committed, refused) = (committed.get(), refused.get());
    eprintln!("{committed} transitions committed and reloaded, {refused} refused");
    result.unwrap();
    assert!(committed > cases as usize, "the sequences reach past their starting points");
});
