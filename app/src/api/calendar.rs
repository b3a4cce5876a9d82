//! The change calendar: the production-window policy, maintenance windows, freezes, holidays
//! and the changes planned on it; admins add and remove entries.

use crate::api::types::CalendarView;
use crate::domain::calendar::EntryForm;
use crate::error::AppError;
use leptos::prelude::*;

/// The calendar page's data.
#[server(endpoint = "calendar_view")]
pub async fn get_calendar() -> Result<CalendarView, AppError> {
    super::ssr::respond(server::get_calendar().await)
}

/// Admins: add a holiday, a change freeze or a maintenance window.
#[server(endpoint = "add_calendar_entry")]
pub async fn add_calendar_entry(#[server(default)] entry: EntryForm) -> Result<(), AppError> {
    super::ssr::respond(server::add_calendar_entry(entry).await)
}

/// Admins: remove an entry.
#[server(endpoint = "remove_calendar_entry")]
pub async fn remove_calendar_entry(id: String) -> Result<(), AppError> {
    super::ssr::respond(server::remove_calendar_entry(id).await)
}

#[cfg(feature = "ssr")]
mod server {
    use crate::api::ssr::*;
    use crate::api::types::CalendarView;
    use crate::domain::calendar::EntryForm;
    use crate::error::AppError;
    use chrono::Duration;

    pub async fn get_calendar() -> Result<CalendarView, AppError> {
        let session = require_session()?;
        let services = services()?;
        let now = clock_now()?;
        let calendar = calendar(&services, now).await?;
        let entries = services.requests.calendar_entries().await?;
        let mut scheduled =
            services.requests.scheduled_changes(now - Duration::days(7), now + Duration::days(3660)).await?;
        // A dev team member sees their own team's changes; everyone else sees all.
        let viewer = crate::service::actor_of(&session.user);
        scheduled.retain(|c| c.owner.readable_by(&viewer));
        let bookings: Vec<_> = scheduled.iter().map(|c| c.booking()).collect();
        for (change, overlaps) in scheduled.iter_mut().zip(crate::domain::calendar::conflicts::overlaps(&bookings)) {
            change.overlaps = overlaps;
        }
        Ok(CalendarView {
            windows: calendar.maintenance_windows.into_iter().filter(|w| *w > now).take(6).collect(),
            entries,
            scheduled,
            can_edit: crate::domain::access::Area::Administration.allows(session.user.role),
        })
    }

    pub async fn add_calendar_entry(entry: EntryForm) -> Result<(), AppError> {
        let session = require_area(Area::Administration)?;
        let valid = entry.validated().map_err(AppError::Invalid)?;
        services()?.requests.add_calendar_entry(&valid, &acting(&session.user)?).await?;
        leptos_axum::redirect("/calendar");
        Ok(())
    }

    pub async fn remove_calendar_entry(id: String) -> Result<(), AppError> {
        let session = require_area(Area::Administration)?;
        let id: i64 = id.trim().parse().map_err(|_| AppError::NotFound)?;
        if !services()?.requests.remove_calendar_entry(id, &acting(&session.user)?).await? {
            return Err(AppError::NotFound);
        }
        leptos_axum::redirect("/calendar");
        Ok(())
    }
}
