//! The page frame: skip link, header with who is signed in, main content, footer.

use crate::api::auth::SignOut;
use crate::api::types::SessionUser;
use crate::domain::access::{role_may_take, Area, YourRequests};
use crate::domain::workflow::ActionKind;
use crate::error::AppError;
use leptos::prelude::*;
use leptos_router::components::A;

/// Who is signed in, shared by every page; refetched on navigation.
#[derive(Clone, Copy)]
pub struct CurrentUser(pub Resource<Result<Option<SessionUser>, AppError>>);

/// The frame around every page.
#[component]
pub fn Layout(children: Children) -> impl IntoView {
    let sign_out = ServerAction::<SignOut>::new();
    let user = expect_context::<CurrentUser>().0;
    view! {
        <a href="#main-content" class="skip-link">"Skip to main content"</a>
        <header class="header">
            <div class="header__inner">
                <A href="/" attr:class="header__service">"Offcycle"</A>
                <span class="header__tagline">"Emergency change requests"</span>
                <Transition fallback=|| ()>
                    {move || Suspend::new(async move {
                        match user.await {
                            Ok(Some(u)) => {
                                view! {
                                    <nav class="header__nav" aria-label="Account">
                                        {Area::HostingQueue.allows(u.role).then(|| view! { <A href="/hosting">"Hosting queue"</A> })}
                                        {Area::ProblemLog.allows(u.role).then(|| view! { <A href="/problems">"Problems"</A> })}
                                        // Those who write plans read the library; those who keep it, too.
                                        {(role_may_take(ActionKind::EditPlan, u.role) || Area::OperationLibrary.allows(u.role))
                                            .then(|| view! { <A href="/operations">"Operations"</A> })}
                                        {(Area::OwnAbsence.allows(u.role) || Area::AnyCorAbsence.allows(u.role))
                                            .then(|| view! { <A href="/out-of-office">"Out of office"</A> })}
                                        {Area::Administration.allows(u.role)
                                            .then(|| view! { <A href="/admin/people">"People"</A><A href="/admin/webhooks">"Webhooks"</A><A href="/admin/mail">"Undelivered mail"</A> })}
                                        {Area::ArchiveSearch.allows(u.role).then(|| view! { <A href="/archive">"Archive"</A> })}
                                        {u.role.has_access().then(|| view! { <A href="/calendar">"Calendar"</A> })}
                                        {(YourRequests::of(u.role) != YourRequests::Nothing)
                                            .then(|| view! { <A href="/requests">"My requests"</A> })}
                                        <span class="header__who">
                                            <A href="/account">{u.display_name.clone()}</A>
                                            <span class="header__role">" (" {u.role.label()} ")"</span>
                                        </span>
                                        <ActionForm action=sign_out attr:class="inline-form">
                                            <button type="submit" class="link-button">"Sign out"</button>
                                        </ActionForm>
                                    </nav>
                                }
                                    .into_any()
                            }
                            _ => view! {
                                <nav class="header__nav" aria-label="Account">
                                    <A href="/sign-in">"Sign in"</A>
                                </nav>
                            }
                                .into_any(),
                        }
                    })}
                </Transition>
            </div>
        </header>
        <div class="width-container">
            <main class="main" id="main-content" tabindex="-1">
                {children()}
            </main>
        </div>
        <footer class="footer">
            <div class="width-container">"Offcycle — emergency change requests, from triage to archive."</div>
        </footer>
    }
}

/// Someone signed in whom no role lets in yet, and how to get one. The server sends them to the
/// start page, which says this; a page reached in the browser without the server says the same.
#[component]
pub fn NoRoleYet() -> impl IntoView {
    view! {
        <div class="notification" role="status">
            <h2 class="heading-m">"You are signed in, but you have no role yet"</h2>
            <p>
                "None of your groups at your identity provider gives an Offcycle role. "
                "Ask an admin to give you one (or to add you to the right group), then sign in again."
            </p>
        </div>
    }
}

/// The way to someone's own list: their requests, or the archive for those who have none.
pub fn your_requests_link(role: crate::domain::roles::Role) -> impl IntoView {
    match YourRequests::of(role) {
        YourRequests::Started | YourRequests::Taken | YourRequests::Decided | YourRequests::SecurityRelated => {
            view! { <a href="/requests">"See your requests"</a> }.into_any()
        }
        YourRequests::Nothing => view! { <a href="/archive">"Search the archive"</a> }.into_any(),
    }
}
