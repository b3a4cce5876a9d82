//! The page for addresses that do not exist.

use leptos::prelude::*;
use leptos_meta::Title;

/// "Page not found", with a 404 status on the server.
#[component]
pub fn NotFound() -> impl IntoView {
    #[cfg(feature = "ssr")]
    {
        if let Some(res) = use_context::<leptos_axum::ResponseOptions>() {
            res.set_status(http::StatusCode::NOT_FOUND);
        }
    }
    view! {
        <Title text=super::page_title("Page not found", false)/>
        <h1 class="heading-l">"Page not found"</h1>
        <p>"If you typed the web address, check it is correct."</p>
        <p>"If you pasted the web address, check you copied the entire address."</p>
        <p><a href="/">"Go to the start page"</a></p>
    }
}
