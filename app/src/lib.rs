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

/// The HTML document around the app (server side only).
pub fn shell(options: LeptosOptions) -> impl IntoView {
    view! {
        <!DOCTYPE html>
        <html lang="en">
            <head>
                <meta charset="utf-8"/>
                <meta name="viewport" content="width=device-width, initial-scale=1"/>
                <meta name="color-scheme" content="light"/>
                <AutoReload options=options.clone()/>
                <HydrationScripts options islands=true/>
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
                    <Route path=path!("/requests/:reference") view=fresh(pages::wizard::task_list::RequestHome) ssr=SsrMode::Async/>
                    <Route path=path!("/requests/:reference/triage") view=fresh(pages::wizard::triage::TriagePage) ssr=SsrMode::Async/>
                    <Route path=path!("/requests/:reference/regular") view=fresh(pages::wizard::triage::RegularChangePage) ssr=SsrMode::Async/>
                    <Route path=path!("/requests/:reference/plan") view=fresh(pages::wizard::plan::PlanPage) ssr=SsrMode::Async/>
                    <Route path=path!("/requests/:reference/plan/add") view=fresh(pages::wizard::plan_add::PlanAddPage) ssr=SsrMode::Async/>
                    <Route path=path!("/requests/:reference/plan/step/:step") view=fresh(pages::wizard::plan::PlanStepPage) ssr=SsrMode::Async/>
                    <Route path=path!("/requests/:reference/staging") view=fresh(pages::wizard::staging::StagingPage) ssr=SsrMode::Async/>
                    <Route path=path!("/requests/:reference/form/:section") view=fresh(pages::wizard::form::FormSectionPage) ssr=SsrMode::Async/>
                    <Route path=path!("/requests/:reference/check") view=fresh(pages::wizard::check::CheckPage) ssr=SsrMode::Async/>
                    <Route path=path!("/requests/:reference/submitted") view=fresh(pages::wizard::check::SubmittedPage) ssr=SsrMode::Async/>
                    <Route path=path!("/requests/:reference/review") view=fresh(pages::wizard::review::ReviewPage) ssr=SsrMode::Async/>
                    <Route path=path!("/requests/:reference/production") view=fresh(pages::wizard::production::ProductionPage) ssr=SsrMode::Async/>
                    <Route path=path!("/requests/:reference/history") view=fresh(pages::wizard::history::HistoryPage) ssr=SsrMode::Async/>
                    <Route path=path!("/requests/:reference/audit") view=fresh(pages::wizard::history::AuditPage) ssr=SsrMode::Async/>
                    <Route path=path!("/requests/:reference/comments") view=fresh(pages::wizard::comments::CommentsPage) ssr=SsrMode::Async/>
                    <Route path=path!("/requests/:reference/decide") view=fresh(pages::decide::DecideSignedInPage) ssr=SsrMode::Async/>
                    <Route path=path!("/decide/:token") view=fresh(pages::decide::DecideByLinkPage) ssr=SsrMode::Async/>
                    <Route path=path!("/sign-off/:token") view=fresh(pages::sign_off_link::SignOffByLinkPage) ssr=SsrMode::Async/>
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
                    <Route path=path!("/set-password/:token") view=fresh(pages::admin::SetPasswordPage) ssr=SsrMode::Async/>
                </Routes>
            </Layout>
    }
}

/// A page made anew whenever its route's parameters change. The router keeps a route's page
/// when only they change (`…/form/details` → `…/form/deployment`, one request → another, the
/// browser's Back button), and the browser would keep that page's inputs with what was typed
/// there: a hurried person would save one section's answers into the next.
fn fresh<P, V>(page: P) -> impl Fn() -> AnyView + Clone + Send + 'static
where
    P: Fn() -> V + Copy + Send + Sync + 'static,
    V: IntoView + 'static,
{
    move || {
        let params = leptos_router::hooks::use_params_map();
        view! { <For each=move || [params.get()] key=|p| p.clone() children=move |_| page()/> }.into_any()
    }
}

/// Only this response's nonce may run scripts; the wasm may compile; nothing may frame us.
#[cfg(feature = "ssr")]
fn set_content_security_policy() {
    if let (Some(nonce), Some(res)) = (use_nonce(), use_context::<leptos_axum::ResponseOptions>()) {
        let form_action =
            use_context::<ports::Services>().map(|s| s.form_action.clone()).unwrap_or_else(|| ports::form_action(None));
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

/// Browser entry point. Pages are rendered on the server only; the script Leptos puts in the
/// page (islands mode) calls this, then hydrates each `#[island]` it finds.
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
