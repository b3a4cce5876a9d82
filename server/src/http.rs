//! Middleware and the routes that are not Leptos pages.

use crate::auth::token_hash;
use crate::AppState;
use app::ports::{session_cookie, ClientAddress, CurrentSession};
use axum::body::Body;
use axum::extract::{ConnectInfo, State};
use axum::http::{header, HeaderMap, HeaderValue, Method, Request, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};
use std::net::{IpAddr, SocketAddr};

/// `GET /healthz`: 200 only when the database answers.
pub async fn healthz(State(state): State<AppState>) -> Response {
    if state.store.db().is_healthy().await {
        (StatusCode::OK, "ok").into_response()
    } else {
        (StatusCode::SERVICE_UNAVAILABLE, "database unavailable").into_response()
    }
}

/// Gives every request an id: the `request` span around everything logged while it is
/// handled (so each log line names it), and the `x-request-id` response header (so a person
/// reporting a problem can quote it). The path is not logged: it may hold a decision token.
pub async fn request_id(req: Request<Body>, next: Next) -> Response {
    use tracing::Instrument;
    let mut bytes = [0u8; 8];
    let id = match getrandom::fill(&mut bytes) {
        Ok(()) => hex::encode(bytes),
        Err(_) => "unknown".into(),
    };
    // At ERROR level so that every filter that lets a line through keeps its span too (an info
    // span would vanish under RUST_LOG=warn, and the warning with it would lose its request).
    let span = tracing::error_span!("request", id = %id, method = %req.method());
    let mut res = next.run(req).instrument(span).await;
    if let Ok(value) = HeaderValue::from_str(&id) {
        res.headers_mut().insert("x-request-id", value);
    }
    res
}

/// `GET /readyz`: 200 when the database answers and holds every migration this build knows
/// (a load balancer sends traffic only then); `/healthz` stays liveness.
pub async fn readyz(State(state): State<AppState>) -> Response {
    if state.store.db().is_ready().await {
        (StatusCode::OK, "ready").into_response()
    } else {
        (StatusCode::SERVICE_UNAVAILABLE, "database not ready").into_response()
    }
}

/// A cookie's value from the request's `Cookie` headers.
pub(crate) fn cookie<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v)
}

/// The client's address: the connection's, or, when that is a trusted proxy, the nearest
/// address in `X-Forwarded-For` that is not one (each proxy appends the address it saw, so
/// the entries left of the first untrusted one are the client's to invent).
pub fn client_address(peer: Option<IpAddr>, forwarded: Option<&str>, trusted: &[IpAddr]) -> String {
    let Some(peer) = peer else { return "unknown".into() };
    if !trusted.contains(&peer) {
        return peer.to_string();
    }
    let hops: Vec<&str> = forwarded.map(|f| f.split(',').map(str::trim).collect()).unwrap_or_default();
    for hop in hops.iter().rev() {
        match hop.parse::<IpAddr>() {
            Ok(ip) if trusted.contains(&ip) => continue,
            Ok(ip) => return ip.to_string(),
            Err(_) => break,
        }
    }
    peer.to_string()
}

/// Records the client's address and, if the session cookie is valid, who is signed in.
pub async fn identify(State(state): State<AppState>, mut req: Request<Body>, next: Next) -> Response {
    let peer = req.extensions().get::<ConnectInfo<SocketAddr>>().map(|ConnectInfo(addr)| addr.ip());
    let forwarded = req.headers().get("x-forwarded-for").and_then(|v| v.to_str().ok());
    let source = client_address(peer, forwarded, &state.config.trusted_proxies);
    req.extensions_mut().insert(ClientAddress(source));
    let path = req.uri().path();
    // Static files need no session lookup.
    let is_asset = path.starts_with("/pkg/") || path == "/favicon.svg" || path == "/favicon.ico";
    if !is_asset {
        if let Some(token) = cookie(req.headers(), session_cookie(state.services.secure_cookies)) {
            let hash = token_hash(token);
            let now = state.services.clock.now().timestamp_millis();
            let idle = state.config.session_idle.as_millis() as i64;
            let absolute = state.config.session_absolute.as_millis() as i64;
            match state.store.session_user(&hash, now, idle, absolute).await {
                Ok(Some(user)) => {
                    req.extensions_mut().insert(CurrentSession { user, token_hash: hash });
                }
                Ok(None) => {}
                // Not "signed out": the database is away; say so rather than ask for a sign-in.
                Err(e) if crate::store::is_unavailable(&e) => {
                    tracing::warn!("session lookup: database unavailable: {e}");
                    return (StatusCode::SERVICE_UNAVAILABLE, app::error::AppError::Unavailable.to_string())
                        .into_response();
                }
                Err(e) => tracing::error!("session lookup failed: {e}"),
            }
        }
    }
    next.run(req).await
}

