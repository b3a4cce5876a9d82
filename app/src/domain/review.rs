//! The hosting team's security and performance risk review.

use super::cr_form::{stored, Choice, YesNo};
use super::forms::{FieldError, FormErrors};
use serde::{Deserialize, Serialize};

/// The risks hosting checks, key and words.
pub const RISKS: &[(&str, &str)] = &[
    ("data_exposure", "Data exposure: personal or sensitive data could be read or leaked"),
    ("auth", "Authentication or authorisation changes"),
    ("secrets", "Secrets, keys or certificates change"),
    ("network", "Network or firewall changes"),
    ("capacity", "Load and capacity: more traffic, CPU, memory or storage"),
    ("caching", "Caching: stale or shared content"),
    ("migrations", "Database migrations (must be backward compatible and separate from code changes)"),
    ("downtime", "Expected downtime"),
];

/// The review as recorded.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RiskReview {
    /// Risks that apply (their keys).
    pub risks: Vec<String>,
    /// How the risks that apply are handled.
    pub notes: String,
    /// The conclusion, which drives the ISSO CC (stored as "yes", "no" or "" while unanswered).
    #[serde(default, with = "stored")]
    pub security_related: Option<YesNo>,
    /// Why that conclusion.
    pub reason: String,
}

impl RiskReview {
    /// Checks the review: a conclusion and its reason; notes when any risk applies.
    pub fn validated(mut self) -> Result<RiskReview, FormErrors> {
        self.notes = self.notes.trim().to_string();
        self.reason = self.reason.trim().to_string();
        self.risks.retain(|k| RISKS.iter().any(|(key, _)| key == k));
        let mut errors = Vec::new();
        if !self.risks.is_empty() && self.notes.is_empty() {
            errors
                .push(FieldError { field: "notes".into(), message: "Say how the risks you ticked are handled".into() });
        }
        if self.security_related.is_none() {
            errors.push(FieldError {
                field: "security_related".into(),
                message: "Select yes if the change is security-related (the ISSO is then copied)".into(),
            });
        }
        if self.reason.is_empty() {
            errors.push(FieldError {
                field: "reason".into(),
                message: "Give the reason for your conclusion: approvers and the ISSO read it".into(),
            });
        }
        if errors.is_empty() {
            return Ok(self);
        }
        Err(FormErrors {
            errors,
            values: vec![
                ("notes".into(), self.notes.clone()),
                ("security_related".into(), self.security_related.map_or("", Choice::key).into()),
                ("reason".into(), self.reason.clone()),
                ("risks".into(), self.risks.join(",")),
            ],
        })
    }

    /// The conclusion as a flag.
    pub fn is_security_related(&self) -> bool {
        self.security_related == Some(YesNo::Yes)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_review_needs_a_conclusion_and_its_reason_and_notes_when_risks_apply() {
        let e = RiskReview { risks: vec!["auth".into()], ..Default::default() }.validated().unwrap_err();
        let f: Vec<_> = e.errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(f, ["notes", "security_related", "reason"]);
        let ok = RiskReview {
            risks: vec!["auth".into(), "made-up".into()],
            notes: " Tested in staging ".into(),
            security_related: Some(YesNo::Yes),
            reason: "Changes login".into(),
        }
        .validated()
        .unwrap();
        assert_eq!(ok.risks, ["auth"], "unknown keys are dropped");
        assert!(ok.is_security_related());
        let not = RiskReview { security_related: Some(YesNo::No), reason: "Copy only".into(), ..Default::default() };
        assert!(!not.validated().unwrap().is_security_related(), "a No conclusion copies no ISSO");
    }
}
