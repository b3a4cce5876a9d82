//! What a form's last submission came to, as a page shows it: the field errors (with what was
//! typed), any other error, and what others changed after an edit conflict.

use crate::domain::forms::FormErrors;
use crate::error::AppError;
use leptos::prelude::*;

/// The field errors of an action's last result, if it failed validation.
fn form_errors_of<T: Clone + Send + Sync + 'static>(
    value: Signal<Option<Result<T, AppError>>>,
) -> Signal<Option<FormErrors>> {
    Signal::derive(move || match value.get() {
        Some(Err(AppError::Invalid(f))) | Some(Err(AppError::EditConflict { form: f, .. })) => Some(f),
        _ => None,
    })
}

/// A non-field error of an action's last result (wrong password, forbidden, …).
fn other_error_of<T: Clone + Send + Sync + 'static>(
    value: Signal<Option<Result<T, AppError>>>,
) -> Signal<Option<String>> {
    Signal::derive(move || match value.get() {
        Some(Err(AppError::Invalid(_))) | Some(Ok(_)) | None => None,
        Some(Err(e)) => Some(e.to_string()),
    })
}

/// What others changed, when the last save was an edit conflict.
fn conflict_changes_of<T: Clone + Send + Sync + 'static>(
    value: Signal<Option<Result<T, AppError>>>,
) -> Signal<Option<Vec<String>>> {
    Signal::derive(move || match value.get() {
        Some(Err(AppError::EditConflict { changes, .. })) => Some(changes),
        _ => None,
    })
}

/// What a page shows about its action's last result.
#[derive(Clone, Copy)]
pub struct Outcome {
    /// The field errors, if it failed validation.
    pub errors: Signal<Option<FormErrors>>,
    /// A non-field error.
    pub other: Signal<Option<String>>,
    /// What others changed, after an edit conflict.
    pub changes: Signal<Option<Vec<String>>>,
    /// Either kind of error (the page title says so).
    pub has_errors: Signal<bool>,
}

/// The outcome of an action's last result.
fn outcome_of<T: Clone + Send + Sync + 'static>(value: Signal<Option<Result<T, AppError>>>) -> Outcome {
    let (errors, other) = (form_errors_of(value), other_error_of(value));
    Outcome {
        errors,
        other,
        changes: conflict_changes_of(value),
        has_errors: Signal::derive(move || errors.with(|e| e.is_some()) || other.with(|o| o.is_some())),
    }
}

impl Outcome {
    /// The outcome of `action`'s last result.
    pub fn of<S>(action: ServerAction<S>) -> Outcome
    where
        S: leptos::server_fn::ServerFn<Error = AppError> + Clone + Send + Sync + 'static,
        S::Output: Clone + Send + Sync + 'static,
    {
        outcome_of(Signal::derive(move || action.value().get()))
    }

    /// Field errors that come from elsewhere (an upload's, from the address), as an outcome.
    pub fn of_errors(errors: Signal<Option<FormErrors>>) -> Outcome {
        outcome_of(Signal::derive(move || errors.get().map(|f| Err::<(), _>(AppError::Invalid(f)))))
    }

    /// This outcome, else `next`'s: a page with several forms shows whichever failed.
    pub fn or(self, next: Outcome) -> Outcome {
        let errors = Signal::derive(move || self.errors.get().or_else(|| next.errors.get()));
        let other = Signal::derive(move || self.other.get().or_else(|| next.other.get()));
        Outcome {
            errors,
            other,
            changes: Signal::derive(move || self.changes.get().or_else(|| next.changes.get())),
            has_errors: Signal::derive(move || errors.with(|e| e.is_some()) || other.with(|o| o.is_some())),
        }
    }
}
