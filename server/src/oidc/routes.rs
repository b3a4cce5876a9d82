//! The two routes: `/auth/oidc/start` (off to the provider) and `/auth/oidc/callback` (its answer).

use crate::auth::{new_token, token_hash};
use crate::http::cookie;
use crate::store::LOGIN_TTL_MS;
use crate::AppState;
use app::domain::identity::Refusal;
use app::ports::ClientAddress;
use axum::extract::{Query, State};
use axum::http::{header, HeaderMap, HeaderValue};
use axum::response::{IntoResponse, Redirect, Response};
use axum::Extension;
use std::collections::HashMap;

fn refused(refusal: Refusal) -> Response {
    Redirect::to(&format!("/sign-in?oidc={}", refusal.key())).into_response()
}

fn with_cookies(mut response: Response, cookies: &[String]) -> Response {
    for c in cookies {
        if let Ok(v) = HeaderValue::from_str(c) {
            response.headers_mut().append(header::SET_COOKIE, v);
        }
    }
    response
}

/// `GET /auth/oidc/start?next=…&login_hint=…`: off to the provider.
pub async fn start(State(state): State<AppState>, Query(q): Query<HashMap<String, String>>) -> Response {
    let Some(oidc) = state.oidc.clone() else { return Redirect::to("/sign-in").into_response() };
    let next = app::api::auth::safe_next(q.get("next").map(String::as_str));
    let hint = q.get("login_hint").map(|h| h.trim()).filter(|h| !h.is_empty() && h.len() <= app::domain::limits::EMAIL);
    match oidc.start(&state.store, &next, hint).await {
        Ok((url, cookie)) => with_cookies(Redirect::to(&url).into_response(), &[cookie]),
        Err(e) => {
            tracing::error!("identity provider sign-in could not start: {e}");
            refused(Refusal::Failed)
        }
    }
}

/// `GET /auth/oidc/callback?code=…&state=…`: the provider's answer.
pub async fn callback(
    State(state): State<AppState>,
    Extension(ClientAddress(source)): Extension<ClientAddress>,
    headers: HeaderMap,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    let Some(oidc) = state.oidc.clone() else { return Redirect::to("/sign-in").into_response() };
    let clear = format!(
        "{}=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0{}",
        oidc.login_cookie(),
        if oidc.secure { "; Secure" } else { "" }
    );
    let answer = async {
        // Whatever the answer, the state is used once.
        let Some(st) = q.get("state") else { return Err(Refusal::Expired) };
        let login = match state.store.take_oidc_login(&token_hash(st)).await {
            Ok(Some(login)) => login,
            Ok(None) => {
                tracing::warn!("identity provider answer with an unknown or spent state");
                return Err(Refusal::Expired);
            }
            Err(e) => {
                tracing::error!("reading a sign-in under way: {e}");
                return Err(Refusal::Failed);
            }
        };
        if oidc.now().timestamp_millis() - login.created_at > LOGIN_TTL_MS {
            return Err(Refusal::Expired);
        }
        // RFC 9207: an answer that names another issuer is a mix-up, not ours.
        if q.get("iss").is_some_and(|iss| iss.trim_end_matches('/') != oidc.settings.issuer.trim_end_matches('/')) {
            tracing::warn!("identity provider answer names another issuer");
            return Err(Refusal::Failed);
        }
        if cookie(&headers, oidc.login_cookie()).map(token_hash).as_deref() != Some(login.browser_hash.as_str()) {
            tracing::warn!("identity provider answer reached another browser than the one that started it");
            return Err(Refusal::Expired);
        }
        if let Some(error) = q.get("error") {
            tracing::info!("the identity provider answered {error}");
            return Err(if error == "access_denied" { Refusal::Cancelled } else { Refusal::Failed });
        }
        let Some(code) = q.get("code") else { return Err(Refusal::Failed) };
        let (identity, id_token) = oidc.finish(code, &login).await.map_err(|e| {
            tracing::warn!("identity provider sign-in failed: {e}");
            Refusal::Failed
        })?;
        let token = new_token();
        let now = oidc.now().timestamp_millis();
        let opened = state
            .store
            .oidc_sign_in(&identity, oidc.settings.provisioning, &token_hash(&token), &id_token, &source, now)
            .await
            .map_err(|e| {
                tracing::error!("identity provider sign-in: {e}");
                Refusal::Failed
            })??;
        tracing::info!(user = opened.id, "signed in through the identity provider");
        Ok((token, login.next))
    }
    .await;
    match answer {
        Ok((token, next)) => {
            let secure = state.services.secure_cookies;
            let session = format!(
                "{}={token}; Path=/; HttpOnly; SameSite=Lax{}",
                app::ports::session_cookie(secure),
                if secure { "; Secure" } else { "" }
            );
            with_cookies(Redirect::to(&next).into_response(), &[session, clear])
        }
        Err(refusal) => {
            metrics::counter!("offcycle_sign_in_failures_total", "method" => "identity_provider", "reason" => refusal.key())
                .increment(1);
            with_cookies(refused(refusal), &[clear])
        }
    }
}