/// Pages that anyone may see without signing in.
fn is_public(path: &str) -> bool {
    matches!(path, "/" | "/sign-in" | "/healthz" | "/readyz" | "/favicon.svg" | "/favicon.ico")
        // Its own check: a bearer token or loopback (see metrics::scrape).
        || path == "/metrics"
        || path.starts_with("/pkg/")
        || path.starts_with("/api/")
        // Sign-in through the identity provider (the callback checks its one-time state).
        || matches!(path, "/auth/oidc/start" | "/auth/oidc/callback")
        || path.starts_with("/dev/mail")
        // A COR's emailed decision link: the token is the credential (see api::decide).
        || path.starts_with("/decide/")
        // A sign-off link the dev team emailed: the token is the credential (see api::sign_off_link).
        || path.starts_with("/sign-off/")
        // An invitation's set-password link: the token is the credential.
        || path.starts_with("/set-password/")
        // Calendar apps cannot sign in: the feed takes a session or an API token (see ical).
        || path == "/calendar.ics"
}

/// What someone signed in with no role yet may reach: the home page, signing out, and the
/// pages anyone may see.
fn open_without_a_role(path: &str) -> bool {
    matches!(
        path,
        "/" | "/sign-in" | "/healthz" | "/favicon.svg" | "/favicon.ico" | "/auth/oidc/start" | "/auth/oidc/callback"
    ) || matches!(
        path,
        "/api/sign_in"
            | "/api/sign_out"
            | "/api/whoami"
            | "/api/sign_in_methods"
            | "/api/password_link"
            | "/api/set_password"
            | "/api/sign_off_link"
            | "/api/sign_off_by_link"
    ) || path.starts_with("/pkg/")
        || path.starts_with("/set-password/")
        || path.starts_with("/sign-off/")
}

/// Sends people who are not signed in to the sign-in page, remembering where they were going.
/// (Server functions check for themselves and answer 401.)
pub async fn require_sign_in(req: Request<Body>, next: Next) -> Response {
    let path = req.uri().path();
    let no_access = req.extensions().get::<CurrentSession>().is_some_and(|s| !s.user.role.has_access());
    if no_access && !open_without_a_role(path) {
        // Signed in through the identity provider, but no role yet: the home page says so, and
        // nothing else is theirs to see or do.
        return match *req.method() {
            Method::GET | Method::HEAD if !path.starts_with("/api/") => Redirect::to("/").into_response(),
            _ => (StatusCode::FORBIDDEN, "An admin has not given you a role yet.").into_response(),
        };
    }
    if (req.method() == Method::GET || req.method() == Method::HEAD)
        && !is_public(path)
        && req.extensions().get::<CurrentSession>().is_none()
    {
        let target = req.uri().path_and_query().map(|p| p.as_str()).unwrap_or("/");
        let next_param: String = form_urlencoded_component(target);
        return Redirect::to(&format!("/sign-in?next={next_param}")).into_response();
    }
    next.run(req).await
}

