//! Archive copies of change records, the archive search, and what a record shows besides the
//! request itself (its messages, its team).

use super::audit::audited;
use super::ported;
use super::{
    from_millis, on_pool, on_writer, parsed, search_statement, stored, title_clause, AuditEvent, Db, Store, TitleMode,
};
use app::api::types::{ArchiveCopyView, ArchiveRow, MailView};
use app::domain::workflow::{archive_file_name, ArchiveReason, State};
use app::ports::QueueQuery;
use app::ports::{ArchiveStore, StoreError};
use std::collections::HashMap;

/// A copy filed but not yet rendered.
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct PendingCopy {
    /// Its id.
    pub id: i64,
    /// The request's id.
    pub request_id: i64,
    /// The request's reference.
    pub reference: String,
    /// 1, 2, 3… per request.
    pub copy_number: i64,
    /// Why it was filed.
    pub reason: String,
    /// The state it was filed in.
    pub state: String,
    /// The request's row version after the filing change.
    pub record_version: i64,
    /// The plan version at filing.
    pub plan_version: i64,
    /// The form version at filing.
    pub form_version: i64,
    /// When it was filed (Unix ms).
    pub filed_at: i64,
}

/// A rendered copy whose archive-folder write is due.
#[derive(Clone, Debug)]
pub struct FolderWrite {
    /// Its id.
    pub id: i64,
    /// The folder file name.
    pub file_name: String,
    /// The stored bytes.
    pub pdf: Vec<u8>,
    /// Their recorded SHA-256.
    pub sha256: String,
    /// Failed attempts so far.
    pub attempts: i64,
}

type CopyRow = (i64, String, i64, String, String, i64, Option<String>, Option<i64>, Option<String>, Option<i64>);

/// The columns of a [`CopyRow`].
macro_rules! copy_columns {
    () => {
        "c.id, r.reference, c.copy_number, c.reason, c.state, c.filed_at, c.sha256, c.size_bytes, c.folder_error, \
         c.folder_written_at"
    };
}

/// A [`CopyRow`]'s statement up to its `WHERE`; `$more` adds columns after the row's own.
macro_rules! copy_select {
    () => {
        copy_select!("")
    };
    ($more:literal) => {
        concat!(
            "SELECT ",
            copy_columns!(),
            $more,
            " FROM archive_copies c JOIN change_requests r ON r.id = c.request_id "
        )
    };
}

fn copy_view(
    (id, reference, copy_number, reason, state, filed_at, sha256, size_bytes, folder_error, folder_written_at): CopyRow,
) -> Result<ArchiveCopyView, sqlx::Error> {
    let filed_at = from_millis(filed_at)?;
    let at = format!("{reference} copy {copy_number}");
    Ok(ArchiveCopyView {
        id,
        file_name: archive_file_name(&reference, filed_at, copy_number),
        reference,
        copy_number,
        reason: parsed(&at, "reason", &reason, ArchiveReason::parse)?.label().to_string(),
        state: parsed(&at, "state", &state, State::parse)?.label().to_string(),
        filed_at,
        sha256,
        size_bytes,
        folder_error,
        folder_written_at: folder_written_at.map(from_millis).transpose()?,
    })
}

impl Store {
    /// Copies filed but not rendered yet, oldest first.
    pub async fn unrendered_copies(&self, limit: i64) -> Result<Vec<PendingCopy>, sqlx::Error> {
        on_pool!(&self.db, pool => sqlx::query_as(
            "SELECT c.id, c.request_id, r.reference, c.copy_number, c.reason, c.state, c.record_version, c.plan_version, \
             c.form_version, c.filed_at FROM archive_copies c JOIN change_requests r ON r.id = c.request_id \
             WHERE c.rendered_at IS NULL ORDER BY c.id LIMIT $1",
        )
        .bind(limit)
        .fetch_all(pool)
        .await)
    }

    /// Stores a copy's rendering once, with its audit event. False when it already had one
    /// (another server got there first): the first rendering stands.
    pub async fn store_rendering(
        &self,
        copy: &PendingCopy,
        pdf: &[u8],
        sha256: &str,
        at: i64,
    ) -> Result<bool, sqlx::Error> {
        audited!(&self.db, tx => {
            let stored = sqlx::query(
                "UPDATE archive_copies SET pdf = $1, sha256 = $2, size_bytes = $3, rendered_at = $4 WHERE id = $5 AND pdf IS NULL",
            )
            .bind(pdf)
            .bind(sha256)
            .bind(pdf.len() as i64)
            .bind(at)
            .bind(copy.id)
            .execute(&mut *tx)
            .await?
            .rows_affected();
            if stored == 0 {
                return Ok(false);
            }
            let event = AuditEvent::success(
                at,
                None,
                Some(copy.request_id),
                "File archive copy",
                format!("{}: archive copy {} filed ({} bytes, sha256 {sha256})", copy.reference, copy.copy_number, pdf.len()),
                "archive",
            );
            (true, event)
        })
    }

