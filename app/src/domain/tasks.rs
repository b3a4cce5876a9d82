//! The wizard's task list: each section's status, from the request as it stands.

use super::calendar::Calendar;
use super::cr_form::{CrForm, SECTIONS};
use super::plan::Plan;
use super::workflow::{Request, State};
use serde::{Deserialize, Serialize};

/// A task's status, in the GOV.UK task-list words.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum TaskStatus {
    /// Nothing entered yet.
    NotStarted,
    /// Something entered, not finished.
    InProgress,
    /// Done.
    Completed,
    /// Waiting for an earlier task.
    CannotStartYet,
}

impl TaskStatus {
    /// The words shown.
    pub fn label(self) -> &'static str {
        match self {
            TaskStatus::NotStarted => "Not started",
            TaskStatus::InProgress => "In progress",
            TaskStatus::Completed => "Completed",
            TaskStatus::CannotStartYet => "Cannot start yet",
        }
    }
}

/// One line of the task list.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Task {
    /// Which group it is in (1 Prepare, 2 Form, 3 Submit).
    pub group: u8,
    /// What it is called.
    pub title: String,
    /// Where it is done, relative to the request (`triage`, `plan`, `form/details`…).
    pub path: String,
    /// Where it stands.
    pub status: TaskStatus,
}

fn past(state: State, step: State) -> bool {
    let order = [
        State::Triage,
        State::Planning,
        State::StagingValidation,
        State::CrForm,
        State::HostingReview,
        State::AwaitingApproval,
        State::Approved,
        State::Implementing,
        State::ValidatingInProduction,
        State::Completed,
    ];
    let pos = |s: State| order.iter().position(|x| *x == s);
    match (pos(state), pos(step)) {
        (Some(a), Some(b)) => a > b,
        // Side states: returned to dev is past staging (it was submitted once).
        _ => {
            state == State::ReturnedToDev && matches!(step, State::Triage | State::Planning | State::StagingValidation)
        }
    }
}

/// The task list for the dev team.
pub fn task_list(request: &Request, plan: &Plan, form: &CrForm, staging_notes: &str, calendar: &Calendar) -> Vec<Task> {
    let state = request.state;
    let mut tasks = Vec::new();
    let triage = if state == State::Triage { TaskStatus::NotStarted } else { TaskStatus::Completed };
    tasks.push(Task { group: 1, title: "Check it is an emergency".into(), path: "triage".into(), status: triage });

    let plan_status = if state == State::Triage {
        TaskStatus::CannotStartYet
    } else if request.plan_complete && (past(state, State::Planning) || request.fast_path) {
        TaskStatus::Completed
    } else if !plan.steps.is_empty() {
        TaskStatus::InProgress
    } else {
        TaskStatus::NotStarted
    };
    tasks.push(Task { group: 1, title: "Write the operation plan".into(), path: "plan".into(), status: plan_status });

    let signed = request.staging_signed_off();
    let staging_status = if matches!(state, State::Triage | State::Planning) && !request.fast_path {
        TaskStatus::CannotStartYet
    } else if signed && (past(state, State::StagingValidation) || request.fast_path) {
        TaskStatus::Completed
    } else if !request.sign_offs.is_empty() || !staging_notes.trim().is_empty() {
        TaskStatus::InProgress
    } else {
        TaskStatus::NotStarted
    };
    let staging_title = if request.fast_path {
        "Record staging sign-off (afterwards: outage fast path)"
    } else {
        "Validate in staging"
    };
    tasks.push(Task { group: 1, title: staging_title.into(), path: "staging".into(), status: staging_status });

    for (slug, title) in SECTIONS {
        let status = if state == State::Triage {
            TaskStatus::CannotStartYet
        } else if form.validate_section(slug, calendar).is_ok() {
            TaskStatus::Completed
        } else if form.section_started(slug) {
            TaskStatus::InProgress
        } else {
            TaskStatus::NotStarted
        };
        tasks.push(Task { group: 2, title: (*title).into(), path: format!("form/{slug}"), status });
    }

    let submitted = past(state, State::CrForm) && state != State::ReturnedToDev;
    let ready =
        matches!(state, State::CrForm | State::ReturnedToDev) && request.plan_complete && form.is_complete(calendar);
    let submit = if submitted {
        TaskStatus::Completed
    } else if ready {
        TaskStatus::NotStarted
    } else {
        TaskStatus::CannotStartYet
    };
    tasks.push(Task { group: 3, title: "Check your answers and submit".into(), path: "check".into(), status: submit });
    tasks
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::plan::PlanHash;

    #[test]
    fn a_new_request_can_only_start_with_triage() {
        let r = Request::new(1, Some(1), PlanHash("e".into()));
        let tasks = task_list(&r, &Plan::default(), &CrForm::default(), "", &Calendar::default());
        assert_eq!(tasks[0].status, TaskStatus::NotStarted);
        assert!(tasks[1..].iter().all(|t| t.status == TaskStatus::CannotStartYet));
    }

    #[test]
    fn after_triage_the_plan_and_form_open_and_staging_waits_for_the_plan() {
        let mut r = Request::new(1, Some(1), PlanHash("e".into()));
        r.state = State::Planning;
        let tasks = task_list(&r, &Plan::default(), &CrForm::default(), "", &Calendar::default());
        let status: Vec<_> = tasks.iter().map(|t| t.status).collect();
        assert_eq!(status[0], TaskStatus::Completed);
        assert_eq!(status[1], TaskStatus::NotStarted);
        assert_eq!(status[2], TaskStatus::CannotStartYet);
        assert!(status[3..8].iter().all(|s| *s == TaskStatus::NotStarted));
        assert_eq!(status[8], TaskStatus::CannotStartYet);
    }
}
