//! Plan and form history, the comment thread, and the hosting queue.

use super::audit::{audited_as, done_by};
use super::ported;
use super::requests::{summary, summary_columns, SummaryRow};
use super::{from_millis, on_pool, parsed, search_statement, stored, title_clause, AuditEvent, Db, Store, TitleMode};
use app::api::types::{CommentView, QueueItem, VersionInfo};
use app::domain::calendar::eastern;
use app::domain::cr_form::CrForm;
use app::domain::execution::Problem;
use app::domain::history::NewComment;
use app::domain::plan::Plan;
use app::domain::roles::Role;
use app::domain::workflow::ReadScope;
use app::ports::Acting;
use app::ports::{HistoryStore, QueueStore, StoreError};
use app::ports::{LoadedRequest, QueueQuery};

fn when(at: chrono::DateTime<chrono::Utc>) -> String {
    eastern(at).format("%-d %b %Y, %-I:%M %p Eastern").to_string()
}

fn versions(rows: Vec<(i64, String, i64)>) -> Result<Vec<VersionInfo>, sqlx::Error> {
    rows.into_iter()
        .map(|(version, by, at)| {
            let at = from_millis(at)?;
            Ok(VersionInfo { version, by, at, when: when(at) })
        })
        .collect()
}

/// One row of the hosting queue, decoded by name.
#[derive(sqlx::FromRow)]
struct QueueRow {
    #[sqlx(flatten)]
    summary: SummaryRow,
    team: Option<String>,
    assigned: Option<String>,
    submitted_at: Option<i64>,
    assistance_requested_at: Option<i64>,
    queued_window: Option<i64>,
    id: i64,
}

/// One row of a request list, with its id, decoded by name.
#[derive(sqlx::FromRow)]
struct ListedRow {
    id: i64,
    #[sqlx(flatten)]
    summary: SummaryRow,
}

/// `State::in_hosting_queue` as SQL: the states handed over to hosting (and regular changes), and
/// those where the dev team may ask for a call (`State::may_ask_for_a_call`) while it has. One `IN`
/// over both lists first, so the queue index still serves it. Literals, so `concat!` can build the
/// statement with them; the storage suite checks every state on both databases against the domain.
macro_rules! hosting_queue_sql {
    () => {
        "r.state IN ('hosting_review', 'awaiting_approval', 'approved', 'implementing', \
         'validating_in_production', 'regular_change', 'rejected', \
         'planning', 'staging_validation', 'cr_form', 'returned_to_dev') \
         AND (r.assistance_requested_at IS NOT NULL \
         OR r.state NOT IN ('planning', 'staging_validation', 'cr_form', 'returned_to_dev'))"
    };
}

impl Store {
    /// Requests for the API, newest first, before id `before`; `team` narrows to a dev team
    /// member's own and their team's requests: (their id, their team).
    pub async fn api_requests(
        &self,
        scope: ReadScope,
        state: &str,
        before: i64,
        limit: i64,
    ) -> Result<Vec<(i64, app::api::types::RequestSummary)>, sqlx::Error> {
        // The list holds what `Owner::readable_by` lets this reader see, one request at a time.
        let team = match scope {
            ReadScope::Every => None,
            ReadScope::DevTeam { person, team } => Some((person, team)),
            ReadScope::Nothing => return Ok(Vec::new()),
        };
        let rows: Vec<ListedRow> = on_pool!(&self.db, pool => sqlx::query_as(concat!(
            "SELECT r.id, ",
            summary_columns!(),
            " FROM change_requests r JOIN users u ON u.id = r.started_by \
             WHERE ($1 = FALSE OR r.started_by = $2 OR (r.team_id IS NOT NULL AND r.team_id = $3)) \
             AND ($4 = '' OR r.state = $4) AND r.id < $5 ORDER BY r.id DESC LIMIT $6",
        ))
        .bind(team.is_some())
        .bind(team.map(|t| t.0).unwrap_or(0))
        .bind(team.and_then(|t| t.1))
        .bind(state)
        .bind(before)
        .bind(limit)
        .fetch_all(pool)
        .await)?;
        rows.into_iter().map(|row| Ok((row.id, summary(row.summary)?))).collect()
    }
}

