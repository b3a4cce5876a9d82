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
        self.errors
            .iter()
            .find(|e| e.field == field)
            .map(|e| e.message.as_str())
    }

    /// What was typed into one field, if it was kept.
    pub fn value_of(&self, field: &str) -> Option<&str> {
        self.values
            .iter()
            .find(|(k, _)| k == field)
            .map(|(_, v)| v.as_str())
    }

    /// True when there is nothing to report.
    pub fn is_empty(&self) -> bool {
        self.errors.is_empty()
    }
}

/// A form whose fields have a fixed order on the page.
pub trait FormFields {
    /// The fields' names in page order; the error summary lists problems in this order.
    const FIELD_ORDER: &'static [&'static str];
    /// What was typed, by field name, to be shown again.
    fn values(&self) -> Vec<(String, String)>;
}

/// Turns `validator`'s errors (a HashMap, whose order differs between server and browser)
/// into a list in page order, so server and browser render the same HTML.
pub fn collect_errors<F: FormFields>(
    form: &F,
    result: Result<(), ValidationErrors>,
) -> Result<(), FormErrors> {
    let Err(errors) = result else { return Ok(()) };
    let mut out: Vec<FieldError> = errors
        .field_errors()
        .into_iter()
        .filter_map(|(field, errs)| {
            let first = errs.first()?;
            let message = first
                .message
                .as_ref()
                .map(|m| m.to_string())
                .unwrap_or_else(|| format!("Check {field}"));
            Some(FieldError {
                field: field.to_string(),
                message,
            })
        })
        .collect();
    let pos = |f: &str| {
        F::FIELD_ORDER
            .iter()
            .position(|x| *x == f)
            .unwrap_or(usize::MAX)
    };
    out.sort_by(|a, b| {
        pos(&a.field)
            .cmp(&pos(&b.field))
            .then_with(|| a.field.cmp(&b.field))
    });
    Err(FormErrors {
        errors: out,
        values: form.values(),
    })
}

/// The first step of a new emergency change request: what is changing and where.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, Validate)]
pub struct StartRequest {
    /// A short title that says what the change does.
    #[validate(
        length(min = 1, message = "Enter a title for the change"),
        custom(
            function = "at_most_120_chars",
            message = "Title must be 120 characters or fewer"
        )
    )]
    pub title: String,
    /// The system (application or service) that needs the change.
    #[validate(
        length(min = 1, message = "Enter the system that needs the change"),
        custom(
            function = "at_most_120_chars",
            message = "System must be 120 characters or fewer"
        )
    )]
    pub system: String,
}

/// A separate check from "is it empty", so each gets its own message.
fn at_most_120_chars(value: &str) -> Result<(), ValidationError> {
    if value.chars().count() > 120 {
        return Err(ValidationError::new("too_long"));
    }
    Ok(())
}

impl FormFields for StartRequest {
    const FIELD_ORDER: &'static [&'static str] = &["title", "system"];
    fn values(&self) -> Vec<(String, String)> {
        vec![
            ("title".into(), self.title.clone()),
            ("system".into(), self.system.clone()),
        ]
    }
}

impl StartRequest {
    /// Trims surrounding whitespace (people paste from chat) and validates.
    pub fn normalised(self) -> Result<StartRequest, FormErrors> {
        let form = StartRequest {
            title: self.title.trim().to_string(),
            system: self.system.trim().to_string(),
        };
        let validated = form.validate();
        collect_errors(&form, validated).map(|()| form)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn start(title: &str, system: &str) -> StartRequest {
        StartRequest {
            title: title.into(),
            system: system.into(),
        }
    }

    #[test]
    fn a_request_needs_a_title_and_a_system() {
        let err = start("  ", "").normalised().unwrap_err();
        let fields: Vec<_> = err.errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["title", "system"], "errors follow page order");
        assert_eq!(
            err.message_for("title"),
            Some("Enter a title for the change")
        );
        assert_eq!(
            err.message_for("system"),
            Some("Enter the system that needs the change")
        );
    }

    #[test]
    fn what_was_typed_is_kept_with_the_errors() {
        let long = "x".repeat(121);
        let err = start(&long, "Head Start portal").normalised().unwrap_err();
        assert_eq!(
            err.message_for("title"),
            Some("Title must be 120 characters or fewer")
        );
        assert_eq!(err.message_for("system"), None);
        assert_eq!(err.value_of("title"), Some(long.as_str()));
        assert_eq!(err.value_of("system"), Some("Head Start portal"));
    }

    #[test]
    fn surrounding_whitespace_is_trimmed() {
        let ok = start("  Patch OpenSSL ", "\tportal\n")
            .normalised()
            .unwrap();
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
