use super::*;
use crate::domain::plan::PlanStep;
use proptest::prelude::*;

fn plan(n: u32) -> Plan {
    Plan {
        steps: (1..=n)
            .map(|i| PlanStep {
                id: i,
                action: format!("step {i}"),
                rollback: format!("undo {i}"),
                estimated_minutes: 10,
                ..PlanStep::default()
            })
            .collect(),
    }
}

fn mark(step: u32, rollback: bool, status: StepStatus) -> StepMark {
    StepMark { step, rollback, status, note: String::new(), by: "Hal".into(), at: DateTime::<Utc>::default() }
}

#[test]
fn steps_run_in_order_one_at_a_time() {
    let p = plan(3);
    let mut log = Vec::new();
    assert!(Execution::of(p.steps.len(), &log)
        .check(2, false, StepStatus::Started)
        .unwrap_err()
        .contains("Step 1 comes first"));
    assert!(Execution::of(p.steps.len(), &log).check(1, false, StepStatus::Done).unwrap_err().contains("Start step 1"));
    log.push(mark(1, false, StepStatus::Started));
    assert!(Execution::of(p.steps.len(), &log)
        .check(2, false, StepStatus::Started)
        .unwrap_err()
        .contains("Finish step 1"));
    log.push(mark(1, false, StepStatus::Done));
    for s in 2..=3 {
        Execution::of(p.steps.len(), &log).check(s, false, StepStatus::Started).unwrap();
        log.push(mark(s, false, StepStatus::Started));
        log.push(mark(s, false, StepStatus::Done));
    }
    let pr = progress(&p, &log);
    assert!(pr.all_done && !pr.failed && pr.rollback.is_empty());
    assert_eq!(pr.estimate_minutes, 30);
    assert_eq!(
        Execution::of(p.steps.len(), &log).check(2, false, StepStatus::Started),
        Err("Step 2 is already done".into())
    );
}

#[test]
fn progress_shows_each_mark_with_its_times_person_and_notes() {
    let at = |minute: i64| DateTime::<Utc>::default() + chrono::Duration::minutes(minute);
    let by = |step, rollback, status, note: &str, who: &str, minute| StepMark {
        note: note.into(),
        by: who.into(),
        at: at(minute),
        ..mark(step, rollback, status)
    };
    let log = [
        by(1, false, StepStatus::Started, "", "Hal", 1),
        by(1, false, StepStatus::Done, "Deployed", "Hal", 5),
        by(2, false, StepStatus::Started, "  ", "Hal", 6),
        by(2, false, StepStatus::Failed, "Migration timed out", "Ivy", 9),
        by(2, true, StepStatus::Done, "Restored the snapshot", "Ivy", 12),
    ];
    let pr = progress(&plan(3), &log);
    assert_eq!(pr.steps.iter().map(|s| s.step).collect::<Vec<_>>(), [1, 2, 3], "steps are counted from 1");
    let one = &pr.steps[0];
    assert_eq!((one.status, one.started_at, one.finished_at), (Some(StepStatus::Done), Some(at(1)), Some(at(5))));
    assert_eq!((one.by.as_deref(), one.notes.clone()), (Some("Hal"), vec!["Deployed".to_string()]));
    let two = &pr.steps[1];
    assert_eq!((two.status, two.started_at, two.finished_at), (Some(StepStatus::Failed), Some(at(6)), Some(at(9))));
    assert_eq!(two.by.as_deref(), Some("Ivy"), "who marked it last");
    assert_eq!(two.notes, ["Migration timed out"], "a blank note is not kept");
    assert_eq!((pr.steps[2].status, pr.steps[2].started_at), (None, None));
    let undo: Vec<_> = pr.rollback.iter().map(|r| (r.step, r.status, r.finished_at, r.notes.clone())).collect();
    assert_eq!(
        undo,
        [(2, Some(StepStatus::Done), Some(at(12)), vec!["Restored the snapshot".to_string()]), (1, None, None, vec![])]
    );
}

#[test]
fn each_kind_of_mark_has_its_own_note_field() {
    let fields: Vec<_> = [StepStatus::Started, StepStatus::Done, StepStatus::Failed]
        .iter()
        .flat_map(|s| [s.note_field(false), s.note_field(true)])
        .collect();
    assert_eq!(fields, ["done_note", "rollback_note", "done_note", "rollback_note", "failed_note", "rollback_note"]);
}

