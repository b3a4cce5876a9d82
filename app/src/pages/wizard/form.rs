//! Step 3: the emergency change request form, one section per page. Every save keeps the
//! draft first, so nothing typed is lost; then the section is checked.

use super::{request_resource, with_request, BackToTasks, Caption};
use crate::api::wizard::SaveFormSection;
use crate::components::form::{
    kept_value, Checkboxes, ConflictPanel, ErrorSummary, Outcome, Radios, TextArea, TextField,
};
use crate::domain::cr_form::{section_fields, FieldKind, CHECKLIST, SECTIONS};
use crate::domain::workflow::ActionKind;
use leptos::prelude::*;

/// `/requests/:reference/form/:section`.
#[component]
pub fn FormSectionPage() -> impl IntoView {
    let action = ServerAction::<SaveFormSection>::new();
    let Outcome { errors, other, changes, has_errors } = Outcome::of(action);
    let section = crate::pages::use_param("section");
    let resource = request_resource();
    with_request(resource, move |v| {
        let slug = section.get();
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
                {(slug == "schedule").then(|| view! { <crate::components::schedule::ScheduleConflicts conflicts=v.conflicts.clone()/> })}
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
                            {section_fields(&slug).map(|fd| {
                                let input_name = format!("fields[{}]", fd.name);
                                match fd.kind {
                                    FieldKind::Line | FieldKind::Number => view! {
                                        <TextField
                                            name=fd.name
                                            input_name=input_name
                                            label=fd.label
                                            hint=fd.hint
                                            inputmode=if fd.kind == FieldKind::Number { "numeric" } else { "text" }
                                            value=stored(fd.name)
                                            errors=errors
                                        />
                                    }.into_any(),
                                    FieldKind::Text { rows } => view! {
                                        <TextArea name=fd.name input_name=input_name label=fd.label hint=fd.hint rows=rows value=stored(fd.name) errors=errors/>
                                    }.into_any(),
                                    FieldKind::Choice { options, inline } => view! {
                                        <Radios name=fd.name input_name=input_name legend=fd.label hint=fd.hint options=options.options() inline=inline value=stored(fd.name) errors=errors/>
                                    }.into_any(),
                                    FieldKind::Checklist => view! {
                                        <Checkboxes
                                            name=fd.name
                                            legend=fd.label
                                            hint=fd.hint
                                            options=CHECKLIST
                                            checked=checked
                                            errors=errors
                                        />
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
