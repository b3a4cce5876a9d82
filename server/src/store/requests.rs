//! Change requests.

use super::audit::audited;
use super::commit::CommitOutcome;
use super::{backend, from_millis, millis, on_pool, AuditEvent, Db};
use app::api::types::{
    AbsenceView, ArchiveCopyView, ArchiveRow, AuditView, CommentView, MailView, QueueItem, RequestSummary, SessionUser,
    VersionInfo,
};
use app::domain::cr_form::CrForm;
use app::domain::forms::StartRequest;
use app::domain::plan::Plan;
use app::domain::quorum::Cor;
use app::domain::reference::Reference;
use app::domain::workflow::State;
use app::ports::{Commit, DecisionLink, LoadedRequest, QueueQuery};
use app::ports::{RequestStore, StoreError};
use async_trait::async_trait;
use chrono::{DateTime, Datelike, Utc};

/// Requests and their history, on either backend.
#[derive(Clone, Debug)]
pub struct Store {
    pub(super) db: Db,
    /// Woken after a commit files an archive copy, so the archive worker renders it now.
    pub(super) archive_signal: std::sync::Arc<tokio::sync::Notify>,
}

impl Store {
    /// Wraps an opened database.
    pub fn new(db: Db) -> Self {
        Store { db, archive_signal: Default::default() }
    }

    /// Resolves when a commit has filed an archive copy (or at once if one did since the last call).
    pub async fn archive_copy_filed(&self) {
        self.archive_signal.notified().await
    }
}

/// One row of [`summary_select!`].
pub(super) type SummaryRow = (String, String, String, String, String, i64, i64);

/// The columns of [`SummaryRow`], as a literal so queries stay static strings.
macro_rules! summary_select {
    () => {
        "SELECT r.reference, r.title, r.system, r.state, u.display_name, r.created_at, r.updated_at \
         FROM change_requests r JOIN users u ON u.id = r.started_by "
    };
}

/// A summary row as the pages see it; a state that does not decode is a storage fault.
pub(super) fn summary(
    (reference, title, system, state, started_by, created_at, updated_at): SummaryRow,
) -> Result<RequestSummary, sqlx::Error> {
    let Some(state) = State::parse(&state) else {
        return Err(sqlx::Error::Decode(format!("{reference}: state does not decode: {state:?}").into()));
    };
    Ok(RequestSummary {
        reference,
        title,
        system,
        state,
        started_by,
        created_at: from_millis(created_at),
        updated_at: from_millis(updated_at),
    })
}

#[async_trait]
impl RequestStore for Store {
    async fn start_request(
        &self,
        by: &SessionUser,
        source: &str,
        form: &StartRequest,
        now: DateTime<Utc>,
    ) -> Result<RequestSummary, StoreError> {
        let at = millis(now);
        let year = now.year();
        let result: Result<RequestSummary, sqlx::Error> = audited!(&self.db, tx => {
            // The upsert is atomic on both backends: concurrent starts get distinct numbers.
            let (number,): (i64,) = sqlx::query_as(
                "INSERT INTO reference_counters (year, last_number) VALUES ($1, 1) \
                 ON CONFLICT (year) DO UPDATE SET last_number = reference_counters.last_number + 1 \
                 RETURNING last_number",
            )
            .bind(year)
            .fetch_one(&mut *tx)
            .await?;
            let reference = Reference { year, number }.to_string();
            let (id,): (i64,) = sqlx::query_as(
                "INSERT INTO change_requests (reference, ref_year, ref_number, title, system, state, started_by, team_id, created_at, updated_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $9) RETURNING id",
            )
            .bind(&reference)
            .bind(year)
            .bind(number)
            .bind(&form.title)
            .bind(&form.system)
            .bind(State::Triage.as_str())
            .bind(by.id)
            .bind(by.team_id)
            .bind(at)
            .fetch_one(&mut *tx)
            .await?;
            let event = AuditEvent::success(at, Some(by.id), Some(id), "request.started", format!("{reference} started: {}", form.title), source);
            (RequestSummary {
                reference,
                title: form.title.clone(),
                system: form.system.clone(),
                state: State::Triage,
                started_by: by.display_name.clone(),
                created_at: from_millis(at),
                updated_at: from_millis(at),
            }, event)
        });
        result.map_err(backend)
    }

    async fn requests_started_by(&self, user_id: i64) -> Result<Vec<RequestSummary>, StoreError> {
        let sql = concat!(summary_select!(), "WHERE r.started_by = $1 ORDER BY r.id DESC LIMIT 200");
        let rows: Vec<SummaryRow> =
            on_pool!(&self.db, pool => sqlx::query_as(sql).bind(user_id).fetch_all(pool).await).map_err(backend)?;
        rows.into_iter().map(summary).collect::<Result<_, _>>().map_err(backend)
    }

    async fn load_request(&self, reference: Reference) -> Result<Option<LoadedRequest>, StoreError> {
        self.load(reference).await.map_err(backend)
    }

    async fn commit(&self, commit: Commit<'_>) -> Result<(), StoreError> {
        match self.write_commit(commit).await.map_err(backend)? {
            CommitOutcome::Done => Ok(()),
            CommitOutcome::Stale => Err(StoreError::Conflict("the request changed since it was loaded".into())),
            CommitOutcome::LinkSpent => Err(StoreError::LinkSpent),
        }
    }

    async fn hosting_queue(&self, query: &QueueQuery, limit: i64) -> Result<Vec<QueueItem>, StoreError> {
        self.queue(query, limit).await.map_err(backend)
    }

    async fn hosting_engineers(&self) -> Result<Vec<(i64, String)>, StoreError> {
        self.engineers().await.map_err(backend)
    }

