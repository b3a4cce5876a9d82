//! Sign-in, sign-out and who is signed in.

use crate::api::types::SessionUser;
use crate::error::AppError;
use leptos::prelude::*;

/// Where to go after signing in: only a path on this site, never another origin. Browsers drop
/// tabs and newlines from a URL and read a backslash as `/`, so `/<TAB>/evil.example` would leave
/// the site; anything but a plain absolute path (visible ASCII, one leading `/`, no backslash)
/// goes to `/`.
pub fn safe_next(next: Option<&str>) -> String {
    let plain_path = |n: &str| {
        let mut chars = n.chars();
        chars.next() == Some('/')
            && !matches!(chars.next(), Some('/'))
            && n.len() <= 2048
            && n.chars().all(|c| c.is_ascii_graphic() && c != '\\')
    };
    match next {
        Some(n) if plain_path(n) => n.to_string(),
        _ => "/".to_string(),
    }
}

/// Signs in with email and password, rotating to a brand-new session.
#[server(endpoint = "sign_in")]
pub async fn sign_in(email: String, password: String, next: Option<String>) -> Result<(), AppError> {
    super::ssr::respond(server::sign_in(email, password, next).await)
}

/// Ends the current session on the server and clears the cookie.
#[server(endpoint = "sign_out")]
pub async fn sign_out() -> Result<(), AppError> {
    super::ssr::respond(server::sign_out().await)
}

/// How people may sign in here (the sign-in page asks).
#[server(endpoint = "sign_in_methods")]
pub async fn sign_in_methods() -> Result<crate::api::types::SignInMethods, AppError> {
    Ok(super::ssr::services()?.sign_in_methods.clone())
}

/// Who is signed in, if anyone.
#[server(endpoint = "whoami")]
pub async fn whoami() -> Result<Option<SessionUser>, AppError> {
    Ok(super::ssr::session().map(|s| s.user))
}

#[cfg(feature = "ssr")]
mod server {
    use super::safe_next;
    use crate::api::ssr::*;
    use crate::domain::forms::{FieldError, FormErrors};
    use crate::error::AppError;
    use crate::ports::session_cookie;

    fn set_cookie(value: &str) {
        if let (Some(res), Ok(value)) =
            (leptos::prelude::use_context::<leptos_axum::ResponseOptions>(), http::HeaderValue::from_str(value))
        {
            res.append_header(http::header::SET_COOKIE, value);
        }
    }

    pub async fn sign_in(email: String, password: String, next: Option<String>) -> Result<(), AppError> {
        let services = services()?;
        let email = email.trim().to_lowercase();
        let mut errors = Vec::new();
        if email.is_empty() {
            errors.push(FieldError { field: "email".into(), message: "Enter your email address".into() });
        }
        if password.is_empty() {
            errors.push(FieldError { field: "password".into(), message: "Enter your password".into() });
        }
        if !errors.is_empty() {
            // The password is never echoed back.
            return Err(AppError::Invalid(FormErrors { errors, values: vec![("email".into(), email)] }));
        }
        let session = services.accounts.sign_in(&email, &password, &source_address()).await?;
        let secure = if services.secure_cookies { "; Secure" } else { "" };
        let name = session_cookie(services.secure_cookies);
        set_cookie(&format!("{name}={}; Path=/; HttpOnly; SameSite=Lax{secure}", session.token));
        leptos_axum::redirect(&safe_next(next.as_deref()));
        Ok(())
    }

    pub async fn sign_out() -> Result<(), AppError> {
        let services = services()?;
        let provider_logout = match session() {
            Some(current) => services.accounts.sign_out(&current.token_hash).await?,
            None => None,
        };
        let secure = if services.secure_cookies { "; Secure" } else { "" };
        let name = session_cookie(services.secure_cookies);
        set_cookie(&format!("{name}=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0{secure}"));
        // A session the identity provider opened ends there too (RP-initiated logout), which
        // sends the person back to the sign-in page.
        leptos_axum::redirect(provider_logout.as_deref().unwrap_or("/sign-in?signed_out=1"));
        Ok(())
    }
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
        assert_eq!(
            safe_next(Some("/requests/ECR-2026-0001/plan?step=2#top")),
            "/requests/ECR-2026-0001/plan?step=2#top"
        );
        assert_eq!(safe_next(Some("/")), "/");
        assert_eq!(safe_next(Some("/%2F%2Fevil.example")), "/%2F%2Fevil.example", "encoded slashes stay a path");
    }

    #[test]
    fn whitespace_control_characters_and_backslashes_never_survive() {
        for bad in [
            "/\t/evil.example",
            "/\n",
            "/\r\n/evil.example",
            "/ /evil.example",
            "/\u{0}x",
            "/\u{7f}",
            "/a\\b",
            "\\\\evil.example",
            "/\u{a0}/evil.example",
            "/\u{3000}/evil.example",
            "",
            "requests",
            "javascript:alert(1)",
        ] {
            assert_eq!(safe_next(Some(bad)), "/", "{bad:?}");
        }
    }
}
