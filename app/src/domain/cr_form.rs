//! The emergency change request form, in sections (one page each), with its validation.
//!
//! Sections are saved as drafts before they are validated, so nothing typed is lost; a section
//! is complete when it validates. Cross-field rules explain themselves in their messages.

use super::calendar::{Calendar, WindowWarning};
use super::forms::{collect_errors, FieldError, FormErrors, FormFields};
use chrono::{DateTime, NaiveDate, NaiveTime, TimeZone, Utc};
use serde::{Deserialize, Serialize};
use validator::{Validate, ValidationError};

/// The whole form as stored (every field text, as typed).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CrForm {
    /// The request's title (empty until first changed here; the start page set the first one).
    #[serde(default)]
    pub title: String,
    /// Systems and services the change touches.
    #[serde(default)]
    pub services: String,
    /// The environment (Production unless said otherwise).
    #[serde(default)]
    pub environment: String,
    /// The artifact and version to deploy (image tag or build number).
    #[serde(default)]
    pub artifact: String,
    /// The pipeline run that built and tested it.
    #[serde(default)]
    pub pipeline_url: String,
    /// What the change does.
    #[serde(default)]
    pub description: String,
    /// Why it cannot wait for the regular window.
    #[serde(default)]
    pub justification: String,
    /// The incident reference, if there is one.
    #[serde(default)]
    pub incident_reference: String,
    /// "yes" or "no".
    #[serde(default)]
    pub security_related: String,
    /// Why it is security-related.
    #[serde(default)]
    pub security_reason: String,
    /// Who and what is affected, and how.
    #[serde(default)]
    pub impact: String,
    /// "low", "medium" or "high".
    #[serde(default)]
    pub risk_level: String,
    /// "canary", "blue_green", "feature_flag" or "direct".
    #[serde(default)]
    pub strategy: String,
    /// Canary traffic percentages, e.g. "1, 5, 25, 100".
    #[serde(default)]
    pub canary_steps: String,
    /// The feature flag's name.
    #[serde(default)]
    pub feature_flag: String,
    /// "yes" when the flag is a tested kill switch.
    #[serde(default)]
    pub kill_switch: String,
    /// How to undo the whole change.
    #[serde(default)]
    pub rollback_plan: String,
    /// Requested start date (Eastern), YYYY-MM-DD.
    #[serde(default)]
    pub planned_date: String,
    /// Requested start time (Eastern), HH:MM.
    #[serde(default)]
    pub planned_time: String,
    /// Expected duration in minutes.
    #[serde(default)]
    pub duration_minutes: String,
    /// Why it must happen outside the production window / on a Friday / in a freeze.
    #[serde(default)]
    pub override_reason: String,
    /// Pre-deployment checklist items confirmed (their keys).
    #[serde(default)]
    pub checklist: Vec<String>,
    /// Who is on call during the change, and how to reach them.
    #[serde(default)]
    pub on_call: String,
    /// Teams affected by the change (one per line).
    #[serde(default)]
    pub affected_teams: String,
    /// Stakeholders to notify (email addresses, one per line).
    #[serde(default)]
    pub stakeholders: String,
}

/// The pre-deployment checklist (organisation standard 3.1.2), key and words.
pub const CHECKLIST: &[(&str, &str)] = &[
    ("ci_passed", "The build, unit, integration and linter checks passed in the pipeline"),
    ("staging_validated", "The change was deployed to staging and validated there"),
    ("rollback_tested", "The rollback was tested, or is a redeploy of the current version"),
    (
        "migrations_compatible",
        "Database migrations are backward compatible and separate from code changes (or there are none)",
    ),
    ("monitoring_ready", "Dashboards and alerts to watch during the change are ready"),
    ("on_call_available", "The dev team is available to support and validate during the change"),
];

/// The form's sections, in order: (slug, title).
pub const SECTIONS: &[(&str, &str)] = &[
    ("details", "Change details"),
    ("justification", "Justification, impact and risk"),
    ("deployment", "Deployment strategy and rollback"),
    ("schedule", "Requested window"),
    ("checklist", "Pre-deployment checklist and contacts"),
];

fn at_most_120(value: &str) -> Result<(), ValidationError> {
    if value.chars().count() > 120 {
        return Err(ValidationError::new("too_long"));
    }
    Ok(())
}

fn yes_no(value: &str) -> Result<(), ValidationError> {
    if matches!(value, "yes" | "no") {
        Ok(())
    } else {
        Err(ValidationError::new("choose"))
    }
}

