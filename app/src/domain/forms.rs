//! Form input as the domain sees it: validated with `validator`, with plain-language
//! messages per field, in the order the fields appear on the page.

use serde::{Deserialize, Serialize};
use validator::{Validate, ValidationError, ValidationErrors};

/// One problem with one field, worded for the person who typed it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FieldError {
    /// The input's `name` (and, prefixed with `field-`, its `id`).
    pub field: String,
    /// What is wrong and how to fix it.
    pub message: String,
}

/// Every problem with a submitted form, plus what was typed (so nothing is lost when the
/// page is rendered again without JavaScript).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct FormErrors {
    /// Problems, in the order the fields appear on the page.
    pub errors: Vec<FieldError>,
    /// What the person typed, by field name.
    pub values: Vec<(String, String)>,
}

impl FormErrors {
    /// The message for one field, if it has one.
    pub fn message_for(&self, field: &str) -> Option<&str> {
        self.errors.iter().find(|e| e.field == field).map(|e| e.message.as_str())
    }

    /// What was typed into one field, if it was kept.
    pub fn value_of(&self, field: &str) -> Option<&str> {
        self.values.iter().find(|(k, _)| k == field).map(|(_, v)| v.as_str())
    }

    /// True when there is nothing to report.
    pub fn is_empty(&self) -> bool {
        self.errors.is_empty()
    }

    /// One field's problem, with what was typed into the form.
    pub fn one(field: &str, message: &str, values: &[(&str, &str)]) -> FormErrors {
        FormErrors {
            errors: vec![FieldError { field: field.into(), message: message.into() }],
            values: values.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect(),
        }
    }
}

/// A form whose fields have a fixed order on the page.
pub trait FormFields {
    /// The fields' names in page order; the error summary lists problems in this order.
    const FIELD_ORDER: &'static [&'static str];
    /// What was typed, by field name, to be shown again.
    fn values(&self) -> Vec<(String, String)>;
}

/// What was changed in staging, trimmed; too long is an error at its field (`notes`).
pub fn staging_notes(notes: &str) -> Result<String, FormErrors> {
    super::limits::check(&[super::limits::Typed {
        field: "notes",
        label: "What was changed",
        value: notes,
        max: super::limits::LONG,
    }])?;
    Ok(notes.trim().to_string())
}

/// Turns `validator`'s errors (a HashMap, whose order differs between server and browser)
/// into a list in page order, so server and browser render the same HTML.
pub fn collect_errors<F: FormFields>(form: &F, result: Result<(), ValidationErrors>) -> Result<(), FormErrors> {
    let Err(errors) = result else { return Ok(()) };
    let mut out: Vec<FieldError> = errors
        .field_errors()
        .into_iter()
        .filter_map(|(field, errs)| {
            let first = errs.first()?;
            let message = first.message.as_ref().map(|m| m.to_string()).unwrap_or_else(|| format!("Check {field}"));
            Some(FieldError { field: field.to_string(), message })
        })
        .collect();
    let pos = |f: &str| F::FIELD_ORDER.iter().position(|x| *x == f).unwrap_or(usize::MAX);
    out.sort_by(|a, b| pos(&a.field).cmp(&pos(&b.field)).then_with(|| a.field.cmp(&b.field)));
    Err(FormErrors { errors: out, values: form.values() })
}

/// The first step of a new emergency change request: what is changing and where.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, Validate)]
pub struct StartRequest {
    /// A short title that says what the change does.
    #[validate(length(min = 1, message = "Enter a title for the change"), custom(function = "title_fits"))]
    pub title: String,
    /// The system (application or service) that needs the change.
    #[validate(length(min = 1, message = "Enter the system that needs the change"), custom(function = "system_fits"))]
    pub system: String,
}

impl FormFields for StartRequest {
    const FIELD_ORDER: &'static [&'static str] = &["title", "system"];
    fn values(&self) -> Vec<(String, String)> {
        vec![("title".into(), self.title.clone()), ("system".into(), self.system.clone())]
    }
}

impl StartRequest {
    /// Trims surrounding whitespace (people paste from chat) and validates.
    pub fn normalised(self) -> Result<StartRequest, FormErrors> {
        let form = StartRequest { title: self.title.trim().to_string(), system: self.system.trim().to_string() };
        let validated = form.validate();
        collect_errors(&form, validated).map(|()| form)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn start(title: &str, system: &str) -> StartRequest {
        StartRequest { title: title.into(), system: system.into() }
    }

    #[test]
    fn a_request_needs_a_title_and_a_system() {
        let err = start("  ", "").normalised().unwrap_err();
        let fields: Vec<_> = err.errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["title", "system"], "errors follow page order");
        assert_eq!(err.message_for("title"), Some("Enter a title for the change"));
        assert_eq!(err.message_for("system"), Some("Enter the system that needs the change"));
    }

