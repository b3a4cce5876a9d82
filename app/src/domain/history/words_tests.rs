//! The history's words: how a change to the plan or the CR form is said.

use super::*;

#[test]
fn each_plan_change_is_said_in_words() {
    let said = [
        StepChange::Added { position: 3, action: "Deploy".into() },
        StepChange::Removed { position: 2, action: "Drain".into() },
        StepChange::Moved { from: 4, to: 1, action: "Back up".into() },
        StepChange::Changed {
            position: 2,
            action: "Deploy".into(),
            fields: step_field_changes(
                &PlanStep::default(),
                &PlanStep { owner: "Hosting".into(), estimated_minutes: 5, ..PlanStep::default() },
            ),
        },
    ]
    .map(|c| c.words());
    assert_eq!(
        said,
        [
            "Step 3 “Deploy” was added",
            "Step 2 “Drain” was removed",
            "“Back up” moved from step 4 to step 1",
            "Step 2 “Deploy”: who does it, estimated minutes changed",
        ]
    );
}

#[test]
fn every_field_of_a_step_is_compared_under_its_own_label() {
    let old = PlanStep::default();
    let new = PlanStep {
        action: "a".into(),
        commands: "b".into(),
        owner: "c".into(),
        expected_result: "d".into(),
        verification: "e".into(),
        rollback: "f".into(),
        estimated_minutes: 7,
        ..PlanStep::default()
    };
    let changes = step_field_changes(&old, &new);
    let seen: Vec<(&str, &str)> = changes.iter().map(|c| (c.label.as_str(), c.after.as_str())).collect();
    assert_eq!(
        seen,
        [
            ("What this step does", "a"),
            ("Commands or instructions", "b"),
            ("Who does it", "c"),
            ("Expected result", "d"),
            ("How to verify it", "e"),
            ("How to roll back", "f"),
            ("Estimated minutes", "7"),
        ]
    );
    assert!(step_field_changes(&new, &new.clone()).is_empty());
}

#[test]
fn a_message_quotes_a_long_text_shortened_and_a_short_one_whole() {
    assert_eq!(excerpt("  Roll back now  ", 13), "Roll back now");
    assert_eq!(excerpt("Roll back now", 4), "Roll…");
}

#[test]
fn a_form_change_names_the_field_and_reads_the_checklist_by_its_wording() {
    let old = CrForm::default();
    let mut new = CrForm { checklist: vec!["rollback_tested".into()], ..CrForm::default() };
    new.set("title", "Patch the login page".into());
    let changes = form_diff(&old, &new);
    let seen: Vec<(&str, &str, &str)> =
        changes.iter().map(|c| (c.field.as_str(), c.label.as_str(), c.after.as_str())).collect();
    let tested = super::super::cr_form::CHECKLIST.iter().find(|c| c.0 == "rollback_tested").map(|c| c.1);
    assert_eq!(seen[0], ("title", "Title", "Patch the login page"));
    assert_eq!(seen[1].2, format!("✓ {}", tested.unwrap_or_default()));
    assert_eq!(seen.len(), 2, "{seen:?}");
    assert!(form_diff(&new, &new.clone()).is_empty());
    assert_eq!(form_field_label("no_such_field"), "Field");
}
