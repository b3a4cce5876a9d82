//! Change requests.

use super::audit::audited;
use super::commit::CommitOutcome;
use super::{backend, from_millis, millis, on_pool, AuditEvent, Db};
use app::api::types::{MailView, RequestSummary, SessionUser};
use app::domain::forms::StartRequest;
use app::domain::quorum::Cor;
use app::domain::reference::Reference;
use app::domain::workflow::State;
use app::ports::Acting;
use app::ports::{Commit, LoadedRequest};
use app::ports::{Requests, StoreError};
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

/// A request's summary columns as read ([`summary_columns!`]), decoded by name.
#[derive(sqlx::FromRow)]
pub(super) struct SummaryRow {
    pub(super) reference: String,
    pub(super) title: String,
    pub(super) system: String,
    pub(super) state: String,
    pub(super) started_by: String,
    pub(super) created_at: i64,
    pub(super) updated_at: i64,
}

/// The columns of [`SummaryRow`] (`r` the request, `u` who started it), as a literal so
/// queries stay static strings.
macro_rules! summary_columns {
    () => {
        "r.reference, r.title, r.system, r.state, u.display_name AS started_by, r.created_at, r.updated_at"
    };
}
pub(super) use summary_columns;

/// [`SummaryRow`]'s columns from a request and who started it.
macro_rules! summary_select {
    () => {
        concat!("SELECT ", summary_columns!(), " FROM change_requests r JOIN users u ON u.id = r.started_by ")
    };
}

/// A summary row as the pages see it; a state that does not decode is a storage fault.
pub(super) fn summary(
    SummaryRow { reference, title, system, state, started_by, created_at, updated_at }: SummaryRow,
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
        created_at: from_millis(created_at)?,
        updated_at: from_millis(updated_at)?,
    })
}

#[async_trait]
impl Requests for Store {
    async fn start_request(&self, form: &StartRequest, acting: &Acting<'_>) -> Result<RequestSummary, StoreError> {
        self.start(acting.by, &acting.source, form, None, acting.now).await.map_err(backend)
    }

    async fn start_request_once(
        &self,
        form: &StartRequest,
        key: &str,
        acting: &Acting<'_>,
    ) -> Result<(RequestSummary, bool), StoreError> {
        if let Some(earlier) = self.started_with_key(acting.by.id, key).await.map_err(backend)? {
            return Ok((earlier, true));
        }
        match self.start(acting.by, &acting.source, form, Some(key), acting.now).await {
            Ok(summary) => Ok((summary, false)),
            // Another call with the same key committed first: its request is the answer.
            Err(e) if e.as_database_error().is_some_and(|d| d.is_unique_violation()) => {
                match self.started_with_key(acting.by.id, key).await.map_err(backend)? {
                    Some(earlier) => Ok((earlier, true)),
                    None => Err(backend(e)),
                }
            }
            Err(e) => Err(backend(e)),
        }
    }

    async fn requests_started_by(&self, user_id: i64) -> Result<Vec<RequestSummary>, StoreError> {
        let sql = concat!(summary_select!(), "WHERE r.started_by = $1 ORDER BY r.id DESC LIMIT 200");
        self.summaries(sql, Some(user_id)).await
    }

    async fn requests_taken_by(&self, user_id: i64) -> Result<Vec<RequestSummary>, StoreError> {
        let sql = concat!(
            summary_select!(),
            // Each side walks its own index, newest first, 200 at most: an OR over both columns
            // would scan every request for someone who has none.
            "WHERE r.id IN (SELECT id FROM (SELECT a.id FROM change_requests a WHERE a.assigned_engineer = $1 \
             ORDER BY a.id DESC LIMIT 200) AS assigned UNION SELECT id FROM (SELECT s.id FROM change_requests s \
             WHERE s.started_by = $1 ORDER BY s.id DESC LIMIT 200) AS started) ORDER BY r.id DESC LIMIT 200"
        );
        self.summaries(sql, Some(user_id)).await
    }

    async fn security_related_requests(&self) -> Result<Vec<RequestSummary>, StoreError> {
        let sql = concat!(summary_select!(), "WHERE r.security_related = TRUE ORDER BY r.id DESC LIMIT 200");
        self.summaries(sql, None).await
    }