#[async_trait::async_trait]
impl QueueStore for Store {
    async fn hosting_queue(&self, q: &QueueQuery, limit: i64) -> Result<Vec<QueueItem>, StoreError> {
        ported(async {
            // Static statements: each narrowing is either off ('' or a sentinel) or on, bound. A
            // reference is unique, so it gets its own statement that the unique index answers (an
            // `OR` around it would hide the index from SQLite's planner).
            macro_rules! queue_select {
                ($where:literal, $title:expr, $keyset:literal) => {
                    concat!(
                        "SELECT ",
                        summary_columns!(),
                        ", t.name AS team, a.display_name AS assigned, r.submitted_at, r.assistance_requested_at, r.queued_window, r.id \
                         FROM change_requests r JOIN users u ON u.id = r.started_by \
                         LEFT JOIN teams t ON t.id = r.team_id LEFT JOIN users a ON a.id = r.assigned_engineer \
                         WHERE ",
                        hosting_queue_sql!(),
                        " ",
                        super::shared_filter!(),
                        $where,
                        " ",
                        $title,
                        "AND ($8 = 0 OR r.assigned_engineer = $8) \
                         AND ($9 = FALSE OR r.assigned_engineer IS NULL) \
                         AND (r.state <> 'regular_change' OR r.queued_window IS NULL OR r.queued_window >= $14) AND ",
                        $keyset,
                        " ORDER BY r.updated_at, r.id LIMIT $12"
                    )
                };
            }
            // The keyset condition as each planner uses the (updated_at, id) index best (measured
            // with bench/queue-scale.sh): a row value on PostgreSQL, the expanded form on SQLite.
            let title = super::title_search(&self.db, &q.title_contains).await?;
            let sql = search_statement!(
                queue_select,
                &self.db,
                !q.reference.is_empty(),
                title.mode,
                ids: "$13",
                postgres: "(r.updated_at, r.id) > ($10, $11)",
                sqlite: "(r.updated_at > $10 OR (r.updated_at = $10 AND r.id > $11))"
            );
            let rows: Vec<QueueRow> = on_pool!(&self.db, pool => super::bind_shared_filter!(sqlx::query_as(sql), q, title)
                .bind(q.assigned_to.unwrap_or(0))
                .bind(q.unassigned)
                .bind(q.after.0)
                .bind(q.after.1)
                .bind(limit)
                .bind(&title.candidates)
                .bind(q.regular_windows_since_ms)
                .fetch_all(pool)
                .await)?;
            rows.into_iter()
                .map(|row| {
                    Ok(QueueItem {
                        cursor: (row.summary.updated_at, row.id),
                        summary: summary(row.summary)?,
                        team: row.team,
                        assigned: row.assigned,
                        submitted_at: row.submitted_at.map(from_millis).transpose()?,
                        assistance_requested_at: row.assistance_requested_at.map(from_millis).transpose()?,
                        queued_window: row.queued_window.map(from_millis).transpose()?,
                    })
                })
                .collect()
        })
        .await
    }

    async fn hosting_engineers(&self) -> Result<Vec<(i64, String)>, StoreError> {
        ported(async {
            on_pool!(&self.db, pool => sqlx::query_as(
                "SELECT id, display_name FROM users WHERE active = TRUE AND role IN ('hosting', 'hosting_lead') ORDER BY display_name",
            )
            .fetch_all(pool)
            .await)
        })
        .await
    }

    async fn team_names(&self) -> Result<Vec<String>, StoreError> {
        ported(async {
            let rows: Vec<(String,)> =
                on_pool!(&self.db, pool => sqlx::query_as("SELECT name FROM teams ORDER BY name").fetch_all(pool).await)?;
            Ok(rows.into_iter().map(|r| r.0).collect())
        })
        .await
    }

    /// The newest problems logged across every request.
    async fn problem_log(&self, limit: i64) -> Result<Vec<Problem>, StoreError> {
        ported(async {
            type Row = (String, String, String, String, i64);
            let rows: Vec<Row> = on_pool!(&self.db, pool => sqlx::query_as(
                "SELECT r.reference, r.title, p.text, u.display_name, p.logged_at FROM problems p \
                 JOIN change_requests r ON r.id = p.request_id JOIN users u ON u.id = p.logged_by \
                 ORDER BY p.logged_at DESC, p.id DESC LIMIT $1",
            )
            .bind(limit)
            .fetch_all(pool)
            .await)?;
            rows.into_iter()
                .map(|(reference, title, text, by, at)| {
                    Ok(Problem { reference, title, text, by, at: from_millis(at)? })
                })
                .collect()
        })
        .await
    }
}

/// The two documents kept in versions: the plan and the CR form.
#[derive(Clone, Copy)]
enum Versioned {
    Plan,
    Form,
}

impl Versioned {
    fn history_sql(self) -> &'static str {
        match self {
            Versioned::Plan => {
                "SELECT p.version, u.display_name, p.created_at FROM plan_versions p JOIN users u ON u.id = p.created_by \
                 WHERE p.request_id = $1 ORDER BY p.version DESC"
            }
            Versioned::Form => {
                "SELECT f.version, u.display_name, f.created_at FROM form_versions f JOIN users u ON u.id = f.created_by \
                 WHERE f.request_id = $1 ORDER BY f.version DESC"
            }
        }
    }

    /// The statement for one version's JSON, its column, and the document in words.
    fn at_sql(self) -> (&'static str, &'static str, &'static str) {
        match self {
            Versioned::Plan => {
                ("SELECT steps_json FROM plan_versions WHERE request_id = $1 AND version = $2", "steps_json", "plan")
            }
            Versioned::Form => {
                ("SELECT form_json FROM form_versions WHERE request_id = $1 AND version = $2", "form_json", "form")
            }
        }
    }
}

