//! `/operations`: the hosting team's library of documented operations. Everyone who writes plans
//! reads it; the hosting team saves operations, each save of a name a new version.

use crate::api::operations::{documented_operations, SaveDocumentedOperation};
use crate::api::types::OperationView;
use crate::components::form::{kept_value, ErrorSummary, Outcome, TextArea, TextField};
use crate::domain::calendar::spoken;
use crate::domain::plan::paste::to_markdown;
use crate::pages::PageTitle;
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

fn operation(o: &OperationView, may_save: bool) -> impl IntoView {
    view! {
        <section class="card" aria-label=o.name.clone()>
            <h2 class="heading-m">{o.name.clone()}</h2>
            <p class="hint">{format!("Version {} · {} steps · saved by {} at {}", o.version, o.steps.len(), o.saved_by, spoken(o.saved_at))}</p>
            <crate::components::plan::StepList steps=o.steps.clone()/>
            {may_save.then(|| view! {
                <p><a href=format!("/operations?edit={}#field-steps", o.id)>{format!("Save a new version of {}", o.name)}</a></p>
            })}
        </section>
    }
}

/// `/operations`.
#[component]
pub fn OperationsPage() -> impl IntoView {
    let save = ServerAction::<SaveDocumentedOperation>::new();
    let Outcome { errors, other, has_errors, .. } = Outcome::of(save);
    let library = Resource::new(|| (), |_| documented_operations());
    let query = use_query_map();
    let user = expect_context::<crate::components::layout::CurrentUser>().0;
    view! {
        <PageTitle title="Documented operations" has_errors=has_errors/>
        <ErrorSummary errors=errors other=other/>
        <h1 class="heading-l">"Documented operations"</h1>
        <p>"Operations the hosting team has written down once and repeats: a plan can insert one, and keeps which version each step came from."</p>
        <Suspense fallback=|| view! { <p>"Loading…"</p> }>
            {move || Suspend::new(async move {
                let may_save = matches!(user.await, Ok(Some(u)) if crate::domain::access::Area::OperationLibrary.allows(u.role));
                match library.await {
                    Err(e) => view! { <p>{e.to_string()}</p> }.into_any(),
                    Ok(list) => {
                        let editing = query
                            .with_untracked(|q| q.get("edit"))
                            .and_then(|id| id.parse::<i64>().ok())
                            .and_then(|id| list.iter().find(|o| o.id == id).cloned());
                        let (name, steps) = editing.map(|o| (o.name.clone(), to_markdown(&o.steps))).unwrap_or_default();
                        view! {
                            {if list.is_empty() {
                                view! { <p>"No operations yet."</p> }.into_any()
                            } else {
                                list.iter().map(|o| operation(o, may_save)).collect_view().into_any()
                            }}
                            {may_save.then(|| view! {
                            <h2 class="heading-m">"Save an operation"</h2>
                            <ActionForm action=save>
                                <TextField name="name" label="Name" hint="Saving under a name that exists makes its next version." value=kept_value(errors, "name", move || name.clone()) errors=errors/>
                                <TextArea
                                    name="steps"
                                    label="Steps"
                                    hint="A Markdown or CSV table with a header row (Action, Commands, Owner, Expected result, Verification, Rollback, Minutes), or one step per line."
                                    code=true
                                    rows=10
                                    value=kept_value(errors, "steps", move || steps.clone())
                                    errors=errors
                                />
                                <button type="submit" class="button">"Save the operation"</button>
                            </ActionForm>
                            })}
                        }
                        .into_any()
                    }
                }
            })}
        </Suspense>
    }
}
