//! `/requests/:reference/comments`: the request's comment thread, for everyone involved in it.
//! Plain text only: what people type is shown as text, never as markup.

use super::{request_resource, with_request, Caption};
use crate::api::history::{get_comments, AddComment};
use crate::components::form::{kept_value, ErrorSummary, Outcome, TextArea};
use crate::domain::history::ThreadPage;
use crate::pages::PageTitle;
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

/// `/requests/:reference/comments`.
#[component]
pub fn CommentsPage() -> impl IntoView {
    let add = ServerAction::<AddComment>::new();
    let Outcome { errors, other, has_errors, .. } = Outcome::of(add);
    let resource = request_resource();
    let reference = super::use_reference();
    let query = use_query_map();
    let thread = Resource::new(
        move || (reference.get(), query.with(|q| q.get("page").unwrap_or_default())),
        |(r, page)| get_comments(r, page),
    );
    with_request(resource, move |v| {
        let r = v.summary.reference.clone();
        let page_link = {
            let r = r.clone();
            move |p: i64| format!("/requests/{r}/comments?page={p}")
        };
        view! {
            <PageTitle title="Comments" has_errors=has_errors/>
            <a class="back-link" href=format!("/requests/{r}")>"Back to the request"</a>
            <div class="grid-two-thirds">
                <ErrorSummary errors=errors other=other/>
                <Caption view=v.clone()/>
                <h1 class="heading-l">"Comments"</h1>
                <Suspense fallback=|| view! { <p>"Loading comments…"</p> }>
                    {let page_link = page_link.clone(); move || {
                        let page_link = page_link.clone();
                        Suspend::new(async move {
                            match thread.await {
                                Ok(t) if t.total == 0 => view! { <p>"No comments yet."</p> }.into_any(),
                                Ok(t) => {
                                    let ThreadPage { page, pages, offset } = t.page;
                                    let pager = (pages > 1).then(|| view! {
                                        <nav class="pager" aria-label="Comment pages">
                                            <p>{format!("Comments {} to {} of {} · page {page} of {pages}", offset + 1, offset + t.comments.len() as i64, t.total)}</p>
                                            <ul class="inline-list">
                                                {(page > 1).then(|| view! { <li><a href=page_link(page - 1) rel="prev">"Earlier comments"</a></li> })}
                                                {(page < pages).then(|| view! { <li><a href=page_link(page + 1) rel="next">"Later comments"</a></li> })}
                                                {(page < pages).then(|| view! { <li><a href=page_link(pages)>"Newest comments"</a></li> })}
                                            </ul>
                                        </nav>
                                    });
                                    view! {
                                        <ol class="comment-thread" start=offset + 1>
                                            {t.comments.into_iter().map(|c| view! {
                                                <li class="comment">
                                                    <p class="comment__meta"><strong>{c.author}</strong>{format!(" ({}) · {}", c.author_role, c.when)}</p>
                                                    <p class="preserve">{c.body}</p>
                                                </li>
                                            }).collect_view()}
                                        </ol>
                                        {pager}
                                    }.into_any()
                                }
                                Err(e) => view! { <p>{e.to_string()}</p> }.into_any(),
                            }
                        })
                    }}
                </Suspense>
                <ActionForm action=add>
                    <input type="hidden" name="reference" value=r.clone()/>
                    <TextArea
                        name="body"
                        label="Add a comment"
                        hint=Some(crate::domain::history::NewComment::HINT)
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
