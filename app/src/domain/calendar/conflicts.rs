//! Schedule conflicts: a requested window that overlaps another change on the same system, a
//! change freeze or a maintenance window. A warning for the people deciding, never a block: an
//! emergency may have to run into a freeze.

use super::{eastern_date, Calendar};
use crate::domain::workflow::State;
use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};

/// How long a maintenance window lasts when nothing says otherwise.
pub const MAINTENANCE_WINDOW_MINUTES: i64 = 240;

/// Which date puts a request on the change calendar, and in the schedule conflicts others are
/// warned of.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Booked {
    /// Its requested production window (the CR form's planned start).
    RequestedWindow,
    /// The monthly maintenance window a regular change is queued for.
    MaintenanceWindow,
}

impl Booked {
    /// How a request in `state` stands on the calendar: by its requested window from the moment
    /// triage finds it an emergency, and after it has run (the calendar is its history too); a
    /// regular change by its maintenance window. Not while triage has not decided, nor once it
    /// will not go ahead: withdrawn, or rejected (should hosting submit it again, it is back).
    pub fn of(state: State) -> Option<Booked> {
        match state {
            State::RegularChange => Some(Booked::MaintenanceWindow),
            State::Planning
            | State::StagingValidation
            | State::CrForm
            | State::HostingReview
            | State::AwaitingApproval
            | State::Approved
            | State::Implementing
            | State::ValidatingInProduction
            | State::Completed
            | State::ReturnedToDev
            | State::RolledBack => Some(Booked::RequestedWindow),
            State::Triage | State::Rejected | State::Withdrawn => None,
        }
    }
}

/// A change with a time on the calendar.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Booking {
    /// Its reference.
    pub reference: String,
    /// Its title.
    pub title: String,
    /// The system it changes.
    pub system: String,
    /// When it starts.
    pub start: DateTime<Utc>,
    /// How long it is planned to take.
    pub minutes: i64,
    /// Another team's change, shown to a dev team member: said without its reference or title
    /// (they cannot open it).
    #[serde(default)]
    pub other_team: bool,
}

impl Booking {
    fn end(&self) -> DateTime<Utc> {
        self.start + Duration::minutes(self.minutes.max(1))
    }

    fn overlaps(&self, start: DateTime<Utc>, end: DateTime<Utc>) -> bool {
        self.start < end && start < self.end()
    }
}

/// Something a requested window runs into.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Conflict {
    /// Another change on the same system at an overlapping time.
    Change(Booking),
    /// A change freeze on one of the window's days.
    Freeze {
        /// The freeze's name.
        name: String,
        /// Why it exists.
        reason: String,
    },
    /// A maintenance window, when hosting is busy with the regular changes.
    MaintenanceWindow(DateTime<Utc>),
}

impl Conflict {
    /// The warning in words, as the form, the reviewers, the approvers and the record say it.
    pub fn message(&self) -> String {
        match self {
            Conflict::Change(b) if b.other_team => format!(
                "Overlaps another team's change on {}, planned {} for {} minutes",
                b.system,
                super::spoken(b.start),
                b.minutes
            ),
            Conflict::Change(b) => format!(
                "Overlaps {} “{}” on {}, planned {} for {} minutes",
                b.reference,
                b.title,
                b.system,
                super::spoken(b.start),
                b.minutes
            ),
            Conflict::Freeze { name, reason } => format!("Runs into the {name} change freeze ({reason})"),
            Conflict::MaintenanceWindow(at) => {
                format!("Overlaps the maintenance window starting {}", super::spoken(*at))
            }
        }
    }
}

/// True when two system names mean the same system (people type them differently).
pub fn same_system(a: &str, b: &str) -> bool {
    let norm = |s: &str| s.split_whitespace().collect::<Vec<_>>().join(" ").to_lowercase();
    norm(a) == norm(b)
}

/// What `window` (a change's own booking) runs into: other changes on the same system, freezes
/// on any of its days, maintenance windows. `others` may include the change itself.
pub fn conflicts(window: &Booking, others: &[Booking], calendar: &Calendar) -> Vec<Conflict> {
    let (start, end) = (window.start, window.end());
    let mut found: Vec<Conflict> = others
        .iter()
        .filter(|b| b.reference != window.reference && same_system(&b.system, &window.system) && b.overlaps(start, end))
        .map(|b| Conflict::Change(b.clone()))
        .collect();
    let (first, last) = (eastern_date(start), eastern_date(end - Duration::seconds(1)));
    found.extend(
        calendar
            .freezes
            .iter()
            .filter(|f| f.from <= last && first <= f.to)
            .map(|f| Conflict::Freeze { name: f.name.clone(), reason: f.reason.clone() }),
    );
    found.extend(
        calendar
            .maintenance_windows
            .iter()
            .filter(|at| **at < end && start < **at + Duration::minutes(MAINTENANCE_WINDOW_MINUTES))
            .map(|at| Conflict::MaintenanceWindow(*at)),
    );
    found
}