#[test]
fn a_failure_turns_the_begun_steps_into_a_rollback_checklist_newest_first() {
    let p = plan(4);
    let log = vec![
        mark(1, false, StepStatus::Started),
        mark(1, false, StepStatus::Done),
        mark(2, false, StepStatus::Started),
        mark(2, false, StepStatus::Done),
        mark(3, false, StepStatus::Started),
        mark(3, false, StepStatus::Failed),
    ];
    let pr = progress(&p, &log);
    assert!(pr.failed && !pr.all_done && !pr.rollback_done);
    let order: Vec<(u32, &str)> = pr.rollback.iter().map(|r| (r.step, r.action.as_str())).collect();
    assert_eq!(order, vec![(3, "undo 3"), (2, "undo 2"), (1, "undo 1")]);
    assert!(Execution::of(p.steps.len(), &log).check(4, false, StepStatus::Started).unwrap_err().contains("rollback"));
    assert!(Execution::of(p.steps.len(), &log)
        .check(1, true, StepStatus::Done)
        .unwrap_err()
        .contains("Roll back step 3 first"));
    assert!(Execution::of(p.steps.len(), &log).check(4, true, StepStatus::Done).is_err(), "step 4 never began");
    let mut log = log;
    for s in [3, 2, 1] {
        Execution::of(p.steps.len(), &log).check(s, true, StepStatus::Done).unwrap();
        log.push(mark(s, true, StepStatus::Done));
    }
    assert!(progress(&p, &log).rollback_done);
}

#[test]
fn a_change_ends_as_rolled_back_only_with_nothing_begun_left_standing() {
    let ends = |log: &[StepMark]| Execution::of(3, log).may_end_as_rolled_back();
    assert_eq!(ends(&[]), Ok(()), "nothing begun: nothing to undo");
    let mut log = vec![mark(1, false, StepStatus::Started), mark(1, false, StepStatus::Done)];
    log.push(mark(2, false, StepStatus::Started));
    let refusal = ends(&log).unwrap_err();
    assert!(refusal.contains("partway through (step 2 has begun)") && refusal.contains("failed"), "{refusal}");
    assert!(!progress(&plan(3), &log).may_end_as_rolled_back);
    // The step that went wrong is marked failed: the begun steps are undone newest first.
    log.push(mark(2, false, StepStatus::Failed));
    assert!(ends(&log).unwrap_err().contains("Roll back step 2 first"));
    log.extend([mark(2, true, StepStatus::Done), mark(1, true, StepStatus::Done)]);
    assert_eq!(ends(&log), Ok(()));
    assert!(progress(&plan(3), &log).may_end_as_rolled_back);
    // Every step done: validation (or hosting's own checks) found the change wanting.
    let done: Vec<StepMark> =
        (1..=3).flat_map(|s| [mark(s, false, StepStatus::Started), mark(s, false, StepStatus::Done)]).collect();
    assert_eq!(ends(&done), Ok(()));
}

proptest! {
    /// Whatever marks are attempted, the accepted ones never leave two steps in progress,
    /// never start a step before the ones above it are done, and never record both
    /// "all done" and "failed".
    #[test]
    fn accepted_marks_keep_the_log_consistent(attempts in prop::collection::vec((1u32..6, any::<bool>(), 0u8..3), 0..60)) {
        let p = plan(5);
        let mut log = Vec::new();
        for (step, rollback, s) in attempts {
            let status = [StepStatus::Started, StepStatus::Done, StepStatus::Failed][s as usize];
            if Execution::of(p.steps.len(), &log).check(step, rollback, status).is_ok() {
                log.push(mark(step, rollback, status));
            }
            let pr = progress(&p, &log);
            prop_assert!(pr.steps.iter().filter(|s| s.status == Some(StepStatus::Started)).count() <= 1);
            prop_assert!(!(pr.all_done && pr.failed));
            for (i, s) in pr.steps.iter().enumerate() {
                if s.status.is_some() {
                    prop_assert!(pr.steps[..i].iter().all(|b| b.status == Some(StepStatus::Done)));
                }
            }
            prop_assert!(pr.steps.iter().filter(|s| s.status == Some(StepStatus::Failed)).count() <= 1);
        }
    }
}
