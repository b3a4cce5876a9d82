//! Form building blocks that follow the GOV.UK / USWDS patterns: an error summary that links
//! to each field and takes focus, and fields with a label, hint and inline error.

use crate::domain::forms::FormErrors;
use crate::error::AppError;
use leptos::html;
use leptos::prelude::*;

/// The field errors of an action's last result, if it failed validation.
pub fn form_errors_of<T: Clone + Send + Sync + 'static>(
    value: Signal<Option<Result<T, AppError>>>,
) -> Signal<Option<FormErrors>> {
    Signal::derive(move || match value.get() {
        Some(Err(AppError::Invalid(f))) => Some(f),
        _ => None,
    })
}

/// A non-field error of an action's last result (wrong password, forbidden, …).
pub fn other_error_of<T: Clone + Send + Sync + 'static>(
    value: Signal<Option<Result<T, AppError>>>,
) -> Signal<Option<String>> {
    Signal::derive(move || match value.get() {
        Some(Err(AppError::Invalid(_))) | Some(Ok(_)) | None => None,
        Some(Err(e)) => Some(e.to_string()),
    })
}

/// "There is a problem" box at the top of the form. It takes focus when it appears, so
/// screen-reader and keyboard users land on it.
#[component]
pub fn ErrorSummary(
    /// Field errors to list, each linking to its field.
    #[prop(into)]
    errors: Signal<Option<FormErrors>>,
    /// An error that belongs to no one field.
    #[prop(into, optional)]
    other: Option<Signal<Option<String>>>,
) -> impl IntoView {
    let node = NodeRef::<html::Div>::new();
    let other = other.unwrap_or_else(|| Signal::derive(|| None));
    let visible = move || {
        errors.with(|e| e.as_ref().is_some_and(|e| !e.is_empty())) || other.with(|o| o.is_some())
    };
    Effect::new(move |_| {
        if visible() {
            if let Some(el) = node.get() {
                let _ = el.focus();
            }
        }
    });
    view! {
        <Show when=visible>
            <div class="error-summary" role="alert" tabindex="-1" autofocus node_ref=node aria-labelledby="error-summary-title">
                <h2 class="error-summary__title" id="error-summary-title">"There is a problem"</h2>
                <ul class="error-summary__list">
                    {move || other.get().map(|m| view! { <li>{m}</li> })}
                    {move || {
                        errors
                            .get()
                            .map(|e| {
                                e.errors
                                    .into_iter()
                                    .map(|fe| {
                                        let href = format!("#field-{}", fe.field);
                                        view! { <li><a href=href>{fe.message}</a></li> }
                                    })
                                    .collect_view()
                            })
                    }}
                </ul>
            </div>
        </Show>
    }
}

/// A labelled single-line text input with an optional hint and its inline error.
#[component]
pub fn TextField(
    /// The input's name (matches the server function's argument).
    name: &'static str,
    /// The visible label.
    label: &'static str,
    /// Help shown under the label.
    #[prop(optional)]
    hint: Option<&'static str>,
    /// `text`, `email`, `password`…
    #[prop(default = "text")]
    input_type: &'static str,
    /// Browser autofill hint.
    #[prop(optional)]
    autocomplete: Option<&'static str>,
    /// The value to show (the stored one, or what was typed before an error).
    #[prop(into)]
    value: Signal<String>,
    /// The form's errors; this field shows its own.
    #[prop(into)]
    errors: Signal<Option<FormErrors>>,
) -> impl IntoView {
    let id = format!("field-{name}");
    let hint_id = format!("{id}-hint");
    let error_id = format!("{id}-error");
    let message = move || {
        errors.with(|e| {
            e.as_ref()
                .and_then(|e| e.message_for(name).map(str::to_string))
        })
    };
    let described_by = {
        let (hint_id, error_id) = (hint_id.clone(), error_id.clone());
        move || {
            let mut ids = Vec::new();
            if hint.is_some() {
                ids.push(hint_id.clone());
            }
            if message().is_some() {
                ids.push(error_id.clone());
            }
            (!ids.is_empty()).then(|| ids.join(" "))
        }
    };
    view! {
        <div class="form-group" class:form-group--error=move || message().is_some()>
            <label class="label" for=id.clone()>{label}</label>
            {hint.map(|h| view! { <div class="hint" id=hint_id.clone()>{h}</div> })}
            {
                let error_id = error_id.clone();
                move || message().map(|m| view! {
                    <p class="error-message" id=error_id.clone()>
                        <span class="visually-hidden">"Error: "</span>{m}
                    </p>
                })
            }
            <input
                class="input"
                class:input--error=move || message().is_some()
                id=id.clone()
                name=name
                type=input_type
                autocomplete=autocomplete
                aria-describedby=described_by
                aria-invalid=move || message().is_some().then_some("true")
                prop:value=move || value.get()
                value=move || value.get()
            />
        </div>
    }
}

/// The value a field shows: what was typed before a failed submission, else `stored`.
pub fn kept_value(
    errors: Signal<Option<FormErrors>>,
    field: &'static str,
    stored: impl Fn() -> String + Send + Sync + 'static,
) -> Signal<String> {
    Signal::derive(move || {
        errors
            .with(|e| {
                e.as_ref()
                    .and_then(|e| e.value_of(field).map(str::to_string))
            })
            .unwrap_or_else(&stored)
    })
}
