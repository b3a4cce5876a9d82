//! When production changes may happen.
//!
//! Production window: [`production_window_in_words`] (America/New_York). Fridays, weekends, holidays,
//! the day before a holiday and configured freeze periods need an override reason, which is
//! recorded and shown to approvers. The hosting team's SLA clocks, which count business days on
//! this calendar, are in [`super::sla`].

use chrono::{DateTime, Datelike, Duration, NaiveDate, NaiveTime, TimeZone, Timelike, Utc, Weekday};
use chrono_tz::America::New_York;
use serde::{Deserialize, Serialize};

/// The production window's hours on a working day, Eastern: from the first (inclusive) to the
/// second (exclusive), on the 24-hour clock.
pub const PRODUCTION_HOURS: (u32, u32) = (8, 16);
/// When the default monthly maintenance window starts, Eastern, on the 24-hour clock.
pub const DEFAULT_WINDOW_HOUR: u32 = 20;

/// An hour on the 24-hour clock as people say it: "8am", "4pm", "12pm".
fn hour_in_words(hour: u32) -> String {
    let twelve = if hour.is_multiple_of(12) { 12 } else { hour % 12 };
    format!("{twelve}{}", if hour < 12 { "am" } else { "pm" })
}

/// The production window's hours in words: "8am to 4pm".
pub fn production_hours_in_words() -> String {
    format!("{} to {}", hour_in_words(PRODUCTION_HOURS.0), hour_in_words(PRODUCTION_HOURS.1))
}

/// The production window in words: "Monday to Thursday, 8am to 4pm Eastern".
pub fn production_window_in_words() -> String {
    format!("Monday to Thursday, {} Eastern", production_hours_in_words())
}

/// The default maintenance windows in words: "second Tuesday of each month, 8pm Eastern".
pub fn default_windows_in_words() -> String {
    format!("second Tuesday of each month, {} Eastern", hour_in_words(DEFAULT_WINDOW_HOUR))
}

/// How many business days' notice a regular change needs before its maintenance window.
pub const REGULAR_NOTICE_BUSINESS_DAYS: u32 = 2;

/// A count of business days in words: "one business day", "two business days", "12 business days".
pub fn business_days_in_words(n: u32) -> String {
    const WORDS: [&str; 10] = ["no", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine"];
    let count = WORDS.get(n as usize).map_or_else(|| n.to_string(), |w| w.to_string());
    format!("{count} business day{}", if n == 1 { "" } else { "s" })
}

/// The notice a regular change needs, in words: "two business days' notice".
pub fn regular_notice_in_words() -> String {
    let days = business_days_in_words(REGULAR_NOTICE_BUSINESS_DAYS);
    match days.ends_with('s') {
        true => format!("{days}' notice"),
        false => format!("{days}'s notice"),
    }
}

/// An Eastern date and time as an instant; `None` for a time the clocks skip.
pub fn at_eastern(date: NaiveDate, time: NaiveTime) -> Option<DateTime<Utc>> {
    New_York.from_local_datetime(&date.and_time(time)).earliest().map(|d| d.with_timezone(&Utc))
}

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
                format!("This is outside production hours ({})", production_window_in_words())
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

/// A time as people read it in messages and on pages: "2:30 PM Eastern on Tuesday 8 December".
pub fn spoken(at: DateTime<Utc>) -> String {
    eastern(at).format("%-I:%M %p Eastern on %A %-d %B").to_string()
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
        let start = NaiveTime::from_hms_opt(PRODUCTION_HOURS.0, 0, 0).unwrap_or_default();
        let end = NaiveTime::from_hms_opt(PRODUCTION_HOURS.1, 0, 0).unwrap_or_default();
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
        at_eastern(date, local.time()).unwrap_or(at + Duration::days(i64::from(n)))
    }

    /// The first regular maintenance window that starts at least [`REGULAR_NOTICE_BUSINESS_DAYS`]
    /// business days after `now` (the notice a regular change needs).
    pub fn next_maintenance_window(&self, now: DateTime<Utc>) -> Option<DateTime<Utc>> {
        let earliest = self.add_business_days(now, REGULAR_NOTICE_BUSINESS_DAYS);
        self.maintenance_windows.iter().copied().filter(|w| *w >= earliest).min()
    }
}