    async fn team_names(&self) -> Result<Vec<String>, StoreError> {
        self.teams().await.map_err(backend)
    }

    async fn plan_history(&self, request_id: i64) -> Result<Vec<VersionInfo>, StoreError> {
        self.plan_versions(request_id).await.map_err(backend)
    }

    async fn plan_at(&self, request_id: i64, version: i64) -> Result<Option<Plan>, StoreError> {
        self.plan_version(request_id, version).await.map_err(backend)
    }

    async fn form_history(&self, request_id: i64) -> Result<Vec<VersionInfo>, StoreError> {
        self.form_versions(request_id).await.map_err(backend)
    }

    async fn form_at(&self, request_id: i64, version: i64) -> Result<Option<CrForm>, StoreError> {
        self.form_version(request_id, version).await.map_err(backend)
    }

    async fn audit_trail(&self, request_id: i64) -> Result<Vec<AuditView>, StoreError> {
        self.trail(request_id).await.map_err(backend)
    }

    async fn archive_search(&self, q: &QueueQuery, limit: i64) -> Result<Vec<(ArchiveRow, (i64, i64))>, StoreError> {
        self.search_archive(q, limit).await.map_err(backend)
    }

    async fn archive_folder_problems(&self) -> Result<Vec<ArchiveCopyView>, StoreError> {
        self.folder_problems().await.map_err(backend)
    }

    async fn problem_log(&self, limit: i64) -> Result<Vec<app::domain::execution::Problem>, StoreError> {
        self.recent_problems(limit).await.map_err(backend)
    }

    async fn calendar_entries(&self) -> Result<Vec<app::domain::calendar::CalendarEntry>, StoreError> {
        self.calendar().await.map_err(backend)
    }

    async fn add_calendar_entry(
        &self,
        entry: &app::domain::calendar::CalendarEntry,
        by: &SessionUser,
        source: &str,
        now: DateTime<Utc>,
    ) -> Result<i64, StoreError> {
        self.add_entry(entry, by, source, now).await.map_err(backend)
    }

    async fn remove_calendar_entry(
        &self,
        id: i64,
        by: &SessionUser,
        source: &str,
        now: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        self.remove_entry(id, by, source, now).await.map_err(backend)
    }

    async fn scheduled_changes(
        &self,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> Result<Vec<app::api::types::ScheduledChange>, StoreError> {
        self.scheduled(from, to).await.map_err(backend)
    }

    async fn awaiting_decision(&self, cor_id: i64) -> Result<Vec<RequestSummary>, StoreError> {
        let sql = concat!(
            summary_select!(),
            "WHERE r.state = 'awaiting_approval' AND NOT EXISTS (SELECT 1 FROM decisions d WHERE d.request_id = r.id \
             AND d.decided_by = $1 AND d.plan_hash = r.submitted_plan_hash AND d.round = r.submission_round) \
             ORDER BY r.updated_at LIMIT 200"
        );
        let rows: Vec<SummaryRow> =
            on_pool!(&self.db, pool => sqlx::query_as(sql).bind(cor_id).fetch_all(pool).await).map_err(backend)?;
        rows.into_iter().map(summary).collect::<Result<_, _>>().map_err(backend)
    }

    async fn decision_link(&self, token_hash: &str) -> Result<Option<DecisionLink>, StoreError> {
        Store::decision_link(self, token_hash).await.map_err(backend)
    }

    async fn decision_link_opened(&self, token_hash: &str, at: DateTime<Utc>) -> Result<(), StoreError> {
        Store::decision_link_opened(self, token_hash, at).await.map_err(backend)
    }

    async fn active_user(&self, user_id: i64) -> Result<Option<SessionUser>, StoreError> {
        Store::active_user(self, user_id).await.map_err(backend)
    }

    async fn absences(&self) -> Result<Vec<AbsenceView>, StoreError> {
        self.absence_list().await.map_err(backend)
    }

    async fn add_absence(
        &self,
        user_id: i64,
        from: chrono::NaiveDate,
        to: chrono::NaiveDate,
        note: Option<&str>,
        by: &SessionUser,
        source: &str,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        self.write_absence(user_id, from, to, note, by, source, now).await.map_err(backend)
    }

    async fn remove_absence(
        &self,
        id: i64,
        by: &SessionUser,
        source: &str,
        now: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        self.delete_absence(id, by, source, now).await.map_err(backend)
    }

    async fn add_comment(
        &self,
        request: &LoadedRequest,
        by: &SessionUser,
        source: &str,
        body: &str,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        self.write_comment(request, by, source, body, now).await.map_err(backend)
    }

    async fn comment_page(&self, request_id: i64, offset: i64, limit: i64) -> Result<Vec<CommentView>, StoreError> {
        self.comment_thread(request_id, offset, limit).await.map_err(backend)
    }

    async fn configured_cors(&self) -> Result<Vec<Cor>, StoreError> {
        self.cors().await.map_err(backend)
    }

    async fn recent_mail(&self, limit: i64) -> Result<Vec<MailView>, StoreError> {
        self.mail(limit, false).await.map_err(backend)
    }

    async fn undelivered_mail(&self, limit: i64) -> Result<Vec<MailView>, StoreError> {
        self.mail(limit, true).await.map_err(backend)
    }

    async fn request_by_reference(&self, reference: Reference) -> Result<Option<RequestSummary>, StoreError> {
        let sql = concat!(summary_select!(), "WHERE r.ref_year = $1 AND r.ref_number = $2");
        let row: Option<SummaryRow> = on_pool!(&self.db, pool => sqlx::query_as(sql)
            .bind(reference.year)
            .bind(reference.number)
            .fetch_optional(pool)
            .await)
        .map_err(backend)?;
        row.map(summary).transpose().map_err(backend)
    }
}
