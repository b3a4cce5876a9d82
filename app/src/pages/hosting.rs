//! The hosting team's queue (the full dashboard arrives with the hosting issue).

use super::requests::state_label;
use crate::api::wizard::hosting_queue;
use leptos::prelude::*;
use leptos_meta::Title;

/// `/hosting`: requests that need the hosting team.
#[component]
pub fn HostingQueue() -> impl IntoView {
    let queue = Resource::new(|| (), |_| hosting_queue());
    view! {
        <Title text=super::page_title("Hosting queue", false)/>
        <h1 class="heading-l">"Requests for the hosting team"</h1>
        <Suspense fallback=|| view! { <p>"Loading…"</p> }>
            {move || Suspend::new(async move {
                match queue.await {
                    Ok(list) if list.is_empty() => view! { <p>"Nothing needs the hosting team right now."</p> }.into_any(),
                    Ok(list) => view! {
                        <table class="table">
                            <caption class="visually-hidden">"Requests for the hosting team, longest waiting first"</caption>
                            <thead><tr><th scope="col">"Reference"</th><th scope="col">"Title"</th><th scope="col">"System"</th><th scope="col">"State"</th><th scope="col">"Started by"</th></tr></thead>
                            <tbody>
                                {list.into_iter().map(|r| view! {
                                    <tr>
                                        <td><a href=format!("/requests/{}", r.reference)>{r.reference.clone()}</a></td>
                                        <td>{r.title}</td>
                                        <td>{r.system}</td>
                                        <td><span class="tag">{state_label(&r.state)}</span></td>
                                        <td>{r.started_by}</td>
                                    </tr>
                                }).collect_view()}
                            </tbody>
                        </table>
                    }.into_any(),
                    Err(e) => view! { <p>{e.to_string()}</p> }.into_any(),
                }
            })}
        </Suspense>
    }
}
