//! Step 1: the step-by-step operation plan. Without JavaScript every change is a plain form
//! (one step per form; move up and down with buttons); with it, the same forms, without reloads.

use super::{request_resource, with_request, BackToTasks, Caption};
use crate::api::wizard::{ChangePlanStep, CompletePlan, SavePlanStep};
use crate::components::form::{kept_value, ConflictPanel, ErrorSummary, Outcome, TextArea, TextField};
use crate::domain::forms::{FormFields, PlanStepForm};
use crate::domain::workflow::ActionKind;
use leptos::prelude::*;

/// The plan: its steps, with ways to change, reorder and remove them.
#[component]
pub fn PlanPage() -> impl IntoView {
    let change = ServerAction::<ChangePlanStep>::new();
    let complete = ServerAction::<CompletePlan>::new();
    // Field errors belong to the step page: this one shows the others, and what others changed.
    let Outcome { other, changes, .. } = Outcome::of(change).or(Outcome::of(complete));
    let resource = request_resource();
    with_request(resource, move |v| {
        let reference = v.summary.reference.clone();
        let can_edit = v.can(ActionKind::EditPlan);
        let can_complete = v.can(ActionKind::CompletePlan);
        let count = v.plan.steps.len();
        let version = v.plan_version.to_string();
        let minutes: u32 = v.plan.estimated_minutes();
        let no_field_errors = Signal::derive(|| None);
        view! {
            <crate::pages::PageTitle title="Operation plan" has_errors=Signal::derive(move || other.with(|o| o.is_some()))/>
            <BackToTasks reference=reference.clone()/>
            <ErrorSummary errors=no_field_errors other=other/>
            <Caption view=v.clone()/>
            <h1 class="heading-l">"Operation plan"</h1>
            <p>
                "Write every step the hosting team will take in production, exactly as they should do it. Use the same steps in staging so they are proven before production."
            </p>
            <ConflictPanel changes=changes/>
            <p class="hint">
                {format!("Version {} · {count} steps · about {minutes} minutes · fingerprint {} · ", v.plan_version, v.plan_hash)}
                <a href=format!("/requests/{reference}/history")>"History of changes"</a>
            </p>
            {if count == 0 {
                view! { <p>"There are no steps yet."</p> }.into_any()
            } else {
                view! {
                    <ol class="plan-steps">
                        {v.plan.steps.iter().enumerate().map(|(i, s)| {
                            let n = i + 1;
                            let change_href = format!("/requests/{reference}/plan/step/{}", s.id);
                            let reference = reference.clone();
                            let version = version.clone();
                            let button = move |command: &'static str, label: String, class: &'static str| {
                                let (reference, version) = (reference.clone(), version.clone());
                                view! {
                                    <ActionForm action=change attr:class="inline-form">
                                        <input type="hidden" name="reference" value=reference/>
                                        <input type="hidden" name="base_version" value=version/>
                                        <input type="hidden" name="index" value=n.to_string()/>
                                        <input type="hidden" name="command" value=command/>
                                        <button type="submit" class=class>{label}</button>
                                    </ActionForm>
                                }
                            };
                            view! {
                                <li class="plan-step">
                                    <h2 class="heading-s">{format!("Step {n}: {}", s.action)}</h2>
                                    <dl class="summary-list summary-list--compact">
                                        <div class="summary-list__row"><dt class="summary-list__key">"Commands"</dt><dd class="summary-list__value"><pre class="code">{s.commands.clone()}</pre></dd></div>
                                        <div class="summary-list__row"><dt class="summary-list__key">"Owner"</dt><dd class="summary-list__value">{s.owner.clone()}</dd></div>
                                        <div class="summary-list__row"><dt class="summary-list__key">"Expected result"</dt><dd class="summary-list__value preserve">{s.expected_result.clone()}</dd></div>
                                        <div class="summary-list__row"><dt class="summary-list__key">"Verify"</dt><dd class="summary-list__value preserve">{s.verification.clone()}</dd></div>
                                        <div class="summary-list__row"><dt class="summary-list__key">"Roll back"</dt><dd class="summary-list__value preserve">{s.rollback.clone()}</dd></div>
                                        <div class="summary-list__row"><dt class="summary-list__key">"Estimate"</dt><dd class="summary-list__value">{format!("{} minutes", s.estimated_minutes)}</dd></div>
                                        {s.source.as_ref().map(|source| view! {
                                            <div class="summary-list__row"><dt class="summary-list__key">"From"</dt><dd class="summary-list__value">{source.words()}</dd></div>
                                        })}
                                    </dl>
                                    {can_edit.then(|| view! {
                                        <div class="button-row">
                                            <a class="button button--secondary" href=change_href.clone()>
                                                "Change" <span class="visually-hidden">{format!(" step {n}")}</span>
                                            </a>
                                            {(n > 1).then(|| button("up", format!("Move step {n} up"), "button button--secondary"))}
                                            {(n < count).then(|| button("down", format!("Move step {n} down"), "button button--secondary"))}
                                            {button("delete", format!("Delete step {n}"), "button button--warning")}
                                        </div>
                                    })}
                                </li>
                            }
                        }).collect_view()}
                    </ol>
                }.into_any()
            }}
            {can_edit.then(|| view! {
                <p class="button-row">
                    <a class="button button--secondary" href=format!("/requests/{reference}/plan/step/new")>"Add a step"</a>
                    <a class="button button--secondary" href=format!("/requests/{reference}/plan/add")>"Add steps from an operation, an earlier request or pasted"</a>
                </p>
            })}
            {if can_complete {
                view! {
                    <ActionForm action=complete>
                        <input type="hidden" name="reference" value=reference.clone()/>
                        <button type="submit" class="button">"The plan is complete: continue to staging"</button>
                    </ActionForm>
                }.into_any()
            } else {
                view! { <p><a href=format!("/requests/{reference}")>"Back to the task list"</a></p> }.into_any()
            }}
        }
    })
}

