//! `/requests/:reference/history`: every plan and CR form version, who saved it and when, and
//! a readable comparison of any two (chosen with a GET form, so it works without JavaScript).

use super::use_reference;
use crate::api::history::get_history;
use crate::api::types::VersionInfo;
use crate::domain::history::{FieldChange, StepChange};
use crate::pages::PageTitle;
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

fn version_select(name: &'static str, label: &'static str, list: &[VersionInfo], current: i64) -> impl IntoView {
    let mut options: Vec<(String, String)> = list
        .iter()
        .map(|v| (v.version.to_string(), format!("Version {} · {} · {}", v.version, v.by, v.when)))
        .collect();
    options.push(("0".into(), "Version 0 · empty".into()));
    crate::components::form::select(name, label, current.to_string(), options, Signal::derive(|| None))
}

/// One half of the page: which two versions of the plan or the form to compare.
struct Compare<'a> {
    heading: &'static str,
    none_yet: &'static str,
    versions: &'a [VersionInfo],
    /// The two choices: (query name, label, version chosen now).
    choices: [(&'static str, &'static str, i64); 2],
    /// The other half's choices, kept in hidden fields.
    keep: [(&'static str, i64); 2],
    button: &'static str,
}

/// A GET form choosing two versions (it works without JavaScript).
fn compare_form(reference: &str, c: Compare) -> impl IntoView {
    let choose = (!c.versions.is_empty()).then(|| {
        view! {
            <div class="filter__row">
                {c.choices.map(|(name, label, chosen)| version_select(name, label, c.versions, chosen))}
            </div>
            {c.keep.map(|(name, value)| view! { <input type="hidden" name=name value=value.to_string()/> })}
            <button type="submit" class="button button--secondary">{c.button}</button>
        }
    });
    view! {
        <form method="get" action=format!("/requests/{reference}/history") class="filter">
            <h2 class="heading-m">{c.heading}</h2>
            {match choose {
                Some(v) => v.into_any(),
                None => view! { <p>{c.none_yet}</p> }.into_any(),
            }}
        </form>
    }
}

/// Every saved version, who saved it and when.
fn every_version(heading: &'static str, versions: &[VersionInfo]) -> impl IntoView {
    view! {
        <h3 class="heading-s">{heading}</h3>
        <ul class="list">
            {versions.iter().map(|v| view! { <li>{format!("Version {} saved by {} on {}", v.version, v.by, v.when)}</li> }).collect_view()}
        </ul>
    }
}

fn field_changes(fields: Vec<FieldChange>) -> impl IntoView {
    view! {
        <dl class="summary-list summary-list--compact">
            {fields.into_iter().map(|f| view! {
                <div class="summary-list__row">
                    <dt class="summary-list__key">{f.label}</dt>
                    <dd class="summary-list__value">
                        <del class="diff-del preserve" aria-label="Before">{if f.before.is_empty() { "(empty)".to_string() } else { f.before }}</del>
                        <ins class="diff-ins preserve" aria-label="After">{if f.after.is_empty() { "(empty)".to_string() } else { f.after }}</ins>
                    </dd>
                </div>
            }).collect_view()}
        </dl>
    }
}

fn step_change(c: StepChange) -> impl IntoView {
    let words = c.words();
    match c {
        StepChange::Changed { fields, .. } => view! { <li><p>{words}</p>{field_changes(fields)}</li> }.into_any(),
        _ => view! { <li><p>{words}</p></li> }.into_any(),
    }
}

/// `/requests/:reference/history`.
#[component]
pub fn HistoryPage() -> impl IntoView {
    let reference = use_reference();
    let query = use_query_map();
    let resource = Resource::new(
        move || {
            let q = query.get();
            let get = |k: &str| q.get(k).unwrap_or_default();
            (reference.get(), get("plan_from"), get("plan_to"), get("form_from"), get("form_to"))
        },
        |(r, a, b, c, d)| get_history(r, a, b, c, d),
    );
    view! {
        {crate::pages::loaded(resource, crate::pages::problem_page, move |h| {
            let r = h.summary.reference.clone();
            let (pf, pt) = h.plan_diff.as_ref().map(|d| (d.0, d.1)).unwrap_or_default();
            let (ff, ft) = h.form_diff.as_ref().map(|d| (d.0, d.1)).unwrap_or_default();
            view! {
                <PageTitle title="History of changes" has_errors=Signal::derive(|| false)/>
                <a class="back-link" href=format!("/requests/{r}")>"Back to the request"</a>
                <span class="caption">{format!("{} · {}", r, h.summary.title)}</span>
                <h1 class="heading-l">"History of changes"</h1>
                {compare_form(&r, Compare {
                    heading: "Operation plan",
                    none_yet: "No plan has been saved yet.",
                    versions: &h.plan_versions,
                    choices: [("plan_from", "Compare plan version", pf), ("plan_to", "with plan version", pt)],
                    keep: [("form_from", ff), ("form_to", ft)],
                    button: "Compare plan versions",
                })}
                {h.plan_diff.map(|(a, b, changes)| view! {
                    <h3 class="heading-s">{format!("From plan version {a} to version {b}")}</h3>
                    {if changes.is_empty() {
                        view! { <p>"No differences."</p> }.into_any()
                    } else {
                        view! { <ul class="list history-list">{changes.into_iter().map(step_change).collect_view()}</ul> }.into_any()
                    }}
                })}
                {every_version("Every plan version", &h.plan_versions)}
                {compare_form(&r, Compare {
                    heading: "Change request form",
                    none_yet: "The form has not been saved yet.",
                    versions: &h.form_versions,
                    choices: [("form_from", "Compare form version", ff), ("form_to", "with form version", ft)],
                    keep: [("plan_from", pf), ("plan_to", pt)],
                    button: "Compare form versions",
                })}
                {h.form_diff.map(|(a, b, changes)| view! {
                    <h3 class="heading-s">{format!("From form version {a} to version {b}")}</h3>
                    {if changes.is_empty() { view! { <p>"No differences."</p> }.into_any() } else { field_changes(changes).into_any() }}
                })}
                {every_version("Every form version", &h.form_versions)}
            }.into_any()
            })}
    }
}

/// `/requests/:reference/audit`: the request's audit trail.
#[component]
pub fn AuditPage() -> impl IntoView {
    let reference = use_reference();
    let trail = Resource::new(move || reference.get(), crate::api::history::request_audit);
    view! {
        <PageTitle title="Audit trail" has_errors=Signal::derive(|| false)/>
        <a class="back-link" href=move || format!("/requests/{}", reference.get())>"Back to the request"</a>
        <span class="caption">{move || reference.get()}</span>
        <h1 class="heading-l">"Audit trail"</h1>
        <p>"Every recorded event on this request, oldest first. The log is append-only and each entry carries the hash of the one before; the server's verify-audit command checks the chain."</p>
        <Suspense fallback=|| view! { <p>"Loading…"</p> }>
            {move || Suspend::new(async move {
                match trail.await {
                    Err(crate::error::AppError::NotFound) => view! { <crate::pages::not_found::NotFound/> }.into_any(),
                    Err(e) => view! { <p>{e.to_string()}</p> }.into_any(),
                    Ok(rows) => view! {
                        <div class="table-wrap">
                        <table class="table">
                            <caption class="visually-hidden">"Audit events, oldest first"</caption>
                            <thead><tr><th scope="col">"#"</th><th scope="col">"When (UTC)"</th><th scope="col">"Who"</th><th scope="col">"What"</th><th scope="col">"Details"</th><th scope="col">"From"</th><th scope="col">"Outcome"</th></tr></thead>
                            <tbody>
                                {rows.into_iter().map(|a| view! {
                                    <tr><td>{a.id}</td><td>{a.at.format("%Y-%m-%d %H:%M:%S").to_string()}</td><td>{a.actor}</td><td>{a.action}</td><td>{a.detail}</td><td>{a.source}</td><td>{a.outcome}</td></tr>
                                }).collect_view()}
                            </tbody>
                        </table>
                        </div>
                    }.into_any(),
                }
            })}
        </Suspense>
    }
}
