//! Server-side helpers shared by the server functions.

use crate::error::AppError;
use crate::ports::{ClientAddress, CurrentSession, Services};
use http::request::Parts;
use leptos::prelude::*;
use leptos_axum::ResponseOptions;

/// The services the server provided as context.
pub fn services() -> Result<Services, AppError> {
    use_context::<Services>().ok_or_else(|| {
        leptos::logging::error!("Services missing from context");
        AppError::Internal
    })
}

/// The current session, if someone is signed in.
pub fn session() -> Option<CurrentSession> {
    use_context::<Parts>().and_then(|p| p.extensions.get::<CurrentSession>().cloned())
}

/// The current session, or [`AppError::Unauthenticated`].
pub fn require_session() -> Result<CurrentSession, AppError> {
    session().ok_or(AppError::Unauthenticated)
}

/// True when a plain HTML form (no JavaScript) posted this request.
pub fn is_plain_form_post() -> bool {
    use_context::<Parts>()
        .and_then(|p| {
            p.headers
                .get(http::header::ACCEPT)
                .and_then(|v| v.to_str().ok())
                .map(|v| v.contains("text/html"))
        })
        .unwrap_or(false)
}

/// The client's address as the server saw it (for the audit log and throttling).
pub fn source_address() -> String {
    use_context::<Parts>()
        .and_then(|p| p.extensions.get::<ClientAddress>().map(|s| s.0.clone()))
        .unwrap_or_else(|| "unknown".into())
}

/// Every server function's result passes through here: an error sets its HTTP status, unless
/// the response must stay Leptos's redirect back to the form (plain form posts without JS).
pub fn respond<T>(result: Result<T, AppError>) -> Result<T, AppError> {
    if let Err(err) = &result {
        if !is_plain_form_post() {
            if let (Some(res), Ok(status)) = (
                use_context::<ResponseOptions>(),
                http::StatusCode::from_u16(err.status()),
            ) {
                res.set_status(status);
            }
        }
    }
    result
}
