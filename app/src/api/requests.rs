//! Starting, listing and reading change requests.

use crate::api::types::RequestSummary;
use crate::error::AppError;
use leptos::prelude::*;

/// Starts a new emergency change request as a draft and opens it.
#[server(endpoint = "start_request")]
pub async fn start_request(title: String, system: String) -> Result<(), AppError> {
    super::ssr::respond(server::start_request(title, system).await)
}

/// The signed-in person's requests, newest first.
#[server(endpoint = "my_requests")]
pub async fn my_requests() -> Result<Vec<RequestSummary>, AppError> {
    super::ssr::respond(server::my_requests().await)
}

/// One request by reference, if the signed-in person may see it.
#[server(endpoint = "get_request")]
pub async fn get_request(reference: String) -> Result<RequestSummary, AppError> {
    super::ssr::respond(server::get_request(reference).await)
}

#[cfg(feature = "ssr")]
mod server {
    use crate::api::ssr::*;
    use crate::api::types::RequestSummary;
    use crate::domain::forms::StartRequest;
    use crate::domain::reference::Reference;
    use crate::domain::roles::Role;
    use crate::error::AppError;

    pub async fn start_request(title: String, system: String) -> Result<(), AppError> {
        let current = require_session()?;
        // Hosting may also start one on a team's behalf (outages at night).
        if !matches!(current.user.role, Role::DevTeamMember | Role::HostingEngineer | Role::HostingLead | Role::Admin) {
            return Err(AppError::Forbidden);
        }
        let form = StartRequest { title, system }.normalised()?;
        let started =
            services()?.requests.start_request(&current.user, &source_address(), &form, chrono::Utc::now()).await?;
        leptos_axum::redirect(&format!("/requests/{}/triage", started.reference));
        Ok(())
    }

    pub async fn my_requests() -> Result<Vec<RequestSummary>, AppError> {
        let current = require_session()?;
        Ok(services()?.requests.requests_started_by(current.user.id).await?)
    }

    pub async fn get_request(reference: String) -> Result<RequestSummary, AppError> {
        let _current = require_session()?;
        let reference = Reference::parse(&reference).ok_or(AppError::NotFound)?;
        // Relation-based read rules (own team, assigned engineer, COR…) arrive with the
        // authorisation issue; until then every signed-in person may read a request.
        services()?.requests.request_by_reference(reference).await?.ok_or(AppError::NotFound)
    }
}
