//! The start page.

use crate::components::layout::{your_requests_link, CurrentUser, NoRoleYet};
use crate::domain::access::Area;
use leptos::prelude::*;
use leptos_meta::Title;

/// Start page: what Offcycle is for, and the way in.
#[component]
pub fn Home() -> impl IntoView {
    let user = expect_context::<CurrentUser>().0;
    view! {
        <Title text=super::page_title("Emergency change requests", false)/>
        <h1 class="heading-xl">"Request an emergency change"</h1>
        <p class="lead">
            "Use this service when a system needs a change in production outside its regular maintenance window."
        </p>
        <p>"You will:"</p>
        <ul class="list list--bullet">
            <li>"check the change really is an emergency"</li>
            <li>"write a step-by-step operation plan and validate it in staging"</li>
            <li>"complete the emergency change request form for the hosting team and the CORs"</li>
        </ul>
        <Transition fallback=|| ()>
            {move || Suspend::new(async move {
                match user.await {
                    Ok(Some(u)) if !u.role.has_access() => view! { <NoRoleYet/> }.into_any(),
                    // CORs, the ISSO and archivists do not start requests: no button they could not use.
                    Ok(Some(u)) => view! {
                        {Area::StartRequest.allows(u.role).then(|| view! {
                            <a href="/requests/new" role="button" draggable="false" class="button button--start">
                                "Start an emergency change request"
                            </a>
                        })}
                        <p>{your_requests_link(u.role)}</p>
                    }
                        .into_any(),
                    _ => view! {
                        <a href="/sign-in" role="button" draggable="false" class="button button--start">
                            "Sign in to start"
                        </a>
                    }
                        .into_any(),
                }
            })}
        </Transition>
    }
}
