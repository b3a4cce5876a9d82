//! The one error type that crosses from server functions to the page.
//!
//! Each variant maps to a message a person can act on and an HTTP status. It is JSON-encoded,
//! so without JavaScript it survives Leptos's redirect back to the form (`?__err=`).

use crate::domain::forms::FormErrors;
use leptos::server_fn::codec::JsonEncoding;
use leptos::server_fn::error::{FromServerFnError, ServerFnErrorErr};
use serde::{Deserialize, Serialize};

/// What went wrong, in words the page can show.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error, Serialize, Deserialize)]
pub enum AppError {
    /// The input has problems; each is shown next to its field.
    #[error("There is a problem with what was entered")]
    Invalid(FormErrors),
    /// Nobody is signed in (or the session ended).
    #[error("Sign in to continue")]
    Unauthenticated,
    /// Signed in, but this person may not do this.
    #[error("You do not have permission to do that")]
    Forbidden,
    /// The thing asked for does not exist (or is not visible to this person).
    #[error("We could not find that")]
    NotFound,
    /// The email address or password was wrong. Deliberately says no more.
    #[error("Enter a correct email address and password")]
    BadCredentials,
    /// Too many failed attempts; try again later.
    #[error("Too many attempts. Wait a few minutes and try again")]
    Throttled,
    /// The process does not allow this now; the message says why.
    #[error("{0}")]
    Refused(String),
    /// Someone else changed the same thing first.
    #[error("Someone else changed this while you were editing")]
    Conflict,
    /// This edit was based on an older version, and someone else changed the same thing
    /// since. Nothing was saved; what was typed comes back, with what they changed.
    #[error("{summary}")]
    EditConflict {
        /// What happened, in one sentence.
        summary: String,
        /// What the others changed since the editor's version, in words.
        changes: Vec<String>,
        /// Fields both changed (their text in the message), and everything typed (kept).
        form: FormErrors,
    },
    /// Something failed on our side; the details are in the server log, not here.
    #[error("Something went wrong on our side. Try again; if it keeps happening, contact the hosting team")]
    Internal,
    /// The database cannot be reached just now (a restart, a failover): nothing was saved, and
    /// trying again shortly will work.
    #[error("Offcycle cannot reach its database just now. Nothing was saved: wait a minute and try again")]
    Unavailable,
    /// The request never reached (or never came back from) the server function.
    #[error("The request could not be sent: {0}")]
    Transport(String),
}

impl AppError {
    /// The HTTP status this error answers with.
    pub fn status(&self) -> u16 {
        match self {
            AppError::Invalid(_) => 422,
            AppError::Unauthenticated | AppError::BadCredentials => 401,
            AppError::Forbidden => 403,
            AppError::NotFound => 404,
            AppError::Throttled => 429,
            AppError::Conflict | AppError::EditConflict { .. } | AppError::Refused(_) => 409,
            AppError::Internal | AppError::Transport(_) => 500,
            AppError::Unavailable => 503,
        }
    }

    /// The field errors, when this is a validation failure.
    pub fn form_errors(&self) -> Option<&FormErrors> {
        match self {
            AppError::Invalid(f) | AppError::EditConflict { form: f, .. } => Some(f),
            _ => None,
        }
    }
}

impl From<FormErrors> for AppError {
    fn from(value: FormErrors) -> Self {
        AppError::Invalid(value)
    }
}

impl FromServerFnError for AppError {
    type Encoder = JsonEncoding;

    fn from_server_fn_error(value: ServerFnErrorErr) -> Self {
        AppError::Transport(value.to_string())
    }
}
