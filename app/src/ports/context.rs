//! What the server puts into each request's context for server functions: the services,
//! the signed-in session, the peer address, and the small in-memory helpers (demo inbox,
//! secrets shown once); and the session cookie's and CSP's names and sources.

use super::{Accounts, Administration, RequestStore};
use crate::api::types::SessionUser;
use std::sync::Arc;

/// Demo mode's inbox: messages the built-in mail viewer shows as delivered (by outbox id),
/// with their decision links. Memory only: tokens never rest anywhere but in a message.
#[derive(Clone, Debug, Default)]
pub struct DemoInbox(Arc<std::sync::Mutex<std::collections::BTreeMap<i64, String>>>);

impl DemoInbox {
    /// Delivers a message's final body.
    pub fn deliver(&self, outbox_id: i64, body: String) {
        if let Ok(mut m) = self.0.lock() {
            m.insert(outbox_id, body);
        }
    }

    /// The delivered body of a message, if it was delivered here.
    pub fn body(&self, outbox_id: i64) -> Option<String> {
        self.0.lock().ok().and_then(|m| m.get(&outbox_id).cloned())
    }
}

/// Secrets shown once (a new API token, a webhook's signing secret), kept in memory for the
/// next page of the session that made them, then forgotten: without JavaScript the form's
/// answer cannot carry them, so the page after the redirect takes them from here. (With
/// several app servers, that page may land on another one: then it is JavaScript's answer
/// that shows the secret.)
#[derive(Clone, Debug, Default)]
pub struct Reveal(Arc<std::sync::Mutex<std::collections::HashMap<String, (String, std::time::Instant)>>>);

impl Reveal {
    /// Keeps `secret` for the session `session_hash` for five minutes.
    pub fn put(&self, session_hash: &str, secret: &str) {
        if let Ok(mut m) = self.0.lock() {
            m.retain(|_, (_, at)| at.elapsed() < std::time::Duration::from_secs(300));
            m.insert(session_hash.to_string(), (secret.to_string(), std::time::Instant::now()));
        }
    }

    /// Takes the session's secret, if there is one (it is then gone).
    pub fn take(&self, session_hash: &str) -> Option<String> {
        let mut m = self.0.lock().ok()?;
        m.remove(session_hash).filter(|(_, at)| at.elapsed() < std::time::Duration::from_secs(300)).map(|(s, _)| s)
    }
}

/// Everything server functions reach, provided as Leptos context by the server.
#[derive(Clone)]
pub struct Services {
    /// Change requests.
    pub requests: Arc<dyn RequestStore>,
    /// Sign-in and sessions.
    pub accounts: Arc<dyn Accounts>,
    /// How people may sign in (the sign-in page shows these).
    pub sign_in_methods: crate::api::types::SignInMethods,
    /// Where forms may go besides this site (the CSP's `form-action`; see [`form_action`]).
    pub form_action: String,
    /// People administration, sessions and API tokens.
    pub people: Arc<dyn Administration>,
    /// Mark the session cookie `Secure` (the public URL is https).
    pub secure_cookies: bool,
    /// The address people use (links in mail).
    pub public_url: String,
    /// Demo mode: the mail viewer is served.
    pub demo: bool,
    /// The operator allows webhook receivers on private addresses (and plain http).
    pub webhooks_allow_private: bool,
    /// The server listens on loopback only: the demo mail viewer may serve anyone who can
    /// reach it (bound elsewhere, it serves admins alone, since it holds live links).
    pub loopback_only: bool,
    /// Demo mode's inbox (empty when a real relay is configured).
    pub demo_inbox: DemoInbox,
    /// Secrets shown once.
    pub reveal: Reveal,
    /// Where "now" comes from.
    pub clock: Arc<dyn crate::service::Clock>,
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

pub use crate::domain::access::TokenScope;

/// Name of the session cookie over plain http (loopback demos, tests).
pub const SESSION_COOKIE: &str = "offcycle_session";

/// The session cookie's name: over https it takes the `__Host-` prefix, which browsers accept
/// only when it is `Secure`, has `Path=/` and no `Domain`, so no sibling host can plant one.
pub fn session_cookie(secure: bool) -> &'static str {
    if secure {
        "__Host-offcycle_session"
    } else {
        SESSION_COOKIE
    }
}

/// The CSP `form-action` sources: this site, and the identity provider's origin when sign-in
/// goes through one (sign-in and sign-out forms are redirected there, without JavaScript).
pub fn form_action(issuer: Option<&str>) -> String {
    let origin = issuer.and_then(|issuer| {
        let (scheme, rest) = issuer.split_once("://")?;
        let host =
            rest.split('/').next().filter(|h| !h.is_empty() && h.chars().all(|c| c.is_ascii_graphic() && c != ';'))?;
        Some(format!(" {scheme}://{host}"))
    });
    format!("form-action 'self'{}", origin.unwrap_or_default())
}

/// The peer address of the HTTP connection, put into request extensions by the server.
#[derive(Clone, Debug)]
pub struct ClientAddress(pub String);
