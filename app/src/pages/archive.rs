//! `/archive`: find any request by reference, title, system, team, state or date, download its
//! current record or any filed copy (each with its checksum), and export the metadata of the
//! search as CSV. A GET form: shareable and works without JavaScript.

use super::hosting::{filtered, next_href, Filter};
use crate::api::archive::archive_search;
use crate::api::types::{ArchiveCopyView, ArchiveRow, QueueFilter};
use crate::components::form::ErrorSummary;
use crate::domain::workflow::State;
use leptos::prelude::*;

fn utc(t: chrono::DateTime<chrono::Utc>) -> String {
    t.format("%Y-%m-%d %H:%M UTC").to_string()
}

/// The CSV export's address: the same filter.
fn export_href(f: &QueueFilter) -> String {
    next_href("/archive/export.csv", &QueueFilter { after: String::new(), ..f.clone() }, "")
        .replace("&after=", "")
        .replace("?after=", "?")
}

fn size(bytes: Option<i64>) -> String {
    match bytes {
        Some(b) if b >= 1024 => format!("{:.0} KB", b as f64 / 1024.0),
        Some(b) => format!("{b} bytes"),
        None => String::new(),
    }
}

/// `/archive`.
#[component]
pub fn ArchivePage() -> impl IntoView {
    filtered(archive_search, move |filter, data: Option<crate::api::types::ArchivePage>, filter_errors, msg| {
        let other = Signal::derive(move || msg.clone());
        let has_errors = Signal::derive(move || filter_errors.with(|e| e.is_some()) || other.with(|o| o.is_some()));
        let teams = data.as_ref().map(|p| p.teams.clone()).unwrap_or_default();
        let form = Filter {
            path: "/archive",
            label: "Search the archive",
            submit: "Search",
            states: State::ALL,
            teams: &teams,
        }
        .form(&filter, filter_errors, ());
        view! {
            <super::PageTitle title="Archive" has_errors=has_errors/>
            <ErrorSummary errors=filter_errors other=other/>
            <h1 class="heading-l">"Archive"</h1>
            <p class="lede">"Every change record, with the copies filed when it went to the CORs, was approved and was closed. Each copy's SHA-256 is checked again when you download it."</p>
            {form}
            {data.as_ref().filter(|p| !p.folder_problems.is_empty()).map(|p| view! {
                <div class="warning-text" role="status">
                    <h2 class="heading-s">"Archive folder writes are failing"</h2>
                    <p>"These copies are safe in the database; writing them to the archive folder is retried until it works."</p>
                    <ul>
                        {p.folder_problems.iter().map(|c| view! {
                            <li>{format!("{} — {}", c.file_name, c.folder_error.clone().unwrap_or_default())}</li>
                        }).collect_view()}
                    </ul>
                </div>
            })}
            {match data {
                None => view! { <p>"Correct the search to see records."</p> }.into_any(),
                Some(p) if p.rows.is_empty() => view! { <p>"No record matches."</p> }.into_any(),
                Some(p) => {
                    let next = p.next.clone().map(|after| next_href("/archive", &filter, &after));
                    view! {
                        <p><a href=export_href(&filter) download="offcycle-archive.csv" rel="external">"Download the metadata of these results (CSV)"</a></p>
                        <ul class="archive-list">
                            {p.rows.into_iter().map(archive_row).collect_view()}
                        </ul>
                        {next.map(|href| view! { <p><a class="button button--secondary" href=href>"Next page"</a></p> })}
                    }.into_any()
                }
            }}
        }
    })
}

fn archive_row(r: ArchiveRow) -> impl IntoView {
    let reference = r.summary.reference.clone();
    let heading_id = format!("archive-{reference}");
    let labelled_by = heading_id.clone();
    view! {
        <li class="archive-item" aria-labelledby=labelled_by>
            <h2 class="heading-s" id=heading_id>
                <a href=format!("/requests/{reference}")>{reference.clone()}</a>" — "{r.summary.title.clone()}
            </h2>
            <p class="hint">
                {format!("{} · {} · {} · changed {}", r.summary.system, r.team.clone().unwrap_or_else(|| "No team".into()), r.summary.state.label(), utc(r.summary.updated_at))}
            </p>
            <p><a href=format!("/changes/{reference}.pdf") rel="external">{format!("Current record of {reference} (PDF)")}</a></p>
            {if r.copies.is_empty() {
                view! { <p class="hint">"No archive copies yet: one is filed when the request goes to the CORs."</p> }.into_any()
            } else {
                view! {
                    <div class="table-wrap">
                    <table class="table">
                        <caption class="visually-hidden">{format!("Archive copies of {reference}")}</caption>
                        <thead><tr>
                            <th scope="col">"Copy"</th><th scope="col">"Filed"</th><th scope="col">"Why"</th>
                            <th scope="col">"Size"</th><th scope="col">"SHA-256"</th><th scope="col">"Download"</th>
                        </tr></thead>
                        <tbody>{r.copies.into_iter().map(copy_row).collect_view()}</tbody>
                    </table>
                    </div>
                }.into_any()
            }}
        </li>
    }
}

fn copy_row(c: ArchiveCopyView) -> impl IntoView {
    let ready = c.sha256.is_some();
    view! {
        <tr>
            <td>{c.copy_number}</td>
            <td>{utc(c.filed_at)}</td>
            <td>{c.reason.clone()}</td>
            <td>{size(c.size_bytes)}</td>
            <td><code class="checksum">{c.sha256.clone().unwrap_or_else(|| "Being filed…".into())}</code></td>
            <td>{ready.then(|| view! {
                <a href=format!("/archive/copies/{}.pdf", c.id) rel="external">{format!("{} ", c.file_name)}<span class="visually-hidden">"(PDF)"</span></a>
            })}</td>
        </tr>
    }
}
