//! The archive: assembling a [`ChangeRecord`], rendering filed copies (the worker), writing
//! them to the optional archive folder, and the downloads.
//!
//! A copy is filed as a row in the same transaction as the state change that calls for it
//! (`store::wizard`), with the plan and form versions and the moment it shows; the worker
//! renders it from exactly those, so rendering it now or after a crash gives the same PDF.

use crate::pdf::{render, ChangeRecord, ExecutionEntry};
use crate::store::{corrupt, parsed, PendingCopy, Store};
use crate::AppState;
use app::api::types::ArchiveCopyView;
use app::domain::calendar::eastern_date;
use app::domain::execution::StepMark;
use app::domain::reference::Reference;
use app::domain::workflow::{ArchiveReason, State};
use app::ports::prelude::*;
use app::ports::{LoadedRequest, StoreError};
use app::service::Clock;
use axum::extract::{Path, Query, State as AxumState};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, Utc};
use sha2::{Digest, Sha256};
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

/// Which version of the record to assemble.
pub enum Version<'a> {
    /// As it stands now.
    Current,
    /// As filed in an archive copy.
    Copy(&'a PendingCopy),
}

/// Assembles the record of a loaded request. Everything time-ordered is cut at the moment
/// the record shows, so one record version always gives the same record.
pub async fn record(store: &Store, l: &LoadedRequest, version: Version<'_>) -> Result<ChangeRecord, StoreError> {
    let be = crate::store::backend;
    let (as_of, record_version, state, plan, plan_version, form, form_version, copy) = match version {
        Version::Current => (
            l.summary.updated_at,
            l.row_version,
            l.summary.state,
            l.plan.clone(),
            l.plan_version,
            l.form.clone(),
            l.form_version,
            None,
        ),
        Version::Copy(c) => {
            // A copy is the archival record: what it was filed with must decode, never default.
            let at = format!("{} copy {}", c.reference, c.copy_number);
            let missing =
                |column: &str, version: i64| be(corrupt(&at, column, format!("version {version} is missing")));
            let plan =
                store.plan_at(l.id, c.plan_version).await?.ok_or_else(|| missing("plan_version", c.plan_version))?;
            let form =
                store.form_at(l.id, c.form_version).await?.ok_or_else(|| missing("form_version", c.form_version))?;
            let state = parsed(&at, "archive_copies.state", &c.state, State::parse).map_err(be)?;
            let reason = parsed(&at, "archive_copies.reason", &c.reason, ArchiveReason::parse).map_err(be)?;
            (
                crate::store::from_millis(c.filed_at).map_err(be)?,
                c.record_version,
                state,
                plan,
                c.plan_version,
                form,
                c.form_version,
                Some((c.copy_number, reason.label().to_string())),
            )
        }
    };
    let until = as_of.timestamp_millis();
    let (from, to) = (eastern_date(l.summary.created_at), eastern_date(as_of));
    let cors = store.cors_absent_since(from).await.map_err(be)?;
    // The loaded request carries every decision; the copy shows those made by its moment.
    let mut then = l.snapshot.clone();
    then.decisions.retain(|d| d.at <= as_of);
    // Copies are filed as the submission happens, so the request's round is the copy's.
    let quorum = match &then.submitted_plan_hash {
        None if then.decisions.is_empty() => "Not submitted to the CORs".to_string(),
        _ => then.quorum(&cors, eastern_date(as_of)).basis(),
    };
    let absences = cors
        .iter()
        .flat_map(|c| {
            c.absences.iter().filter(|a| a.from <= to && a.to >= from).map(move |a| {
                let note = a.note.as_ref().map(|n| format!(" ({n})")).unwrap_or_default();
                format!("{}: out of office {} to {}{note}, recorded by {}", c.name, a.from, a.to, a.set_by)
            })
        })
        .collect();
    let team = match l.snapshot.team_id {
        Some(id) => store.team_name(id).await.map_err(be)?,
        None => None,
    };
    let plan_steps: Vec<(String, String)> = plan.steps.iter().map(|s| (s.action.clone(), s.rollback.clone())).collect();
    // The record as it stands says what the window overlaps now; an archive copy keeps its bytes
    // (the calendar moves on after filing), so copies leave the conflicts out.
    let conflicts = match version {
        Version::Current => {
            let calendar = app::domain::calendar::Calendar::of(&store.calendar_entries().await?, as_of);
            // The record travels beyond the hosting side: it names other teams' changes as the
            // requesting dev team would see them.
            let requester = app::domain::workflow::Actor {
                id: l.snapshot.started_by,
                name: String::new(),
                role: app::domain::roles::Role::DevTeamMember,
                team_id: l.snapshot.team_id,
            };
            app::service::schedule_conflicts(store, l, &calendar, &requester).await?
        }
        Version::Copy(_) => Vec::new(),
    };
    Ok(ChangeRecord {
        conflicts,
        reference: l.summary.reference.clone(),
        title: l.summary.title.clone(),
        system: l.summary.system.clone(),
        state: state.label().to_string(),
        requester: l.summary.started_by.clone(),
        team,
        created_at: l.summary.created_at,
        as_of,
        record_version,
        copy,
        assigned: l.assigned_name.clone(),
        security_related: l.snapshot.security_related,
        fast_path: l.snapshot.fast_path,
        hold: l.snapshot.hold.as_ref().map(|h| h.reason.clone()),
        triage: l.triage,
        plan_hash: plan.hash().0,
        plan,
        plan_version,
        staging_notes: l.staging_notes.clone(),
        sign_offs: l.sign_offs.iter().filter(|s| s.at <= as_of).cloned().collect(),
        form,
        form_version,
        risk_review: l.risk_review.clone(),
        submitted_plan_hash: then.submitted_plan_hash.map(|h| h.0),
        decisions: then.decisions,
        quorum,
        absences,
        messages: store.messages_of(l.id, until).await.map_err(be)?,
        execution: execution_entries(&l.execution, as_of, &plan_steps),
        closing: closing(l, state, as_of),
        attachments: l.attachments.clone(),
        audit: store.audit_trail(l.id).await?.into_iter().filter(|e| e.at <= as_of).collect(),
    })
}

