//! The emergency change request form, in sections (one page each), with its validation.
//!
//! Sections are saved as drafts before they are validated, so nothing typed is lost; a section
//! is complete when it validates. Cross-field rules explain themselves in their messages.

use super::calendar::{Calendar, WindowWarning};
use super::forms::{collect_errors, FieldError, FormErrors, FormFields};
use super::limits;
use chrono::{DateTime, NaiveDate, NaiveTime, TimeZone, Utc};
use serde::{Deserialize, Serialize};
use validator::{Validate, ValidationError};

/// The whole form as stored (text fields as typed, choices as their answers).
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
    /// Whether it is related to a security fix or incident.
    #[serde(default, with = "stored")]
    pub security_related: Option<YesNo>,
    /// Why it is security-related.
    #[serde(default)]
    pub security_reason: String,
    /// Who and what is affected, and how.
    #[serde(default)]
    pub impact: String,
    /// The risk the dev team sees.
    #[serde(default, with = "stored")]
    pub risk_level: Option<Risk>,
    /// How the change reaches production.
    #[serde(default, with = "stored")]
    pub strategy: Option<Strategy>,
    /// Canary traffic percentages, e.g. "1, 5, 25, 100".
    #[serde(default)]
    pub canary_steps: String,
    /// The feature flag's name.
    #[serde(default)]
    pub feature_flag: String,
    /// Yes when turning the flag off undoes the change (a tested kill switch).
    #[serde(default, with = "stored")]
    pub kill_switch: Option<YesNo>,
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

mod choices;
mod fields;
mod sections;
pub use choices::stored;
pub use choices::*;
pub use fields::*;
pub use sections::*;

/// The form's text fields, in form order: the one list their names ([`ALL_TEXT_FIELDS`]) and
/// their borrows, for reading and for setting by name, come from.
macro_rules! text_fields {
    (@make [names] $($f:ident)*) => { [$(stringify!($f)),*] };
    (@make [&mut $form:ident] $($f:ident)*) => { [$(&mut $form.$f),*] };
    (@make [& $form:ident] $($f:ident)*) => { [$(&$form.$f),*] };
    ($($how:tt)+) => {
        text_fields!(@make [$($how)+]
            title
            services
            environment
            artifact
            pipeline_url
            description
            justification
            incident_reference
            security_reason
            impact
            canary_steps
            feature_flag
            rollback_plan
            planned_date
            planned_time
            duration_minutes
            override_reason
            on_call
            affected_teams
            stakeholders
        )
    };
}

impl CrForm {
    /// Trims every text field (checklist keys stay as sent; choices are parsed trimmed).
    pub fn normalised(mut self) -> CrForm {
        for f in self.text_fields_mut() {
            *f = f.trim().to_string();
        }
        self.checklist.sort();
        self.checklist.dedup();
        self
    }

    fn text_fields_mut(&mut self) -> [&mut String; 20] {
        text_fields!(&mut self)
    }

    /// The requested start, when both date and time are valid.
    pub fn planned_start(&self) -> Option<DateTime<Utc>> {
        planned_start(&self.planned_date, &self.planned_time)
    }

    /// The expected duration in minutes; an hour while it is not a valid number
    /// ([`limits::minutes`]).
    pub fn planned_minutes(&self) -> i64 {
        limits::minutes(&self.duration_minutes).map_or(60, i64::from)
    }

    /// The deployment in a few words: "Canary: 1% → 5% → 100%", "Feature flag “x” (a tested kill switch)".
    pub fn deployment_summary(&self) -> String {
        match self.strategy {
            Some(Strategy::Canary) => match parse_canary_steps(&self.canary_steps) {
                Some(steps) => {
                    format!("Canary: {}", steps.iter().map(|s| format!("{s}%")).collect::<Vec<_>>().join(" → "))
                }
                None => "Canary".into(),
            },
            Some(Strategy::BlueGreen) => "Blue/green".into(),
            Some(Strategy::FeatureFlag) => {
                let ks = if self.kill_switch == Some(YesNo::Yes) { " (a tested kill switch)" } else { "" };
                format!("Feature flag “{}”{ks}", self.feature_flag)
            }
            Some(Strategy::Direct) => "Direct".into(),
            None => String::new(),
        }
    }

