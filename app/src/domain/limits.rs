//! How much anyone may type or attach: every limit in one table, checked before anything is
//! saved (a draft too), each with an error at its field that keeps what was typed.

use super::forms::{FieldError, FormErrors};

/// A one-line name: a title, a system, a team.
pub const LINE: usize = 120;
/// An email address (RFC 5321's longest path, less the angle brackets).
pub const EMAIL: usize = 254;
/// A reason, a note, evidence, a short list.
pub const SHORT: usize = 2_000;
/// A long text: a description, commands, a rollback plan.
pub const LONG: usize = 10_000;
/// Steps in one operation plan.
pub const PLAN_STEPS: usize = 200;
/// Evidence files on one request.
pub const ATTACHMENTS: usize = 50;
/// The fewest characters a new password may have (ASVS: no composition rules, length instead).
pub const PASSWORD_MIN: usize = 8;
/// The most characters a new password may have.
pub const PASSWORD_MAX: usize = 128;
/// A password offered at sign-in, checked before any hashing (longer than any the policy allows,
/// so a password set under an older, longer limit still signs in).
pub const PASSWORD: usize = 1_024;
/// A web address another system is called at (a webhook's receiver).
pub const URL: usize = 500;
/// The longest a plan step or a whole change may be expected to take, in minutes: a day.
pub const MINUTES: u32 = 24 * 60;

/// Minutes as typed, when they are a whole number from 1 to [`MINUTES`].
pub fn minutes(typed: &str) -> Option<u32> {
    typed.trim().parse::<u32>().ok().filter(|m| (1..=MINUTES).contains(m))
}

/// The error for minutes that are not such a number, as in "Duration must be a whole number of
/// minutes from 1 to 1440".
pub fn minutes_message(label: &str) -> String {
    format!("{label} must be a whole number of minutes from 1 to {MINUTES}")
}

/// A text is at most `max` characters, as a validator check apart from "is it empty" (so each
/// gets its own message): the error says the limit, as in "Title must be 120 characters or fewer".
pub fn within(value: &str, label: &str, max: usize) -> Result<(), validator::ValidationError> {
    match value.chars().count() > max {
        true => Err(validator::ValidationError::new("too_long")
            .with_message(format!("{label} must be {} characters or fewer", grouped(max)).into())),
        false => Ok(()),
    }
}

/// One typed field to check: its name, what people call it, its value, its limit.
#[derive(Clone, Copy)]
pub struct Typed<'a> {
    /// The input's name.
    pub field: &'a str,
    /// The label, as in "Reason must be 2,000 characters or fewer".
    pub label: &'a str,
    /// What was typed.
    pub value: &'a str,
    /// The most characters it may have.
    pub max: usize,
}

/// `1,000`-style numbers for messages and hints.
pub fn grouped(n: usize) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// The error for a field over its limit, saying the limit and how far over it is.
pub fn too_long(t: &Typed) -> Option<FieldError> {
    let n = t.value.chars().count();
    (n > t.max).then(|| FieldError {
        field: t.field.to_string(),
        message: format!("{} must be {} characters or fewer (it has {})", t.label, grouped(t.max), grouped(n)),
    })
}

/// Checks every field against its limit; on any over it, every such error, with all that was
/// typed kept.
pub fn check(fields: &[Typed]) -> Result<(), FormErrors> {
    let errors: Vec<FieldError> = fields.iter().filter_map(too_long).collect();
    if errors.is_empty() {
        return Ok(());
    }
    Err(FormErrors { errors, values: fields.iter().map(|t| (t.field.to_string(), t.value.to_string())).collect() })
}

/// A field that must be given, as one problem of a larger form: the text trimmed, or, when it
/// is empty, `missing`, and when it is over its limit, the limit's message.
pub fn given(t: Typed, missing: &str) -> Result<String, FieldError> {
    let value = t.value.trim();
    if value.is_empty() {
        return Err(FieldError { field: t.field.to_string(), message: missing.to_string() });
    }
    match too_long(&Typed { value, ..t }) {
        None => Ok(value.to_string()),
        Some(e) => Err(e),
    }
}