/// Each booking's overlaps with the others on the same system (the calendar's warnings), in the
/// bookings' order.
pub fn overlaps(bookings: &[Booking]) -> Vec<Vec<String>> {
    bookings
        .iter()
        .map(|b| {
            bookings
                .iter()
                .filter(|o| {
                    o.reference != b.reference && same_system(&o.system, &b.system) && o.overlaps(b.start, b.end())
                })
                .map(|o| o.reference.clone())
                .collect()
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::calendar::Freeze;
    use chrono::{NaiveDate, TimeZone};

    fn at(day: u32, hour: u32) -> DateTime<Utc> {
        chrono_tz::America::New_York.with_ymd_and_hms(2030, 1, day, hour, 0, 0).unwrap().with_timezone(&Utc)
    }

    fn booking(reference: &str, system: &str, start: DateTime<Utc>, minutes: i64) -> Booking {
        Booking {
            reference: reference.into(),
            title: format!("{reference} title"),
            system: system.into(),
            start,
            minutes,
            other_team: false,
        }
    }

    #[test]
    fn a_request_is_on_the_calendar_from_triage_until_it_will_not_go_ahead() {
        let by = |booked: Option<Booked>| {
            State::ALL.iter().copied().filter(|s| Booked::of(*s) == booked).collect::<Vec<_>>()
        };
        assert_eq!(by(None), [State::Triage, State::Rejected, State::Withdrawn]);
        assert_eq!(by(Some(Booked::MaintenanceWindow)), [State::RegularChange]);
        assert_eq!(by(Some(Booked::RequestedWindow)).len(), State::ALL.len() - 4);
    }

    #[test]
    fn another_change_on_the_same_system_at_an_overlapping_time_is_a_conflict() {
        let mine = booking("ECR-2030-0001", "Grants portal", at(8, 10), 30);
        let others = [
            mine.clone(),
            booking("ECR-2030-0002", " grants  Portal ", at(8, 10) + Duration::minutes(20), 60),
            booking("ECR-2030-0003", "Grants portal", at(8, 10) + Duration::minutes(30), 60),
            booking("ECR-2030-0004", "Payments", at(8, 10), 60),
            booking("ECR-2030-0005", "Grants portal", at(8, 9), 90),
            booking("ECR-2030-0006", "Grants portal", at(8, 9), 60),
        ];
        let found = conflicts(&mine, &others, &Calendar::default());
        let refs: Vec<&str> = found
            .iter()
            .map(|c| match c {
                Conflict::Change(b) => b.reference.as_str(),
                _ => "other",
            })
            .collect();
        // Touching windows (one ends at 10:30 as the next starts; one ends at 10:00 as mine
        // starts) do not overlap.
        assert_eq!(refs, ["ECR-2030-0002", "ECR-2030-0005"]);
        assert_eq!(
            found[0].message(),
            "Overlaps ECR-2030-0002 “ECR-2030-0002 title” on  grants  Portal , planned 10:20 AM Eastern on Tuesday 8 January for 60 minutes"
        );
        assert_eq!(overlaps(&others)[0], ["ECR-2030-0002", "ECR-2030-0005"]);
        assert!(overlaps(&others)[3].is_empty());
        // Another team's change, shown to a dev team member, is said without what they cannot open.
        let theirs = Conflict::Change(Booking { other_team: true, ..others[1].clone() });
        assert_eq!(
            theirs.message(),
            "Overlaps another team's change on  grants  Portal , planned 10:20 AM Eastern on Tuesday 8 January for 60 minutes"
        );
    }

    #[test]
    fn a_window_running_into_a_freeze_or_a_maintenance_window_is_a_conflict() {
        let calendar = Calendar {
            freezes: vec![Freeze {
                name: "Year end".into(),
                reason: "audit".into(),
                from: NaiveDate::from_ymd_opt(2030, 1, 9).unwrap(),
                to: NaiveDate::from_ymd_opt(2030, 1, 10).unwrap(),
            }],
            maintenance_windows: vec![at(12, 20)],
            ..Calendar::default()
        };
        // 8 January 23:00 for two hours runs past midnight into the freeze.
        let late = booking("ECR-2030-0001", "Grants portal", at(8, 23), 120);
        assert_eq!(
            conflicts(&late, &[], &calendar),
            [Conflict::Freeze { name: "Year end".into(), reason: "audit".into() }]
        );
        let before = booking("ECR-2030-0001", "Grants portal", at(8, 22), 120);
        assert!(conflicts(&before, &[], &calendar).is_empty(), "ends at midnight: not in the freeze");
        let into_window = booking("ECR-2030-0001", "Grants portal", at(12, 19), 90);
        assert_eq!(conflicts(&into_window, &[], &calendar), [Conflict::MaintenanceWindow(at(12, 20))]);
        let until_window = booking("ECR-2030-0001", "Grants portal", at(12, 18), 120);
        assert!(conflicts(&until_window, &[], &calendar).is_empty(), "ends as the window opens");
        let after_window = booking("ECR-2030-0001", "Grants portal", at(13, 0), 60);
        assert!(conflicts(&after_window, &[], &calendar).is_empty(), "starts as the four-hour window ends");
    }
}
