//! Check your answers, submit for hosting review, and the confirmation page.

use super::{request_resource, with_request, BackToTasks};
use crate::api::wizard::SubmitForReview;
use crate::components::form::{ErrorSummary, Outcome};
use crate::domain::cr_form::{Choice, YesNo, CHECKLIST};
use crate::domain::workflow::ActionKind;
use crate::pages::page_title;
use leptos::prelude::*;
use leptos_meta::Title;

fn row(key: &'static str, value: String, change: Option<String>) -> impl IntoView {
    let empty = value.trim().is_empty();
    view! {
        <div class="summary-list__row">
            <dt class="summary-list__key">{key}</dt>
            <dd class="summary-list__value preserve">{if empty { "Not given".to_string() } else { value }}</dd>
            {change.map(|href| view! {
                <dd class="summary-list__actions">
                    <a href=href>"Change" <span class="visually-hidden">{format!(" {}", key.to_lowercase())}</span></a>
                </dd>
            })}
        </div>
    }
}

/// The whole request on one page, each answer with a Change link, and the submit button.
#[component]
pub fn CheckPage() -> impl IntoView {
    let submit = ServerAction::<SubmitForReview>::new();
    let other = Outcome::of(submit).other;
    let no_fields = Signal::derive(|| None);
    let resource = request_resource();
    with_request(resource, move |v| {
        let r = v.summary.reference.clone();
        let editable = v.state.before_review();
        let link = move |path: &str| editable.then(|| format!("/requests/{r}/{path}"));
        let f = v.form.clone();
        let checklist: Vec<String> = CHECKLIST
            .iter()
            .map(|(k, label)| format!("{} {label}", if f.checklist.iter().any(|c| c == k) { "✓" } else { "✗" }))
            .collect();
        let can_submit = v.can(ActionKind::SubmitForReview);
        let heading = if editable { "Check your answers before submitting" } else { "The emergency change request" };
        let reference = v.summary.reference.clone();
        view! {
            <crate::pages::PageTitle title=heading has_errors=Signal::derive(move || other.with(|o| o.is_some()))/>
            <BackToTasks reference=reference.clone()/>
            <ErrorSummary errors=no_fields other=other/>
            <span class="caption">{v.summary.reference.clone()}</span>
            <h1 class="heading-l">{heading}</h1>

            <h2 class="heading-m">"Triage"</h2>
            <dl class="summary-list">
                {row("Decision", match v.triage.map(|t| t.outcome()) {
                    Some(crate::domain::workflow::TriageOutcome::OutageFastPath) => "Production is down: outage fast path".into(),
                    Some(crate::domain::workflow::TriageOutcome::Emergency) => "Emergency".into(),
                    Some(crate::domain::workflow::TriageOutcome::RegularChange) => "Regular change".into(),
                    None => String::new(),
                }, None)}
            </dl>

            <h2 class="heading-m">"Operation plan"</h2>
            <dl class="summary-list">
                {row("Steps", v.plan.steps.iter().enumerate().map(|(i, s)| format!("{}. {} ({} min)", i + 1, s.action, s.estimated_minutes)).collect::<Vec<_>>().join("\n"), link("plan"))}
                {row("Fingerprint", format!("version {} · {}", v.plan_version, v.plan_hash), None)}
            </dl>

            <h2 class="heading-m">"Staging"</h2>
            <dl class="summary-list">
                {row("What was changed", v.staging_notes.clone(), link("staging"))}
                {row("Sign-off", v.sign_offs.iter().map(|s| format!("{}: {} — {}", s.role.label(), s.signer, s.evidence)).chain(crate::api::types::SignOffView::several_capacities(&v.sign_offs)).collect::<Vec<_>>().join("\n"), link("staging"))}
                {row("Evidence files", v.attachments.iter().map(|a| format!("{} ({} bytes, SHA-256 {})", a.file_name, a.size_bytes, a.sha256)).collect::<Vec<_>>().join("\n"), link("staging"))}
            </dl>

            <h2 class="heading-m">"Emergency change request form"</h2>
            <dl class="summary-list">
                {row("Title", v.summary.title.clone(), link("form/details"))}
                {row("Systems and services", f.services.clone(), link("form/details"))}
                {row("Environment", f.environment.clone(), link("form/details"))}
                {row("Artifact and version", f.artifact.clone(), link("form/details"))}
                {row("Pipeline run", f.pipeline_url.clone(), link("form/details"))}
                {row("What the change does", f.description.clone(), link("form/details"))}
                {row("Justification", f.justification.clone(), link("form/justification"))}
                {row("Incident reference", f.incident_reference.clone(), link("form/justification"))}
                {row("Security-related", match f.security_related { Some(YesNo::Yes) => format!("Yes: {}", f.security_reason), Some(YesNo::No) => "No".into(), None => String::new() }, link("form/justification"))}
                {row("Impact", f.impact.clone(), link("form/justification"))}
                {row("Risk", f.risk_level.map_or("", Choice::words).to_string(), link("form/justification"))}
                {row("Deployment strategy", f.deployment_summary(), link("form/deployment"))}
                {row("Rollback plan", f.rollback_plan.clone(), link("form/deployment"))}
                {row("Requested start", if f.planned_date.is_empty() { String::new() } else { format!("{} {} Eastern, {} minutes", f.planned_date, f.planned_time, f.duration_minutes) }, link("form/schedule"))}
                {row("Reason to go outside the window", f.override_reason.clone(), link("form/schedule"))}
                {row("Pre-deployment checklist", checklist.join("\n"), link("form/checklist"))}
                {row("On call", f.on_call.clone(), link("form/checklist"))}
                {row("Affected teams", f.affected_teams.clone(), link("form/checklist"))}
                {row("Stakeholders", f.stakeholders.clone(), link("form/checklist"))}
            </dl>

            {if can_submit {
                view! {
                    <h2 class="heading-m">"Now submit the request"</h2>
                    <p>"By submitting, you confirm the plan was validated in staging and the answers are correct to the best of your knowledge."</p>
                    <ActionForm action=submit>
                        <input type="hidden" name="reference" value=reference.clone()/>
                        <button type="submit" class="button">"Submit emergency change request"</button>
                    </ActionForm>
                }.into_any()
            } else if editable {
                view! { <p>"Complete every section of the task list before submitting."</p> }.into_any()
            } else {
                view! { <p>{format!("State: {}", v.state.label())}</p> }.into_any()
            }}
        }
    })
}

