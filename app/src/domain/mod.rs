//! The emergency change process in plain Rust: no IO, no Leptos types.
//!
//! Everything here is shared by the server (which persists what the domain decides),
//! the browser (which shows what is possible next) and, later, the PDF and the API.

/// Gives a closed set its stored identifier (`as_str`, or the name given) and that identifier's
/// parser, both from its `strum` derives (`IntoStaticStr`, `EnumString`): the one string form is
/// the derive's, and no enum spells it out by hand. An unknown identifier parses to none.
macro_rules! stored_form {
    ($t:ty) => {
        stored_form!($t, as_str);
    };
    ($t:ty, $name:ident) => {
        impl $t {
            /// The stable identifier (stored, posted, in addresses).
            pub fn $name(self) -> &'static str {
                self.into()
            }

            /// Parses the identifier; anything else is none.
            pub fn parse(s: &str) -> Option<Self> {
                s.parse().ok()
            }
        }
    };
}

/// Items in words, the last joined by `last`: "a, b and c", "a, b or c".
pub fn listed<S: AsRef<str>>(items: &[S], last: &str) -> String {
    match items.split_last() {
        None => String::new(),
        Some((only, [])) => only.as_ref().to_string(),
        Some((end, rest)) => {
            format!("{} {last} {}", rest.iter().map(|s| s.as_ref()).collect::<Vec<_>>().join(", "), end.as_ref())
        }
    }
}

pub mod access;
pub mod attachment;
pub mod calendar;
pub mod cr_form;
pub mod execution;
pub mod forms;
pub mod history;
pub mod identity;
pub mod limits;
pub mod notify;
pub mod plan;
pub mod quorum;
pub mod reference;
pub mod review;
pub mod roles;
pub mod sla;
pub mod tasks;
pub mod triage;
pub mod webhook;
pub mod workflow;
