//! The dev-team wizard: one module per step.

pub mod check;
pub mod comments;
pub mod form;
pub mod history;
pub mod plan;
pub mod plan_add;
pub mod production;
pub mod review;
pub mod staging;
pub mod task_list;
pub mod triage;

use crate::api::types::RequestView;
use crate::api::wizard::get_request_view;
use crate::error::AppError;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;

/// The `:reference` of the current address.
pub fn use_reference() -> Signal<String> {
    let params = use_params_map();
    Signal::derive(move || params.with(|p| p.get("reference")).unwrap_or_default())
}

/// The request view, reloaded whenever `version` changes (an action on the page finished).
pub fn request_resource(version: Signal<usize>) -> Resource<Result<RequestView, AppError>> {
    let reference = use_reference();
    Resource::new(move || (reference.get(), version.get()), |(r, _)| get_request_view(r))
}

/// Renders `page` once the request has loaded; "not found" and other failures get their page.
pub fn with_request<V: IntoView + 'static>(
    resource: Resource<Result<RequestView, AppError>>,
    page: impl Fn(RequestView) -> V + Send + Sync + Clone + 'static,
) -> impl IntoView {
    // "Save and continue" both reloads the request and moves to the next section, which makes
    // the page anew (`fresh` in the routes): a reload may start just before this page is gone,
    // and must then render nothing rather than read the page's disposed values.
    let alive = StoredValue::new(());
    view! {
        <Suspense fallback=|| view! { <p>"Loading…"</p> }>
            {
                let page = page.clone();
                move || {
                    let page = page.clone();
                    Suspend::new(async move {
                        if alive.is_disposed() {
                            return ().into_any();
                        }
                        let loaded = resource.await;
                        if alive.is_disposed() {
                            return ().into_any();
                        }
                        match loaded {
                            Ok(v) => page(v).into_any(),
                            Err(AppError::NotFound) => view! { <super::not_found::NotFound/> }.into_any(),
                            Err(e) => view! {
                                <Title text=super::page_title("Sorry, there is a problem", false)/>
                                <h1 class="heading-l">"Sorry, there is a problem"</h1>
                                <p>{e.to_string()}</p>
                            }
                                .into_any(),
                        }
                    })
                }
            }
        </Suspense>
    }
}

/// "Back" to the task list.
#[component]
pub fn BackToTasks(reference: String) -> impl IntoView {
    view! { <a class="back-link" href=format!("/requests/{reference}")>"Back to the task list"</a> }
}

/// The caption above a wizard page's heading.
#[component]
pub fn Caption(view: RequestView) -> impl IntoView {
    view! { <span class="caption">{format!("{} · {}", view.summary.reference, view.summary.title)}</span> }
}

/// Sums several actions' versions, so one resource reloads after any of them.
pub fn versions(list: Vec<Signal<usize>>) -> Signal<usize> {
    Signal::derive(move || list.iter().map(|v| v.get()).sum())
}

/// Links every page about a request offers: the whole request, its history, its comments.
#[component]
pub fn RequestLinks(view: RequestView) -> impl IntoView {
    let r = view.summary.reference.clone();
    let n = view.comment_count;
    view! {
        <nav class="related-links" aria-label="About this request">
            <ul class="inline-list">
                <li><a href=format!("/requests/{r}/check")>"The whole request"</a></li>
                <li><a href=format!("/requests/{r}/history")>"History of changes"</a></li>
                <li><a href=format!("/requests/{r}/comments")>{format!("Comments ({n})")}</a></li>
                <li><a href=format!("/requests/{r}/audit")>"Audit trail"</a></li>
                {view.state.is_production_or_later().then(|| view! { <li><a href=format!("/requests/{r}/production")>"Production"</a></li> })}
                <li><a href=format!("/changes/{r}.pdf") rel="external">"Change record (PDF)"</a></li>
            </ul>
        </nav>
    }
}