    /// The request's new name, when this form renames it: its title, when valid and different
    /// from `current` (the title is the request's name everywhere).
    pub fn renames(&self, current: &str) -> Option<&str> {
        let title = self.title.trim();
        (!title.is_empty() && super::forms::title_fits(title).is_ok() && title != current).then_some(title)
    }

    /// True when the ISSO must be copied.
    pub fn is_security_related(&self) -> bool {
        self.security_related == Some(YesNo::Yes)
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
                    security_related: self.security_related,
                    impact: self.impact.clone(),
                    risk_level: self.risk_level,
                };
                let base = collect_errors(&SectionFields(section, self), s.validate());
                merge(base, s.cross_field(&self.security_reason), self, section)
            }
            "deployment" => {
                let s = Deployment {
                    strategy: self.strategy,
                    canary_steps: self.canary_steps.clone(),
                    feature_flag: self.feature_flag.clone(),
                    kill_switch: self.kill_switch,
                    rollback_plan: self.rollback_plan.clone(),
                };
                merge(Ok(()), s.cross_field(), self, section)
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
                if let Err(message) = address_lines(&s.stakeholders) {
                    extra.push(FieldError { field: "stakeholders".into(), message });
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
        section_field_names(section).any(|f| !self.value(f).is_empty())
    }

    /// A field's value as text, by name (checklist: comma-separated keys; a choice: its key).
    pub fn value(&self, field: &str) -> String {
        let key = |c: Option<&'static str>| c.unwrap_or_default().to_string();
        match field {
            "checklist" => self.checklist.join(","),
            "security_related" => key(self.security_related.map(Choice::key)),
            "risk_level" => key(self.risk_level.map(Choice::key)),
            "strategy" => key(self.strategy.map(Choice::key)),
            "kill_switch" => key(self.kill_switch.map(Choice::key)),
            _ => match ALL_TEXT_FIELDS.iter().position(|n| *n == field) {
                Some(i) => text_fields!(&self)[i].clone(),
                None => String::new(),
            },
        }
    }

    /// Sets a field by name from what was posted: a choice from its key (a key that is not an
    /// answer leaves it unanswered, so the section asks for one); unknown names are ignored.
    pub fn set(&mut self, field: &str, value: String) {
        match field {
            "security_related" => self.security_related = YesNo::parse(&value),
            "risk_level" => self.risk_level = Risk::parse(&value),
            "strategy" => self.strategy = Strategy::parse(&value),
            "kill_switch" => self.kill_switch = YesNo::parse(&value),
            _ => {
                if let Some(i) = ALL_TEXT_FIELDS.iter().position(|n| *n == field) {
                    *self.text_fields_mut()[i] = value;
                }
            }
        }
    }
}

/// The text fields' names, in form order.
pub const ALL_TEXT_FIELDS: [&str; 20] = text_fields!(names);

/// A section's fields, for error ordering and kept values.
struct SectionFields<'a>(&'a str, &'a CrForm);

impl FormFields for SectionFields<'_> {
    // Within one section the text fields keep this order; `merge` re-sorts by page position.
    const FIELD_ORDER: &'static [&'static str] = &ALL_TEXT_FIELDS;
    fn values(&self) -> Vec<(String, String)> {
        section_field_names(self.0).map(|f| (f.to_string(), self.1.value(f))).collect()
    }
}

/// A field's position on the form's pages (sections in order, fields in page order).
fn page_position(field: &str) -> usize {
    FIELDS.iter().position(|f| f.name == field).unwrap_or(usize::MAX)
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
    match limits::minutes(&s.duration_minutes) {
        Some(_) => {}
        None if s.duration_minutes.trim().is_empty() => out.push(FieldError {
            field: "duration_minutes".into(),
            message: "Enter how many minutes the change is expected to take".into(),
        }),
        None => out.push(FieldError { field: "duration_minutes".into(), message: limits::minutes_message("Duration") }),
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
mod tests;
