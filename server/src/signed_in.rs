//! The signed-in person behind a plain HTTP route (downloads, uploads, the CSV export), and the
//! audit of what they download.

use crate::store::AuditEvent;
use crate::AppState;
use app::ports::{ClientAddress, CurrentSession};
use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};

/// Who asked, and from where; anyone not signed in is sent to sign in.
pub struct SignedIn {
    /// Their session.
    pub session: CurrentSession,
    /// The client's address (for the audit trail).
    pub source: String,
}

impl<S: Send + Sync> FromRequestParts<S> for SignedIn {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Response> {
        let Some(session) = parts.extensions.get::<CurrentSession>().cloned() else {
            return Err(Redirect::to("/sign-in").into_response());
        };
        let source = parts.extensions.get::<ClientAddress>().map(|a| a.0.clone()).unwrap_or_default();
        Ok(SignedIn { session, source })
    }
}

impl SignedIn {
    /// Audits a download of something of `request_id`; a failure to record refuses the download
    /// rather than skip the record.
    pub async fn audit_download(
        &self,
        state: &AppState,
        request_id: i64,
        action: &str,
        detail: String,
        outcome: &str,
    ) -> Result<(), Response> {
        let event = AuditEvent {
            at: state.services.clock.now().timestamp_millis(),
            actor_id: Some(self.session.user.id),
            request_id: Some(request_id),
            action: action.into(),
            detail,
            source: self.source.clone(),
            outcome: outcome.into(),
        };
        state.store.record(&event).await.map_err(|e| {
            tracing::error!("auditing a download failed: {e}");
            (StatusCode::INTERNAL_SERVER_ERROR, "Could not record the download; try again").into_response()
        })
    }
}
