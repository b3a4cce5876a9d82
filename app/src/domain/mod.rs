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

/// Why a single-use emailed link no longer works at `now`, in words for its holder; `None` while
/// it works. Every emailed link closes the same ways, checked in this order: once used (`used`
/// says what became of the use), when something since has taken its place (`replaced`), and when
/// it expires (`renew` says how to get another).
pub fn link_closed(
    used_at: Option<chrono::DateTime<chrono::Utc>>,
    used: &str,
    replaced: Option<&str>,
    expires_at: chrono::DateTime<chrono::Utc>,
    renew: &str,
    now: chrono::DateTime<chrono::Utc>,
) -> Option<String> {
    use calendar::spoken;
    if let Some(at) = used_at {
        return Some(format!("This link was used at {}: {used}. A link works only once.", spoken(at)));
    }
    if let Some(why) = replaced {
        return Some(why.to_string());
    }
    (expires_at <= now).then(|| format!("This link expired at {}. {renew}", spoken(expires_at)))
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

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{Duration, TimeZone, Utc};

    #[test]
    fn an_emailed_link_closes_once_used_then_when_replaced_then_when_expired() {
        let now = Utc.with_ymd_and_hms(2026, 3, 2, 15, 0, 0).unwrap();
        let later = now + Duration::hours(1);
        let closed = |used_at, replaced, expires_at| {
            link_closed(used_at, "it is recorded", replaced, expires_at, "Ask again.", now)
        };
        assert_eq!(closed(None, None, later), None, "unused, current and unexpired: it works");
        let used = closed(Some(now), Some("Replaced."), now).unwrap();
        assert!(
            used.starts_with("This link was used at ") && used.ends_with(": it is recorded. A link works only once."),
            "{used}"
        );
        assert_eq!(
            closed(None, Some("Replaced."), now).as_deref(),
            Some("Replaced."),
            "a replaced link says so before its expiry"
        );
        let expired = closed(None, None, now).unwrap();
        assert!(expired.starts_with("This link expired at ") && expired.ends_with(". Ask again."), "{expired}");
    }
}
