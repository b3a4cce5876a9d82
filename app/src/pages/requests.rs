//! My requests, starting a request, and one request's page.

use crate::api::requests::{my_requests, StartRequest};
use crate::api::types::RequestList;
use crate::components::form::{kept_value, ErrorSummary, Outcome, TextField};
use crate::domain::access::{Area, YourRequests};
use leptos::prelude::*;
use leptos_meta::Title;

/// What the dev team does next, in a few words.
pub fn next_action(state: crate::domain::workflow::State) -> &'static str {
    use crate::domain::workflow::State as S;
    match state {
        S::Triage => "Answer the triage questions",
        S::Planning => "Write the operation plan",
        S::StagingValidation => "Validate in staging and sign off",
        S::CrForm => "Complete the form and submit",
        S::ReturnedToDev => "Address the hosting team's comments",
        S::HostingReview => "None: hosting is reviewing",
        S::AwaitingApproval => "None: waiting for the CORs",
        S::Approved => "None: waiting for production",
        S::Implementing => "Stand by to validate",
        S::ValidatingInProduction => "Validate in production",
        S::RegularChange | S::Rejected | S::Completed | S::RolledBack | S::Withdrawn => "None",
    }
}

/// The signed-in person's requests.
#[component]
pub fn MyRequests() -> impl IntoView {
    let requests = Resource::new(|| (), |_| my_requests());
    let waiting = Resource::new(|| (), |_| crate::api::decide::awaiting_my_decision());
    let user = expect_context::<crate::components::layout::CurrentUser>().0;
    view! {
        <Title text=super::page_title("Your requests", false)/>
        <h1 class="heading-l">"Your requests"</h1>
        <Suspense fallback=|| ()>
            {move || Suspend::new(async move {
                let list = waiting.await.unwrap_or_default();
                (!list.is_empty()).then(|| view! {
                    <h2 class="heading-m">"Waiting for your decision"</h2>
                    <ul class="list">
                        {list.into_iter().map(|r| view! {
                            <li><a href=format!("/requests/{}/decide", r.reference)>{format!("{}: {}", r.reference, r.title)}</a>{format!(" ({})", r.system)}</li>
                        }).collect_view()}
                    </ul>
                })
            })}
        </Suspense>
        <Transition fallback=|| ()>
            {move || Suspend::new(async move {
                matches!(user.await, Ok(Some(u)) if Area::StartRequest.allows(u.role)).then(|| view! {
                    <a href="/requests/new" role="button" draggable="false" class="button">"Start an emergency change request"</a>
                })
            })}
        </Transition>
        <Suspense fallback=|| view! { <p>"Loading your requests…"</p> }>
            {move || Suspend::new(async move {
                match requests.await {
                    Ok(list) => request_table(list).into_any(),
                    Err(e) => view! { <p class="error-message">{e.to_string()}</p> }.into_any(),
                }
            })}
        </Suspense>
    }
}

