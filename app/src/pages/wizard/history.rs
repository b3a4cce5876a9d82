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
    let id = format!("field-{name}");
    let mut options: Vec<(i64, String)> =
        list.iter().map(|v| (v.version, format!("Version {} · {} · {}", v.version, v.by, v.when))).collect();
    options.push((0, "Version 0 · empty".into()));
    view! {
        <div class="form-group form-group--inline">
            <label class="label" for=id.clone()>{label}</label>
            <select class="select" id=id name=name>
                {options.into_iter().map(|(v, text)| view! { <option value=v.to_string() selected=v == current>{text}</option> }).collect_view()}
            </select>
        </div>
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
        <Suspense fallback=|| view! { <p>"Loading…"</p> }>
            {move || Suspend::new(async move {
                match resource.await {
                    Err(crate::error::AppError::NotFound) => view! { <crate::pages::not_found::NotFound/> }.into_any(),
                    Err(e) => view! { <PageTitle title="Sorry, there is a problem" has_errors=Signal::derive(|| false)/><h1 class="heading-l">"Sorry, there is a problem"</h1><p>{e.to_string()}</p> }.into_any(),
                    Ok(h) => {
                        let r = h.summary.reference.clone();
                        let (pf, pt) = h.plan_diff.as_ref().map(|d| (d.0, d.1)).unwrap_or_default();
                        let (ff, ft) = h.form_diff.as_ref().map(|d| (d.0, d.1)).unwrap_or_default();
                        view! {
                            <PageTitle title="History of changes" has_errors=Signal::derive(|| false)/>
                            <a class="back-link" href=format!("/requests/{r}")>"Back to the request"</a>
                            <span class="caption">{format!("{} · {}", r, h.summary.title)}</span>
                            <h1 class="heading-l">"History of changes"</h1>
                            <form method="get" action=format!("/requests/{r}/history") class="filter">
                                <h2 class="heading-m">"Operation plan"</h2>
                                {if h.plan_versions.is_empty() {
                                    view! { <p>"No plan has been saved yet."</p> }.into_any()
                                } else {
                                    view! {
                                        <div class="filter__row">
                                            {version_select("plan_from", "Compare plan version", &h.plan_versions, pf)}
                                            {version_select("plan_to", "with plan version", &h.plan_versions, pt)}
                                        </div>
                                        <input type="hidden" name="form_from" value=ff.to_string()/>
                                        <input type="hidden" name="form_to" value=ft.to_string()/>
                                        <button type="submit" class="button button--secondary">"Compare plan versions"</button>
                                    }.into_any()
                                }}
                            </form>
                            {h.plan_diff.map(|(a, b, changes)| view! {
                                <h3 class="heading-s">{format!("From plan version {a} to version {b}")}</h3>
                                {if changes.is_empty() {
                                    view! { <p>"No differences."</p> }.into_any()
                                } else {
                                    view! { <ul class="list history-list">{changes.into_iter().map(step_change).collect_view()}</ul> }.into_any()
                                }}
                            })}
                            <h3 class="heading-s">"Every plan version"</h3>
                            <ul class="list">
                                {h.plan_versions.iter().map(|v| view! { <li>{format!("Version {} saved by {} on {}", v.version, v.by, v.when)}</li> }).collect_view()}
                            </ul>
                            <form method="get" action=format!("/requests/{r}/history") class="filter">
                                <h2 class="heading-m">"Change request form"</h2>
                                {if h.form_versions.is_empty() {
                                    view! { <p>"The form has not been saved yet."</p> }.into_any()
                                } else {
                                    view! {
                                        <div class="filter__row">
                                            {version_select("form_from", "Compare form version", &h.form_versions, ff)}
                                            {version_select("form_to", "with form version", &h.form_versions, ft)}
                                        </div>
                                        <input type="hidden" name="plan_from" value=pf.to_string()/>
                                        <input type="hidden" name="plan_to" value=pt.to_string()/>
                                        <button type="submit" class="button button--secondary">"Compare form versions"</button>
                                    }.into_any()
                                }}
                            </form>
                            {h.form_diff.map(|(a, b, changes)| view! {
                                <h3 class="heading-s">{format!("From form version {a} to version {b}")}</h3>
                                {if changes.is_empty() { view! { <p>"No differences."</p> }.into_any() } else { field_changes(changes).into_any() }}
                            })}
                            <h3 class="heading-s">"Every form version"</h3>
                            <ul class="list">
                                {h.form_versions.iter().map(|v| view! { <li>{format!("Version {} saved by {} on {}", v.version, v.by, v.when)}</li> }).collect_view()}
                            </ul>
                        }.into_any()
                    }
                }
            })}
        </Suspense>
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
