//! `/hosting`: the hosting team's queue. What needs them now, longest waiting first, with the
//! SLA clock that matters (assistance call ≤ 2 hours, assignment ≤ 1 business day), narrowed
//! by a GET form (works without JavaScript; the address is shareable) and paged by keyset.

use crate::api::queue::{hosting_queue, AssignEngineer, RecordCallHeld};
use crate::api::types::{QueueFilter, QueuePage, QueueRow};
use crate::components::clock::ClockTag;
use crate::components::form::{select, ErrorSummary, Outcome, TextField};
use crate::domain::forms::FormErrors;
use crate::domain::workflow::{ActionKind, State};
use crate::error::AppError;
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

/// The filter as the address says.
pub(crate) fn filter_of(q: &leptos_router::params::ParamsMap) -> QueueFilter {
    let get = |k: &str| q.get(k).unwrap_or_default();
    QueueFilter {
        state: get("state"),
        system: get("system"),
        team: get("team"),
        from: get("from"),
        to: get("to"),
        q: get("q"),
        assigned: get("assigned"),
        after: get("after"),
    }
}

/// The address of the next page of `base`: the same filter, after the cursor.
pub(crate) fn next_href(base: &str, f: &QueueFilter, after: &str) -> String {
    let pairs = [
        ("q", &f.q),
        ("state", &f.state),
        ("system", &f.system),
        ("team", &f.team),
        ("from", &f.from),
        ("to", &f.to),
        ("assigned", &f.assigned),
    ];
    let mut query = form_urlencoded::Serializer::new(String::new());
    for (k, v) in pairs.into_iter().filter(|(_, v)| !v.is_empty()) {
        query.append_pair(k, v);
    }
    query.append_pair("after", after);
    format!("{base}?{}", query.finish())
}

/// A list searched with the filter in the address: "Loading…", then `page` with the filter, what
/// the search found, the filter's field errors (with what was typed) and any other error.
pub(crate) fn filtered<T, Fut, V>(
    search: impl Fn(QueueFilter) -> Fut + Send + Sync + 'static,
    page: impl Fn(QueueFilter, Option<T>, Signal<Option<FormErrors>>, Option<String>) -> V + Send + Sync + Clone + 'static,
) -> impl IntoView
where
    T: Clone + Send + Sync + serde::Serialize + serde::de::DeserializeOwned + 'static,
    Fut: std::future::Future<Output = Result<T, AppError>> + Send + 'static,
    V: IntoView + 'static,
{
    let query = use_query_map();
    let resource = Resource::new(move || query.with(filter_of), search);
    view! {
        <Suspense fallback=|| view! { <p>"Loading…"</p> }>
            {move || {
                let page = page.clone();
                Suspend::new(async move {
                    let result = resource.await;
                    let (errors, other) = filter_outcome(&result);
                    page(query.with_untracked(filter_of), result.ok(), errors, other).into_any()
                })
            }}
        </Suspense>
    }
}

/// A GET filter's outcome as its page shows it: the field errors (with what was typed) and any
/// other error, in words.
pub(crate) fn filter_outcome<T>(result: &Result<T, AppError>) -> (Signal<Option<FormErrors>>, Option<String>) {
    let errors = result.as_ref().err().and_then(|e| e.form_errors().cloned());
    let other = match result {
        Err(AppError::Invalid(_)) | Ok(_) => None,
        Err(e) => Some(e.to_string()),
    };
    (Signal::derive(move || errors.clone()), other)
}

/// The value a filter field shows: what was typed when the filter was refused, else `current`.
pub(crate) fn filter_text(errors: Signal<Option<FormErrors>>, name: &'static str, current: &str) -> Signal<String> {
    let v = errors
        .with_untracked(|e| e.as_ref().and_then(|e| e.value_of(name).map(str::to_string)))
        .unwrap_or_else(|| current.to_string());
    Signal::derive(move || v.clone())
}

/// The filter both lists share, as a GET form (shareable; works without JavaScript): reference
/// or title, state, team, what `extra` adds, system and the changed-from/to dates.
pub(crate) struct Filter<'a> {
    /// Where it is sent (`/hosting`, `/archive`).
    pub path: &'static str,
    /// The search landmark's name.
    pub label: &'static str,
    /// The submit button's words.
    pub submit: &'static str,
    /// The states offered.
    pub states: &'a [State],
    /// The teams offered.
    pub teams: &'a [String],
}

impl Filter<'_> {
    /// The form, showing `current` (or what was typed, when it was refused).
    pub(crate) fn form<E: IntoView + 'static>(
        &self,
        current: &QueueFilter,
        errors: Signal<Option<FormErrors>>,
        extra: E,
    ) -> impl IntoView + use<E> {
        let text = |name: &'static str, v: &String| filter_text(errors, name, v);
        let any = || std::iter::once((String::new(), "Any".to_string()));
        let states = any().chain(self.states.iter().map(|s| (s.as_str().to_string(), s.label().to_string()))).collect();
        let teams = any().chain(self.teams.iter().map(|t| (t.clone(), t.clone()))).collect();
        view! {
            <form method="get" action=self.path class="filter" role="search" aria-label=self.label>
                <TextField name="q" label="Reference or title" hint="A reference like ECR-2026-0042, or words from the title." value=text("q", &current.q) errors=errors/>
                <div class="filter__row">
                    {select("state", "State", current.state.clone(), states, errors)}
                    {select("team", "Team", current.team.clone(), teams, errors)}
                    {extra}
                </div>
                <div class="filter__row">
                    <TextField name="system" label="System" value=text("system", &current.system) errors=errors/>
                    <TextField name="from" label="Changed from" hint="Year-month-day" value=text("from", &current.from) errors=errors/>
                    <TextField name="to" label="Changed to" hint="Year-month-day" value=text("to", &current.to) errors=errors/>
                </div>
                <div class="button-row">
                    <button type="submit" class="button">{self.submit}</button>
                    <a class="button button--secondary" href=self.path>"Clear"</a>
                </div>
            </form>
        }
    }
}

