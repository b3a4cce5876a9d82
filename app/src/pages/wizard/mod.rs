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

/// The `:reference` of the current address.
pub fn use_reference() -> Signal<String> {
    super::use_param("reference")
}

/// The request view of the current address (pages are rendered by the server: loaded once).
pub fn request_resource() -> Resource<Result<RequestView, AppError>> {
    let reference = use_reference();
    // Boxed: the loading future is several kilobytes, and the resource moves it a few times
    // before its first poll (a pointer is cheaper to move on every page).
    Resource::new(move || reference.get(), |r| Box::pin(get_request_view(r)))
}

/// Renders `page` once the request has loaded; "not found" and other failures get their page.
pub fn with_request<V: IntoView + 'static>(
    resource: Resource<Result<RequestView, AppError>>,
    page: impl Fn(RequestView) -> V + Send + Sync + Clone + 'static,
) -> impl IntoView {
    super::loaded(resource, super::problem_page, page)
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
