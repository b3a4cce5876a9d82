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
        Some(Err(AppError::Invalid(f))) | Some(Err(AppError::EditConflict { form: f, .. })) => Some(f),
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

/// What others changed, when the last save was an edit conflict.
pub fn conflict_changes_of<T: Clone + Send + Sync + 'static>(
    value: Signal<Option<Result<T, AppError>>>,
) -> Signal<Option<Vec<String>>> {
    Signal::derive(move || match value.get() {
        Some(Err(AppError::EditConflict { changes, .. })) => Some(changes),
        _ => None,
    })
}

/// The panel that explains an edit conflict: what the others changed since this person's
/// version. Their own text stays in the form below it.
#[component]
pub fn ConflictPanel(#[prop(into)] changes: Signal<Option<Vec<String>>>) -> impl IntoView {
    view! {
        <Show when=move || changes.with(|c| c.is_some())>
            <div class="notification notification--important" role="region" aria-label="Changes made while you were editing">
                <h2 class="heading-s">"Changes made while you were editing"</h2>
                <ul class="list">
                    {move || changes.get().unwrap_or_default().into_iter().map(|c| view! { <li class="preserve">{c}</li> }).collect_view()}
                </ul>
                <p>"Your text is kept in the form. Compare, change what you need, and save again: your save will then be based on the newest version."</p>
            </div>
        </Show>
    }
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
    let visible = move || errors.with(|e| e.as_ref().is_some_and(|e| !e.is_empty())) || other.with(|o| o.is_some());
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
    /// The field's name (matches the server function's argument; the id is `field-{name}`).
    name: &'static str,
    /// The posted name when it differs from `name` (`fields[title]`).
    #[prop(optional, into)]
    input_name: Option<String>,
    /// The visible label.
    label: &'static str,
    /// Help shown under the label.
    #[prop(default = None, into)]
    hint: Option<&'static str>,
    /// `text`, `email`, `password`…
    #[prop(default = "text")]
    input_type: &'static str,
    /// Browser autofill hint.
    #[prop(optional)]
    autocomplete: Option<&'static str>,
    /// Keyboard to show on phones (`numeric`).
    #[prop(optional)]
    inputmode: Option<&'static str>,
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
    let message = field_message(errors, name);
    let described_by = described_by(hint.is_some(), hint_id.clone(), error_id.clone(), message);
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
                name=input_name.unwrap_or_else(|| name.to_string())
                type=input_type
                inputmode=inputmode
                autocomplete=autocomplete
                aria-describedby=described_by
                aria-invalid=move || message().is_some().then_some("true")
                // An attribute, not a property: hydration must not overwrite what someone typed
                // before the page became interactive.
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
        errors.with(|e| e.as_ref().and_then(|e| e.value_of(field).map(str::to_string))).unwrap_or_else(&stored)
    })
}

/// The ids a field's `aria-describedby` names: its hint, and its error while it has one.
fn described_by(
    has_hint: bool,
    hint_id: String,
    error_id: String,
    message: impl Fn() -> Option<String> + Send + Sync + 'static,
) -> impl Fn() -> Option<String> + Send + Sync + 'static {
    move || {
        let mut ids = Vec::new();
        if has_hint {
            ids.push(hint_id.clone());
        }
        if message().is_some() {
            ids.push(error_id.clone());
        }
        (!ids.is_empty()).then(|| ids.join(" "))
    }
}

fn field_message(
    errors: Signal<Option<FormErrors>>,
    name: &'static str,
) -> impl Fn() -> Option<String> + Copy + Send + Sync {
    move || errors.with(|e| e.as_ref().and_then(|e| e.message_for(name).map(str::to_string)))
}

/// The inline error paragraph for a field.
#[component]
fn InlineError(id: String, message: Option<String>) -> impl IntoView {
    message.map(|m| {
        view! {
            <p class="error-message" id=id>
                <span class="visually-hidden">"Error: "</span>
                {m}
            </p>
        }
    })
}

/// A labelled multi-line text field with hint and inline error.
#[component]
pub fn TextArea(
    /// The field's name (the id is `field-{name}`).
    name: &'static str,
    /// The posted name when it differs from `name`.
    #[prop(optional, into)]
    input_name: Option<String>,
    /// The visible label.
    label: &'static str,
    /// Help under the label.
    #[prop(default = None, into)]
    hint: Option<&'static str>,
    /// Rows shown.
    #[prop(default = 5)]
    rows: u32,
    /// Monospaced (commands).
    #[prop(optional)]
    code: bool,
    /// The value to show.
    #[prop(into)]
    value: Signal<String>,
    /// The form's errors.
    #[prop(into)]
    errors: Signal<Option<FormErrors>>,
) -> impl IntoView {
    let id = format!("field-{name}");
    let hint_id = format!("{id}-hint");
    let error_id = format!("{id}-error");
    let message = field_message(errors, name);
    let described_by = described_by(hint.is_some(), hint_id.clone(), error_id.clone(), message);
    view! {
        <div class="form-group" class:form-group--error=move || message().is_some()>
            <label class="label" for=id.clone()>{label}</label>
            {hint.map(|h| view! { <div class="hint" id=hint_id.clone()>{h}</div> })}
            {
                let error_id = error_id.clone();
                move || view! { <InlineError id=error_id.clone() message=message()/> }
            }
            <textarea
                class="textarea"
                class:textarea--error=move || message().is_some()
                class:textarea--code=code
                id=id.clone()
                name=input_name.unwrap_or_else(|| name.to_string())
                rows=rows
                aria-describedby=described_by
                aria-invalid=move || message().is_some().then_some("true")
            >
                {move || value.get_untracked()}
            </textarea>
        </div>
    }
}