fn form_urlencoded_component(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' | b'/' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// Refuses state-changing requests that another site started (CSRF). Browsers say where a
/// request came from in `Sec-Fetch-Site`; older ones only send `Origin`.
pub async fn refuse_cross_site(State(state): State<AppState>, req: Request<Body>, next: Next) -> Response {
    let safe = matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS);
    if !safe {
        let headers = req.headers();
        let verdict = match headers.get("sec-fetch-site").and_then(|v| v.to_str().ok()) {
            Some(site) => matches!(site, "same-origin" | "none"),
            None => match headers.get(header::ORIGIN).and_then(|v| v.to_str().ok()) {
                Some(origin) => origin == state.config.public_url || origin_matches_host(origin, headers),
                // Neither header: not a browser form (API clients, curl); sessions are cookies
                // that only browsers send on their own, so nothing is forged here.
                None => true,
            },
        };
        if !verdict {
            tracing::warn!("refused a cross-site {} to {}", req.method(), req.uri().path());
            return (StatusCode::FORBIDDEN, "Cross-site requests are not allowed.").into_response();
        }
    }
    next.run(req).await
}

fn origin_matches_host(origin: &str, headers: &HeaderMap) -> bool {
    let host = headers.get(header::HOST).and_then(|v| v.to_str().ok()).unwrap_or_default();
    origin.strip_prefix("http://").or_else(|| origin.strip_prefix("https://")) == Some(host)
}

/// The Content-Security-Policy of responses that are not pages (pages set their own, with a
/// script nonce): nothing runs, nothing frames us, forms go where [`app::ports::form_action`] says.
pub fn content_security_policy(form_action: &str) -> HeaderValue {
    HeaderValue::from_str(&format!("frame-ancestors 'none'; base-uri 'self'; {form_action}; object-src 'none'"))
        .unwrap_or_else(|_| {
            HeaderValue::from_static("frame-ancestors 'none'; base-uri 'self'; form-action 'self'; object-src 'none'")
        })
}

/// Headers on every response: no sniffing, no framing, no Referer to other sites.
pub async fn security_headers(State(state): State<AppState>, req: Request<Body>, next: Next) -> Response {
    let mut res = next.run(req).await;
    let h = res.headers_mut();
    h.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    h.insert(header::REFERRER_POLICY, HeaderValue::from_static("same-origin"));
    if !h.contains_key(header::CONTENT_SECURITY_POLICY) {
        h.insert(header::CONTENT_SECURITY_POLICY, state.content_security_policy.clone());
    }
    // Pages hold personal data and change as the request moves on: never store them, so Back
    // re-fetches the page as it is now (and cannot offer a second submission).
    let is_html = h.get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).is_some_and(|v| v.starts_with("text/html"));
    if is_html && !h.contains_key(header::CACHE_CONTROL) {
        h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    if state.config.is_https() {
        h.insert(header::STRICT_TRANSPORT_SECURITY, HeaderValue::from_static("max-age=31536000; includeSubDomains"));
    }
    res
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    #[test]
    fn only_a_trusted_proxy_may_name_the_client() {
        let proxy = [ip("10.0.0.5")];
        assert_eq!(client_address(Some(ip("203.0.113.9")), Some("1.2.3.4"), &proxy), "203.0.113.9", "not a proxy");
        assert_eq!(client_address(Some(ip("10.0.0.5")), Some("1.2.3.4, 198.51.100.7"), &proxy), "198.51.100.7");
        assert_eq!(client_address(Some(ip("10.0.0.5")), Some("198.51.100.7, 10.0.0.5"), &proxy), "198.51.100.7");
        assert_eq!(client_address(Some(ip("10.0.0.5")), Some("junk"), &proxy), "10.0.0.5");
        assert_eq!(client_address(Some(ip("10.0.0.5")), None, &proxy), "10.0.0.5");
        assert_eq!(client_address(None, Some("1.2.3.4"), &proxy), "unknown");
    }

    #[test]
    fn the_next_parameter_is_percent_encoded() {
        assert_eq!(form_urlencoded_component("/requests?x=1&y=2"), "/requests%3Fx%3D1%26y%3D2");
    }

    #[test]
    fn pages_need_sign_in_but_assets_and_start_do_not() {
        assert!(is_public("/"));
        assert!(is_public("/pkg/offcycle.wasm"));
        assert!(!is_public("/requests"));
        assert!(!is_public("/requests/ECR-2026-0001"));
    }
}
