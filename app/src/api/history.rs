//! A request's history (every plan and form version, and what changed between any two) and
//! its comment thread. Readable by everyone who may read the request.

use crate::api::types::{CommentThread, HistoryView};
use crate::error::AppError;
use leptos::prelude::*;

/// The history, comparing plan versions `plan_from` → `plan_to` and form versions
/// `form_from` → `form_to` (empty: the newest against the one before).
#[server(endpoint = "get_history")]
pub async fn get_history(
    reference: String,
    #[server(default)] plan_from: String,
    #[server(default)] plan_to: String,
    #[server(default)] form_from: String,
    #[server(default)] form_to: String,
) -> Result<HistoryView, AppError> {
    super::ssr::respond(server::history(reference, [plan_from, plan_to, form_from, form_to]).await)
}

/// One page of the request's comment thread (`page` from 1; empty or unknown: the last page,
/// with the newest comments).
#[server(endpoint = "get_comments")]
pub async fn get_comments(reference: String, #[server(default)] page: String) -> Result<CommentThread, AppError> {
    super::ssr::respond(server::comments(reference, page).await)
}

/// Add a comment to the request's thread (plain text).
#[server(endpoint = "add_comment")]
pub async fn add_comment(reference: String, #[server(default)] body: String) -> Result<(), AppError> {
    super::ssr::respond(server::add_comment(reference, body).await)
}

/// The request's audit trail: every recorded event, who, when, from where, with what outcome.
#[server(endpoint = "request_audit")]
pub async fn request_audit(reference: String) -> Result<Vec<crate::api::types::AuditView>, AppError> {
    super::ssr::respond(server::audit(reference).await)
}

#[cfg(feature = "ssr")]
mod server {
    use crate::api::ssr::*;
    use crate::api::types::{CommentThread, HistoryView, VersionInfo};
    use crate::domain::history::{form_diff, plan_diff, thread_page, NewComment, COMMENTS_PER_PAGE};
    use crate::error::AppError;

    /// The pair to compare: as asked when both are real versions, else newest vs the one before.
    fn pair(list: &[VersionInfo], from: &str, to: &str) -> Option<(i64, i64)> {
        let exists = |v: i64| v == 0 || list.iter().any(|i| i.version == v);
        match (from.trim().parse::<i64>(), to.trim().parse::<i64>()) {
            (Ok(a), Ok(b)) if exists(a) && exists(b) => Some((a, b)),
            _ => list.first().map(|newest| (newest.version - 1, newest.version)),
        }
    }

    pub async fn history(reference: String, asked: [String; 4]) -> Result<HistoryView, AppError> {
        let l = load_readable(&reference).await?;
        let store = &l.services.requests;
        let id = l.request.id;
        let plan_versions = store.plan_history(id).await?;
        let form_versions = store.form_history(id).await?;
        // Both versions exist (or are 0, the empty document before the first save).
        let plan = |v| async move { store.plan_at(id, v).await?.ok_or(AppError::NotFound) };
        let form = |v| async move { store.form_at(id, v).await?.ok_or(AppError::NotFound) };
        let plan_diff = match pair(&plan_versions, &asked[0], &asked[1]) {
            Some((a, b)) => Some((a, b, plan_diff(&plan(a).await?, &plan(b).await?))),
            None => None,
        };
        let form_diff = match pair(&form_versions, &asked[2], &asked[3]) {
            Some((a, b)) => Some((a, b, form_diff(&form(a).await?, &form(b).await?))),
            None => None,
        };
        Ok(HistoryView { summary: l.request.summary.clone(), plan_versions, form_versions, plan_diff, form_diff })
    }

    pub async fn audit(reference: String) -> Result<Vec<crate::api::types::AuditView>, AppError> {
        let l = load_readable(&reference).await?;
        Ok(l.services.requests.audit_trail(l.request.id).await?)
    }

    pub async fn comments(reference: String, page: String) -> Result<CommentThread, AppError> {
        let l = load_readable(&reference).await?;
        let total = l.request.comment_count;
        let page = thread_page(total, &page);
        let comments = l.services.requests.comment_page(l.request.id, page.offset, COMMENTS_PER_PAGE).await?;
        Ok(CommentThread { total, page, comments })
    }

    pub async fn add_comment(reference: String, body: String) -> Result<(), AppError> {
        let l = load_readable(&reference).await?;
        let comment = NewComment::parse(&body)?;
        l.services.requests.add_comment(&l.request, &comment, &acting(&l.session.user)?).await?;
        leptos_axum::redirect(&format!("/requests/{}/comments", l.request.summary.reference));
        Ok(())
    }
}