/// After submitting: the reference, what happens next, and who is told and why.
#[component]
pub fn SubmittedPage() -> impl IntoView {
    let resource = request_resource();
    with_request(resource, move |v| {
        view! {
            <Title text=page_title("Emergency change request submitted", false)/>
            <div class="grid-two-thirds">
                <div class="panel">
                    <h1 class="panel__title">"Emergency change request submitted"</h1>
                    <div class="panel__body">"Your reference is " <br/> <strong>{v.summary.reference.clone()}</strong></div>
                </div>
                <h2 class="heading-m">"What happens next"</h2>
                <ol class="list list--number">
                    <li>"The hosting team checks the request for security and performance risk, and may adjust the plan with you."</li>
                    <li>"They submit it to the CORs for approval, copying your team and the affected teams."</li>
                    <li>"Once approved, the hosting team applies the plan in production while your team stands by to validate it."</li>
                </ol>
                <h2 class="heading-m">"Who we have told"</h2>
                <table class="table">
                    <caption class="visually-hidden">"Who was notified and why"</caption>
                    <thead><tr><th scope="col">"Who"</th><th scope="col">"How"</th><th scope="col">"Why"</th></tr></thead>
                    <tbody>
                        {v.submit_notices.iter().map(|n| view! {
                            <tr><td>{n.who.clone()}</td><td>{n.copy.clone()}</td><td>{n.reason.clone()}</td></tr>
                        }).collect_view()}
                    </tbody>
                </table>
                <p><a href=format!("/requests/{}", v.summary.reference)>"See the request"</a></p>
                <p><a href="/requests">"Back to your requests"</a></p>
            </div>
        }
    })
}
