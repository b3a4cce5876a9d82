//! `/sign-off/:token`: someone the dev team asked by email signs off staging in one capacity.
//! No sign-in: the link is the credential. Opening it changes nothing; only the button signs.

use crate::api::sign_off_link::{sign_off_link, SignOffByLink};
use crate::api::types::{SignOffLinkView, SignOffView};
use crate::components::form::{kept_value, ErrorSummary, Outcome, TextArea, TextField};
use crate::error::AppError;
use crate::pages::PageTitle;
use leptos::prelude::*;

/// What they are asked to check: the plan, what was changed in staging, the evidence so far.
#[component]
fn WhatToCheck(v: SignOffLinkView) -> impl IntoView {
    view! {
        <h2 class="heading-m">"What was changed in staging"</h2>
        <p class="preserve">{if v.staging_notes.trim().is_empty() { "Nothing recorded yet.".to_string() } else { v.staging_notes.clone() }}</p>
        <h2 class="heading-m">"The operation plan"</h2>
        <crate::components::plan::StepList steps=v.plan.steps.clone()/>
        {(!v.attachments.is_empty()).then(|| view! {
            <h2 class="heading-m">"Evidence files"</h2>
            <ul class="list">
                {v.attachments.iter().map(|a| view! {
                    <li>{format!("{} ({} KB, added by {})", a.file_name, (a.size_bytes + 1023) / 1024, a.uploaded_by)}</li>
                }).collect_view()}
            </ul>
        })}
        <h2 class="heading-m">"Sign-offs so far"</h2>
        {if v.sign_offs.is_empty() {
            view! { <p>"None yet."</p> }.into_any()
        } else {
            view! {
                <ul class="list">
                    {v.sign_offs.iter().map(|s| view! {
                        <li>{format!("{}: {}. {}.", s.role.label(), s.signer, SignOffView::how(s))}</li>
                    }).collect_view()}
                </ul>
            }.into_any()
        }}
    }
}

fn problem_page(e: AppError) -> AnyView {
    super::decide::link_problem(
        e,
        view! { <p>"Use the newest message you were sent, or ask the dev team to send a new link."</p> },
    )
}

/// `/sign-off/:token`.
#[component]
pub fn SignOffByLinkPage() -> impl IntoView {
    let token = super::use_param("token");
    let action = ServerAction::<SignOffByLink>::new();
    let Outcome { errors, other, has_errors, .. } = Outcome::of(action);
    let resource = Resource::new(move || token.get(), sign_off_link);
    super::loaded(resource, problem_page, move |v| {
        let t = token.get_untracked();
        let role = v.role.label();
        view! {
            <PageTitle title=format!("Sign off {} as {role}", v.summary.reference) has_errors=has_errors/>
            <ErrorSummary errors=errors other=other/>
            <span class="caption">{format!("{} · {}", v.summary.reference, v.summary.system)}</span>
            <h1 class="heading-l">{format!("Sign off as {role}: {}", v.summary.title)}</h1>
            <p>{format!("For {}. The dev team asks you to check this emergency change in staging and sign off as {role}. This link is yours alone.", v.name)}</p>
            {match v.closed_reason.clone() {
                Some(why) => view! {
                    <div class="notification notification--important" role="status"><p>{why}</p></div>
                }.into_any(),
                None => ().into_any(),
            }}
            <WhatToCheck v=v.clone()/>
            {v.closed_reason.is_none().then(|| view! {
                <h2 class="heading-m">{format!("Sign off as {role}")}</h2>
                <ActionForm action=action>
                    <input type="hidden" name="token" value=t/>
                    <TextArea name="evidence" label="Evidence" hint="What you checked: a note, or a link to the test run or screenshots." rows=3 value=kept_value(errors, "evidence", String::new) errors=errors/>
                    <TextField name="name" label="Your full name" hint="Typing your name signs the sign-off; it is recorded with it." autocomplete="name" value=kept_value(errors, "name", String::new) errors=errors/>
                    <button type="submit" class="button">{format!("Sign off as {role}")}</button>
                </ActionForm>
            })}
        }
    })
}
