//! When production changes may happen, and the clocks that run while people wait.
//!
//! Production window: Monday–Thursday 08:00–16:00 America/New_York. Fridays, weekends, holidays,
//! the day before a holiday and configured freeze periods need an override reason, which is
//! recorded and shown to approvers. SLA clocks are computed from event times, never stored.

use chrono::{DateTime, Datelike, Duration, NaiveDate, NaiveTime, TimeZone, Timelike, Utc, Weekday};
use chrono_tz::America::New_York;
use serde::{Deserialize, Serialize};

/// A named day off.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Holiday {
    /// The date (in Eastern time).
    pub date: NaiveDate,
    /// Its name.
    pub name: String,
}

/// A change freeze: only emergency fixes, and those with a reason.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Freeze {
    /// Its name ("End of fiscal year").
    pub name: String,
    /// Why it exists.
    pub reason: String,
    /// First day, inclusive (Eastern).
    pub from: NaiveDate,
    /// Last day, inclusive (Eastern).
    pub to: NaiveDate,
}

/// The organisation's calendar: holidays, freezes and the monthly maintenance windows.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Calendar {
    /// Holidays.
    pub holidays: Vec<Holiday>,
    /// Freeze periods.
    pub freezes: Vec<Freeze>,
    /// Start times of the regular monthly maintenance windows.
    pub maintenance_windows: Vec<DateTime<Utc>>,
}

/// Why a proposed time needs an override reason.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum WindowWarning {
    /// Before 08:00 or from 16:00 Eastern.
    OutsideProductionHours,
    /// "No Friday deploys."
    Friday,
    /// Saturday or Sunday.
    Weekend,
    /// On a holiday.
    Holiday(String),
    /// The working day before a holiday.
    BeforeHoliday(String),
    /// During a change freeze.
    Freeze {
        /// The freeze's name.
        name: String,
        /// Why it exists.
        reason: String,
    },
}

impl WindowWarning {
    /// The warning in words, as the form and the approvers see it.
    pub fn message(&self) -> String {
        match self {
            WindowWarning::OutsideProductionHours => {
                "This is outside production hours (Monday to Thursday, 8am to 4pm Eastern)".into()
            }
            WindowWarning::Friday => "This is a Friday: the release standard says no Friday deploys".into(),
            WindowWarning::Weekend => "This is a weekend".into(),
            WindowWarning::Holiday(name) => format!("This is a holiday ({name})"),
            WindowWarning::BeforeHoliday(name) => {
                format!("This is the day before a holiday ({name})")
            }
            WindowWarning::Freeze { name, reason } => {
                format!("This is during the {name} change freeze ({reason})")
            }
        }
    }
}

/// The date and time in Eastern time.
pub fn eastern(at: DateTime<Utc>) -> chrono::DateTime<chrono_tz::Tz> {
    at.with_timezone(&New_York)
}

/// The Eastern calendar date of an instant (the day decisions and absences refer to).
pub fn eastern_date(at: DateTime<Utc>) -> NaiveDate {
    eastern(at).date_naive()
}

impl Calendar {
    fn holiday_on(&self, date: NaiveDate) -> Option<&Holiday> {
        self.holidays.iter().find(|h| h.date == date)
    }

    /// What is wrong with making a production change at `at`. Empty: inside the window.
    pub fn check(&self, at: DateTime<Utc>) -> Vec<WindowWarning> {
        let local = eastern(at);
        let date = local.date_naive();
        let mut warnings = Vec::new();
        match local.weekday() {
            Weekday::Sat | Weekday::Sun => warnings.push(WindowWarning::Weekend),
            Weekday::Fri => warnings.push(WindowWarning::Friday),
            _ => {}
        }
        let start = NaiveTime::from_hms_opt(8, 0, 0).unwrap_or_default();
        let end = NaiveTime::from_hms_opt(16, 0, 0).unwrap_or_default();
        let t = local.time().with_nanosecond(0).unwrap_or(local.time());
        if t < start || t >= end {
            warnings.push(WindowWarning::OutsideProductionHours);
        }
        if let Some(h) = self.holiday_on(date) {
            warnings.push(WindowWarning::Holiday(h.name.clone()));
        }
        if let Some(h) = date.succ_opt().and_then(|d| self.holiday_on(d)) {
            warnings.push(WindowWarning::BeforeHoliday(h.name.clone()));
        }
        for f in &self.freezes {
            if f.from <= date && date <= f.to {
                warnings.push(WindowWarning::Freeze { name: f.name.clone(), reason: f.reason.clone() });
            }
        }
        warnings
    }

