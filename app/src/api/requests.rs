//! Starting, listing and reading change requests.

use crate::api::types::RequestList;
use crate::error::AppError;
use leptos::prelude::*;

/// Starts a new emergency change request as a draft and opens it.
#[server(endpoint = "start_request")]
pub async fn start_request(title: String, system: String) -> Result<(), AppError> {
    super::ssr::respond(server::start_request(title, system).await)
}

/// The signed-in person's requests, as [`crate::domain::access::YourRequests`] says by role, newest first.
#[server(endpoint = "my_requests")]
pub async fn my_requests() -> Result<RequestList, AppError> {
    super::ssr::respond(server::my_requests().await)
}

#[cfg(feature = "ssr")]
mod server {
    use crate::api::ssr::*;
    use crate::api::types::RequestList;
    use crate::domain::access::YourRequests;
    use crate::domain::forms::StartRequest;
    use crate::error::AppError;

    pub async fn start_request(title: String, system: String) -> Result<(), AppError> {
        // Hosting may also start one on a team's behalf (outages at night).
        let current = require_area(Area::StartRequest)?;
        let form = StartRequest { title, system }.normalised()?;
        let started = services()?.requests.start_request(&form, &acting(&current.user)?).await?;
        leptos_axum::redirect(&format!("/requests/{}/triage", started.reference));
        Ok(())
    }

    pub async fn my_requests() -> Result<RequestList, AppError> {
        let current = require_session()?;
        let store = services()?.requests.clone();
        let kind = YourRequests::of(current.user.role);
        let requests = match kind {
            YourRequests::Started => store.requests_started_by(current.user.id).await?,
            YourRequests::Taken => store.requests_taken_by(current.user.id).await?,
            YourRequests::Decided => store.requests_decided_by(current.user.id).await?,
            YourRequests::SecurityRelated => store.security_related_requests().await?,
            YourRequests::Nothing => Vec::new(),
        };
        Ok(RequestList { kind, requests })
    }
}
