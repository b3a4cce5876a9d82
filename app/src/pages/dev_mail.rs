//! The built-in mail viewer (demo mode only): every outgoing message, with working links.

use crate::api::wizard::dev_mail;
use crate::error::AppError;
use crate::pages::{loaded, problem_text};
use leptos::prelude::*;
use leptos_meta::Title;

/// Turns the URLs in a plain-text body into links, leaving everything else as text.
fn linked(body: &str) -> impl IntoView {
    body.split_inclusive(char::is_whitespace)
        .map(|word| {
            let trimmed = word.trim_end();
            if trimmed.starts_with("http://") || trimmed.starts_with("https://") {
                let rest = word[trimmed.len()..].to_string();
                view! { <a href=trimmed.to_string()>{trimmed.to_string()}</a>{rest} }.into_any()
            } else {
                word.to_string().into_any()
            }
        })
        .collect_view()
}

/// How delivery stands, in words.
pub fn delivery(m: &crate::api::types::MailView) -> String {
    match (&m.sent_at, &m.last_error) {
        (Some(at), _) => format!("Sent {}", at.format("%Y-%m-%d %H:%M:%S UTC")),
        (None, Some(e)) if m.gave_up => format!("Given up after {} attempts: {e}", m.attempts),
        (None, Some(e)) => format!("Retrying after {} failed attempts: {e}", m.attempts),
        (None, None) => "Waiting to be sent".into(),
    }
}

/// `/admin/mail`: messages that could not be delivered (admins only).
#[component]
pub fn UndeliveredMail() -> impl IntoView {
    let mail = Resource::new(|| (), |_| crate::api::wizard::undelivered_mail());
    view! {
        <Title text=super::page_title("Undelivered mail", false)/>
        <h1 class="heading-l">"Undelivered mail"</h1>
        <p>"Messages the mail relay refused or could not take. They are retried with growing waits; after the last attempt they stay here until the cause is fixed."</p>
        {loaded(mail, problem_text, move |list| if list.is_empty() {
            view! { <p>"Every message has been delivered."</p> }.into_any()
        } else {
            view! {
                <table class="table">
                    <caption class="visually-hidden">"Undelivered messages, newest first"</caption>
                    <thead><tr><th scope="col">"Request"</th><th scope="col">"Subject"</th><th scope="col">"To"</th><th scope="col">"Status"</th></tr></thead>
                    <tbody>
                        {list.into_iter().map(|m| view! {
                            <tr><td>{m.reference.clone().unwrap_or_default()}</td><td>{m.subject.clone()}</td><td>{m.to.join(", ")}</td><td>{delivery(&m)}</td></tr>
                        }).collect_view()}
                    </tbody>
                </table>
            }.into_any()
        })}
    }
}

/// Outside demo mode the viewer is not there.
fn demo_only(e: AppError) -> AnyView {
    match e {
        AppError::NotFound => view! { <p>"The mail viewer is only available in demo mode."</p> }.into_any(),
        e => problem_text(e),
    }
}

/// `/dev/mail`.
#[component]
pub fn MailViewer() -> impl IntoView {
    let mail = Resource::new(|| (), |_| dev_mail());
    view! {
        <Title text=super::page_title("Mail viewer", false)/>
        <h1 class="heading-l">"Mail viewer"</h1>
        <p>"Demo mode: every message Offcycle sends appears here, newest first."</p>
        {loaded(mail, demo_only, move |list| if list.is_empty() {
            view! { <p>"No messages yet."</p> }.into_any()
        } else {
            list.into_iter().map(|m| view! {
                <article class="mail" aria-labelledby=format!("mail-{}", m.id)>
                    <h2 class="heading-s" id=format!("mail-{}", m.id)>{m.subject.clone()}</h2>
                    <dl class="summary-list summary-list--compact">
                        <div class="summary-list__row"><dt class="summary-list__key">"To"</dt><dd class="summary-list__value">{m.to.join(", ")}</dd></div>
                        <div class="summary-list__row"><dt class="summary-list__key">"CC"</dt><dd class="summary-list__value">{m.cc.join(", ")}</dd></div>
                        <div class="summary-list__row"><dt class="summary-list__key">"Kind"</dt><dd class="summary-list__value">{m.kind.clone()}</dd></div>
                        <div class="summary-list__row"><dt class="summary-list__key">"Queued"</dt><dd class="summary-list__value">{m.created_at.format("%Y-%m-%d %H:%M:%S UTC").to_string()}</dd></div>
                        <div class="summary-list__row"><dt class="summary-list__key">"Delivery"</dt><dd class="summary-list__value">{delivery(&m)}</dd></div>
                    </dl>
                    <pre class="mail__body">{linked(&m.body)}</pre>
                </article>
            }).collect_view().into_any()
        })}
    }
}
