//! Production execution: the approved plan applied step by step, and the rollback checklist
//! when a step fails.
//!
//! The log is a list of marks (step started / done / failed, or a step's rollback done);
//! [`progress`] reads where things stand from it and [`Execution::check`] says whether a new mark
//! makes sense: steps run in order, one at a time; after a failure only the rollback runs,
//! newest completed step first.

use super::plan::Plan;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// The post-deployment verification checklist (organisation standard: verify after every
/// production change), key and words.
pub const VERIFICATION: &[(&str, &str)] = &[
    ("health_checks", "Health checks and smoke tests pass"),
    ("error_rates", "Error rates are at or below their level before the change"),
    ("latency", "Latency and resource use are normal"),
    ("user_journeys", "The key user journeys work for real users"),
    ("logs_clean", "Logs show no new errors or warnings"),
    ("monitoring_quiet", "No alert fired that the change explains"),
];

/// The post-deployment review as recorded.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PostReview {
    /// Verification items confirmed (keys of [`VERIFICATION`]).
    pub checks: Vec<String>,
    /// Lessons learned.
    pub lessons: String,
}

/// One entry of the problem log.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Problem {
    /// The request's reference.
    pub reference: String,
    /// Its title.
    pub title: String,
    /// What happened.
    pub text: String,
    /// Who logged it.
    pub by: String,
    /// When.
    pub at: DateTime<Utc>,
}

/// What happened to a step.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, strum::IntoStaticStr, strum::EnumString)]
#[strum(serialize_all = "snake_case")]
pub enum StepStatus {
    /// Work on it began.
    Started,
    /// It worked.
    Done,
    /// It did not: production work stops and the rollback runs.
    Failed,
}

stored_form!(StepStatus);

impl StepStatus {
    /// The field a mark's note is typed in: each kind of mark has its own on the production page,
    /// so an error shows at the one used.
    pub fn note_field(self, rollback: bool) -> &'static str {
        match (rollback, self) {
            (true, _) => "rollback_note",
            (false, StepStatus::Failed) => "failed_note",
            (false, _) => "done_note",
        }
    }

    /// In words.
    pub fn label(self) -> &'static str {
        match self {
            StepStatus::Started => "In progress",
            StepStatus::Done => "Done",
            StepStatus::Failed => "Failed",
        }
    }
}

/// One mark in the execution log.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct StepMark {
    /// The step, counted from 1.
    pub step: u32,
    /// True for the step's rollback.
    pub rollback: bool,
    /// What happened.
    pub status: StepStatus,
    /// A note (what was seen, why it failed).
    pub note: String,
    /// Who.
    pub by: String,
    /// When.
    pub at: DateTime<Utc>,
}

/// Where one step (or its rollback) stands.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct StepProgress {
    /// The step, counted from 1.
    pub step: u32,
    /// What it does (or, for a rollback item, how it is undone).
    pub action: String,
    /// Estimated minutes.
    pub estimate: u32,
    /// Where it stands (None: not begun).
    pub status: Option<StepStatus>,
    /// When it began.
    pub started_at: Option<DateTime<Utc>>,
    /// When it ended.
    pub finished_at: Option<DateTime<Utc>>,
    /// Who marked it last.
    pub by: Option<String>,
    /// The notes, in order.
    pub notes: Vec<String>,
}

/// Where production work stands.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Progress {
    /// Every step of the plan.
    pub steps: Vec<StepProgress>,
    /// After a failure: the rollback of every step that was begun, newest first.
    pub rollback: Vec<StepProgress>,
    /// A step failed.
    pub failed: bool,
    /// Every step is done.
    pub all_done: bool,
    /// Every rollback item is done (true when there is nothing to roll back).
    pub rollback_done: bool,
    /// The plan's estimate in minutes.
    pub estimate_minutes: u32,
    /// The change may end as rolled back now ([`Execution::may_end_as_rolled_back`]).
    #[serde(default)]
    pub may_end_as_rolled_back: bool,
}