/// How long a regular change stays in the hosting queue after its maintenance window opens: by
/// then the window's night is over, and the change lives on in the calendar and the archive.
pub const QUEUED_AFTER_WINDOW: Duration = Duration::hours(24);

/// The earliest maintenance window a regular change in the hosting queue can have at `now`; one
/// whose window opened before this has left the queue. A regular change with no window (none
/// was set up when it was triaged) stays until hosting has planned it some other way.
pub fn regular_changes_queued_since(now: DateTime<Utc>) -> DateTime<Utc> {
    now - QUEUED_AFTER_WINDOW
}

/// What an admin-managed calendar entry is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, strum::IntoStaticStr, strum::EnumString)]
#[strum(serialize_all = "snake_case")]
pub enum EntryKind {
    /// Days off (one or several).
    Holiday,
    /// A change freeze.
    Freeze,
    /// A regular maintenance window (regular changes are planned into the next one).
    Window,
}

stored_form!(EntryKind);

impl EntryKind {
    /// In words.
    pub fn label(self) -> &'static str {
        match self {
            EntryKind::Holiday => "Holiday",
            EntryKind::Freeze => "Change freeze",
            EntryKind::Window => "Maintenance window",
        }
    }
}

/// One admin-managed calendar entry.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CalendarEntry {
    /// Its id.
    pub id: i64,
    /// What it is.
    pub kind: EntryKind,
    /// Its name ("Thanksgiving", "End of fiscal year", "November window").
    pub name: String,
    /// Why (required for a freeze).
    pub reason: String,
    /// First day (Eastern), inclusive.
    pub from: NaiveDate,
    /// Last day (Eastern), inclusive.
    pub to: NaiveDate,
    /// When a maintenance window starts.
    pub starts_at: Option<DateTime<Utc>>,
}

/// An entry as typed into the admin form, before checking (a field left out arrives empty).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct EntryForm {
    /// `holiday`, `freeze` or `window`.
    pub kind: String,
    /// Its name.
    pub name: String,
    /// Why (freezes).
    pub reason: String,
    /// First day, YYYY-MM-DD.
    pub from: String,
    /// Last day, YYYY-MM-DD (empty: the same day).
    pub to: String,
    /// A window's start time, HH:MM Eastern.
    pub time: String,
}

