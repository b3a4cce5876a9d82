//! Step 0: is this really an emergency? The four questions of the process document, asked once
//! here: the triage page, the form's checks, the JSON API and the archival record read them.

use super::cr_form::{Choice, YesNo};
use super::forms::{FieldError, FormErrors};
use serde::{Deserialize, Serialize};

/// The answers to step 0.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct TriageAnswers {
    /// Is there an active, ongoing incident?
    pub active_incident: bool,
    /// Are users unable to reach the service? (Production is down: the outage fast path.)
    pub users_cannot_access: bool,
    /// Is performance significantly degraded?
    pub performance_degraded: bool,
    /// Does the change address an immediate security or quality need?
    pub security_or_quality_need: bool,
}

/// What triage concluded.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum TriageOutcome {
    /// Production is down: straight to hosting, staging sign-off recorded afterwards.
    OutageFastPath,
    /// A justified emergency: plan, validate in staging, complete the form.
    Emergency,
    /// Not justified: a regular change in the next monthly window.
    RegularChange,
}

impl TriageAnswers {
    /// The decision the process document describes.
    pub fn outcome(&self) -> TriageOutcome {
        if self.users_cannot_access {
            TriageOutcome::OutageFastPath
        } else if self.active_incident || self.performance_degraded || self.security_or_quality_need {
            TriageOutcome::Emergency
        } else {
            TriageOutcome::RegularChange
        }
    }
}

/// One triage question.
#[derive(Clone, Copy, Debug)]
pub struct Question {
    /// The field's name (posted, and the JSON API's key).
    pub key: &'static str,
    /// The question, as the page asks it.
    pub ask: &'static str,
    /// Help under the question.
    pub hint: &'static str,
    /// How the archival record names the answer.
    pub in_record: &'static str,
    /// The error when it is not answered.
    pub unanswered: &'static str,
    answer: fn(&mut TriageAnswers) -> &mut bool,
}

impl Question {
    /// This question's answer among `answers`.
    pub fn of(&self, answers: TriageAnswers) -> bool {
        let mut answers = answers;
        *(self.answer)(&mut answers)
    }
}

/// The questions, in the order asked.
pub const QUESTIONS: [Question; 4] = [
    Question {
        key: "active_incident",
        ask: "Is there an active, ongoing incident?",
        hint: "Something is going wrong in production right now.",
        in_record: "Active incident",
        unanswered: "Select yes if there is an active incident",
        answer: |a| &mut a.active_incident,
    },
    Question {
        key: "users_cannot_access",
        ask: "Are users unable to reach the service?",
        hint: "Production is down. The request goes straight to the hosting team; staging sign-off is recorded afterwards.",
        in_record: "Users cannot reach the service",
        unanswered: "Select yes if users cannot reach the service",
        answer: |a| &mut a.users_cannot_access,
    },
    Question {
        key: "performance_degraded",
        ask: "Is performance significantly degraded?",
        hint: "Pages are slow enough that people cannot do their work.",
        in_record: "Performance significantly degraded",
        unanswered: "Select yes if performance is significantly degraded",
        answer: |a| &mut a.performance_degraded,
    },
    Question {
        key: "security_or_quality_need",
        ask: "Does the change address an immediate security or quality need?",
        hint: "For example a vulnerability under active exploitation, or data being saved wrongly.",
        in_record: "Immediate security or quality need",
        unanswered: "Select yes if the change addresses an immediate security or quality need",
        answer: |a| &mut a.security_or_quality_need,
    },
];

/// The questions as posted: each a [`YesNo`] key, by the question's [`Question::key`].
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct TriageForm(pub Vec<(String, String)>);

impl TriageForm {
    /// The answers, once every question has one; otherwise an error at each unanswered one, with
    /// what was given kept.
    pub fn answers(&self) -> Result<TriageAnswers, FormErrors> {
        let mut answers = TriageAnswers::default();
        let mut errors = Vec::new();
        for q in &QUESTIONS {
            let given = self.0.iter().find(|(k, _)| k == q.key).map(|(_, v)| v.as_str()).unwrap_or_default();
            match YesNo::parse(given) {
                Some(yes_no) => *(q.answer)(&mut answers) = yes_no == YesNo::Yes,
                None => errors.push(FieldError { field: q.key.into(), message: q.unanswered.into() }),
            }
        }
        if errors.is_empty() {
            Ok(answers)
        } else {
            Err(FormErrors { errors, values: self.0.clone() })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn given(pairs: &[(&str, &str)]) -> TriageForm {
        TriageForm(pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect())
    }

    #[test]
    fn triage_needs_every_question_answered() {
        let e = given(&[("active_incident", "yes")]).answers().unwrap_err();
        let f: Vec<_> = e.errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(f, ["users_cannot_access", "performance_degraded", "security_or_quality_need"]);
        assert_eq!(e.value_of("active_incident"), Some("yes"), "the answer given is kept");
        let e = given(&[("active_incident", "maybe")]).answers().unwrap_err();
        assert_eq!(e.message_for("active_incident"), Some("Select yes if there is an active incident"));
    }

    #[test]
    fn each_question_reads_and_writes_its_own_answer() {
        for (i, q) in QUESTIONS.iter().enumerate() {
            let pairs: Vec<_> = QUESTIONS.iter().map(|o| (o.key, if o.key == q.key { "yes" } else { "no" })).collect();
            let answers = given(&pairs).answers().unwrap();
            for (j, o) in QUESTIONS.iter().enumerate() {
                assert_eq!(o.of(answers), i == j, "{} after answering yes to {}", o.key, q.key);
            }
        }
        let outage = given(&QUESTIONS.map(|q| (q.key, if q.key == "users_cannot_access" { "yes" } else { "no" })));
        assert_eq!(outage.answers().unwrap().outcome(), TriageOutcome::OutageFastPath);
    }
}
