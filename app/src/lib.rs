//! Offcycle's web application: the pages, the server functions and the pure process domain.
//!
//! Built twice: with `ssr` into the server, with `hydrate` into the browser's WebAssembly.

#![forbid(unsafe_code)]
#![recursion_limit = "512"]

pub mod api;
pub mod components;
pub mod domain;
pub mod error;
pub mod pages;
#[cfg(feature = "ssr")]
pub mod ports;
#[cfg(any(test, feature = "ssr"))]
pub mod readme;
#[cfg(feature = "ssr")]
pub mod service;

use api::auth::whoami;
use components::layout::{CurrentUser, Layout};
use leptos::prelude::*;
use leptos_meta::{provide_meta_context, Link, MetaTags, Stylesheet};
use leptos_router::{
    components::{Route, Router, Routes},
    path, SsrMode,
};

/// The HTML document around the app (server side only). It loads no script: a page with an
/// island adds the scripts that run it ([`components::scripts::IslandScripts`]).
pub fn shell(options: LeptosOptions) -> impl IntoView {
    provide_context(options.clone());
    // Islands mode from the first byte: the browser never renders a page, only its islands (each
    // turns hydration on for itself), so what a page read is not serialized into the page for a
    // browser that would never read it. Leptos does this in the hydration scripts, which most
    // pages do not load and the rest load after their data was read.
    #[cfg(feature = "ssr")]
    if let Some(context) = Owner::current_shared_context() {
        context.set_is_hydrating(false);
    }
    view! {
        <!DOCTYPE html>
        <html lang="en">
            <head>
                <meta charset="utf-8"/>
                <meta name="viewport" content="width=device-width, initial-scale=1"/>
                <meta name="color-scheme" content="light"/>
                <AutoReload options/>
                <MetaTags/>
            </head>
            <body>
                <App/>
            </body>
        </html>
    }
}

/// The application: layout and routes.
#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();
    #[cfg(feature = "ssr")]
    set_content_security_policy();

    view! {
        <Stylesheet id="leptos" href="/pkg/offcycle.css"/>
        <Link rel="icon" href="/favicon.svg" type_="image/svg+xml"/>
        <Router>
            <Pages/>
        </Router>
    }
}