fn one_of(value: &str, options: &[&str]) -> Result<(), ValidationError> {
    if options.contains(&value) {
        Ok(())
    } else {
        Err(ValidationError::new("choose"))
    }
}

fn risk(value: &str) -> Result<(), ValidationError> {
    one_of(value, &["low", "medium", "high"])
}

fn strategy(value: &str) -> Result<(), ValidationError> {
    one_of(value, &["canary", "blue_green", "feature_flag", "direct"])
}

fn url_or_empty(value: &str) -> Result<(), ValidationError> {
    if value.is_empty()
        || ((value.starts_with("https://") || value.starts_with("http://"))
            && !value.contains(char::is_whitespace)
            && value.len() > 10)
    {
        Ok(())
    } else {
        Err(ValidationError::new("url"))
    }
}

/// Section 1.
#[derive(Clone, Debug, Validate)]
pub struct Details {
    #[validate(
        length(min = 1, message = "Enter a title for the change"),
        custom(function = "at_most_120", message = "Title must be 120 characters or fewer")
    )]
    title: String,
    #[validate(length(min = 1, message = "Enter the systems and services the change touches"))]
    services: String,
    #[validate(length(min = 1, message = "Enter the environment, for example Production"))]
    environment: String,
    #[validate(length(
        min = 1,
        message = "Enter the artifact and version to deploy, for example an image tag or build number"
    ))]
    artifact: String,
    #[validate(
        length(min = 1, message = "Enter the link to the pipeline run that built and tested the artifact"),
        custom(function = "url_or_empty", message = "Enter a link that starts with https://")
    )]
    pipeline_url: String,
    #[validate(length(min = 1, message = "Describe what the change does"))]
    description: String,
}

/// Section 2.
#[derive(Clone, Debug, Validate)]
pub struct Justification {
    #[validate(length(min = 1, message = "Say why this cannot wait for the regular maintenance window"))]
    justification: String,
    #[validate(custom(
        function = "yes_no",
        message = "Select yes if the change is related to a security fix or incident"
    ))]
    security_related: String,
    #[validate(length(min = 1, message = "Describe who and what is affected, and how"))]
    impact: String,
    #[validate(custom(function = "risk", message = "Select the risk: low, medium or high"))]
    risk_level: String,
}

/// A security-related change must say how (the ISSO reads it).
fn security_reason_errors(form: &CrForm) -> Vec<FieldError> {
    if form.security_related == "yes" && form.security_reason.trim().is_empty() {
        return vec![FieldError {
            field: "security_reason".into(),
            message: "Say how the change relates to security: the ISSO will be copied".into(),
        }];
    }
    Vec::new()
}

/// Section 3.
#[derive(Clone, Debug, Validate)]
pub struct Deployment {
    #[validate(custom(function = "strategy", message = "Select how the change will be deployed"))]
    strategy: String,
    canary_steps: String,
    feature_flag: String,
    kill_switch: String,
    rollback_plan: String,
}

/// Parses "1, 5, 25, 100": strictly increasing whole percentages ending at 100.
pub fn parse_canary_steps(text: &str) -> Option<Vec<u8>> {
    let steps: Vec<u8> = text
        .split(|c: char| c == ',' || c.is_whitespace() || c == '%')
        .filter(|s| !s.is_empty())
        .map(|s| s.parse::<u8>().ok())
        .collect::<Option<Vec<u8>>>()?;
    let increasing = steps.windows(2).all(|w| w[0] < w[1]);
    (steps.len() >= 2 && increasing && steps.first().is_some_and(|f| *f > 0) && steps.last() == Some(&100))
        .then_some(steps)
}

impl Deployment {
    fn cross_field(&self) -> Vec<FieldError> {
        let mut out = Vec::new();
        let mut err =
            |field: &str, message: &str| out.push(FieldError { field: field.into(), message: message.into() });
        if self.strategy == "canary" && parse_canary_steps(&self.canary_steps).is_none() {
            err(
                "canary_steps",
                "Enter the canary traffic steps as increasing percentages ending at 100, for example 1, 5, 25, 100",
            );
        }
        let flagged = self.strategy == "feature_flag";
        if flagged && self.feature_flag.trim().is_empty() {
            err("feature_flag", "Enter the name of the feature flag");
        }
        if flagged && !matches!(self.kill_switch.as_str(), "yes" | "no") {
            err("kill_switch", "Select yes if turning the flag off undoes the change (a kill switch)");
        }
        let kill_switch = flagged && self.kill_switch == "yes";
        if !kill_switch && self.rollback_plan.trim().is_empty() {
            err(
                "rollback_plan",
                "Describe how to roll back the whole change: only a feature flag with a tested kill switch can stand in for a rollback plan",
            );
        }
        out
    }
}

