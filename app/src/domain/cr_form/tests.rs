use super::Strategy;
use super::*;
use crate::domain::calendar::Freeze;
use proptest::prelude::*;

fn complete() -> CrForm {
    CrForm {
        title: "Patch OpenSSL".into(),
        services: "Grants portal".into(),
        environment: "Production".into(),
        artifact: "portal:2.4.1".into(),
        pipeline_url: "https://ci.example.gov/runs/981".into(),
        description: "Patch OpenSSL".into(),
        justification: "CVE under active exploitation".into(),
        incident_reference: "INC-42".into(),
        security_related: Some(YesNo::Yes),
        security_reason: "CVE-2026-0001".into(),
        impact: "Portal restarts".into(),
        risk_level: Some(Risk::Medium),
        strategy: Some(Strategy::BlueGreen),
        rollback_plan: "Switch traffic back to blue".into(),
        planned_date: "2026-11-17".into(),
        planned_time: "10:00".into(),
        duration_minutes: "30".into(),
        checklist: CHECKLIST.iter().map(|(k, _)| k.to_string()).collect(),
        on_call: "Dana, 555-0100".into(),
        affected_teams: "Grants Portal team".into(),
        stakeholders: "owner@example.gov".into(),
        ..Default::default()
    }
}

fn fields(r: Result<(), FormErrors>) -> Vec<String> {
    r.err().map(|e| e.errors.into_iter().map(|e| e.field).collect()).unwrap_or_default()
}

#[test]
fn a_complete_form_validates_in_every_section() {
    let cal = Calendar::default();
    for (slug, _) in SECTIONS {
        assert_eq!(complete().validate_section(slug, &cal), Ok(()), "{slug}");
    }
    assert!(complete().is_complete(&cal));
}

#[test]
fn an_empty_section_lists_every_missing_field_in_page_order() {
    let e = CrForm::default().validate_section("details", &Calendar::default()).unwrap_err();
    let f: Vec<_> = e.errors.iter().map(|e| e.field.as_str()).collect();
    assert_eq!(f, ["title", "services", "environment", "artifact", "pipeline_url", "description"]);
}

#[test]
fn a_pipeline_link_must_be_a_web_address() {
    let mut f = complete();
    f.pipeline_url = "run 981".into();
    let e = f.validate_section("details", &Calendar::default()).unwrap_err();
    assert_eq!(e.message_for("pipeline_url"), Some("Enter a link that starts with https://"));
}

#[test]
fn a_security_related_change_must_say_why() {
    let mut f = complete();
    f.security_reason.clear();
    assert_eq!(fields(f.validate_section("justification", &Calendar::default())), ["security_reason"]);
    f.security_related = Some(YesNo::No);
    assert_eq!(f.validate_section("justification", &Calendar::default()), Ok(()));
}

#[test]
fn a_canary_needs_increasing_percentage_steps_ending_at_100() {
    assert_eq!(parse_canary_steps("1, 5, 25, 100"), Some(vec![1, 5, 25, 100]));
    assert_eq!(parse_canary_steps("5% 50% 100%"), Some(vec![5, 50, 100]));
    for bad in ["", "100", "5, 50", "50, 5, 100", "0, 100", "5, 150", "five, 100"] {
        assert_eq!(parse_canary_steps(bad), None, "{bad}");
    }
    let mut f = complete();
    f.strategy = Some(Strategy::Canary);
    assert_eq!(fields(f.validate_section("deployment", &Calendar::default())), ["canary_steps"]);
}

#[test]
fn a_rollback_plan_is_required_unless_a_feature_flag_kill_switch_undoes_the_change() {
    let mut f = complete();
    f.rollback_plan.clear();
    let e = f.validate_section("deployment", &Calendar::default()).unwrap_err();
    assert!(e.message_for("rollback_plan").unwrap().contains("only a feature flag with a tested kill switch"));
    f.strategy = Some(Strategy::FeatureFlag);
    f.feature_flag = "new-checkout".into();
    f.kill_switch = Some(YesNo::Yes);
    assert_eq!(f.validate_section("deployment", &Calendar::default()), Ok(()));
    f.kill_switch = Some(YesNo::No);
    assert_eq!(fields(f.validate_section("deployment", &Calendar::default())), ["rollback_plan"]);
}