    #[test]
    fn what_was_typed_is_kept_with_the_errors() {
        let long = "x".repeat(121);
        let err = start(&long, "Head Start portal").normalised().unwrap_err();
        assert_eq!(err.message_for("title"), Some("Title must be 120 characters or fewer"));
        assert_eq!(err.message_for("system"), None);
        assert_eq!(err.value_of("title"), Some(long.as_str()));
        assert_eq!(err.value_of("system"), Some("Head Start portal"));
    }

    #[test]
    fn surrounding_whitespace_is_trimmed() {
        let ok = start("  Patch OpenSSL ", "\tportal\n").normalised().unwrap();
        assert_eq!(ok, start("Patch OpenSSL", "portal"));
    }

    proptest! {
        #[test]
        fn validation_never_panics_and_accepts_exactly_sane_lengths(title in ".{0,150}", system in ".{0,150}") {
            let t = title.trim().chars().count();
            let s = system.trim().chars().count();
            let ok = (1..=120).contains(&t) && (1..=120).contains(&s);
            prop_assert_eq!(start(&title, &system).normalised().is_ok(), ok);
        }
    }
}

/// One step of the operation plan, as typed.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, Validate)]
#[serde(default)]
pub struct PlanStepForm {
    /// What is done.
    #[validate(length(min = 1, message = "Enter what this step does"))]
    pub action: String,
    /// The exact commands or instructions.
    #[validate(length(min = 1, message = "Enter the exact commands or instructions"))]
    pub commands: String,
    /// Who performs it.
    #[validate(length(min = 1, message = "Enter who performs this step"))]
    pub owner: String,
    /// What should be seen.
    #[validate(length(min = 1, message = "Enter the result you expect"))]
    pub expected_result: String,
    /// How to check.
    #[validate(length(min = 1, message = "Enter how to verify this step worked"))]
    pub verification: String,
    /// How to undo it.
    #[validate(length(min = 1, message = "Enter how to roll back this step"))]
    pub rollback: String,
    /// Minutes, as typed.
    #[validate(custom(function = "minutes"))]
    pub estimated_minutes: String,
}

/// A request's title fits on one line; the CR form's details say it again.
pub(crate) fn title_fits(value: &str) -> Result<(), ValidationError> {
    super::limits::within(value, "Title", super::limits::LINE)
}

fn system_fits(value: &str) -> Result<(), ValidationError> {
    super::limits::within(value, "System", super::limits::LINE)
}

fn evidence_fits(value: &str) -> Result<(), ValidationError> {
    super::limits::within(value, "Evidence", super::limits::SHORT)
}

fn minutes(value: &str) -> Result<(), ValidationError> {
    match super::limits::minutes(value) {
        Some(_) => Ok(()),
        None => {
            Err(ValidationError::new("minutes").with_message(super::limits::minutes_message("Estimated time").into()))
        }
    }
}

impl FormFields for PlanStepForm {
    const FIELD_ORDER: &'static [&'static str] =
        &["action", "commands", "owner", "expected_result", "verification", "rollback", "estimated_minutes"];
    fn values(&self) -> Vec<(String, String)> {
        vec![
            ("action".into(), self.action.clone()),
            ("commands".into(), self.commands.clone()),
            ("owner".into(), self.owner.clone()),
            ("expected_result".into(), self.expected_result.clone()),
            ("verification".into(), self.verification.clone()),
            ("rollback".into(), self.rollback.clone()),
            ("estimated_minutes".into(), self.estimated_minutes.clone()),
        ]
    }
}