/// Section 4.
#[derive(Clone, Debug)]
pub struct Schedule {
    planned_date: String,
    planned_time: String,
    duration_minutes: String,
    override_reason: String,
}

/// Section 5.
#[derive(Clone, Debug, Validate)]
pub struct Checklist {
    checklist: Vec<String>,
    #[validate(length(min = 1, message = "Enter who is on call during the change and how to reach them"))]
    on_call: String,
    #[validate(length(min = 1, message = "Enter the teams the change affects, one per line"))]
    affected_teams: String,
    stakeholders: String,
}

/// The planned start as an instant, from an Eastern date and time.
pub fn planned_start(date: &str, time: &str) -> Option<DateTime<Utc>> {
    let d = NaiveDate::parse_from_str(date.trim(), "%Y-%m-%d").ok()?;
    let t = NaiveTime::parse_from_str(time.trim(), "%H:%M").ok()?;
    chrono_tz::America::New_York.from_local_datetime(&d.and_time(t)).earliest().map(|x| x.with_timezone(&Utc))
}

/// A plausible email address (one `@`, a dotted domain, no spaces); the mail relay decides the rest.
pub fn is_email(s: &str) -> bool {
    let mut parts = s.split('@');
    matches!((parts.next(), parts.next(), parts.next()), (Some(local), Some(domain), None)
        if !local.is_empty() && domain.contains('.') && !domain.starts_with('.') && !domain.ends_with('.') && !s.contains(char::is_whitespace))
}

/// Lines of a multi-line field, trimmed, blank ones dropped.
pub fn lines(text: &str) -> Vec<String> {
    text.lines().map(str::trim).filter(|l| !l.is_empty()).map(str::to_string).collect()
}

impl CrForm {
    /// Trims every text field (checklist keys stay as sent).
    pub fn normalised(mut self) -> CrForm {
        for f in self.text_fields_mut() {
            *f = f.trim().to_string();
        }
        self.checklist.sort();
        self.checklist.dedup();
        self
    }

    fn text_fields_mut(&mut self) -> [&mut String; 24] {
        [
            &mut self.title,
            &mut self.services,
            &mut self.environment,
            &mut self.artifact,
            &mut self.pipeline_url,
            &mut self.description,
            &mut self.justification,
            &mut self.incident_reference,
            &mut self.security_related,
            &mut self.security_reason,
            &mut self.impact,
            &mut self.risk_level,
            &mut self.strategy,
            &mut self.canary_steps,
            &mut self.feature_flag,
            &mut self.kill_switch,
            &mut self.rollback_plan,
            &mut self.planned_date,
            &mut self.planned_time,
            &mut self.duration_minutes,
            &mut self.override_reason,
            &mut self.on_call,
            &mut self.affected_teams,
            &mut self.stakeholders,
        ]
    }

    /// The requested start, when both date and time are valid.
    pub fn planned_start(&self) -> Option<DateTime<Utc>> {
        planned_start(&self.planned_date, &self.planned_time)
    }

    /// True when the ISSO must be copied.
    pub fn is_security_related(&self) -> bool {
        self.security_related == "yes"
    }

