//! The downloads: the record as it stands, an archived copy (checksum verified on the way out),
//! and the archive search as CSV; each audited.

use super::*;
use crate::signed_in::SignedIn;

fn not_found() -> Response {
    (StatusCode::NOT_FOUND, "Not found").into_response()
}

/// The request if this person may read it.
async fn readable(state: &AppState, who: &SignedIn, reference: &str) -> Result<LoadedRequest, Response> {
    state.readable(&who.session.user, reference).await.map(|r| r.request)
}

fn pdf_response(bytes: Vec<u8>, file_name: &str, sha: &str) -> Response {
    let mut res = bytes.into_response();
    let h = res.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static("application/pdf"));
    if let Ok(v) = HeaderValue::from_str(&format!("attachment; filename=\"{file_name}\"")) {
        h.insert(header::CONTENT_DISPOSITION, v);
    }
    if let Ok(v) = HeaderValue::from_str(sha) {
        h.insert("x-content-sha256", v);
    }
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("private, no-store"));
    res
}

/// `GET /changes/{reference}.pdf`: the record as it stands, for anyone who may read it.
pub async fn current_pdf(AxumState(state): AxumState<AppState>, Path(file): Path<String>, who: SignedIn) -> Response {
    let Some(reference) = file.strip_suffix(".pdf") else { return not_found() };
    let request = match readable(&state, &who, reference).await {
        Ok(r) => r,
        Err(answer) => return answer,
    };
    let record = match record(&state.store, &request, Version::Current).await {
        Ok(r) => r,
        Err(e) => {
            tracing::error!("assembling the record of {reference}: {e}");
            return StatusCode::INTERNAL_SERVER_ERROR.into_response();
        }
    };
    let pdf = match tokio::task::spawn_blocking(move || render(&record)).await {
        Ok(Ok(pdf)) => pdf,
        other => {
            tracing::error!("rendering {reference}: {other:?}");
            return StatusCode::INTERNAL_SERVER_ERROR.into_response();
        }
    };
    let sha = sha256_hex(&pdf);
    let reference = request.summary.reference.clone();
    let detail = format!("{reference}: downloaded the record (version {}, sha256 {sha})", request.row_version);
    if let Err(res) = who.audit_download(&state, request.id, "Download record", detail, "success").await {
        return res;
    }
    pdf_response(pdf, &format!("{reference}.pdf"), &sha)
}

/// `GET /archive/copies/{id}.pdf`: an archived copy, its checksum verified on the way out.
pub async fn copy_pdf(AxumState(state): AxumState<AppState>, Path(file): Path<String>, who: SignedIn) -> Response {
    let Some(id) = file.strip_suffix(".pdf").and_then(|n| n.parse::<i64>().ok()) else { return not_found() };
    let Ok(Some((copy, request_id, pdf))) = state.store.archive_copy(id).await else { return not_found() };
    if let Err(answer) = readable(&state, &who, &copy.reference).await {
        return answer;
    }
    let (Some(pdf), Some(sha)) = (pdf, copy.sha256.clone()) else {
        return (
            StatusCode::SERVICE_UNAVAILABLE,
            [(header::RETRY_AFTER, "2")],
            "This copy is being filed; try again in a moment",
        )
            .into_response();
    };
    let actual = sha256_hex(&pdf);
    if actual != sha {
        let detail = format!(
            "{}: archive copy {} failed its checksum (recorded {sha}, stored bytes {actual})",
            copy.reference, copy.copy_number
        );
        tracing::error!("{detail}");
        let _ = who.audit_download(&state, request_id, "Download archive copy", detail, "failure").await;
        return (
            StatusCode::INTERNAL_SERVER_ERROR,
            "This archived copy failed its checksum check, so it was not sent. The event is in the audit trail; \
             restore the copy from backup.",
        )
            .into_response();
    }
    let detail = format!("{}: downloaded archive copy {} (sha256 {sha})", copy.reference, copy.copy_number);
    if let Err(res) = who.audit_download(&state, request_id, "Download archive copy", detail, "success").await {
        return res;
    }
    pdf_response(pdf, &copy.file_name, &sha)
}

/// A cell a spreadsheet would run as a formula gets a leading apostrophe (CSV injection), and
/// no control character survives to break a row.
pub(super) fn cell(value: String) -> String {
    let value = app::domain::limits::printable(&value);
    if value.trim_start().starts_with(['=', '+', '-', '@']) {
        format!("'{value}")
    } else {
        value
    }
}

/// `GET /archive/export.csv?…`: the metadata of an archive search, one row per copy (a
/// request without copies gets one row with the copy columns empty).
pub async fn export_csv(
    AxumState(state): AxumState<AppState>,
    Query(filter): Query<app::api::types::QueueFilter>,
    who: SignedIn,
) -> Response {
    let session = &who.session;
    if !app::domain::access::Area::ArchiveSearch.allows(session.user.role) {
        return (StatusCode::FORBIDDEN, "The archive is for archivists, hosting, CORs, the ISSO and admins")
            .into_response();
    }
    let Ok(mut query) = app::api::archive::query_of(&filter, session.user.id) else {
        return (StatusCode::BAD_REQUEST, "Check the dates: year-month-day, for example 2026-11-21").into_response();
    };
    let mut out = csv::Writer::from_writer(Vec::new());
    let _ = out.write_record([
        "reference",
        "title",
        "system",
        "team",
        "state",
        "requested_by",
        "created_utc",
        "updated_utc",
        "copy_number",
        "copy_reason",
        "copy_state",
        "filed_utc",
        "file_name",
        "size_bytes",
        "sha256",
    ]);
    let time = |t: DateTime<Utc>| t.format("%Y-%m-%dT%H:%M:%SZ").to_string();
    // Up to 10,000 requests per export, in pages.
    for _ in 0..20 {
        let rows = match state.store.archive_search(&query, 500).await {
            Ok(r) => r,
            Err(e) => {
                tracing::error!("archive export: {e}");
                return StatusCode::INTERNAL_SERVER_ERROR.into_response();
            }
        };
        let Some((_, last)) = rows.last() else { break };
        query.after = *last;
        let full = rows.len() == 500;
        for (row, _) in rows {
            let s = &row.summary;
            let base = [
                s.reference.clone(),
                s.title.clone(),
                s.system.clone(),
                row.team.clone().unwrap_or_default(),
                s.state.label().to_string(),
                s.started_by.clone(),
                time(s.created_at),
                time(s.updated_at),
            ];
            let copies: Vec<Option<&ArchiveCopyView>> =
                if row.copies.is_empty() { vec![None] } else { row.copies.iter().map(Some).collect() };
            for c in copies {
                let tail = match c {
                    Some(c) => [
                        c.copy_number.to_string(),
                        c.reason.clone(),
                        c.state.clone(),
                        time(c.filed_at),
                        c.file_name.clone(),
                        c.size_bytes.map(|n| n.to_string()).unwrap_or_default(),
                        c.sha256.clone().unwrap_or_default(),
                    ],
                    None => Default::default(),
                };
                let _ = out.write_record(base.iter().chain(tail.iter()).map(|v| cell(v.clone())));
            }
        }
        if !full {
            break;
        }
    }
    let Ok(bytes) = out.into_inner() else { return StatusCode::INTERNAL_SERVER_ERROR.into_response() };
    let mut res = bytes.into_response();
    let h = res.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static("text/csv; charset=utf-8"));
    h.insert(header::CONTENT_DISPOSITION, HeaderValue::from_static("attachment; filename=\"offcycle-archive.csv\""));
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("private, no-store"));
    res
}