#[test]
fn a_start_outside_the_window_needs_an_override_reason_naming_the_problem() {
    let mut f = complete();
    f.planned_date = "2026-11-20".into(); // a Friday
    let e = f.validate_section("schedule", &Calendar::default()).unwrap_err();
    assert!(e.message_for("override_reason").unwrap().contains("Friday"));
    f.override_reason = "Exploit in the wild".into();
    assert_eq!(f.validate_section("schedule", &Calendar::default()), Ok(()));
    let freeze = Calendar {
        freezes: vec![Freeze {
            name: "Year end".into(),
            reason: "audit".into(),
            from: NaiveDate::from_ymd_opt(2026, 11, 17).unwrap(),
            to: NaiveDate::from_ymd_opt(2026, 11, 17).unwrap(),
        }],
        ..Default::default()
    };
    let mut g = complete();
    assert!(g
        .validate_section("schedule", &freeze)
        .unwrap_err()
        .message_for("override_reason")
        .unwrap()
        .contains("Year end"));
    g.override_reason = "Regulator deadline".into();
    assert!(g.validate_section("schedule", &freeze).is_ok());
}

#[test]
fn dates_times_and_durations_are_checked_with_examples_in_the_message() {
    let mut f = complete();
    f.planned_date = "17/11/2026".into();
    f.planned_time = "9am".into();
    f.duration_minutes = "2 hours".into();
    assert_eq!(
        fields(f.validate_section("schedule", &Calendar::default())),
        ["planned_date", "planned_time", "duration_minutes"]
    );
}

#[test]
fn every_checklist_item_must_be_confirmed_and_stakeholders_are_email_addresses() {
    let mut f = complete();
    f.checklist.pop();
    f.stakeholders = "owner@example.gov\nthe product owner".into();
    let e = f.validate_section("checklist", &Calendar::default()).unwrap_err();
    assert!(e.message_for("checklist").unwrap().contains("1 not confirmed"));
    assert!(e.message_for("stakeholders").unwrap().contains("“the product owner”"));
}

#[test]
fn fields_round_trip_by_name() {
    let mut f = CrForm::default();
    for (i, name) in ALL_TEXT_FIELDS.iter().enumerate() {
        f.set(name, format!("v{i}"));
    }
    for (i, name) in ALL_TEXT_FIELDS.iter().enumerate() {
        assert_eq!(f.value(name), format!("v{i}"));
    }
    assert!(f.section_started("schedule"));
    assert!(!CrForm::default().section_started("schedule"));
}

proptest! {
    #[test]
    fn validation_never_panics_on_any_input(values in proptest::collection::vec(".{0,40}", 24), checks in proptest::collection::vec("[a-z_]{0,20}", 0..8)) {
        let mut f = CrForm { checklist: checks, ..Default::default() };
        for (name, v) in ALL_TEXT_FIELDS.iter().zip(values) {
            f.set(name, v);
        }
        let cal = Calendar::default();
        for (slug, _) in SECTIONS {
            let _ = f.clone().normalised().validate_section(slug, &cal);
        }
    }
}

