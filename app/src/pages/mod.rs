//! One module per page or workflow step.

pub mod absence;
pub mod admin;
pub mod archive;
pub mod calendar;
pub mod decide;
pub mod dev_mail;
pub mod home;
pub mod hosting;
pub mod not_found;
pub mod operations;
pub mod problems;
pub mod requests;
pub mod sign_in;
pub mod sign_off_link;
pub mod wizard;

/// The `:name` segment of the current address ("" where the route has none).
pub fn use_param(name: &'static str) -> leptos::prelude::Signal<String> {
    use leptos::prelude::{Signal, With};
    let params = leptos_router::hooks::use_params_map();
    Signal::derive(move || params.with(|p| p.get(name)).unwrap_or_default())
}

/// The browser tab title: the page's own title, then the service name; `Error: ` first when
/// the page shows validation errors (so screen readers announce it).
pub fn page_title(title: &str, has_errors: bool) -> String {
    if has_errors {
        format!("Error: {title} – Offcycle")
    } else {
        format!("{title} – Offcycle")
    }
}

/// The page's `<title>`, with "Error: " first when the page shows errors. Pages are rendered on
/// the server only (islands), so the title is fixed when the page is: the head is written after
/// the body, when the page's signals may already be gone, and a title that read them then
/// panicked now and again under load (`bench/sustained-load.sh`: "a reactive value that has
/// already been disposed", a worker's request lost each time).
#[leptos::component]
pub fn PageTitle(
    /// The page's own title.
    #[prop(into)]
    title: String,
    /// Whether the page shows errors.
    #[prop(into, optional)]
    has_errors: Option<leptos::prelude::Signal<bool>>,
) -> impl leptos::prelude::IntoView {
    use leptos::prelude::*;
    let has_errors = has_errors.is_some_and(|s| s.get_untracked());
    view! { <leptos_meta::Title text=page_title(&title, has_errors)/> }
}

/// The page for a failed read: "not found", or "Sorry, there is a problem" with what went wrong.
pub fn problem_page(e: crate::error::AppError) -> leptos::prelude::AnyView {
    use leptos::prelude::*;
    match e {
        crate::error::AppError::NotFound => view! { <not_found::NotFound/> }.into_any(),
        e => view! {
            <leptos_meta::Title text=page_title("Sorry, there is a problem", false)/>
            <h1 class="heading-l">"Sorry, there is a problem"</h1>
            <p>{e.to_string()}</p>
        }
        .into_any(),
    }
}

/// What went wrong, in a line, where a page's own heading stays (its lists and tables).
pub fn problem_text(e: crate::error::AppError) -> leptos::prelude::AnyView {
    use leptos::prelude::*;
    view! { <p>{e.to_string()}</p> }.into_any()
}

/// A page drawn from one resource: "Loading…" while it loads, then `page` with what it read,
/// or `problem`'s page when reading failed.
pub fn loaded<T, V>(
    resource: leptos::prelude::Resource<Result<T, crate::error::AppError>>,
    problem: fn(crate::error::AppError) -> leptos::prelude::AnyView,
    page: impl Fn(T) -> V + Send + Sync + Clone + 'static,
) -> impl leptos::prelude::IntoView
where
    T: Clone + Send + Sync + serde::Serialize + serde::de::DeserializeOwned + 'static,
    V: leptos::prelude::IntoView + 'static,
{
    use leptos::prelude::*;
    view! {
        <Suspense fallback=|| view! { <p>"Loading…"</p> }>
            {
                let page = page.clone();
                move || {
                    let page = page.clone();
                    Suspend::new(async move {
                        match resource.await {
                            Ok(v) => page(v).into_any(),
                            Err(e) => problem(e),
                        }
                    })
                }
            }
        </Suspense>
    }
}
