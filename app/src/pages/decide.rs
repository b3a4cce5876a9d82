//! A COR's decision: `/decide/:token` from an emailed link (no sign-in: the link is the
//! credential), and `/requests/:reference/decide` signed in. Opening either changes nothing;
//! only the form's button records a decision.

use crate::api::decide::{decision_by_link, decision_for_cor, Decide, DecideByLink};
use crate::api::types::DecisionView;
use crate::components::form::{kept_value, ErrorSummary, Outcome, Radios, TextArea};
use crate::domain::cr_form::Choice;
use crate::domain::forms::FormErrors;
use crate::error::AppError;
use crate::pages::PageTitle;
use leptos::prelude::*;

/// What is being decided: the request, the plan version, and where the quorum stands.
#[component]
fn DecisionSummary(v: DecisionView) -> impl IntoView {
    let f = &v.form;
    let row = |k: &'static str, val: String| {
        view! {
            <div class="summary-list__row">
                <dt class="summary-list__key">{k}</dt>
                <dd class="summary-list__value preserve">{if val.trim().is_empty() { "Not given".to_string() } else { val }}</dd>
            </div>
        }
    };
    view! {
        <span class="caption">{format!("{} · {}", v.summary.reference, v.summary.system)}</span>
        <h1 class="heading-l">{format!("Decide: {}", v.summary.title)}</h1>
        <div class="notification" role="region" aria-label="Where approval stands">
            <p><strong>"Approval: "</strong>{v.quorum.clone()}</p>
            {(!v.decisions.is_empty()).then(|| view! {
                <ul class="list">{v.decisions.iter().map(|d| view! { <li>{d.clone()}</li> }).collect_view()}</ul>
            })}
        </div>
        <crate::components::schedule::ScheduleConflicts conflicts=v.conflicts.clone()/>
        <dl class="summary-list">
            {row("What the change does", f.description.clone())}
            {row("Why it cannot wait", f.justification.clone())}
            {row("Impact", f.impact.clone())}
            {row("Risk", f.risk_level.map_or("", Choice::words).to_string())}
            {row("Security-related", if v.security_related { "Yes: the ISSO is copied".into() } else { "No".into() })}
            {row("Deployment", f.deployment_summary())}
            {row("Rollback plan", f.rollback_plan.clone())}
            {row("Planned start (Eastern)", format!("{} {}", f.planned_date, f.planned_time))}
        </dl>
        <h2 class="heading-m">{format!("Operation plan (fingerprint {})", v.plan_hash)}</h2>
        <crate::components::plan::StepList steps=v.plan.steps.clone()/>
    }
}

/// The decision's two fields and its button.
fn decision_fields(errors: Signal<Option<FormErrors>>) -> impl IntoView {
    view! {
        <Radios
            name="verdict"
            legend="Your decision"
            options=vec![("approve", "Approve"), ("reject", "Reject")]
            value=kept_value(errors, "verdict", String::new)
            errors=errors
        />
        <TextArea
            name="reason"
            label="Reason for rejecting"
            hint=Some("Needed if you reject. The hosting and dev teams see it.")
            rows=3
            value=kept_value(errors, "reason", String::new)
            errors=errors
        />
        <button type="submit" class="button">"Record my decision"</button>
    }
}

fn closed_or<F: IntoView>(v: &DecisionView, form: impl FnOnce() -> F) -> AnyView {
    match &v.closed_reason {
        Some(why) => {
            view! { <div class="notification notification--important" role="status"><p>{why.clone()}</p></div> }
                .into_any()
        }
        None => form().into_any(),
    }
}

/// What an emailed link's page shows when it cannot load: a link that is not one Offcycle sent
/// (with `what_next`), or the problem in words.
pub fn link_problem(e: AppError, what_next: impl IntoView + 'static) -> AnyView {
    match e {
        AppError::NotFound => view! {
            <PageTitle title="This link does not work" has_errors=Signal::derive(|| false)/>
            <h1 class="heading-l">"This link does not work"</h1>
            <p>"The link is not one Offcycle sent, or it was copied incompletely. Nothing has been recorded."</p>
            {what_next}
        }
        .into_any(),
        e => view! {
            <PageTitle title="Sorry, there is a problem" has_errors=Signal::derive(|| false)/>
            <h1 class="heading-l">"Sorry, there is a problem"</h1>
            <p>{e.to_string()}</p>
        }
        .into_any(),
    }
}

fn problem_page(e: AppError) -> AnyView {
    link_problem(
        e,
        view! {
            <p>"Use the newest message about the request, or sign in to decide from your list of requests."</p>
            <p><a href="/sign-in?next=/requests">"Sign in"</a></p>
        },
    )
}

/// `/decide/:token`.
#[component]
pub fn DecideByLinkPage() -> impl IntoView {
    let token = super::use_param("token");
    let action = ServerAction::<DecideByLink>::new();
    let Outcome { errors, other, has_errors, .. } = Outcome::of(action);
    let resource = Resource::new(move || token.get(), decision_by_link);
    super::loaded(resource, problem_page, move |v| {
        let t = token.get_untracked();
        view! {
            <PageTitle title=format!("Decide on {}", v.summary.reference) has_errors=has_errors/>
            <ErrorSummary errors=errors other=other/>
            <p class="hint">{format!("For {}. This link is yours alone.", v.cor_name)}</p>
            <DecisionSummary v=v.clone()/>
            {closed_or(&v, move || view! {
                <ActionForm action=action>
                    <input type="hidden" name="token" value=t/>
                    {decision_fields(errors)}
                </ActionForm>
            })}
        }
    })
}

/// `/requests/:reference/decide`.
#[component]
pub fn DecideSignedInPage() -> impl IntoView {
    let reference = super::wizard::use_reference();
    let action = ServerAction::<Decide>::new();
    let Outcome { errors, other, has_errors, .. } = Outcome::of(action);
    let resource = Resource::new(move || reference.get(), decision_for_cor);
    super::loaded(resource, problem_page, move |v| {
        let r = v.summary.reference.clone();
        view! {
            <PageTitle title=format!("Decide on {r}") has_errors=has_errors/>
            <a class="back-link" href="/requests">"Back to your requests"</a>
            <ErrorSummary errors=errors other=other/>
            <DecisionSummary v=v.clone()/>
            {closed_or(&v, move || view! {
                <ActionForm action=action>
                    <input type="hidden" name="reference" value=r/>
                    {decision_fields(errors)}
                </ActionForm>
            })}
        }
    })
}
