//! Starting, listing and reading change requests.

use crate::api::types::RequestSummary;
use crate::error::AppError;
use leptos::prelude::*;

/// Starts a new emergency change request as a draft and opens it.
#[server(endpoint = "start_request")]
pub async fn start_request(title: String, system: String) -> Result<(), AppError> {
    use super::ssr::*;
    use crate::domain::forms::StartRequest;
    use crate::domain::roles::Role;

    let current = require_session()?;
    // Any hosting role may also start one on a team's behalf (outages at night).
    if !matches!(
        current.user.role,
        Role::DevTeamMember | Role::HostingEngineer | Role::HostingLead | Role::Admin
    ) {
        return fail(AppError::Forbidden);
    }
    let form = match (StartRequest { title, system }).normalised() {
        Ok(f) => f,
        Err(e) => return fail(e.into()),
    };
    let started = services()?
        .requests
        .start_request(&current.user, &source_address(), &form, chrono::Utc::now())
        .await?;
    leptos_axum::redirect(&format!("/requests/{}", started.reference));
    Ok(())
}

/// The signed-in person's requests, newest first.
#[server(endpoint = "my_requests")]
pub async fn my_requests() -> Result<Vec<RequestSummary>, AppError> {
    use super::ssr::*;
    let current = require_session()?;
    Ok(services()?
        .requests
        .requests_started_by(current.user.id)
        .await?)
}

/// One request by reference, if the signed-in person may see it.
#[server(endpoint = "get_request")]
pub async fn get_request(reference: String) -> Result<RequestSummary, AppError> {
    use super::ssr::*;
    use crate::domain::reference::Reference;
    let current = require_session()?;
    let Some(reference) = Reference::parse(&reference) else {
        return fail(AppError::NotFound);
    };
    let Some(found) = services()?.requests.request_by_reference(reference).await? else {
        return fail(AppError::NotFound);
    };
    // Until teams and relations arrive (authorisation issue), everyone signed in may read.
    let _ = current;
    Ok(found)
}
