//! `/requests/:reference/comments`: the request's comment thread, for everyone involved in it.
//! Plain text only: what people type is shown as text, never as markup.

use super::{request_resource, with_request, Caption};
use crate::api::history::AddComment;
use crate::components::form::{form_errors_of, kept_value, other_error_of, ErrorSummary, TextArea};
use crate::pages::PageTitle;
use leptos::prelude::*;

/// `/requests/:reference/comments`.
#[component]
pub fn CommentsPage() -> impl IntoView {
    let add = ServerAction::<AddComment>::new();
    let value = Signal::derive(move || add.value().get());
    let errors = form_errors_of(value);
    let other = other_error_of(value);
    let has_errors = Signal::derive(move || errors.with(|e| e.is_some()) || other.with(|o| o.is_some()));
    let resource = request_resource(add.version().into());
    with_request(resource, move |v| {
        let r = v.summary.reference.clone();
        let count = v.comments.len();
        view! {
            <PageTitle title="Comments" has_errors=has_errors/>
            <a class="back-link" href=format!("/requests/{r}")>"Back to the request"</a>
            <div class="grid-two-thirds">
                <ErrorSummary errors=errors other=other/>
                <Caption view=v.clone()/>
                <h1 class="heading-l">"Comments"</h1>
                {if count == 0 {
                    view! { <p>"No comments yet."</p> }.into_any()
                } else {
                    view! {
                        <ol class="comment-thread">
                            {v.comments.iter().map(|c| view! {
                                <li class="comment">
                                    <p class="comment__meta"><strong>{c.author.clone()}</strong>{format!(" ({}) · {}", c.author_role, c.when)}</p>
                                    <p class="preserve">{c.body.clone()}</p>
                                </li>
                            }).collect_view()}
                        </ol>
                    }.into_any()
                }}
                <ActionForm action=add>
                    <input type="hidden" name="reference" value=r.clone()/>
                    <TextArea
                        name="body"
                        label="Add a comment"
                        hint=Some("Plain text, up to 5,000 characters. Everyone involved in this request can read it.")
                        rows=4
                        value=kept_value(errors, "body", String::new)
                        errors=errors
                    />
                    <button type="submit" class="button">"Add comment"</button>
                </ActionForm>
            </div>
        }
    })
}
