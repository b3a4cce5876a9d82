//! Step 2: validate the change in staging. What was changed, help from hosting within two hours,
//! and sign-off by QA, testers, dev and product, each signing as themselves with evidence.

use super::{request_resource, with_request, BackToTasks, Caption};
use crate::api::types::{SignOffInvitationView, SignOffView};
use crate::api::wizard::{AskToSignOff, CompleteStaging, RequestHostingHelp, SaveStagingNotes, SignOffStaging};
use crate::components::clock::ClockTag;
use crate::components::form::{kept_value, ErrorSummary, Outcome, Radios, TextArea, TextField};
use crate::domain::attachment::{self, AttachmentError};
use crate::domain::forms::{FieldError, FormErrors};
use crate::domain::workflow::{ActionKind, SignOffRole};
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

/// `/requests/:reference/staging`.
#[component]
pub fn StagingPage() -> impl IntoView {
    let notes = ServerAction::<SaveStagingNotes>::new();
    let help = ServerAction::<RequestHostingHelp>::new();
    let sign = ServerAction::<SignOffStaging>::new();
    let complete = ServerAction::<CompleteStaging>::new();
    let ask = ServerAction::<AskToSignOff>::new();
    // The upload is a plain multipart form: its error comes back in the address.
    let query = use_query_map();
    let upload_errors = Signal::derive(move || {
        query.with(|q| q.get("upload_error")).and_then(|c| AttachmentError::parse(&c)).map(|e| FormErrors {
            errors: vec![FieldError { field: "file".into(), message: e.to_string() }],
            values: vec![],
        })
    });
    let (noted, signed, asked) = (Outcome::of(notes), Outcome::of(sign), Outcome::of(ask));
    let (notes_errors, sign_errors, ask_errors) = (noted.errors, signed.errors, asked.errors);
    // One summary at the top for whichever form failed.
    let Outcome { errors, other, has_errors, .. } =
        [signed, asked, Outcome::of(help), Outcome::of(complete), Outcome::of_errors(upload_errors)]
            .into_iter()
            .fold(noted, Outcome::or);
    let resource = request_resource();
    with_request(resource, move |v| {
        let reference = v.summary.reference.clone();
        let can_sign = v.can(ActionKind::SignOff);
        let can_record = v.can(ActionKind::RecordStagingNotes);
        let can_help = v.can(ActionKind::RequestHostingHelp);
        let unsigned: Vec<SignOffRole> =
            SignOffRole::ALL.iter().copied().filter(|r| !v.sign_offs.iter().any(|s| s.role == *r)).collect();
        let options: Vec<(&'static str, &'static str)> = unsigned.iter().map(|r| (r.key(), r.label())).collect();
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
        let upload_action = format!("/requests/{reference}/attachments");
        let upload_message = move || upload_errors.get().and_then(|e| e.errors.first().map(|e| e.message.clone()));
        let attachments = v.attachments.clone();
        let r_files = reference.clone();
        let (ask_options, r_ask) = (options.clone(), reference.clone());
        view! {
            <crate::pages::PageTitle title="Validate in staging" has_errors=has_errors/>
            <BackToTasks reference=reference.clone()/>
            <ErrorSummary errors=errors other=other/>
            <Caption view=v.clone()/>
            <h1 class="heading-l">{if v.fast_path { "Record staging sign-off" } else { "Validate in staging" }}</h1>
            <p>"Make the change in staging using the steps of the plan, so they are proven before production. Adjust the plan if a step had to change."</p>
            <p><a href=format!("/requests/{reference}/plan")>"Open the plan"</a></p>

            <h2 class="heading-m">"What was changed in staging"</h2>
            {if can_record {
                view! {
                    <ActionForm action=notes>
                        <input type="hidden" name="reference" value=reference.clone()/>
                        <TextArea name="notes" label="What was changed" hint="Versions deployed, settings changed, anything done by hand." rows=4 value=notes_value errors=notes_errors/>
                        <button type="submit" class="button button--secondary">"Save what was changed"</button>
                    </ActionForm>
                }.into_any()
            } else if v.staging_notes.trim().is_empty() {
                view! { <p>"Nothing recorded yet."</p> }.into_any()
            } else {
                view! { <p class="preserve">{v.staging_notes.clone()}</p> }.into_any()
            }}

            <h2 class="heading-m">"Need help from the hosting team?"</h2>
            {match v.assistance.clone() {
                Some((due, status)) => view! {
                    <p>
                        "You asked for a call. The hosting team will call you by "
                        <strong>{due}</strong>
                        " " <ClockTag status/>
                    </p>
                }.into_any(),
                None => view! {
                    {v.call_held.clone().map(|when| view! {
                        <p>"The hosting team recorded the call you asked for as held at " {when} "."</p>
                    })}
                    <p>{format!("The hosting team can join a video call or screenshare {}.", crate::domain::sla::assistance_call_promise())}</p>
                }.into_any(),
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
                <thead><tr><th scope="col">"Who"</th><th scope="col">"Signed by"</th><th scope="col">"How"</th><th scope="col">"Evidence"</th></tr></thead>
                <tbody>
                    {SignOffRole::ALL.iter().copied().map(|r| {
                        let s = v.sign_offs.iter().find(|s| s.role == r).cloned();
                        view! {
                            <tr>
                                <th scope="row">{r.label()}</th>
                                <td>{s.as_ref().map(|s| s.signer.clone()).unwrap_or_else(|| "Not signed yet".into())}</td>
                                <td>{s.as_ref().map(SignOffView::how).unwrap_or_default()}</td>
                                <td class="preserve">{s.map(|s| s.evidence).unwrap_or_default()}</td>
                            </tr>
                        }
                    }).collect_view()}
                </tbody>
            </table>
            {SignOffView::several_capacities(&v.sign_offs).into_iter().map(|line| view! { <p>{line}</p> }).collect_view()}
            {match (can_sign && !options.is_empty(), v.signed_as) {
                (false, _) => ().into_any(),
                (true, Some(already)) => view! {
                    <div class="notification">
                        <p>{format!("You have signed off as {}. Each capacity is signed off by a different person: ask whoever checked {} to sign in and sign off here, or send them a link below.", already.label(), SignOffRole::in_words(&unsigned))}</p>
                    </div>
                }.into_any(),
                (true, None) => view! {
                <ActionForm action=sign>
                    <input type="hidden" name="reference" value=r_sign.clone()/>
                    <Radios name="role" legend="Sign off as" hint="You sign as yourself; your name is recorded." options=options.clone() value=sign_role errors=sign_errors/>
                    <TextArea name="evidence" label="Evidence" hint="A note, or a link to the test run or screenshots." rows=3 value=sign_evidence errors=sign_errors/>
                    <button type="submit" class="button button--secondary">"Sign off"</button>
                </ActionForm>
                }.into_any(),
            }}
            <Invitations list=v.invitations.clone()/>
            {(v.can(ActionKind::AskToSignOff) && !ask_options.is_empty()).then(|| view! {
                <h2 class="heading-m">"Ask someone to sign off"</h2>
                <p>"QA, testers or the product owner need no account here: they get their own link by email, see the plan and what was changed in staging, and sign off with their name. The link works once."</p>
                <ActionForm action=ask attr:novalidate=true>
                    <input type="hidden" name="reference" value=r_ask.clone()/>
                    <Radios name="capacity" legend="Capacity to sign off in" options=ask_options.clone() value=kept_value(ask_errors, "capacity", String::new) errors=ask_errors/>
                    <TextField name="name" label="Their full name" autocomplete="off" value=kept_value(ask_errors, "name", String::new) errors=ask_errors/>
                    <TextField name="email" label="Their email address" input_type="email" autocomplete="off" value=kept_value(ask_errors, "email", String::new) errors=ask_errors/>
                    <button type="submit" class="button button--secondary">"Send the sign-off link"</button>
                </ActionForm>
            })}
            <h2 class="heading-m" id="attachments">"Evidence files"</h2>
            {if attachments.is_empty() {
                view! { <p>"No files attached."</p> }.into_any()
            } else {
                view! {
                    <ul class="list">
                        {attachments.iter().map(|a| view! {
                            <li>
                                <a href=format!("/requests/{}/attachments/{}", r_files, a.id) download="">{a.file_name.clone()}</a>
                                {format!(" ({} KB, added by {}) SHA-256 {}", (a.size_bytes + 1023) / 1024, a.uploaded_by, &a.sha256[..16.min(a.sha256.len())])}
                            </li>
                        }).collect_view()}
                    </ul>
                }.into_any()
            }}
            {v.can(ActionKind::AttachEvidence).then(|| view! {
                <form method="post" enctype="multipart/form-data" action=upload_action.clone()>
                    <div class="form-group" class:form-group--error=move || upload_message().is_some()>
                        <label class="label" for="field-file">"Attach a file (optional)"</label>
                        <div class="hint" id="field-file-hint">{attachment::hint()}</div>
                        {move || upload_message().map(|m| view! {
                            <p class="error-message" id="field-file-error"><span class="visually-hidden">"Error: "</span>{m}</p>
                        })}
                        <input
                            class="file-upload"
                            type="file"
                            id="field-file"
                            name="file"
                            accept=attachment::accept()
                            aria-describedby=move || if upload_message().is_some() { "field-file-hint field-file-error" } else { "field-file-hint" }
                        />
                    </div>
                    <button type="submit" class="button button--secondary">"Upload file"</button>
                </form>
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

/// Who was asked by email to sign off and has not yet: when, and whether they opened the link.
#[component]
fn Invitations(list: Vec<SignOffInvitationView>) -> impl IntoView {
    use crate::domain::calendar::spoken;
    (!list.is_empty()).then(|| {
        view! {
            <h3 class="heading-s">"Waiting for"</h3>
            <ul class="list">
                {list.into_iter().map(|i| {
                    let link = match (i.opened_at, i.expires_at) {
                        (Some(at), _) => format!("opened the link at {}", spoken(at)),
                        (None, Some(until)) => format!("link sent, works until {}", spoken(until)),
                        (None, None) => "link being sent".to_string(),
                    };
                    view! {
                        <li>{format!("{} ({}) as {}: asked at {}; {link}.", i.name, i.email, i.role.label(), spoken(i.invited_at))}</li>
                    }
                }).collect_view()}
            </ul>
        }
    })
}
