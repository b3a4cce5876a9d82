//! `/calendar`: the production-window policy, the maintenance windows, freezes and holidays,
//! and the changes planned on them; admins add and remove entries here. The hosting team
//! subscribes to `/calendar.ics` in their calendar app.

use crate::api::calendar::{get_calendar, AddCalendarEntry, RemoveCalendarEntry};
use crate::api::types::{CalendarView, ScheduledChange};
use crate::components::form::{kept_value, ErrorSummary, Outcome, Radios, TextField};
use crate::domain::calendar::{self, eastern, EntryKind};
use crate::domain::forms::FormErrors;
use crate::pages::{loaded, problem_page, PageTitle};
use leptos::prelude::*;

fn when(t: chrono::DateTime<chrono::Utc>) -> String {
    eastern(t).format("%a %-d %b %Y, %-I:%M %p").to_string()
}

/// `/calendar`.
#[component]
pub fn CalendarPage() -> impl IntoView {
    let add = ServerAction::<AddCalendarEntry>::new();
    let remove = ServerAction::<RemoveCalendarEntry>::new();
    let Outcome { errors, other, has_errors, .. } = Outcome::of(add).or(Outcome::of(remove));
    let data = Resource::new(|| (), |_| get_calendar());
    view! {
        {loaded(data, problem_page, move |v| page(v, errors, other, has_errors, add, remove))}
    }
}

fn scheduled_row(c: ScheduledChange) -> impl IntoView {
    let r = c.summary.reference.clone();
    view! {
        <tr>
            <td>{when(c.at)}</td>
            <td><a href=format!("/requests/{r}")>{r.clone()}</a></td>
            <td>{c.summary.title.clone()}</td>
            <td>{c.summary.system.clone()}</td>
            <td>{if c.regular { "Regular (maintenance window)".to_string() } else { format!("Emergency, {} min", c.minutes) }}</td>
            <td>
                <span class="tag">{c.summary.state.label()}</span>
                {(!c.overlaps.is_empty()).then(|| view! {
                    <p class="warning-text">{format!("Overlaps {} on the same system", c.overlaps.join(", "))}</p>
                })}
            </td>
        </tr>
    }
}

fn page(
    v: CalendarView,
    errors: Signal<Option<FormErrors>>,
    other: Signal<Option<String>>,
    has_errors: Signal<bool>,
    add: ServerAction<AddCalendarEntry>,
    remove: ServerAction<RemoveCalendarEntry>,
) -> impl IntoView {
    let typed = move |field: &'static str| kept_value(errors, field, String::new);
    let can_edit = v.can_edit;
    view! {
        <PageTitle title="Change calendar" has_errors=has_errors/>
        <ErrorSummary errors=errors other=other/>
        <h1 class="heading-l">"Change calendar"</h1>
        <p class="lede">{format!("Production changes happen {}. Fridays, weekends, holidays, the day before a holiday and change freezes need a reason, which approvers see.", calendar::production_window_in_words())}</p>
        <p><a href="/calendar.ics" rel="external">"Subscribe to the scheduled changes (iCalendar)"</a>
            <span class="hint">" — or, from a calendar app, "<code class="code">"/calendar.ics?token=ofc_…"</code>" with a calendar feed token from your account page."</span></p>

        <h2 class="heading-m">"Next maintenance windows"</h2>
        <ul class="list list--bullet">{v.windows.iter().map(|w| view! { <li>{when(*w)}</li> }).collect_view()}</ul>

        <div class="table-wrap">
        <table class="table">
            <caption class="heading-m table__caption">"Scheduled changes"</caption>
            <thead><tr><th scope="col">"Starts (Eastern)"</th><th scope="col">"Reference"</th><th scope="col">"Title"</th><th scope="col">"System"</th><th scope="col">"Kind"</th><th scope="col">"State"</th></tr></thead>
            <tbody>
                {if v.scheduled.is_empty() {
                    view! { <tr><td colspan="6">"No change is planned."</td></tr> }.into_any()
                } else {
                    v.scheduled.into_iter().map(scheduled_row).collect_view().into_any()
                }}
            </tbody>
        </table>
        </div>

        <div class="table-wrap">
        <table class="table">
            <caption class="heading-m table__caption">"Holidays, freezes and windows"</caption>
            <thead><tr><th scope="col">"What"</th><th scope="col">"Name"</th><th scope="col">"When"</th><th scope="col">"Why"</th>
                {can_edit.then(|| view! { <th scope="col"><span class="visually-hidden">"Remove"</span></th> })}</tr></thead>
            <tbody>
                {if v.entries.is_empty() {
                    view! { <tr><td colspan="5">{format!("None entered yet: the default windows ({}) apply.", calendar::default_windows_in_words())}</td></tr> }.into_any()
                } else {
                    v.entries.into_iter().map(|e| {
                        let span = match (e.kind, e.starts_at) {
                            (EntryKind::Window, Some(at)) => when(at),
                            _ if e.from == e.to => e.from.format("%a %-d %b %Y").to_string(),
                            _ => format!("{} to {}", e.from.format("%a %-d %b %Y"), e.to.format("%a %-d %b %Y")),
                        };
                        let name = e.name.clone();
                        view! {
                            <tr>
                                <td>{e.kind.label()}</td><td>{e.name.clone()}</td><td>{span}</td><td>{e.reason.clone()}</td>
                                {can_edit.then(|| view! { <td>
                                    <ActionForm action=remove attr:class="inline-form">
                                        <input type="hidden" name="id" value=e.id.to_string()/>
                                        <button type="submit" class="link-button">"Remove"<span class="visually-hidden">{format!(" {name}")}</span></button>
                                    </ActionForm>
                                </td> })}
                            </tr>
                        }
                    }).collect_view().into_any()
                }}
            </tbody>
        </table>
        </div>

        {can_edit.then(|| view! {
            <h2 class="heading-m">"Add to the calendar"</h2>
            <ActionForm action=add>
                <Radios name="kind" input_name="entry[kind]" legend="What is it?" options=vec![
                    (EntryKind::Holiday.as_str(), EntryKind::Holiday.label()),
                    (EntryKind::Freeze.as_str(), EntryKind::Freeze.label()),
                    (EntryKind::Window.as_str(), EntryKind::Window.label()),
                ] value=typed("kind") errors=errors/>
                <TextField name="name" input_name="entry[name]" label="Name" hint="For example Thanksgiving, End of fiscal year, December window." value=typed("name") errors=errors/>
                <TextField name="reason" input_name="entry[reason]" label="Why (needed for a freeze)" value=typed("reason") errors=errors/>
                <TextField name="from" input_name="entry[from]" label="First day" hint="Year-month-day, for example 2026-11-26." value=typed("from") errors=errors/>
                <TextField name="to" input_name="entry[to]" label="Last day (optional)" hint="Leave empty for a single day." value=typed("to") errors=errors/>
                <TextField name="time" input_name="entry[time]" label="Start time of a window (Eastern)" hint="Hours and minutes, for example 20:00." value=typed("time") errors=errors/>
                <button type="submit" class="button">"Add to the calendar"</button>
            </ActionForm>
        })}
    }
}
