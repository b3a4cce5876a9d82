//! The hosting team's service levels: a call within two hours of the dev team asking for one,
//! an engineer assigned within one business day of submission. Which of them a request is owed
//! is said here once, for the hosting queue and the request's own pages. Clocks are computed
//! from event times, never stored.

use super::calendar::Calendar;
use super::workflow::State;
use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};

/// How an SLA clock stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum ClockStatus {
    /// Plenty of time left.
    OnTrack,
    /// Three quarters of the time is gone.
    Amber,
    /// Past due.
    Overdue,
}

/// An SLA clock: started at an event, due at a deadline.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Clock {
    /// When the clock started.
    pub started: DateTime<Utc>,
    /// When it is due.
    pub due: DateTime<Utc>,
}

/// How many business days after submission a hosting engineer is assigned.
pub const ASSIGNMENT_BUSINESS_DAYS: u32 = 1;

/// The assignment's service level in words: "within one business day".
pub fn assignment_promise() -> String {
    format!("within {}", super::calendar::business_days_in_words(ASSIGNMENT_BUSINESS_DAYS))
}

/// How soon the hosting team calls after the dev team asks for help, in hours.
pub const ASSISTANCE_CALL_HOURS: i64 = 2;

/// The call's service level in words, for every page, message and rule that promises it:
/// "within 2 hours".
pub fn assistance_call_promise() -> String {
    format!("within {ASSISTANCE_CALL_HOURS} hours")
}

impl Clock {
    /// The hosting team calls within [`ASSISTANCE_CALL_HOURS`] of a request for help.
    pub fn assistance_call(requested: DateTime<Utc>) -> Clock {
        Clock { started: requested, due: requested + Duration::hours(ASSISTANCE_CALL_HOURS) }
    }

    /// A hosting engineer is assigned within [`ASSIGNMENT_BUSINESS_DAYS`] of submission.
    pub fn assignment(submitted: DateTime<Utc>, calendar: &Calendar) -> Clock {
        Clock { started: submitted, due: calendar.add_business_days(submitted, ASSIGNMENT_BUSINESS_DAYS) }
    }

    /// Where the clock stands at `now`.
    pub fn status(&self, now: DateTime<Utc>) -> ClockStatus {
        if now >= self.due {
            return ClockStatus::Overdue;
        }
        let total = (self.due - self.started).num_seconds().max(1);
        let used = (now - self.started).num_seconds();
        if used * 4 >= total * 3 {
            ClockStatus::Amber
        } else {
            ClockStatus::OnTrack
        }
    }

    /// Whole minutes left (negative when overdue).
    pub fn minutes_left(&self, now: DateTime<Utc>) -> i64 {
        (self.due - now).num_minutes()
    }

    /// The deadline as the hosting queue says it: "by Mon 7 Dec, 11:14 AM Eastern (1 day 23 hours
    /// left)", or "overdue since …".
    pub fn deadline_words(&self, now: DateTime<Utc>) -> String {
        let due = super::calendar::eastern(self.due).format("%a %-d %b, %-I:%M %p Eastern");
        // Overdue exactly when the status tag says so.
        if self.status(now) == ClockStatus::Overdue {
            return format!("overdue since {due}");
        }
        let left = self.minutes_left(now);
        let unit = |n: i64, one: &str| match n {
            1 => format!("1 {one}"),
            n => format!("{n} {one}s"),
        };
        let (days, hours, minutes) = (left / (24 * 60), left / 60 % 24, left % 60);
        let words = match (days, hours) {
            (0, 0) if minutes == 0 => "less than a minute".into(),
            (0, 0) => unit(minutes, "minute"),
            (0, _) if minutes == 0 => unit(hours, "hour"),
            (0, _) => format!("{} {}", unit(hours, "hour"), unit(minutes, "minute")),
            (_, 0) => unit(days, "day"),
            _ => format!("{} {}", unit(days, "day"), unit(hours, "hour")),
        };
        format!("by {due} ({words} left)")
    }
}

impl ClockStatus {
    /// In words, for the tag beside a deadline.
    pub fn label(self) -> &'static str {
        match self {
            ClockStatus::OnTrack => "On track",
            ClockStatus::Amber => "Due soon",
            ClockStatus::Overdue => "Overdue",
        }
    }
}

/// What the hosting team owes a request now, by its clock.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Owed {
    /// The call its dev team asked for.
    Call(Clock),
    /// An engineer to take its review.
    Assignment(Clock),
}

impl Owed {
    /// The call owed on a request whose dev team asked for one at `asked` (`decide` settles a
    /// call still owed when the request moves past where one may be asked).
    pub fn call(asked: Option<DateTime<Utc>>) -> Option<Clock> {
        asked.map(Clock::assistance_call)
    }