/// The list itself: those one started, with their next step; for hosting, those they took on;
/// for a COR, those they decided; for the ISSO, the security-related requests they are copied on.
fn request_table(RequestList { kind, requests }: RequestList) -> impl IntoView {
    let started = kind == YourRequests::Started;
    let (caption, empty) = match kind {
        YourRequests::Started => ("Your requests, newest first", "You have not started any requests yet."),
        YourRequests::Taken => (
            "Requests assigned to you or started by you, newest first",
            "No request is assigned to you and you have not started any. The hosting queue lists what is waiting.",
        ),
        YourRequests::Decided => ("Requests you decided, newest first", "You have not decided any requests yet."),
        YourRequests::SecurityRelated => {
            ("Security-related requests, newest first", "No request is marked security-related yet.")
        }
        YourRequests::Nothing => {
            return view! {
                <p>"Your role does not start or decide requests. "<a href="/archive">"Find a request in the archive"</a>"."</p>
            }
            .into_any()
        }
    };
    if requests.is_empty() {
        return view! { <p>{empty}</p> }.into_any();
    }
    view! {
        {(kind == YourRequests::SecurityRelated)
            .then(|| view! { <p>"You are copied on every message about a security-related request."</p> })}
        <table class="table">
            <caption class="visually-hidden">{caption}</caption>
            <thead>
                <tr>
                    <th scope="col">"Reference"</th>
                    <th scope="col">"Title"</th>
                    <th scope="col">"System"</th>
                    <th scope="col">"State"</th>
                    {started.then(|| view! { <th scope="col">"Your next step"</th> })}
                </tr>
            </thead>
            <tbody>
                {requests
                    .into_iter()
                    .map(|r| {
                        let href = format!("/requests/{}", r.reference);
                        view! {
                            <tr>
                                <td><a href=href>{r.reference.clone()}</a></td>
                                <td>{r.title}</td>
                                <td>{r.system}</td>
                                <td><span class="tag">{r.state.label()}</span></td>
                                {started.then(|| view! { <td>{next_action(r.state)}</td> })}
                            </tr>
                        }
                    })
                    .collect_view()}
            </tbody>
        </table>
    }
    .into_any()
}

/// `/requests/new`: the form for those the rules let start a request; anyone else (a link
/// followed, a bookmark) is told so before typing anything, not after.
#[component]
pub fn NewRequest() -> impl IntoView {
    let user = expect_context::<crate::components::layout::CurrentUser>().0;
    view! {
        <Transition fallback=|| ()>
            {move || Suspend::new(async move {
                match user.await {
                    Ok(Some(u)) if !Area::StartRequest.allows(u.role) => view! { <MayNotStart role=u.role/> }.into_any(),
                    _ => view! { <WhatNeedsToChange/> }.into_any(),
                }
            })}
        </Transition>
    }
}

/// Why this person is not offered the form, with a 403 status on the server.
#[component]
fn MayNotStart(role: crate::domain::roles::Role) -> impl IntoView {
    use crate::domain::roles::Role;
    #[cfg(feature = "ssr")]
    {
        if let Some(res) = use_context::<leptos_axum::ResponseOptions>() {
            res.set_status(http::StatusCode::FORBIDDEN);
        }
    }
    let starters: Vec<&str> = Role::ALL.iter().filter(|r| Area::StartRequest.allows(**r)).map(|r| r.label()).collect();
    view! {
        <crate::pages::PageTitle title="You cannot start a request"/>
        <div class="grid-two-thirds">
            <h1 class="heading-l">"You cannot start a request"</h1>
            {if role.has_access() {
                view! { <p>{format!("Your role ({}) does not start emergency change requests.", role.label())}</p> }
                    .into_any()
            } else {
                view! { <crate::components::layout::NoRoleYet/> }.into_any()
            }}
            <p>{format!("They are started by: {}.", starters.join(", "))}</p>
            <p>{crate::components::layout::your_requests_link(role)}</p>
        </div>
    }
}

/// "What needs to change?": the first question of a new request.
#[component]
fn WhatNeedsToChange() -> impl IntoView {
    let action = ServerAction::<StartRequest>::new();
    let Outcome { errors, other, has_errors, .. } = Outcome::of(action);
    view! {
        <crate::pages::PageTitle title="What needs to change?" has_errors=has_errors/>
        <div class="grid-two-thirds">
            <ErrorSummary errors=errors other=other/>
            <span class="caption">"New emergency change request"</span>
            <h1 class="heading-l">"What needs to change?"</h1>
            <ActionForm action=action>
                <TextField
                    name="title"
                    label="Title"
                    hint="Say what the change does, for example “Patch OpenSSL on the grants portal”."
                    value=kept_value(errors, "title", String::new)
                    errors=errors
                />
                <TextField
                    name="system"
                    label="Affected system"
                    hint="The application or service that needs the change."
                    value=kept_value(errors, "system", String::new)
                    errors=errors
                />
                <button type="submit" class="button">"Save and continue"</button>
            </ActionForm>
        </div>
    }
}