/// `/hosting`.
#[component]
pub fn HostingQueue() -> impl IntoView {
    let assign = ServerAction::<AssignEngineer>::new();
    let held = ServerAction::<RecordCallHeld>::new();
    // A refused "Call held" (another engineer recorded it first) says so in the summary.
    let acted = Outcome::of(assign).or(Outcome::of(held));
    filtered(hosting_queue, move |filter, page_data: Option<QueuePage>, filter_errors, msg| {
        let other = Signal::derive(move || msg.clone().or_else(|| acted.other.get()));
        let all_errors = Signal::derive(move || filter_errors.get().or_else(|| acted.errors.get()));
        let has_errors = Signal::derive(move || all_errors.with(|e| e.is_some()) || other.with(|o| o.is_some()));
        let teams = page_data.as_ref().map(|p| p.teams.clone()).unwrap_or_default();
        let queue_states: Vec<State> = State::ALL.iter().copied().filter(|s| s.in_hosting_queue(true)).collect();
        let assigned = select(
            "assigned",
            "Engineer",
            filter.assigned.clone(),
            vec![
                (String::new(), "Anyone".into()),
                ("mine".into(), "Assigned to me".into()),
                ("unassigned".into(), "Nobody yet".into()),
            ],
            filter_errors,
        );
        let form = Filter {
            path: "/hosting",
            label: "Narrow the queue",
            submit: "Show requests",
            states: &queue_states,
            teams: &teams,
        }
        .form(&filter, filter_errors, assigned);
        view! {
            <super::PageTitle title="Hosting queue" has_errors=has_errors/>
            <ErrorSummary errors=all_errors other=other/>
            <h1 class="heading-l">"Requests for the hosting team"</h1>
            {form}
            {match page_data {
                None => view! { <p>"Correct the filter to see requests."</p> }.into_any(),
                Some(p) if p.rows.is_empty() => view! { <p>"No request matches. Nothing needs the hosting team here right now."</p> }.into_any(),
                Some(p) => {
                    let engineers = p.engineers.clone();
                    let held = p.can_record_calls.then_some(held);
                    let next = p.next.clone().map(|after| next_href("/hosting", &filter, &after));
                    view! {
                        <div class="table-wrap">
                        <table class="table">
                            <caption class="visually-hidden">"Requests for the hosting team, longest unchanged first"</caption>
                            <thead><tr>
                                <th scope="col">"Reference"</th><th scope="col">"Title"</th><th scope="col">"System"</th>
                                <th scope="col">"Team"</th><th scope="col">"State"</th><th scope="col">"Clock"</th><th scope="col">"Engineer"</th>
                            </tr></thead>
                            <tbody>
                                {p.rows.into_iter().map(|r| queue_row(r, engineers.clone(), (assign, held))).collect_view()}
                            </tbody>
                        </table>
                        </div>
                        {next.map(|href| view! { <p><a class="button button--secondary" href=href>"Next page"</a></p> })}
                    }.into_any()
                }
            }}
        }
    })
}

fn queue_row(
    r: QueueRow,
    engineers: Vec<(i64, String)>,
    (assign, held): (ServerAction<AssignEngineer>, Option<ServerAction<RecordCallHeld>>),
) -> impl IntoView {
    let reference = r.summary.reference.clone();
    let select_id = format!("engineer-{reference}");
    view! {
        <tr>
            <td><a href=format!("/requests/{reference}/review")>{reference.clone()}</a></td>
            <td>{r.summary.title.clone()}</td>
            <td>{r.summary.system.clone()}</td>
            <td>{r.team.clone().unwrap_or_default()}</td>
            <td><span class="tag">{r.summary.state.label()}</span></td>
            <td>
                {r.clock.map(|(words, status)| view! { <ClockTag status/>" "<span class="hint">{words}</span> })}
                {r.window.map(|words| view! { <span class="hint">{words}</span> })}
                {held.filter(|_| r.call_owed).map(|held| {
                    let reference = reference.clone();
                    view! {
                    <ActionForm action=held attr:class="inline-form">
                        <input type="hidden" name="reference" value=reference.clone()/>
                        <button type="submit" class="button button--secondary button--small">
                            "Call held"<span class="visually-hidden">{format!(" with the dev team of {reference}")}</span>
                        </button>
                    </ActionForm>
                    }
                })}
            </td>
            <td>
                {r.assigned.clone().map(|a| view! { <span>{a}</span> })}
                {ActionKind::AssignEngineer.taken_in(r.summary.state).then(|| view! {
                    <ActionForm action=assign attr:class="inline-form">
                        <input type="hidden" name="reference" value=reference.clone()/>
                        <label class="visually-hidden" for=select_id.clone()>{format!("Engineer for {reference}")}</label>
                        <select class="select select--small" id=select_id.clone() name="engineer">
                            <option value="me">"Me"</option>
                            {engineers.iter().map(|(id, name)| view! { <option value=id.to_string()>{name.clone()}</option> }).collect_view()}
                        </select>
                        <button type="submit" class="button button--secondary button--small">
                            {if r.assigned.is_some() { "Reassign" } else { "Assign" }}
                            <span class="visually-hidden">{format!(" {reference}")}</span>
                        </button>
                    </ActionForm>
                })}
            </td>
        </tr>
    }
}
