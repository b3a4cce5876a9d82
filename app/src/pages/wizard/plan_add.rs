//! `/requests/:reference/plan/add`: add steps to the plan from a documented operation, from an
//! earlier request, or pasted in bulk. Each way is a plain GET form that shows the steps as a
//! preview (nothing is saved); only "Add these steps" changes the plan.

use super::{request_resource, with_request, Caption};
use crate::api::operations::{documented_operations, preview_plan_steps, AddPlanSteps};
use crate::components::form::{kept_value, select_field, ErrorSummary, Outcome, TextArea, TextField};
use crate::domain::forms::FormErrors;
use crate::domain::plan::PlanStep;
use crate::pages::PageTitle;
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

/// What the address asks to preview.
#[derive(Clone, Debug, Default, PartialEq)]
struct Asked {
    from: String,
    operation: String,
    copy: String,
    text: String,
}

/// The steps to add, as a table: what each does, who, how long, and where it comes from.
fn preview_table(steps: &[PlanStep]) -> impl IntoView {
    view! {
        <table class="table">
            <caption class="table__caption">{format!("{} steps to add", steps.len())}</caption>
            <thead><tr>
                <th scope="col">"Step"</th><th scope="col">"Commands"</th><th scope="col">"Owner"</th>
                <th scope="col">"Minutes"</th><th scope="col">"From"</th>
            </tr></thead>
            <tbody>
                {steps.iter().map(|s| view! {
                    <tr>
                        <th scope="row">{s.action.clone()}</th>
                        <td><pre class="code">{s.commands.clone()}</pre></td>
                        <td>{s.owner.clone()}</td>
                        <td>{s.estimated_minutes.to_string()}</td>
                        <td>{s.source.as_ref().map(|s| s.words()).unwrap_or_default()}</td>
                    </tr>
                }).collect_view()}
            </tbody>
        </table>
        {steps.iter().any(|s| !s.is_complete()).then(|| view! {
            <p class="hint">"Some steps are missing details: complete them on the plan before moving on to staging."</p>
        })}
    }
}

/// `/requests/:reference/plan/add`.
#[component]
pub fn PlanAddPage() -> impl IntoView {
    let query = use_query_map();
    let asked = Signal::derive(move || {
        query.with(|q| Asked {
            from: q.get("from").unwrap_or_default(),
            operation: q.get("operation").unwrap_or_default(),
            copy: q.get("copy").unwrap_or_default(),
            text: q.get("text").unwrap_or_default(),
        })
    });
    let add = ServerAction::<AddPlanSteps>::new();
    let added = Outcome::of(add);
    let library = Resource::new(|| (), |_| documented_operations());
    let preview = Resource::new(
        move || (super::use_reference().get(), asked.get()),
        |(reference, a)| async move {
            if a.from.is_empty() {
                return Ok(None);
            }
            preview_plan_steps(reference, a.from, a.operation, a.copy, a.text).await.map(Some)
        },
    );
    let resource = request_resource();
    with_request(resource, move |v| {
        let reference = v.summary.reference.clone();
        let here = format!("/requests/{reference}/plan/add");
        view! {
            <Suspense fallback=|| view! { <p>"Loading…"</p> }>
                {
                    let (reference, here, v) = (reference.clone(), here.clone(), v.clone());
                    let Outcome { errors: add_errors, other, .. } = added;
                    move || {
                        let (reference, here, v) = (reference.clone(), here.clone(), v.clone());
                        Suspend::new(async move {
                            let operations = library.await.unwrap_or_default();
                            let shown = preview.await;
                            let preview_errors: Option<FormErrors> = match &shown {
                                Err(crate::error::AppError::Invalid(e)) => Some(e.clone()),
                                _ => None,
                            };
                            let errors = Signal::derive(move || add_errors.get().or_else(|| preview_errors.clone()));
                            let has_errors = Signal::derive(move || errors.with(|e| e.is_some()) || other.with(|o| o.is_some()));
                            let a = asked.get_untracked();
                            let steps = shown.as_ref().ok().cloned().flatten();
                            let kept = move |name: &'static str, typed: String| kept_value(errors, name, move || typed.clone());
                            let options: Vec<(String, String)> = std::iter::once((String::new(), "Choose an operation".to_string()))
                                .chain(operations.iter().map(|o| (o.id.to_string(), format!("{} (version {}, {} steps)", o.name, o.version, o.steps.len()))))
                                .collect();
                            view! {
                                <PageTitle title="Add steps to the plan" has_errors=has_errors/>
                                <a class="back-link" href=format!("/requests/{reference}/plan")>"Back to the plan"</a>
                                <ErrorSummary errors=errors other=other/>
                                <Caption view=v.clone()/>
                                <h1 class="heading-l">"Add steps to the plan"</h1>
                                {steps.map(|steps| {
                                    let a = a.clone();
                                    view! {
                                        <div class="card" role="region" aria-label="Steps to add">
                                            <h2 class="heading-m">"Check the steps before adding them"</h2>
                                            {preview_table(&steps)}
                                            <ActionForm action=add>
                                                <input type="hidden" name="reference" value=reference.clone()/>
                                                <input type="hidden" name="from" value=a.from/>
                                                <input type="hidden" name="operation" value=a.operation/>
                                                <input type="hidden" name="copy" value=a.copy/>
                                                <input type="hidden" name="text" value=a.text/>
                                                <button type="submit" class="button">{format!("Add these {} steps to the plan", steps.len())}</button>
                                            </ActionForm>
                                        </div>
                                    }
                                })}
                                <h2 class="heading-m">"From a documented operation"</h2>
                                {if operations.is_empty() {
                                    view! { <p>"The hosting team has not documented any operations yet."</p> }.into_any()
                                } else {
                                    view! {
                                        <form method="get" action=here.clone()>
                                            <input type="hidden" name="from" value="operation"/>
                                            {select_field("operation", "Documented operation", options, errors)}
                                            <button type="submit" class="button button--secondary">"Preview the operation's steps"</button>
                                        </form>
                                    }.into_any()
                                }}
                                <h2 class="heading-m">"Copied from an earlier request"</h2>
                                <form method="get" action=here.clone()>
                                    <input type="hidden" name="from" value="request"/>
                                    <TextField name="copy" label="Reference of the earlier request" hint="For example ECR-2026-0012." value=kept("copy", a.copy.clone()) errors=errors/>
                                    <button type="submit" class="button button--secondary">"Preview its steps"</button>
                                </form>
                                <h2 class="heading-m">"Pasted"</h2>
                                <form method="get" action=here.clone()>
                                    <input type="hidden" name="from" value="paste"/>
                                    <TextArea
                                        name="text"
                                        label="Steps"
                                        hint="One step per line, or a Markdown or CSV table with a header row: Action, Commands, Owner, Expected result, Verification, Rollback, Minutes."
                                        code=true
                                        rows=8
                                        value=kept("text", a.text.clone())
                                        errors=errors
                                    />
                                    <button type="submit" class="button button--secondary">"Preview the pasted steps"</button>
                                </form>
                            }
                            .into_any()
                        })
                    }
                }
            </Suspense>
        }
    })
}