fn empty(step: u32, action: &str, estimate: u32) -> StepProgress {
    StepProgress {
        step,
        action: action.to_string(),
        estimate,
        status: None,
        started_at: None,
        finished_at: None,
        by: None,
        notes: Vec::new(),
    }
}

fn apply(p: &mut StepProgress, m: &StepMark) {
    match m.status {
        StepStatus::Started => p.started_at = Some(m.at),
        StepStatus::Done | StepStatus::Failed => {
            p.started_at.get_or_insert(m.at);
            p.finished_at = Some(m.at);
        }
    }
    p.status = Some(m.status);
    p.by = Some(m.by.clone());
    if !m.note.trim().is_empty() {
        p.notes.push(m.note.clone());
    }
}

/// What deciding needs of production work: how many steps the plan has and what was marked,
/// without the words. [`progress`] dresses the same standing in the plan's text for the page.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Execution {
    /// The plan's step count.
    pub steps: u32,
    /// Every mark, oldest first.
    pub marks: Vec<Mark>,
}

/// One mark as deciding sees it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Mark {
    /// The step, counted from 1.
    pub step: u32,
    /// True for the step's rollback.
    pub rollback: bool,
    /// What happened.
    pub status: StepStatus,
}

/// Each step's status, and after a failure the rollback checklist (step, status), newest first.
struct Standing {
    steps: Vec<Option<StepStatus>>,
    rollback: Vec<(u32, Option<StepStatus>)>,
    failed: bool,
}

impl Execution {
    /// The standing of `marks` on a plan of `steps` steps.
    pub fn of(steps: usize, marks: &[StepMark]) -> Execution {
        Execution {
            steps: steps as u32,
            marks: marks.iter().map(|m| Mark { step: m.step, rollback: m.rollback, status: m.status }).collect(),
        }
    }

    fn standing(&self) -> Standing {
        let mut steps = vec![None; self.steps as usize];
        for m in self.marks.iter().filter(|m| !m.rollback && m.step >= 1) {
            if let Some(s) = steps.get_mut(m.step as usize - 1) {
                *s = Some(m.status);
            }
        }
        let failed = steps.contains(&Some(StepStatus::Failed));
        // After a failure, every step that was begun is undone, newest first.
        let mut rollback: Vec<(u32, Option<StepStatus>)> = if failed {
            (1..=self.steps).rev().filter(|&n| steps[n as usize - 1].is_some()).map(|n| (n, None)).collect()
        } else {
            Vec::new()
        };
        for m in self.marks.iter().filter(|m| m.rollback) {
            if let Some(item) = rollback.iter_mut().find(|(n, _)| *n == m.step) {
                item.1 = Some(m.status);
            }
        }
        Standing { steps, rollback, failed }
    }

    /// Every step is done.
    pub fn all_done(&self) -> bool {
        let s = self.standing();
        !s.steps.is_empty() && s.steps.iter().all(|st| *st == Some(StepStatus::Done))
    }

    /// The next rollback item still to do (the checklist runs newest first), if any.
    pub fn rollback_pending(&self) -> Option<u32> {
        self.standing().rollback.into_iter().find(|(_, st)| *st != Some(StepStatus::Done)).map(|(n, _)| n)
    }

    /// Whether the change may end as rolled back now, and if not why, in words. After a failed
    /// step, once its rollback checklist is done; otherwise when nothing has begun (nothing to
    /// undo) or every step is done (validation, or hosting's own checks, found the change
    /// wanting; the reason says how it was undone). Partway through, the step that went wrong is
    /// marked failed first, so that every begun step gets its item on the checklist.
    pub fn may_end_as_rolled_back(&self) -> Result<(), String> {
        let s = self.standing();
        if s.failed {
            return match self.rollback_pending() {
                Some(step) => Err(format!("Roll back step {step} first: the checklist runs newest first")),
                None => Ok(()),
            };
        }
        let begun = s.steps.iter().filter(|st| st.is_some()).count();
        if begun == 0 || self.all_done() {
            return Ok(());
        }
        let step = s.steps.iter().rposition(|st| st.is_some()).map_or(1, |i| i + 1);
        Err(format!(
            "Production is partway through (step {step} has begun): mark a step failed first, so that the rollback checklist undoes what was done"
        ))
    }