    /// Validates one section (by slug) against the calendar. Field names are the form's.
    pub fn validate_section(&self, section: &str, calendar: &Calendar) -> Result<(), FormErrors> {
        let result: Result<(), FormErrors> = match section {
            "details" => {
                let s = Details {
                    title: self.title.clone(),
                    services: self.services.clone(),
                    environment: self.environment.clone(),
                    artifact: self.artifact.clone(),
                    pipeline_url: self.pipeline_url.clone(),
                    description: self.description.clone(),
                };
                collect_errors(&SectionFields(section, self), s.validate())
            }
            "justification" => {
                let s = Justification {
                    justification: self.justification.clone(),
                    security_related: self.security_related.clone(),
                    impact: self.impact.clone(),
                    risk_level: self.risk_level.clone(),
                };
                let base = collect_errors(&SectionFields(section, self), s.validate());
                merge(base, security_reason_errors(self), self, section)
            }
            "deployment" => {
                let s = Deployment {
                    strategy: self.strategy.clone(),
                    canary_steps: self.canary_steps.clone(),
                    feature_flag: self.feature_flag.clone(),
                    kill_switch: self.kill_switch.clone(),
                    rollback_plan: self.rollback_plan.clone(),
                };
                let base = collect_errors(&SectionFields(section, self), s.validate());
                merge(base, s.cross_field(), self, section)
            }
            "schedule" => {
                let s = Schedule {
                    planned_date: self.planned_date.clone(),
                    planned_time: self.planned_time.clone(),
                    duration_minutes: self.duration_minutes.clone(),
                    override_reason: self.override_reason.clone(),
                };
                merge(Ok(()), schedule_errors(&s, calendar), self, section)
            }
            "checklist" => {
                let s = Checklist {
                    checklist: self.checklist.clone(),
                    on_call: self.on_call.clone(),
                    affected_teams: self.affected_teams.clone(),
                    stakeholders: self.stakeholders.clone(),
                };
                let mut extra = Vec::new();
                let missing = CHECKLIST.iter().filter(|(k, _)| !s.checklist.iter().any(|c| c == k)).count();
                if missing > 0 {
                    extra.push(FieldError {
                        field: "checklist".into(),
                        message: format!("Confirm every item of the pre-deployment checklist ({missing} not confirmed): incomplete requests are returned"),
                    });
                }
                if let Some(bad) = lines(&s.stakeholders).into_iter().find(|l| !is_email(l)) {
                    extra.push(FieldError {
                        field: "stakeholders".into(),
                        message: format!("“{bad}” is not an email address: enter one email address per line"),
                    });
                }
                let base = collect_errors(&SectionFields(section, self), s.validate());
                merge(base, extra, self, section)
            }
            _ => Err(FormErrors {
                errors: vec![FieldError { field: "section".into(), message: "There is no such section".into() }],
                values: vec![],
            }),
        };
        result
    }

    /// The window warnings for the requested start (empty when none is given yet).
    pub fn window_warnings(&self, calendar: &Calendar) -> Vec<WindowWarning> {
        self.planned_start().map(|at| calendar.check(at)).unwrap_or_default()
    }

    /// True when every section validates.
    pub fn is_complete(&self, calendar: &Calendar) -> bool {
        SECTIONS.iter().all(|(slug, _)| self.validate_section(slug, calendar).is_ok())
    }

    /// True when any field of the section has been filled in.
    pub fn section_started(&self, section: &str) -> bool {
        section_field_names(section).iter().any(|f| !self.value(f).is_empty())
    }

    /// A field's value as text, by name (checklist: comma-separated keys).
    pub fn value(&self, field: &str) -> String {
        let mut me = self.clone();
        if field == "checklist" {
            return me.checklist.join(",");
        }
        let names = ALL_TEXT_FIELDS;
        match names.iter().position(|n| *n == field) {
            Some(i) => std::mem::take(me.text_fields_mut()[i]),
            None => String::new(),
        }
    }

    /// Sets a text field by name; unknown names are ignored.
    pub fn set(&mut self, field: &str, value: String) {
        if let Some(i) = ALL_TEXT_FIELDS.iter().position(|n| *n == field) {
            *self.text_fields_mut()[i] = value;
        }
    }
}

/// The text fields' names, in the order of [`CrForm::text_fields_mut`].
pub const ALL_TEXT_FIELDS: [&str; 24] = [
    "title",
    "services",
    "environment",
    "artifact",
    "pipeline_url",
    "description",
    "justification",
    "incident_reference",
    "security_related",
    "security_reason",
    "impact",
    "risk_level",
    "strategy",
    "canary_steps",
    "feature_flag",
    "kill_switch",
    "rollback_plan",
    "planned_date",
    "planned_time",
    "duration_minutes",
    "override_reason",
    "on_call",
    "affected_teams",
    "stakeholders",
];

/// The fields of one section, in page order.
pub fn section_field_names(section: &str) -> &'static [&'static str] {
    match section {
        "details" => &["title", "services", "environment", "artifact", "pipeline_url", "description"],
        "justification" => {
            &["justification", "incident_reference", "security_related", "security_reason", "impact", "risk_level"]
        }
        "deployment" => &["strategy", "canary_steps", "feature_flag", "kill_switch", "rollback_plan"],
        "schedule" => &["planned_date", "planned_time", "duration_minutes", "override_reason"],
        "checklist" => &["checklist", "on_call", "affected_teams", "stakeholders"],
        _ => &[],
    }
}

