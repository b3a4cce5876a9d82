//! Form building blocks that follow the GOV.UK / USWDS patterns: an error summary that links
//! to each field and takes focus, and fields with a label, hint and inline error.

use crate::domain::forms::FormErrors;
use leptos::prelude::*;

// What a form's last submission came to; most pages take it with the fields.
pub use super::outcome::*;

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

/// "There is a problem" box at the top of the form. It takes focus as the page loads
/// (`autofocus`; pages are server-rendered), so screen-reader and keyboard users land on it.
#[component]
pub fn ErrorSummary(
    /// Field errors to list, each linking to its field.
    #[prop(into)]
    errors: Signal<Option<FormErrors>>,
    /// An error that belongs to no one field.
    #[prop(into, optional)]
    other: Option<Signal<Option<String>>>,
) -> impl IntoView {
    let other = other.unwrap_or_else(|| Signal::derive(|| None));
    let visible = move || errors.with(|e| e.as_ref().is_some_and(|e| !e.is_empty())) || other.with(|o| o.is_some());
    view! {
        <Show when=visible>
            <div class="error-summary" role="alert" tabindex="-1" autofocus aria-labelledby="error-summary-title">
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
    labelled(name, label, hint, errors, move |c| {
        view! {
            <input
                class="input"
                class:input--error=move || c.invalid.get()
                id=c.id
                name=input_name.unwrap_or_else(|| name.to_string())
                type=input_type
                inputmode=inputmode
                autocomplete=autocomplete
                aria-describedby=move || c.described_by.get()
                aria-invalid=move || c.invalid.get().then_some("true")
                // The server renders it as the attribute: the field's starting value.
                value=move || value.get()
            />
        }
    })
}

/// What a field's control takes from its frame.
#[derive(Clone)]
struct Control {
    /// `field-{name}`: the label's target and the error summary's link.
    id: String,
    /// The field has an error.
    invalid: Signal<bool>,
    /// Its hint's and error's ids.
    described_by: Signal<Option<String>>,
}

impl Control {
    /// The control of field `name`, and its hint and inline error drawn (which a label or a
    /// legend precedes).
    fn of(
        name: &'static str,
        hint: Option<&'static str>,
        errors: Signal<Option<FormErrors>>,
    ) -> (Control, impl IntoView) {
        let FieldIds { id, hint: hint_id, error: error_id } = field_ids(name);
        let message = field_message(errors, name);
        let invalid = Signal::derive(move || message().is_some());
        let described_by = Signal::derive(described_by(hint.is_some(), hint_id.clone(), error_id.clone(), message));
        let hint_and_error = view! { <HintAndError hint=hint hint_id=hint_id error_id=error_id message=message/> };
        (Control { id, invalid, described_by }, hint_and_error)
    }
}

/// A field's frame: the group, its label, hint and inline error, around the control.
fn labelled<V: IntoView + 'static>(
    name: &'static str,
    label: &'static str,
    hint: Option<&'static str>,
    errors: Signal<Option<FormErrors>>,
    control: impl FnOnce(Control) -> V,
) -> impl IntoView {
    let (frame, hint_and_error) = Control::of(name, hint, errors);
    let (id, invalid) = (frame.id.clone(), frame.invalid);
    let control = control(frame);
    view! {
        <div class="form-group" class:form-group--error=move || invalid.get()>
            <label class="label" for=id>{label}</label>
            {hint_and_error}
            {control}
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

/// A field's ids: its own (`field-{name}`, the error summary's link target), its hint's and its
/// error's.
struct FieldIds {
    id: String,
    hint: String,
    error: String,
}

fn field_ids(name: &str) -> FieldIds {
    let id = format!("field-{name}");
    FieldIds { hint: format!("{id}-hint"), error: format!("{id}-error"), id }
}

/// What sits between a field's label and its control: the hint, then the error while there is one.
#[component]
fn HintAndError(
    hint: Option<&'static str>,
    hint_id: String,
    error_id: String,
    message: impl Fn() -> Option<String> + Send + Sync + 'static,
) -> impl IntoView {
    view! {
        {hint.map(|h| view! { <div class="hint" id=hint_id>{h}</div> })}
        {move || view! { <InlineError id=error_id.clone() message=message()/> }}
    }
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
    labelled(name, label, hint, errors, move |c| {
        view! {
            <textarea
                class="textarea"
                class:textarea--error=move || c.invalid.get()
                class:textarea--code=code
                id=c.id
                name=input_name.unwrap_or_else(|| name.to_string())
                rows=rows
                aria-describedby=move || c.described_by.get()
                aria-invalid=move || c.invalid.get().then_some("true")
            >
                {move || value.get_untracked()}
            </textarea>
        }
    })
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
    let posted = input_name.unwrap_or_else(|| name.to_string());
    in_fieldset(name, legend, hint, errors, move |c| {
        let id = c.id;
        view! {
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
        }
    })
}

/// A question's frame: the group and its fieldset, the legend, hint and inline error, around the
/// options.
fn in_fieldset<V: IntoView + 'static>(
    name: &'static str,
    legend: &'static str,
    hint: Option<&'static str>,
    errors: Signal<Option<FormErrors>>,
    options: impl FnOnce(Control) -> V,
) -> impl IntoView {
    let (frame, hint_and_error) = Control::of(name, hint, errors);
    let (invalid, described_by) = (frame.invalid, frame.described_by);
    let options = options(frame);
    view! {
        <div class="form-group" class:form-group--error=move || invalid.get()>
            <fieldset class="fieldset" aria-describedby=move || described_by.get()>
                <legend class="fieldset__legend">{legend}</legend>
                {hint_and_error}
                {options}
            </fieldset>
        </div>
    }
}

/// A `<select>` with its label, side by side (filters and version pickers), and its inline
/// error when `errors` has one for it (a filter's address can name a choice that is not offered).
pub fn select(
    name: &'static str,
    label: &'static str,
    current: String,
    options: Vec<(String, String)>,
    errors: Signal<Option<FormErrors>>,
) -> impl IntoView {
    let (c, hint_and_error) = Control::of(name, None, errors);
    let invalid = c.invalid;
    view! {
        <div class="form-group form-group--inline" class:form-group--error=move || invalid.get()>
            <label class="label" for=c.id.clone()>{label}</label>
            {hint_and_error}
            <select class="select" id=c.id name=name aria-describedby=move || c.described_by.get()>
                {options.into_iter().map(|(value, text)| {
                    let selected = value == current;
                    view! { <option value=value selected=selected>{text}</option> }
                }).collect_view()}
            </select>
        </div>
    }
}

/// A form's `<select>` with its label and inline error; it shows what was chosen before a
/// failed submission.
pub fn select_field(
    name: &'static str,
    label: &'static str,
    options: Vec<(String, String)>,
    errors: Signal<Option<FormErrors>>,
) -> impl IntoView {
    let current =
        errors.with_untracked(|e| e.as_ref().and_then(|e| e.value_of(name).map(str::to_string))).unwrap_or_default();
    labelled(name, label, None, errors, move |c| {
        view! {
            <select class="select" id=c.id name=name aria-describedby=move || c.described_by.get()>
                {options.into_iter().map(|(v, t)| { let sel = v == current; view! { <option value=v selected=sel>{t}</option> } }).collect_view()}
            </select>
        }
    })
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
    in_fieldset(name, legend, hint, errors, move |c| {
        let id = c.id;
        view! {
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
        }
    })
}