    /// Whether `status` may be marked on `step` (its rollback with `rollback`) now; the refusal
    /// says why in words.
    pub fn check(&self, step: u32, rollback: bool, status: StepStatus) -> Result<(), String> {
        let p = self.standing();
        if step == 0 || step > self.steps {
            return Err(format!("There is no step {step} in the plan"));
        }
        if rollback {
            if !p.failed {
                return Err("The rollback runs only after a step failed".into());
            }
            if status != StepStatus::Done {
                return Err("Mark a rollback item done once it is undone".into());
            }
            // Newest first: everything before this item in the checklist must be done.
            for (n, st) in &p.rollback {
                if *n == step {
                    return if *st == Some(StepStatus::Done) {
                        Err(format!("The rollback of step {step} is already done"))
                    } else {
                        Ok(())
                    };
                }
                if *st != Some(StepStatus::Done) {
                    return Err(format!("Roll back step {n} first (newest first)"));
                }
            }
            return Err(format!("Step {step} was never begun, so there is nothing to roll back"));
        }
        if p.failed {
            return Err("A step failed: run the rollback checklist instead".into());
        }
        let this = p.steps[step as usize - 1];
        match status {
            StepStatus::Started => {
                if let Some(st) = this {
                    return Err(format!("Step {step} is already {}", st.label().to_lowercase()));
                }
                if let Some(open) = p.steps.iter().position(|s| *s == Some(StepStatus::Started)) {
                    return Err(format!("Finish step {} first", open + 1));
                }
                if let Some(before) = p.steps[..step as usize - 1].iter().position(|s| *s != Some(StepStatus::Done)) {
                    return Err(format!("Step {} comes first", before + 1));
                }
                Ok(())
            }
            StepStatus::Done | StepStatus::Failed => {
                if this != Some(StepStatus::Started) {
                    return Err(format!("Start step {step} first"));
                }
                Ok(())
            }
        }
    }
}

/// Where things stand after `marks` (oldest first) on `plan`: [`Execution`]'s standing with the
/// plan's words, times, people and notes.
pub fn progress(plan: &Plan, marks: &[StepMark]) -> Progress {
    let execution = Execution::of(plan.steps.len(), marks);
    let standing = execution.standing();
    let mut steps: Vec<StepProgress> =
        plan.steps.iter().enumerate().map(|(i, s)| empty(i as u32 + 1, &s.action, s.estimated_minutes)).collect();
    for m in marks.iter().filter(|m| !m.rollback) {
        if let Some(p) = steps.get_mut(m.step as usize - 1).filter(|_| m.step >= 1) {
            apply(p, m);
        }
    }
    let mut rollback: Vec<StepProgress> =
        standing.rollback.iter().map(|(n, _)| empty(*n, &plan.steps[*n as usize - 1].rollback, 0)).collect();
    for m in marks.iter().filter(|m| m.rollback) {
        if let Some(p) = rollback.iter_mut().find(|r| r.step == m.step) {
            apply(p, m);
        }
    }
    Progress {
        all_done: execution.all_done(),
        rollback_done: execution.rollback_pending().is_none(),
        may_end_as_rolled_back: execution.may_end_as_rolled_back().is_ok(),
        estimate_minutes: plan.steps.iter().map(|s| s.estimated_minutes).sum(),
        failed: standing.failed,
        steps,
        rollback,
    }
}

#[cfg(test)]
mod tests;
