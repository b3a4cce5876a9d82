//! `/requests/:reference/production` (step 5): the approved plan executed step by step, the
//! rollback checklist when a step fails, the hand-over and the dev team's validation, and holds.
//! Everyone who may read the request sees progress; with JavaScript it follows the work by itself
//! (the [`FollowProgress`] island).

use super::use_reference;
use crate::api::production::{
    get_production, ConfirmRollback, FinishProduction, LiftHold, LogProblem, RaiseHold, RecordPostReview, RecordStep,
    StartProduction, ValidateProduction,
};
use crate::api::types::ProductionView;
use crate::components::follow::FollowProgress;
use crate::components::form::{kept_value, Checkboxes, ErrorSummary, Outcome, TextArea};
use crate::components::scripts::IslandScripts;
use crate::domain::execution::{StepProgress, StepStatus, VERIFICATION};
use crate::domain::forms::FormErrors;
use crate::domain::workflow::{ActionKind, State};
use crate::error::AppError;
use crate::pages::PageTitle;
use leptos::prelude::*;

fn time(t: Option<chrono::DateTime<chrono::Utc>>) -> String {
    t.map(|t| crate::domain::calendar::eastern(t).format("%-I:%M %p").to_string()).unwrap_or_default()
}

fn status_tag(s: Option<StepStatus>, rollback: bool) -> (&'static str, &'static str) {
    match (s, rollback) {
        (None, _) => ("tag tag--grey", "Not started"),
        (Some(StepStatus::Started), _) => ("tag tag--blue", "In progress"),
        (Some(StepStatus::Done), true) => ("tag tag--green", "Rolled back"),
        (Some(StepStatus::Done), false) => ("tag tag--green", "Done"),
        (Some(StepStatus::Failed), _) => ("tag tag--red", "Failed"),
    }
}

fn step_rows(items: Vec<StepProgress>, rollback: bool) -> impl IntoView {
    items
        .into_iter()
        .map(|s| {
            let (class, label) = status_tag(s.status, rollback);
            view! {
                <tr>
                    <td>{s.step}</td>
                    <td>{s.action.clone()}</td>
                    <td><strong class=class>{label}</strong></td>
                    <td>{if rollback { String::new() } else { format!("{} min", s.estimate) }}</td>
                    <td>{format!("{}{}", time(s.started_at), s.finished_at.map(|f| format!("–{}", time(Some(f)))).unwrap_or_default())}</td>
                    <td>{s.by.clone().unwrap_or_default()}</td>
                    <td>{s.notes.join(" · ")}</td>
                </tr>
            }
        })
        .collect_view()
}

fn kept(errors: Signal<Option<FormErrors>>, field: &'static str) -> Signal<String> {
    kept_value(errors, field, String::new)
}

/// A form that marks `s` (or, with `rollback`, its rollback item) with `status`: a button, and
/// for a finished or failed step a note in that mark's own field.
fn mark_form(
    mark: ServerAction<RecordStep>,
    reference: String,
    errors: Signal<Option<FormErrors>>,
    s: &StepProgress,
    rollback: bool,
    status: StepStatus,
) -> impl IntoView {
    let (note, button, warning) = match (rollback, status) {
        (true, _) => (Some("What you did to undo it (optional)"), format!("Step {} rolled back", s.step), false),
        (false, StepStatus::Started) => (None, format!("Start step {}: {}", s.step, s.action), false),
        (false, StepStatus::Done) => (Some("What you saw (optional)"), format!("Step {} done", s.step), false),
        (false, StepStatus::Failed) => (Some("What went wrong"), format!("Step {} failed", s.step), true),
    };
    let (field, step) = (status.note_field(rollback), s.step.to_string());
    view! {
        <ActionForm action=mark>
            <input type="hidden" name="reference" value=reference/>
            <input type="hidden" name="step" value=step/>
            {rollback.then(|| view! { <input type="hidden" name="rollback" value="true"/> })}
            <input type="hidden" name="status" value=status.as_str()/>
            {note.map(|label| view! {
                <TextArea name=field input_name="note" label=label rows=2 value=kept(errors, field) errors=errors/>
            })}
            <button type="submit" class="button" class:button--warning=warning>{button}</button>
        </ActionForm>
    }
}