/// A section's fields, for error ordering and kept values.
struct SectionFields<'a>(&'a str, &'a CrForm);

impl FormFields for SectionFields<'_> {
    // Within one section the text fields keep this order; `merge` re-sorts by page position.
    const FIELD_ORDER: &'static [&'static str] = &ALL_TEXT_FIELDS;
    fn values(&self) -> Vec<(String, String)> {
        section_field_names(self.0).iter().map(|f| (f.to_string(), self.1.value(f))).collect()
    }
}

/// A field's position on the form's pages (sections in order, fields in page order).
fn page_position(field: &str) -> usize {
    SECTIONS
        .iter()
        .flat_map(|(slug, _)| section_field_names(slug).iter())
        .position(|f| *f == field)
        .unwrap_or(usize::MAX)
}

fn merge(base: Result<(), FormErrors>, extra: Vec<FieldError>, form: &CrForm, section: &str) -> Result<(), FormErrors> {
    let mut errors = match base {
        Ok(()) => Vec::new(),
        Err(e) => e.errors,
    };
    for e in extra {
        if !errors.iter().any(|x| x.field == e.field) {
            errors.push(e);
        }
    }
    if errors.is_empty() {
        return Ok(());
    }
    errors.sort_by_key(|e| page_position(&e.field));
    Err(FormErrors { errors, values: SectionFields(section, form).values() })
}

fn schedule_errors(s: &Schedule, calendar: &Calendar) -> Vec<FieldError> {
    let mut out = Vec::new();
    let date_ok = NaiveDate::parse_from_str(s.planned_date.trim(), "%Y-%m-%d").is_ok();
    let time_ok = NaiveTime::parse_from_str(s.planned_time.trim(), "%H:%M").is_ok();
    if s.planned_date.trim().is_empty() {
        out.push(FieldError { field: "planned_date".into(), message: "Enter the date the change should start".into() });
    } else if !date_ok {
        out.push(FieldError {
            field: "planned_date".into(),
            message: "Enter the date as year-month-day, for example 2026-11-24".into(),
        });
    }
    if s.planned_time.trim().is_empty() {
        out.push(FieldError {
            field: "planned_time".into(),
            message: "Enter the time the change should start (Eastern)".into(),
        });
    } else if !time_ok {
        out.push(FieldError {
            field: "planned_time".into(),
            message: "Enter the time as hours and minutes on a 24-hour clock, for example 09:30".into(),
        });
    }
    match s.duration_minutes.trim().parse::<u32>() {
        Ok(m) if (1..=1440).contains(&m) => {}
        _ if s.duration_minutes.trim().is_empty() => out.push(FieldError {
            field: "duration_minutes".into(),
            message: "Enter how many minutes the change is expected to take".into(),
        }),
        _ => out.push(FieldError {
            field: "duration_minutes".into(),
            message: "Duration must be a whole number of minutes from 1 to 1440".into(),
        }),
    }
    if let Some(at) = planned_start(&s.planned_date, &s.planned_time) {
        let warnings = calendar.check(at);
        if !warnings.is_empty() && s.override_reason.trim().is_empty() {
            let words: Vec<String> = warnings.iter().map(|w| w.message()).collect();
            out.push(FieldError {
                field: "override_reason".into(),
                message: format!("{}: say why the change cannot wait for the production window", words.join("; ")),
            });
        }
    }
    out
}

#[cfg(test)]
mod tests {
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
            security_related: "yes".into(),
            security_reason: "CVE-2026-0001".into(),
            impact: "Portal restarts".into(),
            risk_level: "medium".into(),
            strategy: "blue_green".into(),
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
        f.security_related = "no".into();
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
        f.strategy = "canary".into();
        assert_eq!(fields(f.validate_section("deployment", &Calendar::default())), ["canary_steps"]);
    }

    #[test]
    fn a_rollback_plan_is_required_unless_a_feature_flag_kill_switch_undoes_the_change() {
        let mut f = complete();
        f.rollback_plan.clear();
        let e = f.validate_section("deployment", &Calendar::default()).unwrap_err();
        assert!(e.message_for("rollback_plan").unwrap().contains("only a feature flag with a tested kill switch"));
        f.strategy = "feature_flag".into();
        f.feature_flag = "new-checkout".into();
        f.kill_switch = "yes".into();
        assert_eq!(f.validate_section("deployment", &Calendar::default()), Ok(()));
        f.kill_switch = "no".into();
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
}