    /// True for Monday–Friday that is not a holiday.
    pub fn is_business_day(&self, date: NaiveDate) -> bool {
        !matches!(date.weekday(), Weekday::Sat | Weekday::Sun) && self.holiday_on(date).is_none()
    }

    /// `n` business days after `at`, at the same Eastern time of day.
    pub fn add_business_days(&self, at: DateTime<Utc>, n: u32) -> DateTime<Utc> {
        let local = eastern(at);
        let mut date = local.date_naive();
        let mut left = n;
        while left > 0 {
            date = date.succ_opt().unwrap_or(date);
            if self.is_business_day(date) {
                left -= 1;
            }
        }
        New_York
            .from_local_datetime(&date.and_time(local.time()))
            .earliest()
            .map(|d| d.with_timezone(&Utc))
            .unwrap_or(at + Duration::days(i64::from(n)))
    }

    /// The first regular maintenance window that starts at least two business days after `now`
    /// (regular changes need two business days' notice).
    pub fn next_maintenance_window(&self, now: DateTime<Utc>) -> Option<DateTime<Utc>> {
        let earliest = self.add_business_days(now, 2);
        self.maintenance_windows.iter().copied().filter(|w| *w >= earliest).min()
    }
}

/// The default monthly maintenance windows until an admin sets them: the second Tuesday of
/// each month, 20:00 Eastern, for `months` months from `from`'s month.
pub fn monthly_windows(from: DateTime<Utc>, months: u32) -> Vec<DateTime<Utc>> {
    let local = eastern(from);
    let (mut y, mut m) = (local.year(), local.month());
    let mut out = Vec::new();
    for _ in 0..months {
        let first = NaiveDate::from_ymd_opt(y, m, 1).unwrap_or_default();
        let offset =
            (7 + Weekday::Tue.num_days_from_monday() as i64 - first.weekday().num_days_from_monday() as i64) % 7;
        let second_tuesday = first + Duration::days(offset + 7);
        let at = NaiveTime::from_hms_opt(20, 0, 0).unwrap_or_default();
        if let Some(t) = New_York.from_local_datetime(&second_tuesday.and_time(at)).earliest() {
            out.push(t.with_timezone(&Utc));
        }
        (y, m) = if m == 12 { (y + 1, 1) } else { (y, m + 1) };
    }
    out
}

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

impl Clock {
    /// The hosting team calls within two hours of a request for help.
    pub fn assistance_call(requested: DateTime<Utc>) -> Clock {
        Clock { started: requested, due: requested + Duration::hours(2) }
    }

    /// A hosting engineer is assigned within one business day of submission.
    pub fn assignment(submitted: DateTime<Utc>, calendar: &Calendar) -> Clock {
        Clock { started: submitted, due: calendar.add_business_days(submitted, 1) }
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
}

#[cfg(test)]
mod tests {
    use super::*;

    /// An Eastern wall-clock time as UTC.
    fn et(y: i32, m: u32, d: u32, h: u32, min: u32) -> DateTime<Utc> {
        New_York.with_ymd_and_hms(y, m, d, h, min, 0).single().unwrap().with_timezone(&Utc)
    }

