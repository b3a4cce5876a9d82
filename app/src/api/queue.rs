//! The hosting team's queue: what needs them now, with SLA clocks, narrowed and paged; and
//! assigning a request to a teammate.

use crate::api::types::{QueueFilter, QueuePage};
use crate::error::AppError;
use leptos::prelude::*;

/// Rows per page of the queue.
pub const PAGE_SIZE: i64 = 50;

/// One page of the queue (the page passes its address's query).
#[server(endpoint = "hosting_queue")]
pub async fn hosting_queue(#[server(default)] filter: QueueFilter) -> Result<QueuePage, AppError> {
    super::ssr::respond(server::hosting_queue(filter).await)
}

/// Make a hosting engineer (yourself or a teammate) responsible for the request.
#[server(endpoint = "assign_engineer")]
pub async fn assign_engineer(reference: String, #[server(default)] engineer: String) -> Result<(), AppError> {
    super::ssr::respond(server::assign_engineer(reference, engineer).await)
}

/// Record that the call the dev team asked for was held: its clock stops. The form posts from
/// the queue and comes back to it, filter and all.
#[server(endpoint = "record_call_held")]
pub async fn record_call_held(reference: String) -> Result<(), AppError> {
    super::ssr::respond(server::record_call_held(reference).await)
}

#[cfg(feature = "ssr")]
pub use server::query_of;

#[cfg(feature = "ssr")]
mod server {
    use crate::api::ssr::*;
    use crate::api::types::{QueueFilter, QueuePage, QueueRow};
    use crate::domain::calendar::conflicts::Booked;
    use crate::domain::forms::{FieldError, FormErrors};
    use crate::domain::reference::Reference;
    use crate::domain::sla::{Clock, Owed};
    use crate::domain::workflow::{Action, ActionKind, State};
    use crate::error::AppError;
    use crate::ports::{contains_pattern, QueueQuery};
    use chrono::{NaiveDate, NaiveTime};

    fn eastern_midnight(date: NaiveDate) -> i64 {
        match crate::domain::calendar::at_eastern(date, NaiveTime::MIN) {
            Some(at) => at.timestamp_millis(),
            None => date.and_time(NaiveTime::MIN).and_utc().timestamp_millis(),
        }
    }

    /// The filter as typed → the query storage runs; a date that is not a date is a field error.
    pub fn query_of(f: &QueueFilter, user_id: i64) -> Result<QueueQuery, AppError> {
        let mut errors = Vec::new();
        let mut date = |field: &str, text: &str| -> Option<NaiveDate> {
            let t = text.trim();
            if t.is_empty() {
                return None;
            }
            let parsed = NaiveDate::parse_from_str(t, "%Y-%m-%d").ok();
            if parsed.is_none() {
                errors.push(FieldError {
                    field: field.into(),
                    message: "Enter a real date in the form year-month-day, for example 2026-11-21".into(),
                });
            }
            parsed
        };
        let from = date("from", &f.from);
        let to = date("to", &f.to);
        let state = match f.state.trim() {
            "" => None,
            key => {
                let state = State::parse(key);
                if state.is_none() {
                    errors.push(FieldError { field: "state".into(), message: "Choose a state from the list".into() });
                }
                state
            }
        };
        if !errors.is_empty() {
            let values = [("state", &f.state), ("system", &f.system), ("team", &f.team), ("from", &f.from)]
                .into_iter()
                .chain([("to", &f.to), ("q", &f.q), ("assigned", &f.assigned)])
                .map(|(k, v)| (k.to_string(), v.clone()))
                .collect();
            return Err(AppError::Invalid(FormErrors { errors, values }));
        }
        let (reference, title_contains) = match Reference::parse(f.q.trim()) {
            Some(r) => (r.to_string(), String::new()),
            None => (String::new(), f.q.trim().to_lowercase()),
        };
        let after = f
            .after
            .split_once(':')
            .and_then(|(a, b)| Some((a.parse().ok()?, b.parse().ok()?)))
            .unwrap_or((i64::MIN, i64::MIN));
        Ok(QueueQuery {
            state,
            system_like: contains_pattern(&f.system),
            team: f.team.trim().to_string(),
            from_ms: from.map(eastern_midnight).unwrap_or(i64::MIN),
            to_ms: to.and_then(|d| d.succ_opt()).map(eastern_midnight).unwrap_or(i64::MAX),
            reference,
            title_contains,
            assigned_to: (f.assigned == "mine").then_some(user_id),
            unassigned: f.assigned == "unassigned",
            after,
            regular_windows_since_ms: i64::MIN,
        })
    }

