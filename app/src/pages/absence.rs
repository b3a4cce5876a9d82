//! `/out-of-office`: CORs declare absences; hosting and admins record them for any COR.

use crate::api::absence::{absences, DeclareAbsence, RemoveAbsence};
use crate::components::form::{kept_value, ErrorSummary, Outcome, TextArea, TextField};
use crate::pages::{loaded, problem_text, PageTitle};
use leptos::prelude::*;

/// `/out-of-office`.
#[component]
pub fn OutOfOfficePage() -> impl IntoView {
    let declare = ServerAction::<DeclareAbsence>::new();
    let remove = ServerAction::<RemoveAbsence>::new();
    let Outcome { errors, other, has_errors, .. } = Outcome::of(declare).or(Outcome::of(remove));
    let data = Resource::new(|| (), |_| absences());
    view! {
        <PageTitle title="Out of office" has_errors=has_errors/>
        <div class="grid-two-thirds">
        <ErrorSummary errors=errors other=other/>
        <h1 class="heading-l">"Out of office"</h1>
        <p>"While a COR is away, one approval from the other COR is enough. If every COR is away, the request goes to an admin."</p>
        {loaded(data, problem_text, move |d| {
            let me = d.me;
            let for_anyone = d.for_anyone;
            let current = kept_value(errors, "cor", String::new);
            view! {
                <h2 class="heading-m">"Recorded absences"</h2>
                {if d.absences.is_empty() {
                    view! { <p>"None."</p> }.into_any()
                } else {
                    view! {
                        <table class="table">
                            <caption class="visually-hidden">"Recorded absences, soonest first"</caption>
                            <thead><tr><th scope="col">"Who"</th><th scope="col">"From"</th><th scope="col">"To"</th><th scope="col">"Note"</th><th scope="col">"Recorded by"</th><th scope="col"><span class="visually-hidden">"Actions"</span></th></tr></thead>
                            <tbody>
                                {d.absences.into_iter().map(|a| {
                                    let may = for_anyone || a.user_id == me;
                                    view! {
                                        <tr>
                                            <td>{a.name.clone()}</td><td>{a.from.clone()}</td><td>{a.to.clone()}</td>
                                            <td>{a.note.clone().unwrap_or_default()}</td><td>{a.set_by.clone()}</td>
                                            <td>{may.then(|| view! {
                                                <ActionForm action=remove attr:class="inline-form">
                                                    <input type="hidden" name="id" value=a.id.to_string()/>
                                                    <button type="submit" class="button button--secondary button--small">
                                                        "Remove"<span class="visually-hidden">{format!(" the absence of {} from {}", a.name, a.from)}</span>
                                                    </button>
                                                </ActionForm>
                                            })}</td>
                                        </tr>
                                    }
                                }).collect_view()}
                            </tbody>
                        </table>
                    }.into_any()
                }}
                <h2 class="heading-m">"Record an absence"</h2>
                <ActionForm action=declare>
                    {if for_anyone {
                        view! {
                            <div class="form-group">
                                <label class="label" for="field-cor">"COR"</label>
                                <select class="select" id="field-cor" name="cor">
                                    {d.cors.iter().map(|(id, name)| {
                                        let selected = current.get_untracked() == id.to_string();
                                        view! { <option value=id.to_string() selected=selected>{name.clone()}</option> }
                                    }).collect_view()}
                                </select>
                            </div>
                        }.into_any()
                    } else {
                        view! { <input type="hidden" name="cor" value="me"/> }.into_any()
                    }}
                    <TextField name="from" label="First day away" hint="Year-month-day, for example 2026-12-24" value=kept_value(errors, "from", String::new) errors=errors/>
                    <TextField name="to" label="Last day away" hint="Year-month-day. The day itself counts as away." value=kept_value(errors, "to", String::new) errors=errors/>
                    <TextArea name="note" label="Note (optional)" hint="For example “annual leave”. Approvers and the record show it." rows=2 value=kept_value(errors, "note", String::new) errors=errors/>
                    <button type="submit" class="button">"Record absence"</button>
                </ActionForm>
            }.into_any()
            })}
        </div>
    }
}