    fn date(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    #[test]
    fn monday_to_thursday_eight_to_four_eastern_is_the_production_window() {
        let cal = Calendar::default();
        assert!(cal.check(et(2026, 11, 16, 8, 0)).is_empty(), "Monday 8:00");
        assert!(cal.check(et(2026, 11, 19, 15, 59)).is_empty(), "Thursday 15:59");
        assert_eq!(cal.check(et(2026, 11, 19, 16, 0)), vec![WindowWarning::OutsideProductionHours]);
        assert_eq!(cal.check(et(2026, 11, 17, 7, 59)), vec![WindowWarning::OutsideProductionHours]);
    }

    #[test]
    fn the_window_follows_eastern_time_across_daylight_saving() {
        let cal = Calendar::default();
        // 13:00 UTC is 8:00 EST in winter but 9:00 EDT in summer: both inside.
        assert!(cal.check(Utc.with_ymd_and_hms(2026, 12, 1, 13, 0, 0).unwrap()).is_empty());
        assert!(cal.check(Utc.with_ymd_and_hms(2026, 7, 7, 12, 0, 0).unwrap()).is_empty(), "8:00 EDT");
        assert_eq!(
            cal.check(Utc.with_ymd_and_hms(2026, 12, 1, 12, 30, 0).unwrap()),
            vec![WindowWarning::OutsideProductionHours],
            "7:30 EST"
        );
    }

    #[test]
    fn fridays_and_weekends_need_an_override() {
        let cal = Calendar::default();
        assert_eq!(cal.check(et(2026, 11, 20, 10, 0)), vec![WindowWarning::Friday]);
        assert_eq!(cal.check(et(2026, 11, 21, 10, 0)), vec![WindowWarning::Weekend]);
    }

    #[test]
    fn holidays_the_day_before_them_and_freezes_need_an_override() {
        let cal = Calendar {
            holidays: vec![Holiday { date: date(2026, 11, 26), name: "Thanksgiving".into() }],
            freezes: vec![Freeze {
                name: "Open enrollment".into(),
                reason: "peak traffic".into(),
                from: date(2026, 12, 1),
                to: date(2026, 12, 3),
            }],
            maintenance_windows: vec![],
        };
        assert_eq!(cal.check(et(2026, 11, 26, 10, 0)), vec![WindowWarning::Holiday("Thanksgiving".into())]);
        assert_eq!(cal.check(et(2026, 11, 25, 10, 0)), vec![WindowWarning::BeforeHoliday("Thanksgiving".into())]);
        let w = cal.check(et(2026, 12, 3, 10, 0));
        assert_eq!(w, vec![WindowWarning::Freeze { name: "Open enrollment".into(), reason: "peak traffic".into() }]);
        assert!(w[0].message().contains("Open enrollment"));
        assert!(cal.check(et(2026, 12, 7, 10, 0)).is_empty(), "the Monday after the freeze");
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
    }

    #[test]
    fn assignment_is_due_within_one_business_day_skipping_weekends_and_holidays() {
        let cal = Calendar {
            holidays: vec![Holiday { date: date(2026, 11, 23), name: "Closure".into() }],
            ..Default::default()
        };
        let friday = et(2026, 11, 20, 15, 0);
        assert_eq!(Clock::assignment(friday, &cal).due, et(2026, 11, 24, 15, 0), "Fri → (Sat, Sun, holiday Mon) → Tue");
    }

    #[test]
    fn default_windows_fall_on_the_second_tuesday_at_8pm_eastern() {
        let w = monthly_windows(et(2026, 11, 1, 9, 0), 2);
        assert_eq!(w, vec![et(2026, 11, 10, 20, 0), et(2026, 12, 8, 20, 0)]);
    }

    #[test]
    fn a_regular_change_goes_to_the_first_window_with_two_business_days_notice() {
        let cal = Calendar {
            maintenance_windows: vec![et(2026, 11, 24, 20, 0), et(2026, 12, 15, 20, 0)],
            ..Default::default()
        };
        assert_eq!(cal.next_maintenance_window(et(2026, 11, 20, 9, 0)), Some(et(2026, 11, 24, 20, 0)));
        assert_eq!(
            cal.next_maintenance_window(et(2026, 11, 23, 9, 0)),
            Some(et(2026, 12, 15, 20, 0)),
            "too little notice"
        );
        assert_eq!(cal.next_maintenance_window(et(2026, 12, 20, 9, 0)), None, "no window scheduled yet");
    }
}