/// The execution log as the record's table: one row per mark up to `as_of`.
fn execution_entries(marks: &[StepMark], as_of: DateTime<Utc>, steps: &[(String, String)]) -> Vec<ExecutionEntry> {
    marks
        .iter()
        .filter(|m| m.at <= as_of)
        .map(|m| ExecutionEntry {
            step: m.step.to_string(),
            action: match steps.get(m.step as usize - 1) {
                Some((_, undo)) if m.rollback => format!("Undo: {undo}"),
                Some((action, _)) => action.clone(),
                None => String::new(),
            },
            status: if m.rollback { "Rolled back".into() } else { m.status.label().to_string() },
            times: format!("{} by {}", m.at.format("%Y-%m-%d %H:%M:%S UTC"), m.by),
            note: m.note.clone(),
        })
        .collect()
}

/// Production start, validation or rollback, as labelled lines.
fn closing(l: &LoadedRequest, state: State, as_of: DateTime<Utc>) -> Vec<(String, String)> {
    let mut out = Vec::new();
    if let Some(at) = l.implementation_started_at.filter(|t| *t <= as_of) {
        out.push(("Production work started".into(), at.format("%Y-%m-%d %H:%M:%S UTC").to_string()));
        if let Some(reason) = &l.override_reason {
            out.push(("Started outside the production window because".into(), reason.clone()));
        }
    }
    for p in l.problems.iter().filter(|p| p.at <= as_of) {
        out.push((format!("Problem logged {} by {}", p.at.format("%Y-%m-%d %H:%M UTC"), p.by), p.text.clone()));
    }
    if let Some(review) = &l.post_review {
        let checked: Vec<String> = app::domain::execution::VERIFICATION
            .iter()
            .map(|(k, words)| format!("{} {words}", if review.checks.iter().any(|c| c == k) { "✓" } else { "✗" }))
            .collect();
        out.push(("Post-deployment verification".into(), checked.join("\n")));
        out.push(("Lessons learned".into(), review.lessons.clone()));
    }
    let Some(label) = state.closing_note_label() else { return out };
    if let Some(note) = &l.closing_note {
        out.push((label.into(), note.clone()));
    }
    out
}