/// A question answered by one of several options (radios in a fieldset).
#[component]
pub fn Radios(
    /// The field's name (the first option's id is `field-{name}`).
    name: &'static str,
    /// The posted name when it differs from `name`.
    #[prop(optional, into)]
    input_name: Option<String>,
    /// The question.
    legend: &'static str,
    /// Help under the question.
    #[prop(default = None, into)]
    hint: Option<&'static str>,
    /// (value, label) pairs.
    options: Vec<(&'static str, &'static str)>,
    /// Show the options side by side (yes/no).
    #[prop(optional)]
    inline: bool,
    /// The selected value.
    #[prop(into)]
    value: Signal<String>,
    /// The form's errors.
    #[prop(into)]
    errors: Signal<Option<FormErrors>>,
) -> impl IntoView {
    let id = format!("field-{name}");
    let hint_id = format!("{id}-hint");
    let error_id = format!("{id}-error");
    let message = field_message(errors, name);
    let posted = input_name.unwrap_or_else(|| name.to_string());
    let described_by = described_by(hint.is_some(), hint_id.clone(), error_id.clone(), message);
    view! {
        <div class="form-group" class:form-group--error=move || message().is_some()>
            <fieldset class="fieldset" aria-describedby=described_by>
                <legend class="fieldset__legend">{legend}</legend>
                {hint.map(|h| view! { <div class="hint" id=hint_id.clone()>{h}</div> })}
                {
                    let error_id = error_id.clone();
                    move || view! { <InlineError id=error_id.clone() message=message()/> }
                }
                <div class="radios" class:radios--inline=inline>
                    {options
                        .into_iter()
                        .enumerate()
                        .map(|(i, (v, l))| {
                            // The first option carries the field's id, so the error summary can link to it.
                            let input_id = if i == 0 { id.clone() } else { format!("{id}-{v}") };
                            view! {
                                <div class="radios__item">
                                    <input
                                        class="radios__input"
                                        type="radio"
                                        id=input_id.clone()
                                        name=posted.clone()
                                        value=v
                                        checked=move || value.get() == v
                                    />
                                    <label class="radios__label" for=input_id>{l}</label>
                                </div>
                            }
                        })
                        .collect_view()}
                </div>
            </fieldset>
        </div>
    }
}

/// Several statements to confirm (checkboxes in a fieldset). Each box posts
/// `fields[<prefix><key>]=yes`.
#[component]
pub fn Checkboxes(
    /// The field's name (for errors and the summary link).
    name: &'static str,
    /// The question.
    legend: &'static str,
    /// Help under the question.
    #[prop(default = None, into)]
    hint: Option<&'static str>,
    /// (key, label) pairs.
    options: &'static [(&'static str, &'static str)],
    /// Prefix of each box's posted key.
    #[prop(default = "check_")]
    prefix: &'static str,
    /// Keys that are checked.
    #[prop(into)]
    checked: Signal<Vec<String>>,
    /// The form's errors.
    #[prop(into)]
    errors: Signal<Option<FormErrors>>,
) -> impl IntoView {
    let id = format!("field-{name}");
    let error_id = format!("{id}-error");
    let hint_id = format!("{id}-hint");
    let message = field_message(errors, name);
    view! {
        <div class="form-group" class:form-group--error=move || message().is_some()>
            <fieldset class="fieldset" aria-describedby=hint.map(|_| hint_id.clone())>
                <legend class="fieldset__legend">{legend}</legend>
                {hint.map(|h| view! { <div class="hint" id=hint_id.clone()>{h}</div> })}
                {
                    let error_id = error_id.clone();
                    move || view! { <InlineError id=error_id.clone() message=message()/> }
                }
                <div class="checkboxes">
                    {options
                        .iter()
                        .enumerate()
                        .map(|(i, (key, label))| {
                            let input_id = if i == 0 { id.clone() } else { format!("{id}-{key}") };
                            let key_owned = key.to_string();
                            let is_checked = move || checked.with(|c| c.contains(&key_owned));
                            view! {
                                <div class="checkboxes__item">
                                    <input
                                        class="checkboxes__input"
                                        type="checkbox"
                                        id=input_id.clone()
                                        name=format!("fields[{prefix}{key}]")
                                        value="yes"
                                        checked=is_checked
                                    />
                                    <label class="checkboxes__label" for=input_id>{*label}</label>
                                </div>
                            }
                        })
                        .collect_view()}
                </div>
            </fieldset>
        </div>
    }
}