    /// The copies of each of `requests`, oldest first, in one statement: a page of the archive
    /// search reads them at once, not with a statement per row.
    async fn copies_of_each(&self, requests: &[i64]) -> Result<HashMap<i64, Vec<ArchiveCopyView>>, sqlx::Error> {
        macro_rules! select {
            ($ids:literal) => {
                concat!(
                    copy_select!(", c.request_id"),
                    "WHERE c.request_id IN (",
                    $ids,
                    ") ORDER BY c.request_id, c.copy_number"
                )
            };
        }
        type Row =
            (i64, String, i64, String, String, i64, Option<String>, Option<i64>, Option<String>, Option<i64>, i64);
        let rows: Vec<Row> = match &self.db {
            Db::Sqlite { pool, .. } => {
                let ids: Vec<String> = requests.iter().map(i64::to_string).collect();
                sqlx::query_as(select!("SELECT value FROM json_each($1)"))
                    .bind(format!("[{}]", ids.join(",")))
                    .fetch_all(pool)
                    .await?
            }
            Db::Postgres(pool) => {
                sqlx::query_as(select!("SELECT unnest($1::bigint[])")).bind(requests).fetch_all(pool).await?
            }
        };
        let mut copies: HashMap<i64, Vec<ArchiveCopyView>> = HashMap::new();
        for (id, reference, number, reason, state, filed_at, sha256, size, error, written, request) in rows {
            let copy = copy_view((id, reference, number, reason, state, filed_at, sha256, size, error, written))?;
            copies.entry(request).or_default().push(copy);
        }
        Ok(copies)
    }

    /// One copy with its request's id and its stored bytes (None until rendered).
    pub async fn archive_copy(&self, id: i64) -> Result<Option<(ArchiveCopyView, i64, Option<Vec<u8>>)>, sqlx::Error> {
        type Row = (
            i64,
            String,
            i64,
            String,
            String,
            i64,
            Option<String>,
            Option<i64>,
            Option<String>,
            Option<i64>,
            i64,
            Option<Vec<u8>>,
        );
        let row: Option<Row> = on_pool!(&self.db, pool => sqlx::query_as(concat!(
            "SELECT c.id, r.reference, c.copy_number, c.reason, c.state, c.filed_at, c.sha256, c.size_bytes, c.folder_error, \
             c.folder_written_at, c.request_id, c.pdf FROM archive_copies c JOIN change_requests r ON r.id = c.request_id ",
            "WHERE c.id = $1"
        ))
        .bind(id)
        .fetch_optional(pool)
        .await)?;
        row.map(|(id, reference, n, reason, state, filed, sha, size, err, written, request_id, pdf)| {
            Ok((copy_view((id, reference, n, reason, state, filed, sha, size, err, written))?, request_id, pdf))
        })
        .transpose()
    }

    /// Rendered copies not yet in the archive folder whose next attempt is due.
    pub async fn folder_writes_due(&self, now: i64, limit: i64) -> Result<Vec<FolderWrite>, sqlx::Error> {
        type Row = (i64, String, i64, i64, Vec<u8>, String, i64);
        let rows: Vec<Row> = on_pool!(&self.db, pool => sqlx::query_as(
            "SELECT c.id, r.reference, c.copy_number, c.filed_at, c.pdf, c.sha256, c.folder_attempts FROM archive_copies c \
             JOIN change_requests r ON r.id = c.request_id WHERE c.pdf IS NOT NULL AND c.folder_written_at IS NULL \
             AND (c.folder_next_at IS NULL OR c.folder_next_at <= $1) ORDER BY c.id LIMIT $2",
        )
        .bind(now)
        .bind(limit)
        .fetch_all(pool)
        .await)?;
        rows.into_iter()
            .map(|(id, reference, n, filed, pdf, sha256, attempts)| {
                Ok(FolderWrite {
                    id,
                    file_name: archive_file_name(&reference, from_millis(filed)?, n),
                    pdf,
                    sha256,
                    attempts,
                })
            })
            .collect()
    }

    /// Records a folder write: done (`error` None) or failed, to retry at `next_at`.
    pub async fn folder_write_result(
        &self,
        id: i64,
        at: i64,
        error: Option<&str>,
        next_at: i64,
    ) -> Result<(), sqlx::Error> {
        on_writer!(&self.db, pool => match error {
            None => sqlx::query("UPDATE archive_copies SET folder_written_at = $2, folder_error = NULL, folder_next_at = NULL WHERE id = $1")
                .bind(id)
                .bind(at)
                .execute(pool)
                .await
                .map(|_| ()),
            Some(e) => sqlx::query(
                "UPDATE archive_copies SET folder_attempts = folder_attempts + 1, folder_error = $2, folder_next_at = $3 WHERE id = $1",
            )
            .bind(id)
            .bind(e)
            .bind(next_at)
            .execute(pool)
            .await
            .map(|_| ()),
        })?;
        Ok(())
    }