/// A form of one field that must be given ([`given`]), its error with what was typed.
pub fn required(t: Typed, missing: &str) -> Result<String, FormErrors> {
    given(t, missing)
        .map_err(|e| FormErrors { errors: vec![e], values: vec![(t.field.to_string(), t.value.trim().to_string())] })
}

/// Text for one-line outputs other programs read (CSV cells, iCalendar properties): every
/// control character (line breaks, tabs, escapes, C1 codes) becomes a space, so typed text
/// cannot start a new row, property or terminal sequence.
pub fn printable(text: &str) -> String {
    text.chars().map(|c| if c.is_control() { ' ' } else { c }).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn an_over_long_field_says_its_limit_and_keeps_everything_typed() {
        let long = "é".repeat(SHORT + 1);
        let e = check(&[
            Typed { field: "reason", label: "Reason", value: &long, max: SHORT },
            Typed { field: "note", label: "Note", value: "fine", max: SHORT },
        ])
        .unwrap_err();
        assert_eq!(e.errors.len(), 1);
        assert_eq!(e.message_for("reason"), Some("Reason must be 2,000 characters or fewer (it has 2,001)"));
        assert_eq!(e.value_of("reason"), Some(long.as_str()));
        assert_eq!(e.value_of("note"), Some("fine"));
        assert!(check(&[Typed { field: "x", label: "X", value: &"a".repeat(SHORT), max: SHORT }]).is_ok());
    }

    #[test]
    fn printable_text_has_no_control_characters_left() {
        assert_eq!(printable("a\r\nDTSTART:1\tb\u{1b}[31m\u{85}c"), "a  DTSTART:1 b [31m c");
        assert_eq!(printable("Grants – portal"), "Grants – portal");
    }

    /// Every limit as the README's **Limits** table says it.
    fn limits_markdown() -> String {
        use crate::domain::{attachment::MAX_BYTES, history::NewComment};
        let chars = |n: usize| format!("{} characters", grouped(n));
        let rows = [
            ("A one-line name: a title, a system, a team, a person, an API token, a calendar entry", chars(LINE)),
            ("A person's name from the identity provider: made one line and cut there, never refused", chars(LINE)),
            ("An email address", chars(EMAIL)),
            ("A reason, a note, sign-off evidence, an out-of-office note", chars(SHORT)),
            ("A comment", chars(NewComment::MAX)),
            ("A long text: a description, commands, a rollback plan", chars(LONG)),
            ("A webhook receiver's address", chars(URL)),
            ("A new password", format!("{} to {} characters", PASSWORD_MIN, PASSWORD_MAX)),
            ("Steps in one operation plan", grouped(PLAN_STEPS)),
            (
                "The time a plan step or a change is expected to take",
                format!("1 to {} minutes", grouped(MINUTES as usize)),
            ),
            ("Evidence files on one request", format!("{}, each up to {} MiB", grouped(ATTACHMENTS), MAX_BYTES >> 20)),
        ];
        let mut out = String::from("| what | limit |\n| --- | --- |\n");
        for (what, limit) in rows {
            out.push_str(&format!("| {what} | {limit} |\n"));
        }
        out
    }

    #[test]
    fn the_readme_limits_table_is_the_code() {
        crate::readme::assert_section("limits", &limits_markdown());
    }

    proptest! {
        #[test]
        fn a_field_passes_exactly_when_it_is_within_its_limit(n in 0usize..300, max in 1usize..200) {
            let value = "x".repeat(n);
            let ok = check(&[Typed { field: "f", label: "F", value: &value, max }]).is_ok();
            prop_assert_eq!(ok, n <= max);
        }
    }
}
