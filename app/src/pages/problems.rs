//! `/problems`: the problem log across requests, newest first, for the hosting team.

use crate::api::production::problem_log;
use crate::pages::{loaded, problem_text, PageTitle};
use leptos::prelude::*;

/// `/problems`.
#[component]
pub fn ProblemsPage() -> impl IntoView {
    let log = Resource::new(|| (), |_| problem_log());
    view! {
        <PageTitle title="Problem log"/>
        <h1 class="heading-l">"Problem log"</h1>
        <p class="lede">"Problems met during changes, newest first. Each is also in its request's record."</p>
        {loaded(log, problem_text, move |list| if list.is_empty() {
            view! { <p>"No problem has been logged."</p> }.into_any()
        } else {
            view! {
                <div class="table-wrap">
                <table class="table">
                    <caption class="visually-hidden">"Problems, newest first"</caption>
                    <thead><tr><th scope="col">"When (Eastern)"</th><th scope="col">"Request"</th><th scope="col">"Problem"</th><th scope="col">"Logged by"</th></tr></thead>
                    <tbody>{list.into_iter().map(|p| view! {
                        <tr>
                            <td>{crate::domain::calendar::eastern(p.at).format("%-d %b %Y, %-I:%M %p").to_string()}</td>
                            <td><a href=format!("/requests/{}/production", p.reference)>{p.reference.clone()}</a>" "{p.title.clone()}</td>
                            <td>{p.text.clone()}</td>
                            <td>{p.by.clone()}</td>
                        </tr>
                    }).collect_view()}</tbody>
                </table>
                </div>
            }.into_any()
        })}
    }
}