/// `/requests/:reference/production`.
#[component]
pub fn ProductionPage() -> impl IntoView {
    let reference = use_reference();
    let start = ServerAction::<StartProduction>::new();
    let mark = ServerAction::<RecordStep>::new();
    let finish = ServerAction::<FinishProduction>::new();
    let rollback = ServerAction::<ConfirmRollback>::new();
    let validate = ServerAction::<ValidateProduction>::new();
    let hold = ServerAction::<RaiseHold>::new();
    let lift = ServerAction::<LiftHold>::new();
    let problem = ServerAction::<LogProblem>::new();
    let review = ServerAction::<RecordPostReview>::new();
    let Outcome { errors, other, has_errors, .. } = [
        Outcome::of(mark),
        Outcome::of(finish),
        Outcome::of(rollback),
        Outcome::of(validate),
        Outcome::of(hold),
        Outcome::of(lift),
        Outcome::of(problem),
        Outcome::of(review),
    ]
    .into_iter()
    .fold(Outcome::of(start), Outcome::or);
    // Rendered by the server only; with JavaScript, the FollowProgress island keeps it current.
    let resource = Resource::new(move || reference.get(), get_production);
    view! {
        <Transition fallback=|| view! { <p>"Loading…"</p> }>
            {move || Suspend::new(async move {
                match resource.await {
                    Ok(v) => page(v, errors, other, has_errors, (start, mark, finish, rollback), (validate, hold, lift), (problem, review)).into_any(),
                    Err(AppError::NotFound) => view! { <crate::pages::not_found::NotFound/> }.into_any(),
                    Err(e) => view! { <PageTitle title="Sorry, there is a problem"/><h1 class="heading-l">"Sorry, there is a problem"</h1><p>{e.to_string()}</p> }.into_any(),
                }
            })}
        </Transition>
    }
}

type WorkActions = (
    ServerAction<StartProduction>,
    ServerAction<RecordStep>,
    ServerAction<FinishProduction>,
    ServerAction<ConfirmRollback>,
);