    /// Every message about one request queued up to `until` (Unix ms), oldest first.
    pub async fn messages_of(&self, request_id: i64, until: i64) -> Result<Vec<MailView>, sqlx::Error> {
        type Row = (i64, String, String, String, String, String, i64, Option<i64>, i64, Option<String>, Option<i64>);
        let rows: Vec<Row> = on_pool!(&self.db, pool => sqlx::query_as(
            "SELECT id, kind, subject, to_addrs, cc_addrs, reasons, created_at, sent_at, CAST(attempts AS BIGINT), last_error, gave_up_at \
             FROM outbox WHERE request_id = $1 AND created_at <= $2 AND kind <> 'webhook' ORDER BY id",
        )
        .bind(request_id)
        .bind(until)
        .fetch_all(pool)
        .await)?;
        let split = |s: String| s.split(", ").filter(|x| !x.is_empty()).map(str::to_string).collect::<Vec<_>>();
        rows.into_iter()
            .map(|(id, kind, subject, to, cc, reasons, created, sent, attempts, last_error, gave_up)| {
                Ok(MailView {
                    reasons: stored(&format!("message {id}"), "reasons", &reasons)?,
                    id,
                    reference: None,
                    kind,
                    subject,
                    to: split(to),
                    cc: split(cc),
                    body: String::new(),
                    created_at: from_millis(created)?,
                    // As of the record: a delivery at or after its moment is not part of it (no
                    // delivery is in the change that made the moment, so one stamped in the same
                    // millisecond came after it, and a rendering may or may not have seen it).
                    sent_at: sent.filter(|s| *s < until).map(from_millis).transpose()?,
                    attempts,
                    last_error,
                    gave_up: gave_up.is_some_and(|g| g < until),
                })
            })
            .collect()
    }

    /// A team's name.
    pub async fn team_name(&self, team_id: i64) -> Result<Option<String>, sqlx::Error> {
        let row: Option<(String,)> = on_pool!(&self.db, pool => sqlx::query_as("SELECT name FROM teams WHERE id = $1")
            .bind(team_id)
            .fetch_optional(pool)
            .await)?;
        Ok(row.map(|(n,)| n))
    }
}

#[async_trait::async_trait]
impl ArchiveStore for Store {
    /// Requests in any state, most recently changed first, narrowed like the hosting queue;
    /// `q.after` is the (updated_at, id) of the last row of the previous page.
    async fn archive_search(&self, q: &QueueQuery, limit: i64) -> Result<Vec<(ArchiveRow, (i64, i64))>, StoreError> {
        ported(async {
            macro_rules! search_select {
                ($where:literal, $title:expr, $keyset:literal) => {
                    concat!(
                        "SELECT ",
                        super::requests::summary_columns!(),
                        ", t.name AS team, r.id \
                         FROM change_requests r JOIN users u ON u.id = r.started_by LEFT JOIN teams t ON t.id = r.team_id \
                         WHERE TRUE ",
                        super::shared_filter!(),
                        $where,
                        " ",
                        $title,
                        "AND ",
                        $keyset,
                        " ORDER BY r.updated_at DESC, r.id DESC LIMIT $10"
                    )
                };
            }
            let title = super::title_search(&self.db, &q.title_contains).await?;
            let sql = search_statement!(
                search_select,
                &self.db,
                !q.reference.is_empty(),
                title.mode,
                ids: "$11",
                postgres: "(r.updated_at, r.id) < ($8, $9)",
                sqlite: "(r.updated_at < $8 OR (r.updated_at = $8 AND r.id < $9))"
            );
            /// One row found, decoded by name.
            #[derive(sqlx::FromRow)]
            struct Row {
                #[sqlx(flatten)]
                summary: super::requests::SummaryRow,
                team: Option<String>,
                id: i64,
            }
            let rows: Vec<Row> = on_pool!(&self.db, pool => super::bind_shared_filter!(sqlx::query_as(sql), q, title)
                .bind(q.after.0)
                .bind(q.after.1)
                .bind(limit)
                .bind(&title.candidates)
                .fetch_all(pool)
                .await)?;
            let ids: Vec<i64> = rows.iter().map(|r| r.id).collect();
            let mut copies = self.copies_of_each(&ids).await?;
            let mut out = Vec::with_capacity(rows.len());
            for Row { summary, team, id } in rows {
                let cursor = (summary.updated_at, id);
                let summary = super::requests::summary(summary)?;
                out.push((ArchiveRow { summary, team, copies: copies.remove(&id).unwrap_or_default() }, cursor));
            }
            Ok(out)
        })
        .await
    }

    /// Copies whose folder write has failed and not yet succeeded.
    async fn archive_folder_problems(&self) -> Result<Vec<ArchiveCopyView>, StoreError> {
        ported(async {
            let rows: Vec<CopyRow> = on_pool!(&self.db, pool => sqlx::query_as(concat!(
                copy_select!(),
                "WHERE c.folder_error IS NOT NULL AND c.folder_written_at IS NULL ORDER BY c.id LIMIT 100"
            ))
            .fetch_all(pool)
            .await)?;
            rows.into_iter().map(copy_view).collect()
        })
        .await
    }
}
