//! Step 2: validate the change in staging. What was changed, help from hosting within two hours,
//! and sign-off by QA, testers, dev and product, each signing as themselves with evidence.

use super::{request_resource, versions, with_request, BackToTasks, Caption};
use crate::api::wizard::{CompleteStaging, RequestHostingHelp, SaveStagingNotes, SignOffStaging};
use crate::components::form::{form_errors_of, other_error_of, ErrorSummary, Radios, TextArea};
use crate::domain::calendar::{eastern, ClockStatus};
use crate::domain::workflow::{ActionKind, SignOffRole};
use leptos::prelude::*;

fn role_key(r: SignOffRole) -> &'static str {
    match r {
        SignOffRole::Qa => "qa",
        SignOffRole::Testers => "testers",
        SignOffRole::Dev => "dev",
        SignOffRole::Product => "product",
    }
}

/// `/requests/:reference/staging`.
#[component]
pub fn StagingPage() -> impl IntoView {
    let notes = ServerAction::<SaveStagingNotes>::new();
    let help = ServerAction::<RequestHostingHelp>::new();
    let sign = ServerAction::<SignOffStaging>::new();
    let complete = ServerAction::<CompleteStaging>::new();
    let notes_v = Signal::derive(move || notes.value().get());
    let sign_v = Signal::derive(move || sign.value().get());
    let help_v = Signal::derive(move || help.value().get());
    let complete_v = Signal::derive(move || complete.value().get());
    let notes_errors = form_errors_of(notes_v);
    let sign_errors = form_errors_of(sign_v);
    // One summary at the top for whichever form failed last.
    let errors = Signal::derive(move || notes_errors.get().or_else(|| sign_errors.get()));
    let other = Signal::derive(move || {
        other_error_of(notes_v)
            .get()
            .or_else(|| other_error_of(sign_v).get())
            .or_else(|| other_error_of(help_v).get())
            .or_else(|| other_error_of(complete_v).get())
    });
    let has_errors = Signal::derive(move || errors.with(|e| e.is_some()) || other.with(|o| o.is_some()));
    let resource = request_resource(versions(vec![
        notes.version().into(),
        help.version().into(),
        sign.version().into(),
        complete.version().into(),
    ]));
    with_request(resource, move |v| {
        let reference = v.summary.reference.clone();
        let can_sign = v.can(ActionKind::SignOff);
        let can_help = v.can(ActionKind::RequestHostingHelp);
        let unsigned: Vec<SignOffRole> =
            SignOffRole::ALL.into_iter().filter(|r| !v.sign_offs.iter().any(|s| s.role == *r)).collect();
        let options: Vec<(&'static str, &'static str)> = unsigned.iter().map(|r| (role_key(*r), r.label())).collect();
        let stored_notes = v.staging_notes.clone();
        let notes_value = Signal::derive(move || {
            notes_errors
                .with(|e| e.as_ref().and_then(|e| e.value_of("notes").map(str::to_string)))
                .unwrap_or_else(|| stored_notes.clone())
        });
        let sign_role = Signal::derive(move || {
            sign_errors.with(|e| e.as_ref().and_then(|e| e.value_of("role").map(str::to_string))).unwrap_or_default()
        });
        let sign_evidence = Signal::derive(move || {
            sign_errors
                .with(|e| e.as_ref().and_then(|e| e.value_of("evidence").map(str::to_string)))
                .unwrap_or_default()
        });
        let (r_help, r_sign, r_done) = (reference.clone(), reference.clone(), reference.clone());
        view! {
            <crate::pages::PageTitle title="Validate in staging" has_errors=has_errors/>
            <BackToTasks reference=reference.clone()/>
            <ErrorSummary errors=errors other=other/>
            <Caption view=v.clone()/>
            <h1 class="heading-l">{if v.fast_path { "Record staging sign-off" } else { "Validate in staging" }}</h1>
            <p>"Make the change in staging using the steps of the plan, so they are proven before production. Adjust the plan if a step had to change."</p>
            <p><a href=format!("/requests/{reference}/plan")>"Open the plan"</a></p>

            <h2 class="heading-m">"What was changed in staging"</h2>
            <ActionForm action=notes>
                <input type="hidden" name="reference" value=reference.clone()/>
                <TextArea name="notes" label="What was changed" hint="Versions deployed, settings changed, anything done by hand." rows=4 value=notes_value errors=notes_errors/>
                <button type="submit" class="button button--secondary">"Save what was changed"</button>
            </ActionForm>

            <h2 class="heading-m">"Need help from the hosting team?"</h2>
            {match v.assistance {
                Some((due, status)) => {
                    let (class, words) = match status {
                        ClockStatus::OnTrack => ("tag tag--blue", "On track"),
                        ClockStatus::Amber => ("tag tag--amber", "Due soon"),
                        ClockStatus::Overdue => ("tag tag--red", "Overdue"),
                    };
                    view! {
                        <p>
                            "You asked for a call. The hosting team will call you by "
                            <strong>{eastern(due).format("%-I:%M %p Eastern on %A %-d %B").to_string()}</strong>
                            " " <span class=class>{words}</span>
                        </p>
                    }.into_any()
                }
                None => view! { <p>"The hosting team can join a video call or screenshare within 2 hours."</p> }.into_any(),
            }}
            {can_help.then(|| view! {
                <ActionForm action=help>
                    <input type="hidden" name="reference" value=r_help.clone()/>
                    <button type="submit" class="button button--secondary">"Ask the hosting team for a call"</button>
                </ActionForm>
            })}

            <h2 class="heading-m">"Sign-off"</h2>
            <table class="table">
                <caption class="visually-hidden">"Staging sign-offs"</caption>
                <thead><tr><th scope="col">"Who"</th><th scope="col">"Signed by"</th><th scope="col">"Evidence"</th></tr></thead>
                <tbody>
                    {SignOffRole::ALL.into_iter().map(|r| {
                        let s = v.sign_offs.iter().find(|s| s.role == r).cloned();
                        view! {
                            <tr>
                                <th scope="row">{r.label()}</th>
                                <td>{s.as_ref().map(|s| s.signer.clone()).unwrap_or_else(|| "Not signed yet".into())}</td>
                                <td class="preserve">{s.map(|s| s.evidence).unwrap_or_default()}</td>
                            </tr>
                        }
                    }).collect_view()}
                </tbody>
            </table>
            {(can_sign && !options.is_empty()).then(|| view! {
                <ActionForm action=sign>
                    <input type="hidden" name="reference" value=r_sign.clone()/>
                    <Radios name="role" legend="Sign off as" hint="You sign as yourself; your name is recorded." options=options.clone() value=sign_role errors=sign_errors/>
                    <TextArea name="evidence" label="Evidence" hint="A note, or a link to the test run or screenshots." rows=3 value=sign_evidence errors=sign_errors/>
                    <button type="submit" class="button button--secondary">"Sign off"</button>
                </ActionForm>
            })}
            {v.can(ActionKind::CompleteStaging).then(|| view! {
                <ActionForm action=complete>
                    <input type="hidden" name="reference" value=r_done.clone()/>
                    <button type="submit" class="button">"Staging is validated: continue to the form"</button>
                </ActionForm>
            })}
        }
    })
}
