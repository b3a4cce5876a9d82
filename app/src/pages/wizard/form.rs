//! Step 3: the emergency change request form, one section per page. Every save keeps the
//! draft first, so nothing typed is lost; then the section is checked.

use super::{request_resource, with_request, BackToTasks, Caption};
use crate::api::wizard::SaveFormSection;
use crate::components::form::{
    kept_value, outcome_of, Checkboxes, ConflictPanel, ErrorSummary, Outcome, Radios, TextArea, TextField,
};
use crate::domain::cr_form::{CHECKLIST, SECTIONS};
use crate::domain::workflow::ActionKind;
use leptos::prelude::*;
use leptos_router::hooks::use_params_map;

/// How a field is asked.
#[derive(Clone, Copy)]
enum Kind {
    Text,
    Numeric,
    Area(u32),
    Choice(&'static [(&'static str, &'static str)], bool),
}

/// One question of a section.
#[derive(Clone, Copy)]
struct Field {
    name: &'static str,
    label: &'static str,
    hint: Option<&'static str>,
    kind: Kind,
}

const fn f(name: &'static str, label: &'static str, hint: Option<&'static str>, kind: Kind) -> Field {
    Field { name, label, hint, kind }
}

const YES_NO: &[(&str, &str)] = &[("yes", "Yes"), ("no", "No")];

fn fields(section: &str) -> Vec<Field> {
    match section {
        "details" => vec![
            f("title", "Title", Some("Say what the change does, in a few words."), Kind::Text),
            f("services", "Systems and services", Some("Everything the change touches."), Kind::Area(2)),
            f("environment", "Environment", Some("Usually Production."), Kind::Text),
            f("artifact", "Artifact and version to deploy", Some("An image tag or build number, for example portal:2.4.1."), Kind::Text),
            f("pipeline_url", "Link to the pipeline run", Some("The run that built and tested the artifact."), Kind::Text),
            f("description", "What the change does", None, Kind::Area(5)),
        ],
        "justification" => vec![
            f("justification", "Why it cannot wait for the regular window", None, Kind::Area(4)),
            f("incident_reference", "Incident reference (optional)", Some("For example INC-1234."), Kind::Text),
            f("security_related", "Is the change related to a security fix or incident?", Some("If yes, the ISSO is copied on every message."), Kind::Choice(YES_NO, true)),
            f("security_reason", "How it relates to security", Some("Needed if you answered yes."), Kind::Area(3)),
            f("impact", "Impact", Some("Who and what is affected, and how (downtime, slower pages, data changes)."), Kind::Area(4)),
            f("risk_level", "Risk", None, Kind::Choice(&[("low", "Low"), ("medium", "Medium"), ("high", "High")], false)),
        ],
        "deployment" => vec![
            f(
                "strategy",
                "How will the change be deployed?",
                None,
                Kind::Choice(
                    &[
                        ("canary", "Canary: a small share of traffic first"),
                        ("blue_green", "Blue/green: switch traffic to a new copy"),
                        ("feature_flag", "Feature flag: deploy dark, then turn on"),
                        ("direct", "Direct: replace in place"),
                    ],
                    false,
                ),
            ),
            f("canary_steps", "Canary traffic steps (for a canary)", Some("Increasing percentages ending at 100, for example 1, 5, 25, 100."), Kind::Text),
            f("feature_flag", "Feature flag name (for a feature flag)", None, Kind::Text),
            f("kill_switch", "Does turning the flag off undo the change? (for a feature flag)", Some("A tested kill switch can stand in for a rollback plan."), Kind::Choice(YES_NO, true)),
            f("rollback_plan", "Rollback plan", Some("How to undo the whole change, and how long it takes."), Kind::Area(4)),
        ],
        "schedule" => vec![
            f("planned_date", "Date to start", Some("Year-month-day, for example 2026-11-24. Production changes happen Monday to Thursday."), Kind::Text),
            f("planned_time", "Time to start (Eastern)", Some("24-hour clock, for example 09:30. The production window is 8am to 4pm."), Kind::Text),
            f("duration_minutes", "Expected duration in minutes", None, Kind::Numeric),
            f("override_reason", "Why it cannot wait for the production window (if it is outside it)", Some("Needed for Fridays, weekends, holidays, outside 8am–4pm Eastern and change freezes. Approvers see it."), Kind::Area(3)),
        ],
        _ => vec![
            f("on_call", "Who is on call during the change", Some("Names and how to reach them."), Kind::Area(3)),
            f("affected_teams", "Affected teams", Some("One team per line. They are copied when the request is submitted and decided."), Kind::Area(3)),
            f("stakeholders", "Stakeholders to notify (optional)", Some("One email address per line. They are told when the change is done."), Kind::Area(3)),
        ],
    }
}

/// `/requests/:reference/form/:section`.
#[component]
pub fn FormSectionPage() -> impl IntoView {
    let action = ServerAction::<SaveFormSection>::new();
    let Outcome { errors, other, changes, has_errors } = outcome_of(Signal::derive(move || action.value().get()));
    let params = use_params_map();
    let section = move || params.with(|p| p.get("section")).unwrap_or_default();
    let resource = request_resource(action.version().into());
    with_request(resource, move |v| {
        let slug = section();
        let Some(position) = SECTIONS.iter().position(|(s, _)| *s == slug) else {
            return view! { <crate::pages::not_found::NotFound/> }.into_any();
        };
        let title = SECTIONS[position].1;
        let reference = v.summary.reference.clone();
        let editable = v.can(ActionKind::UpdateForm);
        let mut form = v.form.clone();
        if form.title.is_empty() {
            form.title = v.summary.title.clone();
        }
        let stored = move |name: &'static str| {
            let form = form.clone();
            // The draft is saved before it is checked, so the stored value is what was typed;
            // after an edit conflict (nothing saved) the typed text comes back with the error.
            kept_value(errors, name, move || form.value(name))
        };
        let checked = {
            let list = v.form.checklist.clone();
            Signal::derive(move || {
                errors
                    .with(|e| {
                        e.as_ref().and_then(|e| {
                            e.value_of("checklist")
                                .map(|c| c.split(',').filter(|k| !k.is_empty()).map(str::to_string).collect())
                        })
                    })
                    .unwrap_or_else(|| list.clone())
            })
        };
        let form_version = v.form_version.to_string();
        let warnings = v.window_warnings.clone();
        view! {
            <crate::pages::PageTitle title=title has_errors=has_errors/>
            <BackToTasks reference=reference.clone()/>
            <div class="grid-two-thirds">
                <ErrorSummary errors=errors other=other/>
                <Caption view=v.clone()/>
                <h1 class="heading-l">{title}</h1>
                <ConflictPanel changes=changes/>
                {(slug == "schedule" && !warnings.is_empty()).then(|| view! {
                    <div class="warning-text" role="note">
                        <strong>"Outside the production window: "</strong>
                        {warnings.join("; ")}
                        ". Give the reason below; approvers will see it."
                    </div>
                })}
                {if !editable {
                    view! { <p>"This form can no longer be changed by you at this stage."</p> }.into_any()
                } else {
                    view! {
                        <ActionForm action=action>
                            <input type="hidden" name="reference" value=reference.clone()/>
                            <input type="hidden" name="section" value=slug.clone()/>
                            <input type="hidden" name="base_version" value=form_version.clone()/>
                            {(slug == "checklist").then(|| view! {
                                <Checkboxes
                                    name="checklist"
                                    legend="Pre-deployment checklist"
                                    hint="Confirm each item. Incomplete requests are returned to the requesting team."
                                    options=CHECKLIST
                                    checked=checked
                                    errors=errors
                                />
                            })}
                            {fields(&slug).into_iter().map(|fd| {
                                let input_name = format!("fields[{}]", fd.name);
                                match fd.kind {
                                    Kind::Text | Kind::Numeric => view! {
                                        <TextField
                                            name=fd.name
                                            input_name=input_name
                                            label=fd.label
                                            hint=fd.hint
                                            inputmode=if matches!(fd.kind, Kind::Numeric) { "numeric" } else { "text" }
                                            value=stored(fd.name)
                                            errors=errors
                                        />
                                    }.into_any(),
                                    Kind::Area(rows) => view! {
                                        <TextArea name=fd.name input_name=input_name label=fd.label hint=fd.hint rows=rows value=stored(fd.name) errors=errors/>
                                    }.into_any(),
                                    Kind::Choice(options, inline) => view! {
                                        <Radios name=fd.name input_name=input_name legend=fd.label hint=fd.hint options=options.to_vec() inline=inline value=stored(fd.name) errors=errors/>
                                    }.into_any(),
                                }
                            }).collect_view()}
                            <div class="button-row">
                                <button type="submit" class="button" name="intent" value="continue">"Save and continue"</button>
                                <button type="submit" class="button button--secondary" name="intent" value="later">"Save and come back later"</button>
                            </div>
                        </ActionForm>
                    }.into_any()
                }}
            </div>
        }
        .into_any()
    })
}
