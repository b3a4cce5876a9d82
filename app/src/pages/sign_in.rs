//! Sign in: through the organisation's identity provider when one is configured, and with email
//! and password (for everyone, or kept for break-glass admins).

use crate::api::auth::SignIn;
use crate::components::form::{kept_value, ErrorSummary, Outcome, TextField};
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

/// The sign-in form. One generic message for any wrong email/password pair.
#[component]
pub fn SignInPage() -> impl IntoView {
    let action = ServerAction::<SignIn>::new();
    let Outcome { errors, other: action_error, .. } = Outcome::of(action);
    let query = use_query_map();
    // A sign-in the identity provider's answer did not complete comes back as `?oidc=key`.
    let refusal = move || {
        query
            .with(|q| q.get("oidc"))
            .and_then(|k| crate::domain::identity::Refusal::parse(&k))
            .map(|r| r.message().to_string())
    };
    let other = Signal::derive(move || action_error.get().or_else(refusal));
    let methods = Resource::new(|| (), |_| crate::api::auth::sign_in_methods());
    let next = move || query.with(|q| q.get("next")).unwrap_or_default();
    let signed_out = move || query.with(|q| q.get("signed_out").is_some());
    let has_errors = Signal::derive(move || errors.with(|e| e.is_some()) || other.with(|o| o.is_some()));
    view! {
        <crate::pages::PageTitle title="Sign in" has_errors=has_errors/>
        <div class="grid-two-thirds">
            <ErrorSummary errors=errors other=other/>
            <Show when=signed_out>
                <div class="notification" role="status">
                    <p>"You have been signed out."</p>
                </div>
            </Show>
            <h1 class="heading-l">"Sign in"</h1>
            <Suspense fallback=|| ()>
                {move || Suspend::new(async move {
                    let methods = methods.await.unwrap_or_default();
                    let provider = methods.provider.clone().map(|label| view! {
                        // A plain form (not the router's): the provider is another site.
                        <form method="get" action="/auth/oidc/start" class="sign-in-provider">
                            <input type="hidden" name="next" value=next/>
                            <button type="submit" class="button">{format!("Sign in with {label}")}</button>
                        </form>
                    });
                    let has_provider = methods.provider.is_some();
                    let password_form = view! {
                        <ActionForm action=action>
                            <input type="hidden" name="next" value=next/>
                            <TextField
                                name="email"
                                label="Email address"
                                input_type="email"
                                autocomplete="username"
                                value=kept_value(errors, "email", String::new)
                                errors=errors
                            />
                            <TextField
                                name="password"
                                label="Password"
                                input_type="password"
                                autocomplete="current-password"
                                value=Signal::derive(String::new)
                                errors=errors
                            />
                            <button type="submit" class=if has_provider { "button button--secondary" } else { "button" }>
                                "Sign in"
                            </button>
                        </ActionForm>
                    };
                    match (has_provider, methods.passwords_for_admins_only) {
                        (true, true) => view! {
                            {provider}
                            <details class="details" open=move || has_errors.get()>
                                <summary>"Admin break-glass sign-in"</summary>
                                <p>"For admins when the identity provider is down. Everyone else signs in with the button above."</p>
                                {password_form}
                            </details>
                        }.into_any(),
                        (true, false) => view! {
                            {provider}
                            <h2 class="heading-m">"Or sign in with your email and password"</h2>
                            {password_form}
                        }.into_any(),
                        (false, _) => password_form.into_any(),
                    }
                })}
            </Suspense>
        </div>
    }
}
