//! Staging evidence files: a plain multipart form (works without JavaScript) and downloads.
//!
//! Uploading is an action of the rule table (`AttachEvidence`: the dev team while staging is open,
//! committed with its audit event through the one application service); downloading needs what
//! reading the request needs. Errors go back to the staging page as a short code in the address,
//! where the page shows them at the field.

use crate::signed_in::SignedIn;
use crate::AppState;
use app::domain::attachment::{check, clean_file_name, AttachmentError, EvidenceFile, MAX_BYTES};
use app::domain::workflow::{Action, ActionKind};
use app::error::AppError;
use app::service::{Change, Principal};
use axum::extract::{Multipart, Path, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use sha2::Digest;

fn back(reference: &str, error: Option<AttachmentError>) -> Response {
    match error {
        Some(e) => Redirect::to(&format!("/requests/{reference}/staging?upload_error={}#field-file", e.code())),
        None => Redirect::to(&format!("/requests/{reference}/staging#attachments")),
    }
    .into_response()
}

fn not_found() -> Response {
    (StatusCode::NOT_FOUND, "Not found").into_response()
}

/// Reads the `file` field, stopping as soon as it is over the limit.
async fn read_file(multipart: &mut Multipart) -> Result<(String, Vec<u8>), AttachmentError> {
    while let Ok(Some(mut field)) = multipart.next_field().await {
        if field.name() != Some("file") {
            continue;
        }
        let name = field.file_name().unwrap_or("").to_string();
        let mut bytes = Vec::new();
        loop {
            match field.chunk().await {
                Ok(Some(chunk)) => {
                    if bytes.len() + chunk.len() > MAX_BYTES {
                        return Err(AttachmentError::TooLarge);
                    }
                    bytes.extend_from_slice(&chunk);
                }
                Ok(None) => break,
                // The body limit cuts off anything far larger.
                Err(_) => return Err(AttachmentError::TooLarge),
            }
        }
        return Ok((name, bytes));
    }
    Err(AttachmentError::Missing)
}

/// Why a file was not attached.
pub(crate) enum Refused {
    /// The answer to send as it is (the request is not visible to this person).
    Answer(Response),
    /// This person may not attach evidence to it now.
    Forbidden,
    /// The file itself (or one too many).
    File(AttachmentError),
    /// Storing it failed on our side (logged).
    Internal,
}

/// Attaches the multipart `file` to the request as evidence, by `user` from `source`, through
/// the rule table (`AttachEvidence`: the request's dev team while staging is open); the content
/// checked against its name first.
pub(crate) async fn attach(
    state: &AppState,
    user: &app::api::types::SessionUser,
    source: &str,
    reference: &str,
    multipart: &mut Multipart,
) -> Result<(), Refused> {
    // Someone who may not see the request learns nothing from what they sent.
    state.readable(user, reference).await.map_err(Refused::Answer)?;
    let (name, bytes) = read_file(multipart).await.map_err(Refused::File)?;
    let kind = check(&name, &bytes).map_err(Refused::File)?;
    let file = EvidenceFile {
        name: clean_file_name(&name),
        media_type: kind.media_type().to_string(),
        size: bytes.len(),
        sha256: hex::encode(sha2::Sha256::digest(&bytes)),
    };
    let who = Principal { user, source, link: None };
    let attached = state
        .workflow()
        .perform(&who, reference, ActionKind::AttachEvidence, |r| {
            let held = r.request.attachments.len();
            Ok(Change {
                attachment: Some(bytes.clone()),
                ..Change::action(Action::AttachEvidence { file: file.clone(), held })
            })
        })
        .await;
    match attached {
        Ok(_) => Ok(()),
        // The one input the rule checks of a file: how many the request holds.
        Err(AppError::Invalid(_)) => Err(Refused::File(AttachmentError::TooMany)),
        Err(AppError::Forbidden | AppError::Refused(_)) => Err(Refused::Forbidden),
        Err(e) => {
            tracing::error!("storing an attachment for {reference}: {e}");
            Err(Refused::Internal)
        }
    }
}

/// `POST /requests/{reference}/attachments`.
pub async fn upload(
    State(state): State<AppState>,
    Path(reference): Path<String>,
    who: SignedIn,
    mut multipart: Multipart,
) -> Response {
    match attach(&state, &who.session.user, &who.source, &reference, &mut multipart).await {
        Ok(()) => back(&reference, None),
        Err(Refused::Answer(answer)) => answer,
        Err(Refused::Forbidden) => {
            (StatusCode::FORBIDDEN, "You cannot attach evidence to this request now.").into_response()
        }
        Err(Refused::File(e)) => back(&reference, Some(e)),
        Err(Refused::Internal) => StatusCode::INTERNAL_SERVER_ERROR.into_response(),
    }
}

/// `GET /requests/{reference}/attachments/{id}`: always a download, never shown inline.
pub async fn download(
    State(state): State<AppState>,
    Path((reference, id)): Path<(String, i64)>,
    who: SignedIn,
) -> Response {
    let request = match state.readable(&who.session.user, &reference).await {
        Ok(r) => r.request,
        Err(answer) => return answer,
    };
    let Ok(Some((info, data))) = state.store.attachment(request.id, id).await else { return not_found() };
    let detail = format!("{reference}: downloaded {} (sha256 {})", info.file_name, info.sha256);
    if let Err(res) = who.audit_download(&state, request.id, "Download", detail, "success").await {
        return res;
    }
    let mut res = data.into_response();
    let h = res.headers_mut();
    if let Ok(v) = HeaderValue::from_str(&info.media_type) {
        h.insert(header::CONTENT_TYPE, v);
    }
    // The name was cleaned on the way in (no quotes, no control characters).
    let ascii: String = info.file_name.chars().map(|c| if c.is_ascii() { c } else { '_' }).collect();
    if let Ok(v) = HeaderValue::from_str(&format!("attachment; filename=\"{ascii}\"")) {
        h.insert(header::CONTENT_DISPOSITION, v);
    }
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("private, no-store"));
    res
}