impl PlanStepForm {
    /// The validated step (text trimmed; commands keep their inner layout).
    pub fn step(&self) -> Result<super::plan::PlanStep, FormErrors> {
        let f = PlanStepForm {
            action: self.action.trim().into(),
            commands: self.commands.trim_end().trim_start_matches(['\r', '\n']).into(),
            owner: self.owner.trim().into(),
            expected_result: self.expected_result.trim().into(),
            verification: self.verification.trim().into(),
            rollback: self.rollback.trim().into(),
            estimated_minutes: self.estimated_minutes.trim().into(),
        };
        let empty_minutes = f.estimated_minutes.is_empty();
        let typed = |field, label, value, max| super::limits::Typed { field, label, value, max };
        super::limits::check(&[
            typed("action", "What this step does", &f.action, super::limits::SHORT),
            typed("commands", "Commands or instructions", &f.commands, super::limits::LONG),
            typed("owner", "Who performs it", &f.owner, super::limits::LINE),
            typed("expected_result", "Expected result", &f.expected_result, super::limits::SHORT),
            typed("verification", "How to verify it", &f.verification, super::limits::SHORT),
            typed("rollback", "How to roll it back", &f.rollback, super::limits::LONG),
        ])
        .map_err(|e| FormErrors { errors: e.errors, values: self.values() })?;
        let mut result = collect_errors(&f, f.validate());
        if empty_minutes {
            if let Err(e) = &mut result {
                for fe in e.errors.iter_mut().filter(|fe| fe.field == "estimated_minutes") {
                    fe.message = "Enter the estimated time in minutes".into();
                }
            }
        }
        result?;
        Ok(super::plan::PlanStep {
            id: 0,
            action: f.action,
            commands: f.commands,
            owner: f.owner,
            expected_result: f.expected_result,
            verification: f.verification,
            rollback: f.rollback,
            estimated_minutes: f.estimated_minutes.parse().unwrap_or(0),
            source: None,
        })
    }

    /// The form filled from a stored step (for editing).
    pub fn from_step(s: &super::plan::PlanStep) -> PlanStepForm {
        PlanStepForm {
            action: s.action.clone(),
            commands: s.commands.clone(),
            owner: s.owner.clone(),
            expected_result: s.expected_result.clone(),
            verification: s.verification.clone(),
            rollback: s.rollback.clone(),
            estimated_minutes: s.estimated_minutes.to_string(),
        }
    }
}

/// A staging sign-off: in which capacity, with what evidence.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, Validate)]
pub struct SignOffForm {
    /// A [`super::workflow::SignOffRole`]'s key.
    #[validate(custom(function = "sign_off_role", message = "Select who you are signing off as"))]
    pub role: String,
    /// A note or link.
    #[validate(
        length(min = 1, message = "Enter a note or a link to the evidence"),
        custom(function = "evidence_fits")
    )]
    pub evidence: String,
}

fn sign_off_role(value: &str) -> Result<(), ValidationError> {
    if super::workflow::SignOffRole::parse(value).is_some() {
        Ok(())
    } else {
        Err(ValidationError::new("role"))
    }
}

impl FormFields for SignOffForm {
    const FIELD_ORDER: &'static [&'static str] = &["role", "evidence"];
    fn values(&self) -> Vec<(String, String)> {
        vec![("role".into(), self.role.clone()), ("evidence".into(), self.evidence.clone())]
    }
}

impl SignOffForm {
    /// The validated role and evidence.
    pub fn sign_off(&self) -> Result<(super::workflow::SignOffRole, String), FormErrors> {
        let f = SignOffForm { role: self.role.trim().into(), evidence: self.evidence.trim().into() };
        collect_errors(&f, f.validate())?;
        let role = super::workflow::SignOffRole::parse(&f.role).ok_or_else(|| FormErrors {
            errors: vec![FieldError { field: "role".into(), message: "Select who you are signing off as".into() }],
            values: self.values(),
        })?;
        Ok((role, f.evidence))
    }
}

#[cfg(test)]
mod step_tests {
    use super::*;

    #[test]
    fn a_plan_step_needs_every_field_and_minutes_as_a_number() {
        let e = PlanStepForm { estimated_minutes: "ten".into(), ..Default::default() }.step().unwrap_err();
        assert_eq!(e.errors.len(), 7);
        assert_eq!(
            e.message_for("estimated_minutes"),
            Some("Estimated time must be a whole number of minutes from 1 to 1440")
        );
        let e = PlanStepForm::default().step().unwrap_err();
        assert_eq!(e.message_for("estimated_minutes"), Some("Enter the estimated time in minutes"));
    }

    #[test]
    fn a_sign_off_needs_a_capacity_and_evidence() {
        let e = SignOffForm { role: "ceo".into(), evidence: " ".into() }.sign_off().unwrap_err();
        assert_eq!(e.message_for("role"), Some("Select who you are signing off as"));
        assert_eq!(e.message_for("evidence"), Some("Enter a note or a link to the evidence"));
        let ok = SignOffForm { role: "qa".into(), evidence: " https://ci/1 ".into() }.sign_off().unwrap();
        assert_eq!(ok, (crate::domain::workflow::SignOffRole::Qa, "https://ci/1".to_string()));
    }
}
