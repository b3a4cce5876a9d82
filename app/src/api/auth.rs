//! Sign-in, sign-out and who is signed in.

use crate::api::types::SessionUser;
use crate::error::AppError;
use leptos::prelude::*;

/// Where to go after signing in: only paths on this site, never another origin.
pub fn safe_next(next: Option<&str>) -> String {
    match next {
        Some(n) if n.starts_with('/') && !n.starts_with("//") && !n.contains('\\') => n.to_string(),
        _ => "/".to_string(),
    }
}

/// Signs in with email and password, rotating to a brand-new session.
#[server(endpoint = "sign_in")]
pub async fn sign_in(
    email: String,
    password: String,
    next: Option<String>,
) -> Result<(), AppError> {
    use super::ssr::*;
    use crate::ports::SESSION_COOKIE;

    let services = services()?;
    let email = email.trim().to_lowercase();
    let mut problems = Vec::new();
    if email.is_empty() {
        problems.push(("email", "Enter your email address"));
    }
    if password.is_empty() {
        problems.push(("password", "Enter your password"));
    }
    if !problems.is_empty() {
        use crate::domain::forms::{FieldError, FormErrors};
        return fail(AppError::Invalid(FormErrors {
            errors: problems
                .into_iter()
                .map(|(f, m)| FieldError {
                    field: f.into(),
                    message: m.into(),
                })
                .collect(),
            // The password is never echoed back.
            values: vec![("email".into(), email)],
        }));
    }
    let session = match services
        .accounts
        .sign_in(&email, &password, &source_address())
        .await
    {
        Ok(s) => s,
        Err(e) => return fail(e),
    };
    let secure = if services.secure_cookies {
        "; Secure"
    } else {
        ""
    };
    let cookie = format!(
        "{SESSION_COOKIE}={}; Path=/; HttpOnly; SameSite=Lax{secure}",
        session.token
    );
    if let (Some(res), Ok(value)) = (
        use_context::<leptos_axum::ResponseOptions>(),
        http::HeaderValue::from_str(&cookie),
    ) {
        res.append_header(http::header::SET_COOKIE, value);
    }
    leptos_axum::redirect(&safe_next(next.as_deref()));
    Ok(())
}

/// Ends the current session on the server and clears the cookie.
#[server(endpoint = "sign_out")]
pub async fn sign_out() -> Result<(), AppError> {
    use super::ssr::*;
    use crate::ports::SESSION_COOKIE;

    if let Some(current) = session() {
        services()?.accounts.sign_out(&current.token_hash).await?;
    }
    let cookie = format!("{SESSION_COOKIE}=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0");
    if let (Some(res), Ok(value)) = (
        use_context::<leptos_axum::ResponseOptions>(),
        http::HeaderValue::from_str(&cookie),
    ) {
        res.append_header(http::header::SET_COOKIE, value);
    }
    leptos_axum::redirect("/sign-in?signed_out=1");
    Ok(())
}

/// Who is signed in, if anyone.
#[server(endpoint = "whoami")]
pub async fn whoami() -> Result<Option<SessionUser>, AppError> {
    Ok(super::ssr::session().map(|s| s.user))
}

#[cfg(test)]
mod tests {
    use super::safe_next;

    #[test]
    fn sign_in_only_returns_to_paths_on_this_site() {
        assert_eq!(safe_next(Some("/requests")), "/requests");
        assert_eq!(safe_next(Some("//evil.example")), "/");
        assert_eq!(safe_next(Some("https://evil.example")), "/");
        assert_eq!(safe_next(Some("/\\evil.example")), "/");
        assert_eq!(safe_next(None), "/");
    }
}