fn page(
    v: ProductionView,
    errors: Signal<Option<FormErrors>>,
    other: Signal<Option<String>>,
    has_errors: Signal<bool>,
    (start, mark, finish, rollback): WorkActions,
    (validate, hold, lift): (ServerAction<ValidateProduction>, ServerAction<RaiseHold>, ServerAction<LiftHold>),
    (problem, review): (ServerAction<LogProblem>, ServerAction<RecordPostReview>),
) -> impl IntoView {
    let checked = {
        let stored = v.post_review.clone().map(|r| r.checks).unwrap_or_default();
        Signal::derive(move || {
            errors
                .with(|e| {
                    e.as_ref().and_then(|e| e.value_of("verify").map(|v| v.split(',').map(str::to_string).collect()))
                })
                .unwrap_or_else(|| stored.clone())
        })
    };
    let lessons = {
        let stored = v.post_review.clone().map(|r| r.lessons).unwrap_or_default();
        Signal::derive(move || {
            errors
                .with(|e| e.as_ref().and_then(|e| e.value_of("lessons").map(str::to_string)))
                .unwrap_or_else(|| stored.clone())
        })
    };
    let r = v.summary.reference.clone();
    let state = Some(v.summary.state);
    let can = |k: ActionKind| v.available.contains(&k);
    let p = v.progress.clone();
    let current = p.steps.iter().find(|s| s.status == Some(StepStatus::Started)).cloned();
    let next = p.steps.iter().find(|s| s.status.is_none()).cloned().filter(|_| current.is_none() && !p.failed);
    let next_rollback = p.rollback.iter().find(|s| s.status != Some(StepStatus::Done)).cloned();
    let stored = StoredValue::new(r.clone());
    let hidden = move || view! { <input type="hidden" name="reference" value=stored.get_value()/> };
    view! {
        <PageTitle title=format!("Production: {r}") has_errors=has_errors/>
        <a class="back-link" href=format!("/requests/{r}")>"Back to the request"</a>
        <ErrorSummary errors=errors other=other/>
        <span class="caption">{format!("{} · {}", v.summary.reference, v.summary.title)}</span>
        <h1 class="heading-l">"Production"</h1>
        <dl class="summary-list">
            <div class="summary-list__row"><dt class="summary-list__key">"State"</dt><dd class="summary-list__value"><span class="tag">{state.map(|s| s.label()).unwrap_or("")}</span></dd></div>
            <div class="summary-list__row"><dt class="summary-list__key">"Hosting engineer"</dt><dd class="summary-list__value">{v.assigned_name.clone().unwrap_or_else(|| "Not assigned".into())}</dd></div>
            <div class="summary-list__row"><dt class="summary-list__key">"Time"</dt><dd class="summary-list__value">{match (v.started_at, v.elapsed_minutes) {
                (Some(s), Some(m)) => format!("Started {}; {m} of {} estimated minutes", time(Some(s)), p.estimate_minutes),
                _ => format!("Not started; {} minutes estimated", p.estimate_minutes),
            }}</dd></div>
            {v.override_reason.clone().map(|o| view! { <div class="summary-list__row"><dt class="summary-list__key">"Outside the window because"</dt><dd class="summary-list__value">{o}</dd></div> })}
            {v.closing_note.clone().zip(state.and_then(State::closing_note_label)).map(|(n, label)| view! {
                <div class="summary-list__row"><dt class="summary-list__key">{label}</dt><dd class="summary-list__value">{n}</dd></div>
            })}
        </dl>
        {v.live.then(|| view! {
            <p class="hint">"With JavaScript on, this page shows new progress by itself within a few seconds. "<a href=format!("/requests/{}/production", stored.get_value())>"Refresh now"</a></p>
            <IslandScripts/>
            <FollowProgress reference=stored.get_value() version=v.version/>
        })}
        {v.hold.clone().map(|h| view! {
            <div class="warning-text" role="region" aria-label="On hold"><p><strong>"On hold: "</strong>{h}" Production work cannot start or continue until the hold is lifted."</p></div>
        })}

        {can(ActionKind::StartImplementation).then(|| view! {
            <h2 class="heading-m">"Start production work"</h2>
            {(!v.window_warnings.is_empty()).then(|| view! {
                <div class="warning-text"><ul>{v.window_warnings.iter().map(|w| view! { <li>{w.clone()}</li> }).collect_view()}</ul></div>
            })}
            <ActionForm action=start>
                {hidden()}
                {(!v.window_warnings.is_empty()).then(|| view! {
                    <TextArea name="override_reason" label="Why it cannot wait for the production window" rows=3 value=kept(errors, "override_reason") errors=errors/>
                })}
                <button type="submit" class="button">"Start production work"</button>
            </ActionForm>
        })}

        {(!p.steps.is_empty()).then(|| view! {
            <div class="table-wrap">
            <table class="table">
                <caption class="heading-m table__caption">"Plan steps"</caption>
                <thead><tr><th scope="col">"#"</th><th scope="col">"Step"</th><th scope="col">"Status"</th><th scope="col">"Estimate"</th><th scope="col">"Time (Eastern)"</th><th scope="col">"By"</th><th scope="col">"Notes"</th></tr></thead>
                <tbody>{step_rows(p.steps.clone(), false)}</tbody>
            </table>
            </div>
        })}

        {can(ActionKind::RecordStep).then(|| view! {
            {next.clone().map(|s| mark_form(mark, stored.get_value(), errors, &s, false, StepStatus::Started))}
            {current.clone().map(|s| view! {
                <h2 class="heading-m">{format!("Step {} in progress: {}", s.step, s.action)}</h2>
                <div class="two-forms">
                    {mark_form(mark, stored.get_value(), errors, &s, false, StepStatus::Done)}
                    {mark_form(mark, stored.get_value(), errors, &s, false, StepStatus::Failed)}
                </div>
            })}
        })}

        {(!p.rollback.is_empty()).then(|| view! {
            <div class="table-wrap">
            <table class="table">
                <caption class="heading-m table__caption">"Rollback checklist (newest step first)"</caption>
                <thead><tr><th scope="col">"Step"</th><th scope="col">"How to undo it"</th><th scope="col">"Status"</th><th scope="col"><span class="visually-hidden">"Estimate"</span></th><th scope="col">"Time (Eastern)"</th><th scope="col">"By"</th><th scope="col">"Notes"</th></tr></thead>
                <tbody>{step_rows(p.rollback.clone(), true)}</tbody>
            </table>
            </div>
        })}
        {(can(ActionKind::RecordStep) && p.failed).then(|| next_rollback.clone().map(|s| mark_form(mark, stored.get_value(), errors, &s, true, StepStatus::Done)))}
        {(can(ActionKind::AbortAndRollBack) && p.may_end_as_rolled_back).then(|| view! {
            <h2 class="heading-m">"End as rolled back"</h2>
            <ActionForm action=rollback>
                {hidden()}
                <TextArea name="reason" label="Why the change was rolled back" rows=3 value=kept(errors, "reason") errors=errors/>
                <button type="submit" class="button button--warning">"Confirm the rollback"</button>
            </ActionForm>
        })}
        {(can(ActionKind::FinishImplementation) && p.all_done).then(|| view! {
            <ActionForm action=finish>
                {hidden()}
                <button type="submit" class="button">"Hand over to the dev team to validate"</button>
            </ActionForm>
        })}
        {can(ActionKind::ValidateInProduction).then(|| view! {
            <h2 class="heading-m">"Validate in production"</h2>
            <ActionForm action=validate>
                {hidden()}
                <TextArea name="note" label="What you checked in production" hint="The stakeholders and affected teams are told it is done, with this note." rows=3 value=kept(errors, "note") errors=errors/>
                <button type="submit" class="button">"Confirm it works in production"</button>
            </ActionForm>
        })}
        {state.filter(|s| s.is_final()).map(|s| view! { <p class="lede">{match s {
            State::Completed => "Completed: validated in production, stakeholders told, the final archive copy filed.",
            State::RolledBack => "Rolled back: stakeholders told, the final archive copy filed.",
            _ => "Closed.",
        }}</p> })}

        {(!v.problems.is_empty()).then(|| view! {
            <h2 class="heading-m">"Problems met"</h2>
            <ul class="list list--bullet">{v.problems.iter().map(|p| view! {
                <li>{format!("{} ({}, {})", p.text, p.by, time(Some(p.at)))}</li>
            }).collect_view()}</ul>
        })}
        {can(ActionKind::LogProblem).then(|| view! {
            <details class="details">
                <summary class="details__summary">"Log a problem"</summary>
                <ActionForm action=problem>
                    {hidden()}
                    <TextArea name="problem" input_name="text" label="What happened, and its effect" hint="It is kept with this request and in the hosting team's problem log." rows=3 value=kept(errors, "problem") errors=errors/>
                    <button type="submit" class="button button--secondary">"Log the problem"</button>
                </ActionForm>
            </details>
        })}
        {can(ActionKind::RecordPostReview).then(|| view! {
            <h2 class="heading-m">"Post-deployment review"</h2>
            <ActionForm action=review>
                {hidden()}
                <Checkboxes name="verify" legend="What was verified after the change?" options=VERIFICATION prefix="verify_" checked=checked errors=errors/>
                <TextArea name="lessons" label="Lessons learned" hint="What to keep, and what to change next time." rows=4 value=lessons errors=errors/>
                <button type="submit" class="button">{if v.post_review.is_some() { "Update the review" } else { "Record the review" }}</button>
            </ActionForm>
        })}

        {can(ActionKind::RaiseHold).then(|| view! {
            <details class="details">
                <summary class="details__summary">"Raise a hold"</summary>
                <ActionForm action=hold>
                    {hidden()}
                    <TextArea name="hold_reason" input_name="reason" label="What is blocking the change" rows=2 value=kept(errors, "hold_reason") errors=errors/>
                    <button type="submit" class="button button--secondary">"Raise the hold"</button>
                </ActionForm>
            </details>
        })}
        {can(ActionKind::LiftHold).then(|| view! {
            <ActionForm action=lift>
                {hidden()}
                <button type="submit" class="button button--secondary">"Lift the hold"</button>
            </ActionForm>
        })}
    }
}
