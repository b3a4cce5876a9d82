//! The form's sections as validated types: each page's fields and the rules between them.

use super::*;

/// The error for a question left unanswered (or answered with a key nobody offered).
fn unanswered<C>(answer: Option<C>, field: &str, message: &str) -> Option<FieldError> {
    answer.is_none().then(|| FieldError { field: field.into(), message: message.into() })
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
        custom(function = "crate::domain::forms::title_fits")
    )]
    pub(super) title: String,
    #[validate(length(min = 1, message = "Enter the systems and services the change touches"))]
    pub(super) services: String,
    #[validate(length(min = 1, message = "Enter the environment, for example Production"))]
    pub(super) environment: String,
    #[validate(length(
        min = 1,
        message = "Enter the artifact and version to deploy, for example an image tag or build number"
    ))]
    pub(super) artifact: String,
    #[validate(
        length(min = 1, message = "Enter the link to the pipeline run that built and tested the artifact"),
        custom(function = "url_or_empty", message = "Enter a link that starts with https://")
    )]
    pub(super) pipeline_url: String,
    #[validate(length(min = 1, message = "Describe what the change does"))]
    pub(super) description: String,
}

/// Section 2.
#[derive(Clone, Debug, Validate)]
pub struct Justification {
    #[validate(length(min = 1, message = "Say why this cannot wait for the regular maintenance window"))]
    pub(super) justification: String,
    pub(super) security_related: Option<YesNo>,
    #[validate(length(min = 1, message = "Describe who and what is affected, and how"))]
    pub(super) impact: String,
    pub(super) risk_level: Option<Risk>,
}

impl Justification {
    /// The answers asked for, and a security-related change saying how (the ISSO reads it).
    pub(super) fn cross_field(&self, security_reason: &str) -> Vec<FieldError> {
        let reason =
            (self.security_related == Some(YesNo::Yes) && security_reason.trim().is_empty()).then(|| FieldError {
                field: "security_reason".into(),
                message: "Say how the change relates to security: the ISSO will be copied".into(),
            });
        [
            unanswered(
                self.security_related,
                "security_related",
                "Select yes if the change is related to a security fix or incident",
            ),
            reason,
            unanswered(self.risk_level, "risk_level", "Select the risk: low, medium or high"),
        ]
        .into_iter()
        .flatten()
        .collect()
    }
}

/// Section 3.
#[derive(Clone, Debug)]
pub struct Deployment {
    pub(super) strategy: Option<Strategy>,
    pub(super) canary_steps: String,
    pub(super) feature_flag: String,
    pub(super) kill_switch: Option<YesNo>,
    pub(super) rollback_plan: String,
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
    pub(super) fn cross_field(&self) -> Vec<FieldError> {
        let mut out: Vec<FieldError> =
            unanswered(self.strategy, "strategy", "Select how the change will be deployed").into_iter().collect();
        let mut err =
            |field: &str, message: &str| out.push(FieldError { field: field.into(), message: message.into() });
        if self.strategy == Some(Strategy::Canary) && parse_canary_steps(&self.canary_steps).is_none() {
            err(
                "canary_steps",
                "Enter the canary traffic steps as increasing percentages ending at 100, for example 1, 5, 25, 100",
            );
        }
        let flagged = self.strategy == Some(Strategy::FeatureFlag);
        if flagged && self.feature_flag.trim().is_empty() {
            err("feature_flag", "Enter the name of the feature flag");
        }
        if flagged && self.kill_switch.is_none() {
            err("kill_switch", "Select yes if turning the flag off undoes the change (a kill switch)");
        }
        let kill_switch = flagged && self.kill_switch == Some(YesNo::Yes);
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
    pub(super) planned_date: String,
    pub(super) planned_time: String,
    pub(super) duration_minutes: String,
    pub(super) override_reason: String,
}

/// Section 5.
#[derive(Clone, Debug, Validate)]
pub struct Checklist {
    pub(super) checklist: Vec<String>,
    #[validate(length(min = 1, message = "Enter who is on call during the change and how to reach them"))]
    pub(super) on_call: String,
    #[validate(length(min = 1, message = "Enter the teams the change affects, one per line"))]
    pub(super) affected_teams: String,
    pub(super) stakeholders: String,
}

/// The planned start as an instant, from an Eastern date and time.
pub fn planned_start(date: &str, time: &str) -> Option<DateTime<Utc>> {
    let d = NaiveDate::parse_from_str(date.trim(), "%Y-%m-%d").ok()?;
    let t = NaiveTime::parse_from_str(time.trim(), "%H:%M").ok()?;
    chrono_tz::America::New_York.from_local_datetime(&d.and_time(t)).earliest().map(|x| x.with_timezone(&Utc))
}

/// A plausible email address (one `@`, a dotted domain, no spaces, at most the 254 characters
/// mail allows); the mail relay decides the rest.
pub fn is_email(s: &str) -> bool {
    if s.len() > crate::domain::limits::EMAIL {
        return false;
    }
    let mut parts = s.split('@');
    matches!((parts.next(), parts.next(), parts.next()), (Some(local), Some(domain), None)
        if !local.is_empty() && domain.contains('.') && !domain.starts_with('.') && !domain.ends_with('.') && !s.contains(char::is_whitespace))
}

/// Lines of a multi-line field, trimmed, blank ones dropped.
pub fn lines(text: &str) -> Vec<String> {
    text.lines().map(str::trim).filter(|l| !l.is_empty()).map(str::to_string).collect()
}

/// The addresses of a list of one per line (stakeholders), or the first line that is not one,
/// said as its field's problem.
pub fn address_lines(text: &str) -> Result<Vec<String>, String> {
    let lines = lines(text);
    match lines.iter().find(|l| !is_email(l)) {
        Some(bad) => Err(format!("“{bad}” is not an email address: enter one email address per line")),
        None => Ok(lines),
    }
}