    pub async fn hosting_queue(filter: QueueFilter) -> Result<QueuePage, AppError> {
        let session = require_area(Area::HostingQueue)?;
        let now = clock_now()?;
        let since = crate::domain::calendar::regular_changes_queued_since(now).timestamp_millis();
        let query = QueueQuery { regular_windows_since_ms: since, ..query_of(&filter, session.user.id)? };
        let store = services()?.requests.clone();
        let mut items = store.hosting_queue(&query, super::PAGE_SIZE + 1).await?;
        let next = (items.len() as i64 > super::PAGE_SIZE).then(|| {
            items.truncate(super::PAGE_SIZE as usize);
            items.last().map(|i| format!("{}:{}", i.cursor.0, i.cursor.1)).unwrap_or_default()
        });
        let cal = calendar(&*services()?, now).await?;
        let words = |prefix: &str, clock: Clock| (format!("{prefix} {}", clock.deadline_words(now)), clock.status(now));
        let rows = items
            .into_iter()
            .map(|i| {
                let owed =
                    Owed::of(i.summary.state, i.assigned.is_some(), i.assistance_requested_at, i.submitted_at, &cal);
                let call_owed = matches!(owed, Some(Owed::Call(_)));
                let clock = owed.map(|owed| match owed {
                    Owed::Call(clock) => words("Call the dev team", clock),
                    Owed::Assignment(clock) => words("Assign", clock),
                });
                // A regular change waits for the window the calendar books it by.
                let window = i
                    .queued_window
                    .filter(|_| Booked::of(i.summary.state) == Some(Booked::MaintenanceWindow))
                    .map(|w| format!("Maintenance window at {}", crate::domain::calendar::spoken(w)));
                QueueRow { summary: i.summary, team: i.team, assigned: i.assigned, clock, call_owed, window }
            })
            .collect();
        Ok(QueuePage {
            rows,
            next,
            engineers: store.hosting_engineers().await?,
            teams: store.team_names().await?,
            can_record_calls: crate::domain::access::role_may_take(ActionKind::RecordCallHeld, session.user.role),
        })
    }

    pub async fn assign_engineer(reference: String, engineer: String) -> Result<(), AppError> {
        let session = require_session()?;
        let store = services()?.requests.clone();
        let engineer: i64 = match engineer.trim() {
            "" | "me" => session.user.id,
            id => id.parse().map_err(|_| AppError::NotFound)?,
        };
        let person = store.active_user(engineer).await?;
        let (role, name) = (person.as_ref().map(|u| u.role), person.map(|u| u.display_name).unwrap_or_default());
        let (loaded, _) = perform(&reference, ActionKind::AssignEngineer, |_| {
            let action = Action::AssignEngineer { engineer, role, name: name.clone() };
            Ok(Change::action(action).typed(&[("engineer", &engineer.to_string())]))
        })
        .await?;
        leptos_axum::redirect(&format!("/requests/{}/review", loaded.request.summary.reference));
        Ok(())
    }

    pub async fn record_call_held(reference: String) -> Result<(), AppError> {
        perform(&reference, ActionKind::RecordCallHeld, |_| Ok(Change::action(Action::RecordCallHeld))).await?;
        Ok(())
    }

    #[cfg(test)]
    mod tests {
        use super::*;

        #[test]
        fn typed_wildcards_are_literal_and_references_search_exactly() {
            assert_eq!(contains_pattern(" 50%_off\\ "), "%50\\%\\_off\\\\%");
            let q = query_of(&QueueFilter { q: "ecr-2026-0042".into(), ..Default::default() }, 1).unwrap();
            assert_eq!((q.reference.as_str(), q.title_contains.as_str()), ("ECR-2026-0042", ""));
            let q = query_of(&QueueFilter { q: "Portal".into(), ..Default::default() }, 1).unwrap();
            assert_eq!((q.reference.as_str(), q.title_contains.as_str()), ("", "portal"));
        }

        #[test]
        fn a_date_that_is_not_a_date_is_a_field_error_and_keeps_the_filter() {
            let f = QueueFilter { from: "21/11/2026".into(), system: "portal".into(), ..Default::default() };
            match query_of(&f, 1) {
                Err(AppError::Invalid(e)) => {
                    assert_eq!(e.errors[0].field, "from");
                    assert_eq!(e.value_of("system"), Some("portal"));
                }
                other => panic!("expected a field error, got {other:?}"),
            }
        }
    }
}
