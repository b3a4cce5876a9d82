//! The form's questions, in one table: which section each is on and in what order, how it is
//! asked (label, hint, kind of input, choices), what people call it in the record and its
//! history, and how long an answer may be. The pages, the history, the PDF and the limits read it.

use super::ChoiceOf;
use crate::domain::limits::{LINE, LONG, SHORT};

/// How a question is asked.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FieldKind {
    /// One line of text.
    Line,
    /// A whole number (the phone shows digits).
    Number,
    /// Free text over `rows` lines.
    Text {
        /// The box's height.
        rows: u32,
    },
    /// One of several answers.
    Choice {
        /// The answers.
        options: ChoiceOf,
        /// Side by side (short answers such as yes or no).
        inline: bool,
    },
    /// The pre-deployment checklist ([`super::CHECKLIST`]), each item confirmed.
    Checklist,
}

/// One question of the form.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Field {
    /// The stored name (and the posted `fields[name]`).
    pub name: &'static str,
    /// The section (page) it is on.
    pub section: &'static str,
    /// The question on its page.
    pub label: &'static str,
    /// Help under the question.
    pub hint: Option<&'static str>,
    /// What people call it in the record and its history.
    pub short: &'static str,
    /// How it is asked.
    pub kind: FieldKind,
    /// The longest answer, in characters.
    pub max: usize,
}

const fn q(
    section: &'static str,
    name: &'static str,
    label: &'static str,
    hint: Option<&'static str>,
    short: &'static str,
    kind: FieldKind,
    max: usize,
) -> Field {
    Field { name, section, label, hint, short, kind, max }
}

use FieldKind::{Checklist, Choice, Line, Number, Text};

/// Every question, section by section in page order.
pub const FIELDS: &[Field] = &[
    q("details", "title", "Title", Some("Say what the change does, in a few words."), "Title", Line, LINE),
    q(
        "details",
        "services",
        "Systems and services",
        Some("Everything the change touches."),
        "Systems and services",
        Text { rows: 2 },
        SHORT,
    ),
    q("details", "environment", "Environment", Some("Usually Production."), "Environment", Line, SHORT),
    q(
        "details",
        "artifact",
        "Artifact and version to deploy",
        Some("An image tag or build number, for example portal:2.4.1."),
        "Artifact and version",
        Line,
        SHORT,
    ),
    q(
        "details",
        "pipeline_url",
        "Link to the pipeline run",
        Some("The run that built and tested the artifact."),
        "Pipeline run",
        Line,
        SHORT,
    ),
    q("details", "description", "What the change does", None, "What the change does", Text { rows: 5 }, LONG),
    q(
        "justification",
        "justification",
        "Why it cannot wait for the regular window",
        None,
        "Why it cannot wait",
        Text { rows: 4 },
        LONG,
    ),
    q(
        "justification",
        "incident_reference",
        "Incident reference (optional)",
        Some("For example INC-1234."),
        "Incident reference",
        Line,
        SHORT,
    ),
    q(
        "justification",
        "security_related",
        "Is the change related to a security fix or incident?",
        Some("If yes, the ISSO is copied on every message."),
        "Security-related",
        Choice { options: ChoiceOf::YesNo, inline: true },
        SHORT,
    ),
    q(
        "justification",
        "security_reason",
        "How it relates to security",
        Some("Needed if you answered yes."),
        "Security reason",
        Text { rows: 3 },
        LONG,
    ),
    q(
        "justification",
        "impact",
        "Impact",
        Some("Who and what is affected, and how (downtime, slower pages, data changes)."),
        "Impact",
        Text { rows: 4 },
        LONG,
    ),
    q(
        "justification",
        "risk_level",
        "Risk",
        None,
        "Risk level",
        Choice { options: ChoiceOf::Risk, inline: false },
        SHORT,
    ),
    q(
        "deployment",
        "strategy",
        "How will the change be deployed?",
        None,
        "Deployment strategy",
        Choice { options: ChoiceOf::Strategy, inline: false },
        SHORT,
    ),
    q(
        "deployment",
        "canary_steps",
        "Canary traffic steps (for a canary)",
        Some("Increasing percentages ending at 100, for example 1, 5, 25, 100."),
        "Canary steps",
        Line,
        SHORT,
    ),
    q("deployment", "feature_flag", "Feature flag name (for a feature flag)", None, "Feature flag", Line, SHORT),
    q(
        "deployment",
        "kill_switch",
        "Does turning the flag off undo the change? (for a feature flag)",
        Some("A tested kill switch can stand in for a rollback plan."),
        "Kill switch",
        Choice { options: ChoiceOf::YesNo, inline: true },
        SHORT,
    ),
    q(
        "deployment",
        "rollback_plan",
        "Rollback plan",
        Some("How to undo the whole change, and how long it takes."),
        "Rollback plan",
        Text { rows: 4 },
        LONG,
    ),
    q(
        "schedule",
        "planned_date",
        "Date to start",
        Some("Year-month-day, for example 2026-11-24. Production changes happen Monday to Thursday."),
        "Planned date",
        Line,
        SHORT,
    ),
    q(
        "schedule",
        "planned_time",
        "Time to start (Eastern)",
        Some("24-hour clock, for example 09:30. The production window is 8am to 4pm."),
        "Planned time",
        Line,
        SHORT,
    ),
    q("schedule", "duration_minutes", "Expected duration in minutes", None, "Duration in minutes", Number, SHORT),
    q(
        "schedule",
        "override_reason",
        "Why it cannot wait for the production window (if it is outside it)",
        Some(
            "Needed for Fridays, weekends, holidays, outside 8am to 4pm Eastern and change freezes. Approvers see it.",
        ),
        "Reason to deploy outside the window",
        Text { rows: 3 },
        LONG,
    ),
    q(
        "checklist",
        "checklist",
        "Pre-deployment checklist",
        Some("Confirm each item. Incomplete requests are returned to the requesting team."),
        "Pre-deployment checklist",
        Checklist,
        LONG,
    ),
    q(
        "checklist",
        "on_call",
        "Who is on call during the change",
        Some("Names and how to reach them."),
        "On call",
        Text { rows: 3 },
        LONG,
    ),
    q(
        "checklist",
        "affected_teams",
        "Affected teams",
        Some("One team per line. They are copied when the request is submitted and decided."),
        "Affected teams",
        Text { rows: 3 },
        LONG,
    ),
    q(
        "checklist",
        "stakeholders",
        "Stakeholders to notify (optional)",
        Some("One email address per line. They are told when the change is done."),
        "Stakeholders",
        Text { rows: 3 },
        LONG,
    ),
];

/// The question stored as `name`.
pub fn field(name: &str) -> Option<&'static Field> {
    FIELDS.iter().find(|f| f.name == name)
}

/// The questions of one section, in page order.
pub fn section_fields(section: &str) -> impl Iterator<Item = &'static Field> + '_ {
    FIELDS.iter().filter(move |f| f.section == section)
}

/// The names of one section's questions, in page order.
pub fn section_field_names(section: &str) -> impl Iterator<Item = &'static str> + '_ {
    section_fields(section).map(|f| f.name)
}
