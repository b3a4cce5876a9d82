//! What the calendar and the out-of-office pages show.

use super::RequestSummary;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// A recorded out-of-office period.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AbsenceView {
    /// Its id.
    pub id: i64,
    /// Whose.
    pub user_id: i64,
    /// Their name.
    pub name: String,
    /// First day away (YYYY-MM-DD, Eastern).
    pub from: String,
    /// Last day away.
    pub to: String,
    /// Optional note.
    pub note: Option<String>,
    /// Who recorded it.
    pub set_by: String,
}

/// The out-of-office page: the CORs, their absences, and what this person may change.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AbsencesView {
    /// The CORs (id, name).
    pub cors: Vec<(i64, String)>,
    /// Every recorded absence.
    pub absences: Vec<AbsenceView>,
    /// True when this person may record absences for any COR (hosting, admin).
    pub for_anyone: bool,
    /// This person's id.
    pub me: i64,
}

/// A change on the calendar.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ScheduledChange {
    /// The request.
    pub summary: RequestSummary,
    /// When it is planned to start.
    pub at: DateTime<Utc>,
    /// How long it is planned to take.
    pub minutes: i64,
    /// A regular change, in a maintenance window.
    pub regular: bool,
    /// The requesting team.
    pub team: Option<String>,
    /// Who started it, for which team (what a dev team member may see of it).
    pub owner: crate::domain::workflow::Owner,
    /// The other changes on the calendar it overlaps on the same system (references).
    #[serde(default)]
    pub overlaps: Vec<String>,
}

impl ScheduledChange {
    /// Its time on the calendar, as the schedule-conflict rules see it.
    pub fn booking(&self) -> crate::domain::calendar::conflicts::Booking {
        crate::domain::calendar::conflicts::Booking {
            reference: self.summary.reference.clone(),
            title: self.summary.title.clone(),
            system: self.summary.system.clone(),
            start: self.at,
            minutes: self.minutes,
            other_team: false,
        }
    }
}

/// The calendar page.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CalendarView {
    /// Holidays, freezes and windows the admins entered.
    pub entries: Vec<crate::domain::calendar::CalendarEntry>,
    /// The maintenance windows ahead (the admins', or the default monthly ones).
    pub windows: Vec<DateTime<Utc>>,
    /// Changes planned from a week ago on (the store caps the list).
    pub scheduled: Vec<ScheduledChange>,
    /// Whether this person may edit the calendar.
    pub can_edit: bool,
}
