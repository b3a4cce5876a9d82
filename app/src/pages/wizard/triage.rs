//! Step 0: is this really an emergency?

use super::{request_resource, with_request, BackToTasks, Caption};
use crate::api::wizard::AnswerTriage;
use crate::components::form::{ErrorSummary, Outcome, Radios};
use crate::domain::cr_form::{Choice, YesNo};
use crate::domain::triage::QUESTIONS;
use crate::domain::workflow::{ActionKind, TriageOutcome};
use crate::pages::page_title;
use leptos::prelude::*;
use leptos_meta::Title;

/// The triage questions, from the process document's step 0.
#[component]
pub fn TriagePage() -> impl IntoView {
    let action = ServerAction::<AnswerTriage>::new();
    let Outcome { errors, other, has_errors, .. } = Outcome::of(action);
    let resource = request_resource();
    with_request(resource, move |v| {
        let reference = v.summary.reference.clone();
        let answered = v.triage;
        let kept = move |field: &'static str, stored: Option<bool>| {
            Signal::derive(move || {
                errors
                    .with(|e| e.as_ref().and_then(|e| e.value_of(field).map(str::to_string)))
                    .or_else(|| stored.map(|yes| YesNo::from(yes).key().to_string()))
                    .unwrap_or_default()
            })
        };
        // Once triage is answered the rules take it no more: the page says what it decided.
        if !ActionKind::Triage.taken_in(v.state) {
            let outcome = answered.map(|a| a.outcome());
            let words = match outcome {
                Some(TriageOutcome::OutageFastPath) => "Production is down: this request takes the outage fast path.",
                Some(TriageOutcome::Emergency) => "This is an emergency change.",
                Some(TriageOutcome::RegularChange) => "This is not an emergency: it is planned as a regular change.",
                None => "Triage is done.",
            };
            return view! {
                <Title text=page_title("Triage", false)/>
                <BackToTasks reference=reference.clone()/>
                <Caption view=v.clone()/>
                <h1 class="heading-l">"Triage"</h1>
                <p>{words}</p>
            }
            .into_any();
        }
        view! {
            <crate::pages::PageTitle title="Is this an emergency?" has_errors=has_errors/>
            <BackToTasks reference=reference.clone()/>
            <div class="grid-two-thirds">
                <ErrorSummary errors=errors other=other/>
                <Caption view=v.clone()/>
                <h1 class="heading-l">"Is this an emergency?"</h1>
                <p>
                    "A change outside the regular maintenance window needs a reason. If none of these apply, the hosting team is told and the change is planned for the coming month."
                </p>
                <ActionForm action=action>
                    <input type="hidden" name="reference" value=reference.clone()/>
                    {QUESTIONS
                        .iter()
                        .map(|q| view! {
                            <Radios
                                name=q.key
                                legend=q.ask
                                hint=q.hint
                                options=YesNo::options()
                                inline=true
                                value=kept(q.key, answered.map(|a| q.of(a)))
                                errors=errors
                            />
                        })
                        .collect_view()}
                    <button type="submit" class="button">"Continue"</button>
                </ActionForm>
            </div>
        }
        .into_any()
    })
}

/// Confirmation for a request that triage made a regular change.
#[component]
pub fn RegularChangePage() -> impl IntoView {
    let resource = request_resource();
    with_request(resource, move |v| {
        let window = v.queued_window_words.clone();
        view! {
            <Title text=page_title("Planned as a regular change", false)/>
            <div class="grid-two-thirds">
                <div class="panel">
                    <h1 class="panel__title">"Planned as a regular change"</h1>
                    <div class="panel__body">"Your reference is " <strong>{v.summary.reference.clone()}</strong></div>
                </div>
                <h2 class="heading-m">"What happens next"</h2>
                <p>"This change is not an emergency, so it does not need the emergency process."</p>
                <p>"We have told the hosting team. They will plan it for the coming month's maintenance window."</p>
                {match window {
                    Some(w) => view! { <p>{format!("The next window with {} is ", crate::domain::calendar::regular_notice_in_words())} <strong>{w}</strong> "."</p> }.into_any(),
                    None => view! { <p>"No maintenance window is scheduled yet; the hosting team will tell you when it is."</p> }.into_any(),
                }}
                <p><a href="/requests">"Back to your requests"</a></p>
            </div>
        }
    })
}
