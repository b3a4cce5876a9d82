//! What server functions need from the outside world, as traits the `server` crate implements
//! (storage, accounts). Server functions reach them through Leptos context; only under `ssr`.

use crate::api::types::{RequestSummary, SessionUser};
use crate::domain::forms::StartRequest;
use crate::domain::reference::Reference;
use crate::error::AppError;
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use std::sync::Arc;

/// A storage failure. Details go to the log; the person sees [`AppError::Internal`].
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// Someone else wrote first (optimistic concurrency).
    #[error("conflict: {0}")]
    Conflict(String),
    /// The database refused or failed.
    #[error("database: {0}")]
    Backend(String),
}

impl From<StoreError> for AppError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::Conflict(_) => AppError::Conflict,
            StoreError::Backend(detail) => {
                leptos::logging::error!("storage failure: {detail}");
                AppError::Internal
            }
        }
    }
}

/// Change requests as the pages need them. One implementation per database backend.
#[async_trait]
pub trait RequestStore: Send + Sync {
    /// Starts a draft request with the next reference of `now`'s year, in one transaction
    /// with its audit event.
    async fn start_request(
        &self,
        by: &SessionUser,
        source: &str,
        form: &StartRequest,
        now: DateTime<Utc>,
    ) -> Result<RequestSummary, StoreError>;
    /// The requests this person started, newest first.
    async fn requests_started_by(&self, user_id: i64) -> Result<Vec<RequestSummary>, StoreError>;
    /// One request by its reference.
    async fn request_by_reference(
        &self,
        reference: Reference,
    ) -> Result<Option<RequestSummary>, StoreError>;
}

/// A session that sign-in created: the raw cookie value (only ever sent to the browser).
#[derive(Clone, Debug)]
pub struct NewSession {
    /// The secret cookie value; the database keeps only its SHA-256.
    pub token: String,
    /// Who signed in.
    pub user: SessionUser,
}

/// Sign-in and sign-out. Password hashing and session storage live behind this.
#[async_trait]
pub trait Accounts: Send + Sync {
    /// Checks the password and opens a new session (a fresh ID: never reuse one from before sign-in).
    async fn sign_in(
        &self,
        email: &str,
        password: &str,
        source: &str,
    ) -> Result<NewSession, AppError>;
    /// Ends the session on the server.
    async fn sign_out(&self, session_token_hash: &str) -> Result<(), AppError>;
}

/// Everything server functions reach, provided as Leptos context by the server.
#[derive(Clone)]
pub struct Services {
    /// Change requests.
    pub requests: Arc<dyn RequestStore>,
    /// Sign-in and sessions.
    pub accounts: Arc<dyn Accounts>,
    /// Mark the session cookie `Secure` (the public URL is https).
    pub secure_cookies: bool,
}

/// The signed-in person and their session, put into request extensions by the server's
/// session middleware.
#[derive(Clone, Debug)]
pub struct CurrentSession {
    /// Who is signed in.
    pub user: SessionUser,
    /// SHA-256 of the session token (the database key).
    pub token_hash: String,
}

/// Name of the session cookie.
pub const SESSION_COOKIE: &str = "offcycle_session";

/// The peer address of the HTTP connection, put into request extensions by the server.
#[derive(Clone, Debug)]
pub struct ClientAddress(pub String);