#[test]
fn one_field_table_covers_every_section_in_page_order_and_every_stored_field() {
    // Sections appear in FIELDS in the order of SECTIONS, each with at least one question.
    let mut order: Vec<&str> = FIELDS.iter().map(|f| f.section).collect();
    order.dedup();
    assert_eq!(order, SECTIONS.iter().map(|(slug, _)| *slug).collect::<Vec<_>>());
    // Every stored text field is asked exactly once as text, and the checklist and choices besides.
    let mut asked: Vec<&str> = FIELDS
        .iter()
        .filter(|f| !matches!(f.kind, FieldKind::Checklist | FieldKind::Choice { .. }))
        .map(|f| f.name)
        .collect();
    asked.sort();
    let mut stored = ALL_TEXT_FIELDS.to_vec();
    stored.sort();
    assert_eq!(asked, stored);
    // Every choice question stores each of its answers by key and reads it back.
    for f in FIELDS {
        if let FieldKind::Choice { options, .. } = f.kind {
            for (key, _) in options.options() {
                let mut form = CrForm::default();
                form.set(f.name, format!(" {key} "));
                assert_eq!(form.value(f.name), key, "{}", f.name);
            }
        }
    }
    assert_eq!(
        FIELDS.iter().filter(|f| f.kind == FieldKind::Checklist).map(|f| f.name).collect::<Vec<_>>(),
        ["checklist"]
    );
    for f in FIELDS {
        assert!(f.max >= crate::domain::limits::LINE, "{}: a limit no shorter than a line", f.name);
        assert!(!f.label.is_empty() && !f.short.is_empty(), "{}", f.name);
        if let FieldKind::Choice { options, .. } = f.kind {
            assert!(options.options().len() >= 2, "{}", f.name);
        }
    }
    assert_eq!(field("description").map(|f| f.max), Some(crate::domain::limits::LONG));
}

#[test]
fn an_answer_nobody_offered_is_no_answer_and_is_asked_for_at_its_field() {
    let cal = Calendar::default();
    let mut f = complete();
    for (field, tampered) in [("security_related", "maybe"), ("risk_level", "extreme"), ("strategy", "yolo")] {
        f.set(field, tampered.into());
        assert_eq!(f.value(field), "", "{field}");
    }
    let errors = |f: &CrForm, slug: &str| fields(f.validate_section(slug, &cal));
    assert_eq!(errors(&f, "justification"), ["security_related", "risk_level"]);
    assert_eq!(errors(&f, "deployment"), ["strategy"]);
    f.set("strategy", "feature_flag".into());
    f.set("feature_flag", "new-checkout".into());
    f.set("kill_switch", "perhaps".into());
    assert_eq!(errors(&f, "deployment"), ["kill_switch"]);
}

#[test]
fn a_stored_answer_reads_back_as_stored_and_a_stored_key_that_is_no_answer_is_an_error() {
    let json = serde_json::to_value(complete()).unwrap();
    assert_eq!((json["strategy"].as_str(), json["kill_switch"].as_str()), (Some("blue_green"), Some("")));
    assert_eq!(serde_json::from_value::<CrForm>(json.clone()).unwrap(), complete());
    let mut bad = json;
    bad["risk_level"] = "extreme".into();
    let err = serde_json::from_value::<CrForm>(bad).unwrap_err().to_string();
    assert!(err.contains("“extreme” is not one of the answers"), "{err}");
}

#[test]
fn a_valid_new_title_renames_the_request() {
    let titled = |t: &str| CrForm { title: t.into(), ..CrForm::default() };
    assert_eq!(titled("  Patch OpenSSL 3.0.15 ").renames("Patch OpenSSL"), Some("Patch OpenSSL 3.0.15"));
    assert_eq!(titled("Patch OpenSSL").renames("Patch OpenSSL"), None, "unchanged");
    assert_eq!(titled("   ").renames("Patch OpenSSL"), None, "empty: the start page's title stays");
    assert_eq!(titled(&"x".repeat(121)).renames("Patch OpenSSL"), None, "too long for a name");
    assert!(titled(&"x".repeat(120)).renames("Patch OpenSSL").is_some());
}

#[test]
fn a_stakeholder_list_is_addresses_one_per_line_wherever_it_is_typed() {
    assert_eq!(
        address_lines(" owner@example.gov \n\n ops@example.gov").unwrap(),
        ["owner@example.gov", "ops@example.gov"]
    );
    assert_eq!(
        address_lines("owner@example.gov\nthe product owner").unwrap_err(),
        "“the product owner” is not an email address: enter one email address per line"
    );
    // Mail takes at most 254 characters an address.
    let long = format!("{}@example.gov", "a".repeat(254 - "@example.gov".len()));
    assert!(is_email(&long) && !is_email(&format!("a{long}")));
}