impl Store {
    async fn versions_of(&self, doc: Versioned, request_id: i64) -> Result<Vec<VersionInfo>, StoreError> {
        ported(async {
            let rows = on_pool!(&self.db, pool => sqlx::query_as(doc.history_sql())
                .bind(request_id)
                .fetch_all(pool)
                .await)?;
            versions(rows)
        })
        .await
    }

    /// One version of a document, decoded (none if there is no such version).
    async fn version_at<T: serde::de::DeserializeOwned + Default>(
        &self,
        doc: Versioned,
        request_id: i64,
        version: i64,
    ) -> Result<Option<T>, StoreError> {
        // Version 0 is "nothing saved yet": the empty document a first save is compared with.
        if version == 0 {
            return Ok(Some(T::default()));
        }
        ported(async {
            let (sql, column, what) = doc.at_sql();
            let row: Option<(String,)> = on_pool!(&self.db, pool => sqlx::query_as(sql)
                .bind(request_id)
                .bind(version)
                .fetch_optional(pool)
                .await)?;
            let at = format!("request {request_id} {what} version {version}");
            row.map(|(j,)| stored(&at, column, &j)).transpose()
        })
        .await
    }
}

#[async_trait::async_trait]
impl HistoryStore for Store {
    async fn plan_history(&self, request_id: i64) -> Result<Vec<VersionInfo>, StoreError> {
        self.versions_of(Versioned::Plan, request_id).await
    }

    async fn plan_at(&self, request_id: i64, version: i64) -> Result<Option<Plan>, StoreError> {
        Ok(self.version_at::<Plan>(Versioned::Plan, request_id, version).await?.map(Plan::with_ids))
    }

    async fn form_history(&self, request_id: i64) -> Result<Vec<VersionInfo>, StoreError> {
        self.versions_of(Versioned::Form, request_id).await
    }

    async fn form_at(&self, request_id: i64, version: i64) -> Result<Option<CrForm>, StoreError> {
        self.version_at(Versioned::Form, request_id, version).await
    }

    /// A request's audit trail, oldest first.
    async fn audit_trail(&self, request_id: i64) -> Result<Vec<app::api::types::AuditView>, StoreError> {
        ported(async {
            type Row = (i64, i64, Option<String>, String, String, String, String);
            let rows: Vec<Row> = on_pool!(&self.db, pool => sqlx::query_as(
                "SELECT a.id, a.at, u.display_name, a.action, a.detail, a.source, a.outcome FROM audit_events a \
                 LEFT JOIN users u ON u.id = a.actor_id WHERE a.request_id = $1 ORDER BY a.id",
            )
            .bind(request_id)
            .fetch_all(pool)
            .await)?;
            rows.into_iter()
                .map(|(id, at, actor, action, detail, source, outcome)| {
                    Ok(app::api::types::AuditView {
                        id,
                        at: super::from_millis(at)?,
                        actor: actor.unwrap_or_else(|| "the system".into()),
                        action,
                        detail,
                        source,
                        outcome,
                    })
                })
                .collect()
        })
        .await
    }

    async fn add_comment(
        &self,
        request: &LoadedRequest,
        comment: &NewComment,
        acting: &Acting<'_>,
    ) -> Result<(), StoreError> {
        let body = comment.as_str();
        audited_as!(&self.db, acting, tx, at => {
            sqlx::query("INSERT INTO comments (request_id, author_id, body, created_at) VALUES ($1, $2, $3, $4)")
                .bind(request.id)
                .bind(acting.by.id)
                .bind(body)
                .bind(at)
                .execute(&mut *tx)
                .await?;
            // The count is not part of the request's version: a comment never makes anyone's
            // open form stale.
            sqlx::query("UPDATE change_requests SET comment_count = comment_count + 1 WHERE id = $1")
                .bind(request.id)
                .execute(&mut *tx)
                .await?;
            let detail = format!("{}: comment added ({} characters)", request.summary.reference, body.chars().count());
            ((), AuditEvent { request_id: Some(request.id), ..done_by(acting, "Comment", detail) })
        })
    }

    /// `limit` comments of a thread from `offset`, oldest first.
    async fn comment_page(&self, request_id: i64, offset: i64, limit: i64) -> Result<Vec<CommentView>, StoreError> {
        ported(async {
            let rows: Vec<(String, String, String, i64)> = on_pool!(&self.db, pool => sqlx::query_as(
                "SELECT u.display_name, u.role, c.body, c.created_at FROM comments c JOIN users u ON u.id = c.author_id \
                 WHERE c.request_id = $1 ORDER BY c.id LIMIT $2 OFFSET $3",
            )
            .bind(request_id)
            .bind(limit)
            .bind(offset)
            .fetch_all(pool)
            .await)?;
            rows.into_iter()
                .map(|(author, role, body, at)| {
                    Ok(CommentView {
                        author_role: parsed(&format!("{author}'s comment"), "role", &role, Role::parse)?
                            .label()
                            .to_string(),
                        author,
                        body,
                        when: when(from_millis(at)?),
                    })
                })
                .collect()
        })
        .await
    }
}