    async fn requests_decided_by(&self, cor_id: i64) -> Result<Vec<RequestSummary>, StoreError> {
        let sql = concat!(
            summary_select!(),
            // From the COR's decisions (one per round: DISTINCT), not from every request.
            "WHERE r.id IN (SELECT DISTINCT d.request_id FROM decisions d WHERE d.decided_by = $1 \
             ORDER BY d.request_id DESC LIMIT 200) ORDER BY r.id DESC LIMIT 200"
        );
        self.summaries(sql, Some(cor_id)).await
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

    async fn awaiting_decision(&self, cor_id: i64) -> Result<Vec<RequestSummary>, StoreError> {
        // The states of `awaits_decision_of(Role::Cor)` as literals; the storage suite checks
        // every state on both databases against the domain.
        let sql = concat!(
            summary_select!(),
            "WHERE r.state = 'awaiting_approval' AND NOT EXISTS (SELECT 1 FROM decisions d WHERE d.request_id = r.id \
             AND d.decided_by = $1 AND d.plan_hash = r.submitted_plan_hash AND d.round = r.submission_round) \
             ORDER BY r.updated_at LIMIT 200"
        );
        self.summaries(sql, Some(cor_id)).await
    }

    async fn active_user(&self, user_id: i64) -> Result<Option<SessionUser>, StoreError> {
        Store::active_user(self, user_id).await.map_err(backend)
    }

    async fn configured_cors(&self, now: DateTime<Utc>) -> Result<Vec<Cor>, StoreError> {
        self.cors(now).await.map_err(backend)
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

/// Starting requests (the pages' and the pipelines' way in).
impl Store {
    /// The requests a `summary_select!` statement lists, with the person it is about bound as
    /// `$1` where it has one.
    async fn summaries(&self, sql: &'static str, person: Option<i64>) -> Result<Vec<RequestSummary>, StoreError> {
        let rows: Vec<SummaryRow> = on_pool!(&self.db, pool => {
            let query = sqlx::query_as(sql);
            match person {
                Some(id) => query.bind(id),
                None => query,
            }
            .fetch_all(pool)
            .await
        })
        .map_err(backend)?;
        rows.into_iter().map(summary).collect::<Result<_, _>>().map_err(backend)
    }

    /// Starts a request, with the pipeline's idempotency key in the same transaction.
    async fn start(
        &self,
        by: &SessionUser,
        source: &str,
        form: &StartRequest,
        key: Option<&str>,
        now: DateTime<Utc>,
    ) -> Result<RequestSummary, sqlx::Error> {
        let at = millis(now);
        // The time as stored (to the millisecond), which the summary shows.
        let stamped = from_millis(at)?;
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
            if let Some(key) = key {
                sqlx::query("INSERT INTO api_idempotency_keys (user_id, idempotency_key, request_id, created_at) VALUES ($1, $2, $3, $4)")
                    .bind(by.id)
                    .bind(key)
                    .bind(id)
                    .bind(at)
                    .execute(&mut *tx)
                    .await?;
            }
            let event = AuditEvent::success(at, Some(by.id), Some(id), "request.started", format!("{reference} started: {}", form.title), source);
            (RequestSummary {
                reference,
                title: form.title.clone(),
                system: form.system.clone(),
                state: State::Triage,
                started_by: by.display_name.clone(),
                created_at: stamped,
                updated_at: stamped,
            }, event)
        });
        result
    }

    /// The request this person started with `key`, if any.
    async fn started_with_key(&self, user_id: i64, key: &str) -> Result<Option<RequestSummary>, sqlx::Error> {
        let sql = concat!(
            summary_select!(),
            "JOIN api_idempotency_keys k ON k.request_id = r.id WHERE k.user_id = $1 AND k.idempotency_key = $2"
        );
        let row: Option<SummaryRow> =
            on_pool!(&self.db, pool => sqlx::query_as(sql).bind(user_id).bind(key).fetch_optional(pool).await)?;
        row.map(summary).transpose()
    }
}