/// One step's form: `/plan/step/new` or `/plan/step/:n`.
#[component]
pub fn PlanStepPage() -> impl IntoView {
    let action = ServerAction::<SavePlanStep>::new();
    let Outcome { errors, other, changes, has_errors } = Outcome::of(action);
    let step_param = crate::pages::use_param("step");
    let resource = request_resource();
    with_request(resource, move |v| {
        let reference = v.summary.reference.clone();
        let param = step_param.get();
        // Steps are addressed by their id, which survives reordering by others.
        let found: Option<(usize, &crate::domain::plan::PlanStep)> =
            param.parse::<u32>().ok().and_then(|id| v.plan.steps.iter().enumerate().find(|(_, s)| s.id == id));
        let in_conflict = errors.with_untracked(|e| e.as_ref().is_some_and(|e| e.value_of("step_id").is_some()));
        if param != "new" && found.is_none() && !in_conflict {
            return view! { <crate::pages::not_found::NotFound/> }.into_any();
        }
        let stored = found.map(|(_, s)| PlanStepForm::from_step(s)).unwrap_or_default();
        let heading = match found {
            Some((i, _)) => format!("Change step {}", i + 1),
            None => format!("Add step {}", v.plan.steps.len() + 1),
        };
        let step_id = kept_value(errors, "step_id", {
            let id = found.map(|(_, s)| s.id.to_string()).unwrap_or_default();
            move || id.clone()
        });
        let field = move |name: &'static str| {
            let stored = stored.clone();
            kept_value(errors, name, move || {
                stored.values().into_iter().find(|(k, _)| k == name).map(|(_, v)| v).unwrap_or_default()
            })
        };
        let title = heading.clone();
        view! {
            <crate::pages::PageTitle title=&title has_errors=has_errors/>
            <a class="back-link" href=format!("/requests/{reference}/plan")>"Back to the plan"</a>
            <div class="grid-two-thirds">
                <ErrorSummary errors=errors other=other/>
                <Caption view=v.clone()/>
                <h1 class="heading-l">{heading}</h1>
                <ConflictPanel changes=changes/>
                <ActionForm action=action>
                    <input type="hidden" name="reference" value=reference.clone()/>
                    <input type="hidden" name="base_version" value=v.plan_version.to_string()/>
                    <input type="hidden" name="step_id" value=step_id/>
                    <TextField name="action" input_name="step[action]" label="What this step does" hint="A few words, for example “Deploy the patched image”." value=field("action") errors=errors/>
                    <TextArea name="commands" input_name="step[commands]" label="Commands or instructions" hint="Exactly what to run or do, so anyone on the hosting team can repeat it." code=true rows=6 value=field("commands") errors=errors/>
                    <TextField name="owner" input_name="step[owner]" label="Who does it" hint="A team or a person, for example “Hosting” or “Dana (dev)”." value=field("owner") errors=errors/>
                    <TextArea name="expected_result" input_name="step[expected_result]" label="Expected result" rows=3 value=field("expected_result") errors=errors/>
                    <TextArea name="verification" input_name="step[verification]" label="How to verify it worked" rows=3 value=field("verification") errors=errors/>
                    <TextArea name="rollback" input_name="step[rollback]" label="How to roll back this step" rows=3 value=field("rollback") errors=errors/>
                    <TextField name="estimated_minutes" input_name="step[estimated_minutes]" label="Estimated time in minutes" inputmode="numeric" value=field("estimated_minutes") errors=errors/>
                    <button type="submit" class="button">"Save step"</button>
                </ActionForm>
            </div>
        }
        .into_any()
    })
}
