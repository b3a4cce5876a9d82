//! `/calendar.ics`: the scheduled changes, maintenance windows and freezes as an iCalendar
//! feed for the hosting team's calendar app. A calendar app cannot sign in, so the feed takes
//! a feed-only personal token (`?token=ofc_…` or `Authorization: Bearer`) as well as a session:
//! a token in a calendar URL leaks easily, so it reads nothing but this feed.

use crate::auth::token_hash;
use crate::AppState;
use app::api::types::SessionUser;
use app::domain::calendar::{Calendar as Policy, EntryKind};
use app::domain::limits::printable;
use app::ports::prelude::*;
use app::ports::CurrentSession;
use axum::extract::{Query, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Extension;
use chrono::Duration;
use icalendar::{Calendar, Component, Event, EventLike};
use std::collections::HashMap;

async fn who(
    state: &AppState,
    session: Option<Extension<CurrentSession>>,
    headers: &HeaderMap,
    query: &HashMap<String, String>,
) -> Option<SessionUser> {
    if let Some(Extension(s)) = session {
        return Some(s.user);
    }
    let bearer =
        headers.get(header::AUTHORIZATION).and_then(|v| v.to_str().ok()).and_then(|v| v.strip_prefix("Bearer "));
    let token = bearer.or(query.get("token").map(String::as_str)).map(str::trim).filter(|t| !t.is_empty())?;
    match state.store.token_user(&token_hash(token), state.services.clock.now()).await {
        Ok(Some((user, scope)))
            if app::ports::TokenScope::parse(&scope) == Some(app::ports::TokenScope::CalendarFeed) =>
        {
            Some(user)
        }
        _ => None,
    }
}

/// `GET /calendar.ics`.
pub async fn feed(
    State(state): State<AppState>,
    Query(query): Query<HashMap<String, String>>,
    headers: HeaderMap,
    session: Option<Extension<CurrentSession>>,
) -> Response {
    let Some(user) = who(&state, session, &headers, &query).await else {
        return (
            StatusCode::UNAUTHORIZED,
            [(header::WWW_AUTHENTICATE, "Bearer")],
            "Sign in, or add ?token=ofc_… (an API token from your account page)",
        )
            .into_response();
    };
    let now = state.services.clock.now();
    let (entries, scheduled) = match (
        state.store.calendar_entries().await,
        state.store.scheduled_changes(now - Duration::days(90), now + Duration::days(5 * 366)).await,
    ) {
        (Ok(e), Ok(s)) => (e, s),
        (Err(e), _) | (_, Err(e)) => {
            tracing::error!("calendar feed: {e}");
            return StatusCode::INTERNAL_SERVER_ERROR.into_response();
        }
    };
    let base = &state.config.public_url;
    let mut cal = Calendar::new();
    cal.name("Offcycle: scheduled changes");
    let viewer = app::service::actor_of(&user);
    // A dev team member's feed holds their own team's changes only, as their calendar page does.
    for c in scheduled.into_iter().filter(|c| c.owner.readable_by(&viewer)) {
        let r = &c.summary.reference;
        let kind = if c.regular { "Regular change" } else { "Emergency change" };
        let state_words = c.summary.state.label();
        cal.push(
            Event::new()
                .uid(&format!("{r}@offcycle"))
                .summary(&printable(&format!("{r}: {} ({})", c.summary.title, c.summary.system)))
                .description(&format!("{kind}; {state_words}. {base}/requests/{r}"))
                .url(&format!("{base}/requests/{r}"))
                .starts(c.at)
                .ends(c.at + Duration::minutes(c.minutes))
                .done(),
        );
    }
    for w in Policy::of(&entries, now).maintenance_windows.into_iter().filter(|w| *w > now - Duration::days(30)) {
        cal.push(
            Event::new()
                .uid(&format!("window-{}@offcycle", w.timestamp()))
                .summary("Maintenance window")
                .starts(w)
                .ends(w + Duration::hours(4))
                .done(),
        );
    }
    for e in entries.iter().filter(|e| e.kind != EntryKind::Window) {
        let reason = if e.reason.is_empty() { String::new() } else { format!(": {}", e.reason) };
        cal.push(
            Event::new()
                .uid(&format!("{}-{}@offcycle", e.kind.as_str(), e.id))
                .summary(&printable(&format!("{} — {}{reason}", e.kind.label(), e.name)))
                .all_day(e.from)
                .ends(e.to.succ_opt().unwrap_or(e.to))
                .done(),
        );
    }
    let mut res = cal.done().to_string().into_response();
    res.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static("text/calendar; charset=utf-8"));
    res.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("private, no-store"));
    res
}