    /// What a request in `state` is owed: the call asked for while that can be asked, else,
    /// submitted for hosting review and nobody assigned, an engineer.
    pub fn of(
        state: State,
        assigned: bool,
        call_asked: Option<DateTime<Utc>>,
        submitted: Option<DateTime<Utc>>,
        calendar: &Calendar,
    ) -> Option<Owed> {
        if let Some(clock) = Owed::call(call_asked) {
            return Some(Owed::Call(clock));
        }
        submitted
            .filter(|_| state == State::HostingReview && !assigned)
            .map(|at| Owed::Assignment(Clock::assignment(at, calendar)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::calendar::Holiday;
    use chrono::{NaiveDate, TimeZone};
    use chrono_tz::America::New_York;

    /// An Eastern wall-clock time as UTC.
    fn et(y: i32, m: u32, d: u32, h: u32, min: u32) -> DateTime<Utc> {
        New_York.with_ymd_and_hms(y, m, d, h, min, 0).single().unwrap().with_timezone(&Utc)
    }

    #[test]
    fn the_rule_and_the_message_promise_the_call_the_clock_times() {
        use crate::domain::notify::MessageKind;
        use crate::domain::workflow::{ActionKind, RULES};
        assert_eq!(assignment_promise(), "within one business day");
        let promise = assistance_call_promise();
        assert_eq!(promise, "within 2 hours");
        for rule in RULES.iter().filter(|r| r.action == ActionKind::RequestHostingHelp) {
            assert!(rule.to.contains(&promise), "{:?} does not say {promise}", rule.to);
        }
        let headline = MessageKind::AssistanceRequested.headline();
        assert!(headline.contains(&promise), "{headline:?} does not say {promise}");
    }

    #[test]
    fn an_assistance_call_is_due_within_two_hours_and_turns_amber_then_red() {
        let asked = et(2026, 11, 17, 10, 0);
        let clock = Clock::assistance_call(asked);
        assert_eq!(clock.due, et(2026, 11, 17, 12, 0));
        assert_eq!(clock.status(et(2026, 11, 17, 11, 0)), ClockStatus::OnTrack);
        assert_eq!(clock.status(et(2026, 11, 17, 11, 30)), ClockStatus::Amber);
        assert_eq!(clock.status(et(2026, 11, 17, 12, 0)), ClockStatus::Overdue);
        assert_eq!(clock.minutes_left(et(2026, 11, 17, 11, 45)), 15);
        let tags = [ClockStatus::OnTrack, ClockStatus::Amber, ClockStatus::Overdue].map(ClockStatus::label);
        assert_eq!(tags, ["On track", "Due soon", "Overdue"], "the tag beside the deadline");
    }

    #[test]
    fn a_deadline_says_the_time_left_in_the_largest_units_that_matter() {
        let clock = Clock::assistance_call(et(2026, 11, 17, 10, 0));
        let by = "by Tue 17 Nov, 12:00 PM Eastern";
        let at = |h, m| clock.deadline_words(et(2026, 11, 17, h, m));
        assert_eq!(at(10, 1), format!("{by} (1 hour 59 minutes left)"));
        assert_eq!(at(11, 0), format!("{by} (1 hour left)"));
        assert_eq!(at(11, 59), format!("{by} (1 minute left)"));
        let seconds_before = clock.deadline_words(et(2026, 11, 17, 12, 0) - chrono::Duration::seconds(30));
        assert_eq!(seconds_before, format!("{by} (less than a minute left)"));
        assert_eq!(at(12, 0), "overdue since Tue 17 Nov, 12:00 PM Eastern");
        let long = Clock { started: et(2026, 11, 17, 10, 0), due: et(2026, 11, 19, 9, 30) };
        assert_eq!(
            long.deadline_words(et(2026, 11, 17, 10, 0)),
            "by Thu 19 Nov, 9:30 AM Eastern (1 day 23 hours left)"
        );
        assert_eq!(long.deadline_words(et(2026, 11, 17, 9, 30)), "by Thu 19 Nov, 9:30 AM Eastern (2 days left)");
    }

    #[test]
    fn assignment_is_due_within_one_business_day_skipping_weekends_and_holidays() {
        let cal = Calendar {
            holidays: vec![Holiday { date: NaiveDate::from_ymd_opt(2026, 11, 23).unwrap(), name: "Closure".into() }],
            ..Default::default()
        };
        let friday = et(2026, 11, 20, 15, 0);
        assert_eq!(Clock::assignment(friday, &cal).due, et(2026, 11, 24, 15, 0), "Fri → (Sat, Sun, holiday Mon) → Tue");
    }

    #[test]
    fn a_call_asked_for_is_owed_first_and_an_engineer_while_review_waits_for_one() {
        let (asked, submitted) = (et(2026, 11, 17, 10, 0), et(2026, 11, 17, 11, 0));
        let cal = Calendar::default();
        let call = Some(Owed::Call(Clock::assistance_call(asked)));
        let assignment = Some(Owed::Assignment(Clock::assignment(submitted, &cal)));
        for &state in State::ALL {
            // As stored: `decide` keeps a call owed only where one may be asked.
            let call_asked = state.may_ask_for_a_call().then_some(asked);
            let owed = Owed::of(state, false, call_asked, Some(submitted), &cal);
            let expected = if state.may_ask_for_a_call() {
                call
            } else if state == State::HostingReview {
                assignment
            } else {
                None
            };
            assert_eq!(owed, expected, "{state:?}");
        }
        assert_eq!(Owed::of(State::StagingValidation, false, None, Some(submitted), &cal), None, "no call asked");
        assert_eq!(Owed::of(State::HostingReview, true, None, Some(submitted), &cal), None, "an engineer has it");
        assert_eq!(Owed::of(State::HostingReview, false, None, None, &cal), None, "never submitted");
    }
}
