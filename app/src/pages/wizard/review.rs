//! The hosting team's review of one request (step 4).

use super::{request_resource, with_request};
use crate::api::queue::AssignEngineer;
use crate::api::review::{RecordRiskReview, ReturnToDev, SubmitToCors};
use crate::components::form::{Checkboxes, ErrorSummary, Outcome, Radios, TextArea};
use crate::domain::cr_form::{Choice, YesNo};
use crate::domain::review::RISKS;
use crate::domain::workflow::{ActionKind, State};
use crate::pages::PageTitle;
use leptos::prelude::*;

/// `/requests/:reference/review`.
#[component]
pub fn ReviewPage() -> impl IntoView {
    let assign = ServerAction::<AssignEngineer>::new();
    let review = ServerAction::<RecordRiskReview>::new();
    let back = ServerAction::<ReturnToDev>::new();
    let submit = ServerAction::<SubmitToCors>::new();
    let (reviewed, returned) = (Outcome::of(review), Outcome::of(back));
    let (review_errors, back_errors) = (reviewed.errors, returned.errors);
    let Outcome { errors, other, has_errors, .. } =
        [returned, Outcome::of(assign), Outcome::of(submit)].into_iter().fold(reviewed, Outcome::or);
    let resource = request_resource();
    with_request(resource, move |v| {
        let r = v.summary.reference.clone();
        let (r1, r2, r3, r4) = (r.clone(), r.clone(), r.clone(), r.clone());
        let stored = v.risk_review.clone().unwrap_or_default();
        let kept = move |field: &'static str, stored: String| {
            Signal::derive(move || {
                review_errors
                    .with(|e| e.as_ref().and_then(|e| e.value_of(field).map(str::to_string)))
                    .unwrap_or_else(|| stored.clone())
            })
        };
        let risks = {
            let list = stored.risks.clone();
            Signal::derive(move || {
                review_errors
                    .with(|e| {
                        e.as_ref().and_then(|e| e.value_of("risks").map(|v| v.split(',').map(str::to_string).collect()))
                    })
                    .unwrap_or_else(|| list.clone())
            })
        };
        let comments = Signal::derive(move || {
            back_errors
                .with(|e| e.as_ref().and_then(|e| e.value_of("comments").map(str::to_string)))
                .unwrap_or_default()
        });
        let preview = v.cors_preview.clone();
        view! {
            <PageTitle title=format!("Review {}", v.summary.reference) has_errors=has_errors/>
            <a class="back-link" href="/hosting">"Back to the hosting queue"</a>
            <ErrorSummary errors=errors other=other/>
            <span class="caption">{format!("{} · {}", v.summary.reference, v.summary.title)}</span>
            <h1 class="heading-l">"Hosting review"</h1>
            {v.fast_path.then(|| view! {
                <div class="notification notification--important" role="region" aria-label="Outage fast path">
                    <p><strong>"Outage fast path."</strong> " Production is down; staging sign-off is recorded afterwards."</p>
                </div>
            })}
            <dl class="summary-list">
                <div class="summary-list__row"><dt class="summary-list__key">"State"</dt><dd class="summary-list__value"><span class="tag">{v.state.label()}</span></dd></div>
                <div class="summary-list__row"><dt class="summary-list__key">"Security-related"</dt><dd class="summary-list__value">{if v.security_related { "Yes: the ISSO is copied on every message" } else { "No" }}</dd></div>
                <div class="summary-list__row"><dt class="summary-list__key">"Hosting engineer"</dt><dd class="summary-list__value">{v.hosting_engineer()}</dd></div>
                <div class="summary-list__row"><dt class="summary-list__key">"Plan"</dt><dd class="summary-list__value">{format!("{} steps, version {} ({})", v.plan.steps.len(), v.plan_version, v.plan_hash)}</dd></div>
            </dl>
            <crate::components::schedule::ScheduleConflicts conflicts=v.conflicts.clone()/>
            <super::RequestLinks view=v.clone()/>
            {(v.can(ActionKind::EditPlan) || v.can(ActionKind::UpdateForm)).then(|| view! {
                <p class="button-row">
                    {v.can(ActionKind::EditPlan).then(|| view! { <a class="button button--secondary" href=format!("/requests/{r}/plan")>"Edit the plan"</a> })}
                    {v.can(ActionKind::UpdateForm).then(|| view! { <a class="button button--secondary" href=format!("/requests/{r}/form/details")>"Edit the CR form"</a> })}
                </p>
            })}
            {(v.can(ActionKind::AssignEngineer) && !v.assigned_to_me).then(|| view! {
                <ActionForm action=assign>
                    <input type="hidden" name="reference" value=r1.clone()/>
                    <input type="hidden" name="engineer" value="me"/>
                    <button type="submit" class="button button--secondary">"Assign to me"</button>
                </ActionForm>
            })}
            {v.can(ActionKind::RecordRiskReview).then(|| view! {
                <h2 class="heading-m">"Security and performance risk"</h2>
                <ActionForm action=review>
                    <input type="hidden" name="reference" value=r2.clone()/>
                    <Checkboxes name="risks" legend="Which risks does this change carry?" hint="Tick each that applies." options=RISKS prefix="risk_" checked=risks errors=review_errors/>
                    <TextArea name="notes" label="How the risks are handled" hint="Needed when you ticked any risk." rows=3 value=kept("notes", stored.notes.clone()) errors=review_errors/>
                    <Radios name="security_related" legend="Is the change security-related?" hint="Yes copies the ISSO on every message about it." options=YesNo::options() inline=true value=kept("security_related", stored.security_related.map_or("", Choice::key).to_string()) errors=review_errors/>
                    <TextArea name="reason" label="Reason for your conclusion" rows=2 value=kept("reason", stored.reason.clone()) errors=review_errors/>
                    <button type="submit" class="button button--secondary">"Record the risk review"</button>
                </ActionForm>
            })}
            {v.can(ActionKind::ReturnToDev).then(|| view! {
                <h2 class="heading-m">"Return to the dev team"</h2>
                <ActionForm action=back>
                    <input type="hidden" name="reference" value=r3.clone()/>
                    <TextArea name="comments" label="What the dev team needs to change" rows=3 value=comments errors=back_errors/>
                    <button type="submit" class="button button--secondary">"Return to the dev team"</button>
                </ActionForm>
            })}
            {v.can(ActionKind::SubmitToCors).then(|| view! {
                <h2 class="heading-m">"Submit to the CORs"</h2>
                <p>"These messages will be sent. The plan version is frozen: editing it afterwards asks the CORs again."</p>
                {preview.iter().map(|(title, notices)| view! {
                    <table class="table">
                        <caption class="table__caption">{title.clone()}</caption>
                        <thead><tr><th scope="col">"Who"</th><th scope="col">"How"</th><th scope="col">"Why"</th></tr></thead>
                        <tbody>
                            {notices.iter().map(|n| view! { <tr><td>{n.who.clone()}</td><td>{n.copy.clone()}</td><td>{n.reason.clone()}</td></tr> }).collect_view()}
                        </tbody>
                    </table>
                }).collect_view()}
                <ActionForm action=submit>
                    <input type="hidden" name="reference" value=r4.clone()/>
                    <button type="submit" class="button">"Submit to the CORs"</button>
                </ActionForm>
            })}
            {(v.state == State::AwaitingApproval).then(|| view! {
                <div class="notification" role="status"><p>"Submitted to the CORs. Waiting for their decisions."</p></div>
            })}
            {(!v.decisions.is_empty()).then(|| view! {
                <h2 class="heading-m">"Decisions"</h2>
                <ul class="list">{v.decisions.iter().map(|d| view! { <li class="preserve">{d.clone()}</li> }).collect_view()}</ul>
            })}
            {(v.state == State::Rejected).then(|| view! {
                <p>"A COR rejected the request. Change the plan or the form to address the reason (the request then comes back here to submit again), or return it to the dev team."</p>
            })}
        }
    })
}