impl EntryForm {
    /// The entry, or a message for each field that is wrong.
    pub fn validated(&self) -> Result<CalendarEntry, super::forms::FormErrors> {
        use super::forms::{FieldError, FormErrors};
        use super::limits::{given, too_long, Typed, LINE, SHORT};
        let mut errors = Vec::new();
        let mut err =
            |field: &str, message: &str| errors.push(FieldError { field: field.into(), message: message.into() });
        let kind = EntryKind::parse(self.kind.trim());
        if kind.is_none() {
            err("kind", "Choose a holiday, a change freeze or a maintenance window");
        }
        let typed = Typed { field: "name", label: "Name", value: &self.name, max: LINE };
        let name = given(typed, "Enter a name, for example Thanksgiving or End of fiscal year").unwrap_or_else(|e| {
            err(&e.field, &e.message);
            String::new()
        });
        let reason = self.reason.trim().to_string();
        if kind == Some(EntryKind::Freeze) && reason.is_empty() {
            err("reason", "Say why changes are frozen");
        } else if let Some(e) = too_long(&Typed { field: "reason", label: "The reason", value: &reason, max: SHORT }) {
            err(&e.field, &e.message);
        }
        let date = |text: &str| NaiveDate::parse_from_str(text.trim(), "%Y-%m-%d").ok();
        let from = date(&self.from);
        if from.is_none() {
            err("from", "Enter a real date in the form year-month-day, for example 2026-11-26");
        }
        let to = if self.to.trim().is_empty() { from } else { date(&self.to) };
        match (from, to) {
            (_, None) if !self.to.trim().is_empty() => {
                err("to", "Enter a real date in the form year-month-day, or leave it empty for one day")
            }
            (Some(f), Some(t)) if t < f => err("to", "The last day cannot be before the first day"),
            (Some(f), Some(t)) if (t - f).num_days() > 366 => err("to", "An entry lasts a year at most"),
            _ => {}
        }
        let starts_at = match (kind, from) {
            (Some(EntryKind::Window), Some(day)) => {
                let at = NaiveTime::parse_from_str(self.time.trim(), "%H:%M").ok().and_then(|t| at_eastern(day, t));
                if at.is_none() {
                    err("time", "Enter the start time as hours and minutes, for example 20:00");
                }
                at
            }
            _ => None,
        };
        let values = [("kind", &self.kind), ("name", &self.name), ("reason", &self.reason), ("from", &self.from)]
            .into_iter()
            .chain([("to", &self.to), ("time", &self.time)])
            .map(|(k, v)| (k.to_string(), v.clone()))
            .collect();
        match (kind, from, to, errors.is_empty()) {
            (Some(kind), Some(from), Some(to), true) => {
                Ok(CalendarEntry { id: 0, kind, name, reason, from, to, starts_at })
            }
            _ => Err(FormErrors { errors, values }),
        }
    }
}

impl Calendar {
    /// The calendar decisions use: the admin's holidays and freezes, and their maintenance
    /// windows once any lies ahead (else the default monthly windows).
    pub fn of(entries: &[CalendarEntry], now: DateTime<Utc>) -> Calendar {
        let mut holidays = Vec::new();
        let mut freezes = Vec::new();
        let mut windows = Vec::new();
        for e in entries {
            match e.kind {
                EntryKind::Holiday => {
                    let mut day = e.from;
                    while day <= e.to {
                        holidays.push(Holiday { date: day, name: e.name.clone() });
                        day = match day.succ_opt() {
                            Some(d) => d,
                            None => break,
                        };
                    }
                }
                EntryKind::Freeze => {
                    freezes.push(Freeze { name: e.name.clone(), reason: e.reason.clone(), from: e.from, to: e.to })
                }
                EntryKind::Window => windows.extend(e.starts_at),
            }
        }
        if !windows.iter().any(|w| *w > now) {
            windows = monthly_windows(now, 13);
        }
        windows.sort();
        Calendar { holidays, freezes, maintenance_windows: windows }
    }
}

/// The default monthly maintenance windows until an admin sets them ([`default_windows_in_words`]),
/// for `months` months from `from`'s month.
pub fn monthly_windows(from: DateTime<Utc>, months: u32) -> Vec<DateTime<Utc>> {
    let local = eastern(from);
    let (mut y, mut m) = (local.year(), local.month());
    let mut out = Vec::new();
    for _ in 0..months {
        let first = NaiveDate::from_ymd_opt(y, m, 1).unwrap_or_default();
        let offset =
            (7 + Weekday::Tue.num_days_from_monday() as i64 - first.weekday().num_days_from_monday() as i64) % 7;
        let second_tuesday = first + Duration::days(offset + 7);
        let at = NaiveTime::from_hms_opt(DEFAULT_WINDOW_HOUR, 0, 0).unwrap_or_default();
        if let Some(t) = at_eastern(second_tuesday, at) {
            out.push(t);
        }
        (y, m) = if m == 12 { (y + 1, 1) } else { (y, m + 1) };
    }
    out
}

#[cfg(test)]
mod entry_tests {
    use super::*;

    fn form(kind: &str, from: &str, to: &str) -> EntryForm {
        EntryForm {
            kind: kind.into(),
            name: "Thanksgiving".into(),
            from: from.into(),
            to: to.into(),
            ..EntryForm::default()
        }
    }