/// SHA-256, hex.
pub fn sha256_hex(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

/// Renders every filed copy that has no rendering yet. Returns how many it stored.
pub async fn render_pending(store: &Store, clock: &dyn Clock) -> Result<usize, StoreError> {
    let mut stored = 0;
    for copy in store.unrendered_copies(20).await.map_err(crate::store::backend)? {
        let Some(reference) = Reference::parse(&copy.reference) else { continue };
        let Some(loaded) = store.load(reference).await.map_err(crate::store::backend)? else { continue };
        // One copy that cannot be assembled (a stored value that does not decode) is logged and
        // left unrendered; it does not hold up the copies behind it.
        let record = match record(store, &loaded, Version::Copy(&copy)).await {
            Ok(record) => record,
            Err(e) => {
                tracing::error!("assembling archive copy {} of {}: {e}", copy.copy_number, copy.reference);
                continue;
            }
        };
        let pdf = match render(&record) {
            Ok(pdf) => pdf,
            Err(e) => {
                tracing::error!("rendering archive copy {} of {}: {e}", copy.copy_number, copy.reference);
                continue;
            }
        };
        let sha = sha256_hex(&pdf);
        // Its filing is audited strictly after the moment the copy shows: an event stamped in
        // the same millisecond would be in a later rendering of this copy but not in this one.
        let at = clock.now().timestamp_millis().max(copy.filed_at + 1);
        if store.store_rendering(&copy, &pdf, &sha, at).await.map_err(crate::store::backend)? {
            stored += 1;
        }
    }
    Ok(stored)
}

/// Writes rendered copies to the archive folder. A failed write is retried with a growing
/// wait (up to an hour) and shown to admins on the archive page until it succeeds.
pub async fn write_folder(
    store: &Store,
    dir: &std::path::Path,
    base_wait: Duration,
    now: DateTime<Utc>,
) -> Result<usize, StoreError> {
    let now = now.timestamp_millis();
    let mut written = 0;
    for copy in store.folder_writes_due(now, 20).await.map_err(crate::store::backend)? {
        let result = write_once(dir, &copy.file_name, &copy.pdf, &copy.sha256).await;
        let wait = crate::retry::wait_after(base_wait, copy.attempts.saturating_add(1));
        let next = now + wait.as_millis() as i64;
        if let Err(e) = &result {
            tracing::warn!("archive folder write of {} failed: {e}", copy.file_name);
        }
        store
            .folder_write_result(copy.id, now, result.as_ref().err().map(String::as_str), next)
            .await
            .map_err(crate::store::backend)?;
        written += usize::from(result.is_ok());
    }
    Ok(written)
}

/// Writes one file atomically and never through a link: the bytes go to a temporary file made
/// with `create_new` (a planted link or file there is removed, never followed), then are
/// linked in under the final name, which fails rather than replace anything. An existing file
/// with the same bytes counts as written; one with other bytes, or a link, is left alone.
async fn write_once(dir: &std::path::Path, name: &str, pdf: &[u8], sha: &str) -> Result<(), String> {
    let target = dir.join(name);
    let shown = |e: std::io::Error| format!("{}: {e}", target.display());
    match tokio::fs::symlink_metadata(&target).await {
        Ok(meta) if meta.file_type().is_symlink() => {
            return Err(format!("{} is a symbolic link; not followed", target.display()));
        }
        Ok(_) => {
            let existing = read_no_follow(&target).await.map_err(shown)?;
            return if sha256_hex(&existing) == sha {
                Ok(())
            } else {
                Err(format!("{} exists with different content; not replaced", target.display()))
            };
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
        Err(e) => return Err(shown(e)),
    }
    let temp = dir.join(format!(".{name}.partial"));
    let write = async {
        // Left by a crash, or planted: removing a link removes the link, not what it points at.
        if tokio::fs::symlink_metadata(&temp).await.is_ok() {
            tokio::fs::remove_file(&temp).await?;
        }
        let mut file = tokio::fs::OpenOptions::new().write(true).create_new(true).open(&temp).await?;
        tokio::io::AsyncWriteExt::write_all(&mut file, pdf).await?;
        file.sync_all().await?;
        drop(file);
        let linked = tokio::fs::hard_link(&temp, &target).await;
        tokio::fs::remove_file(&temp).await?;
        linked
    };
    write.await.map_err(shown)
}

/// Reads a file, refusing to follow a link in its last component.
async fn read_no_follow(path: &std::path::Path) -> std::io::Result<Vec<u8>> {
    use std::os::unix::fs::OpenOptionsExt;
    let path = path.to_path_buf();
    tokio::task::spawn_blocking(move || {
        let mut file = std::fs::OpenOptions::new().read(true).custom_flags(libc::O_NOFOLLOW).open(path)?;
        let mut bytes = Vec::new();
        std::io::Read::read_to_end(&mut file, &mut bytes)?;
        Ok(bytes)
    })
    .await
    .map_err(std::io::Error::other)?
}

/// Renders filed copies as soon as a commit files one (and every `poll` in case another
/// server filed it), then writes the folder copies, until `stop` turns true.
pub fn spawn(
    store: Store,
    dir: Option<PathBuf>,
    poll: Duration,
    clock: Arc<dyn Clock>,
    mut stop: tokio::sync::watch::Receiver<bool>,
) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        loop {
            if let Err(e) = render_pending(&store, &*clock).await {
                tracing::error!("archive worker: {e}");
            }
            if let Some(dir) = &dir {
                if let Err(e) = write_folder(&store, dir, poll, clock.now()).await {
                    tracing::error!("archive folder worker: {e}");
                }
            }
            tokio::select! {
                _ = store.archive_copy_filed() => {}
                _ = tokio::time::sleep(poll) => {}
                _ = stop.changed() => return,
            }
        }
    })
}

mod downloads;
pub use downloads::*;

#[cfg(test)]
mod tests;