/// The routes. Inside the router so actions see errors that came back in the URL (no-JS).
#[component]
fn Pages() -> impl IntoView {
    // Refetched on every navigation, so sign-in and sign-out show at once in the header.
    let location = leptos_router::hooks::use_location();
    let user = Resource::new(move || location.pathname.get(), |_| whoami());
    provide_context(CurrentUser(user));
    view! {
            <Layout>
                <Routes fallback=pages::not_found::NotFound>
                    <Route path=path!("") view=pages::home::Home ssr=SsrMode::Async/>
                    <Route path=path!("/sign-in") view=pages::sign_in::SignInPage ssr=SsrMode::Async/>
                    <Route path=path!("/requests") view=pages::requests::MyRequests ssr=SsrMode::Async/>
                    <Route path=path!("/requests/new") view=pages::requests::NewRequest ssr=SsrMode::Async/>
                    <Route path=path!("/requests/:reference") view=pages::wizard::task_list::RequestHome ssr=SsrMode::Async/>
                    <Route path=path!("/requests/:reference/triage") view=pages::wizard::triage::TriagePage ssr=SsrMode::Async/>
                    <Route path=path!("/requests/:reference/regular") view=pages::wizard::triage::RegularChangePage ssr=SsrMode::Async/>
                    <Route path=path!("/requests/:reference/plan") view=pages::wizard::plan::PlanPage ssr=SsrMode::Async/>
                    <Route path=path!("/requests/:reference/plan/add") view=pages::wizard::plan_add::PlanAddPage ssr=SsrMode::Async/>
                    <Route path=path!("/requests/:reference/plan/step/:step") view=pages::wizard::plan::PlanStepPage ssr=SsrMode::Async/>
                    <Route path=path!("/requests/:reference/staging") view=pages::wizard::staging::StagingPage ssr=SsrMode::Async/>
                    <Route path=path!("/requests/:reference/form/:section") view=pages::wizard::form::FormSectionPage ssr=SsrMode::Async/>
                    <Route path=path!("/requests/:reference/check") view=pages::wizard::check::CheckPage ssr=SsrMode::Async/>
                    <Route path=path!("/requests/:reference/submitted") view=pages::wizard::check::SubmittedPage ssr=SsrMode::Async/>
                    <Route path=path!("/requests/:reference/review") view=pages::wizard::review::ReviewPage ssr=SsrMode::Async/>
                    <Route path=path!("/requests/:reference/production") view=pages::wizard::production::ProductionPage ssr=SsrMode::Async/>
                    <Route path=path!("/requests/:reference/history") view=pages::wizard::history::HistoryPage ssr=SsrMode::Async/>
                    <Route path=path!("/requests/:reference/audit") view=pages::wizard::history::AuditPage ssr=SsrMode::Async/>
                    <Route path=path!("/requests/:reference/comments") view=pages::wizard::comments::CommentsPage ssr=SsrMode::Async/>
                    <Route path=path!("/requests/:reference/decide") view=pages::decide::DecideSignedInPage ssr=SsrMode::Async/>
                    <Route path=path!("/decide/:token") view=pages::decide::DecideByLinkPage ssr=SsrMode::Async/>
                    <Route path=path!("/sign-off/:token") view=pages::sign_off_link::SignOffByLinkPage ssr=SsrMode::Async/>
                    <Route path=path!("/out-of-office") view=pages::absence::OutOfOfficePage ssr=SsrMode::Async/>
                    <Route path=path!("/hosting") view=pages::hosting::HostingQueue ssr=SsrMode::Async/>
                    <Route path=path!("/archive") view=pages::archive::ArchivePage ssr=SsrMode::Async/>
                    <Route path=path!("/calendar") view=pages::calendar::CalendarPage ssr=SsrMode::Async/>
                    <Route path=path!("/problems") view=pages::problems::ProblemsPage ssr=SsrMode::Async/>
                    <Route path=path!("/operations") view=pages::operations::OperationsPage ssr=SsrMode::Async/>
                    <Route path=path!("/dev/mail") view=pages::dev_mail::MailViewer ssr=SsrMode::Async/>
                    <Route path=path!("/admin/mail") view=pages::dev_mail::UndeliveredMail ssr=SsrMode::Async/>
                    <Route path=path!("/admin/people") view=pages::admin::AdminPeoplePage ssr=SsrMode::Async/>
                    <Route path=path!("/admin/webhooks") view=pages::admin::WebhooksPage ssr=SsrMode::Async/>
                    <Route path=path!("/account") view=pages::admin::AccountPage ssr=SsrMode::Async/>
                    <Route path=path!("/set-password/:token") view=pages::admin::SetPasswordPage ssr=SsrMode::Async/>
                </Routes>
            </Layout>
    }
}

/// Only this response's nonce may run scripts; the wasm may compile; nothing may frame us.
#[cfg(feature = "ssr")]
fn set_content_security_policy() {
    if let (Some(nonce), Some(res)) = (use_nonce(), use_context::<leptos_axum::ResponseOptions>()) {
        let form_action =
            api::ssr::provided_services().map(|s| s.form_action.clone()).unwrap_or_else(|| ports::form_action(None));
        let policy = format!(
            "default-src 'self'; script-src 'nonce-{nonce}' 'strict-dynamic' 'wasm-unsafe-eval'; \
             style-src 'self'; img-src 'self' data:; connect-src 'self'; font-src 'self'; \
             frame-ancestors 'none'; base-uri 'self'; {form_action}; object-src 'none'"
        );
        if let Ok(value) = http::HeaderValue::from_str(&policy) {
            res.insert_header(http::header::CONTENT_SECURITY_POLICY, value);
        }
    }
}

/// Browser entry point. Pages are rendered on the server only; on a page with an island, the
/// script Leptos puts in it (islands mode) calls this, then hydrates each `#[island]` it finds.
#[cfg(feature = "hydrate")]
#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    console_error_panic_hook::set_once();
    leptos::mount::hydrate_islands();
    // A marker the browser tests wait for before they interact.
    if let Some(body) = document().body() {
        let _ = body.set_attribute("data-hydrated", "true");
    }
}