    #[test]
    fn a_freeze_reason_has_a_limit() {
        let long =
            EntryForm { reason: "x".repeat(super::super::limits::SHORT + 1), ..form("freeze", "2026-12-21", "") };
        let e = long.validated().unwrap_err();
        assert_eq!(e.errors.iter().map(|e| e.field.as_str()).collect::<Vec<_>>(), ["reason"]);
        assert!(e.errors[0].message.contains("2,000 characters or fewer"));
    }

    #[test]
    fn admin_entries_become_holidays_freezes_and_windows_with_their_warnings() {
        let holiday = form("holiday", "2026-11-26", "2026-11-27").validated().unwrap();
        let freeze = EntryForm {
            reason: "Fiscal year end".into(),
            name: "Year end".into(),
            ..form("freeze", "2026-12-21", "2027-01-02")
        }
        .validated()
        .unwrap();
        let window =
            EntryForm { time: "21:00".into(), name: "December window".into(), ..form("window", "2026-12-08", "") }
                .validated()
                .unwrap();
        let now = Utc.with_ymd_and_hms(2026, 11, 22, 12, 0, 0).unwrap();
        let cal = Calendar::of(&[holiday, freeze, window.clone()], now);
        assert_eq!(cal.holidays.len(), 2, "every day of a multi-day holiday");
        assert_eq!(
            cal.maintenance_windows,
            vec![window.starts_at.unwrap()],
            "the admin's windows replace the defaults"
        );
        // Wednesday 25 November, 10am Eastern: the day before Thanksgiving.
        let before = Utc.with_ymd_and_hms(2026, 11, 25, 15, 0, 0).unwrap();
        assert!(cal.check(before).iter().any(|w| matches!(w, WindowWarning::BeforeHoliday(n) if n == "Thanksgiving")));
        let frozen = Utc.with_ymd_and_hms(2026, 12, 22, 15, 0, 0).unwrap();
        assert!(cal
            .check(frozen)
            .iter()
            .any(|w| matches!(w, WindowWarning::Freeze { name, .. } if name == "Year end")));
        // A regular change planned today goes to the admin's window.
        assert_eq!(cal.next_maintenance_window(now), window.starts_at);
        // A window that opens now does not lie ahead: the default monthly windows stand in.
        let opening = CalendarEntry { starts_at: Some(now), ..window };
        assert_eq!(Calendar::of(&[opening], now).maintenance_windows, monthly_windows(now, 13));
    }

    #[test]
    fn bad_entries_get_a_message_at_each_field_and_keep_what_was_typed() {
        let e = EntryForm { kind: "freeze".into(), from: "26/11/2026".into(), ..EntryForm::default() }
            .validated()
            .unwrap_err();
        let fields: Vec<&str> = e.errors.iter().map(|f| f.field.as_str()).collect();
        assert_eq!(fields, ["name", "reason", "from"]);
        assert_eq!(e.value_of("from"), Some("26/11/2026"));
        let e = form("holiday", "2026-11-27", "2026-11-26").validated().unwrap_err();
        assert_eq!(e.errors[0].field, "to");
        let e = form("window", "2026-12-08", "").validated().unwrap_err();
        assert_eq!(e.errors[0].field, "time");
        let e = form("holiday", "2026-11-26", "27/11/2026").validated().unwrap_err();
        assert_eq!(e.errors.iter().map(|f| f.field.as_str()).collect::<Vec<_>>(), ["to"]);
        assert!(e.errors[0].message.contains("leave it empty for one day"));
        let e = form("holiday", "2026-01-01", "2027-01-03").validated().unwrap_err();
        assert_eq!(e.errors[0].message, "An entry lasts a year at most");
        assert!(form("holiday", "2026-01-01", "2027-01-02").validated().is_ok(), "366 days is a year");
    }
}

pub mod conflicts;
#[cfg(test)]
mod tests;
