//! Sign in with email and password.

use crate::api::auth::SignIn;
use crate::components::form::{form_errors_of, kept_value, other_error_of, ErrorSummary, TextField};
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

/// The sign-in form. One generic message for any wrong email/password pair.
#[component]
pub fn SignInPage() -> impl IntoView {
    let action = ServerAction::<SignIn>::new();
    let value = Signal::derive(move || action.value().get());
    let errors = form_errors_of(value);
    let other = other_error_of(value);
    let query = use_query_map();
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
                <button type="submit" class="button">"Sign in"</button>
            </ActionForm>
        </div>
    }
}
