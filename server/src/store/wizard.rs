//! The rest of a request's storage: staging notes, attachments, the CORs, the problem log and
//! the mail views.

use super::{from_millis, on_pool, stored, Store};
use app::api::types::{AttachmentView, MailView};
use app::domain::quorum::{Absence, Cor};

impl Store {
    /// The active CORs with the absences that matter from now on (those ending yesterday or
    /// later, Eastern, with a day's margin for time zones): what decisions and pages need.
    pub(crate) async fn cors(&self, now: chrono::DateTime<chrono::Utc>) -> Result<Vec<Cor>, sqlx::Error> {
        let today = app::domain::calendar::eastern_date(now);
        self.cors_absent_since(today - chrono::Days::new(1)).await
    }

    /// The active CORs, each with the absences ending on or after `since`, in one statement
    /// (old absences pile up over the years; no page needs them).
    pub(crate) async fn cors_absent_since(&self, since: chrono::NaiveDate) -> Result<Vec<Cor>, sqlx::Error> {
        type Row = (i64, String, Option<String>, Option<String>, Option<String>, Option<String>);
        let rows: Vec<Row> = on_pool!(&self.db, pool => sqlx::query_as(
            "SELECT u.id, u.display_name, a.starts_on, a.ends_on, a.note, s.display_name FROM users u \
             LEFT JOIN absences a ON a.user_id = u.id AND a.ends_on >= $1 LEFT JOIN users s ON s.id = a.set_by \
             WHERE u.role = 'cor' AND u.active = TRUE ORDER BY u.id, a.starts_on, a.id",
        )
        .bind(since.format("%Y-%m-%d").to_string())
        .fetch_all(pool)
        .await)?;
        let mut cors: Vec<Cor> = Vec::new();
        for (id, name, from, to, note, set_by) in rows {
            if cors.last().is_none_or(|c| c.id != id) {
                cors.push(Cor { id, name, absences: Vec::new() });
            }
            // No absence row (the outer join) is none; a stored date that does not parse is a fault.
            let day = |column: &str, text: &str| {
                text.parse::<chrono::NaiveDate>().map_err(|e| super::corrupt(&format!("COR {id}"), column, e))
            };
            let absence = match (from, to) {
                (Some(from), Some(to)) => Some(Absence {
                    from: day("absences.starts_on", &from)?,
                    to: day("absences.ends_on", &to)?,
                    note,
                    set_by: set_by.unwrap_or_default(),
                }),
                _ => None,
            };
            if let (Some(cor), Some(absence)) = (cors.last_mut(), absence) {
                cor.absences.push(absence);
            }
        }
        Ok(cors)
    }

    /// The newest outbox rows of one kind (webhook deliveries).
    pub(crate) async fn mail_of_kind(&self, kind: &str, limit: i64) -> Result<Vec<MailView>, sqlx::Error> {
        self.mail_where(limit, false, kind).await
    }

    pub(crate) async fn mail(&self, limit: i64, problems_only: bool) -> Result<Vec<MailView>, sqlx::Error> {
        self.mail_where(limit, problems_only, "").await
    }

    /// The newest outbox rows: only undelivered ones with `problems_only`, only `kind` unless empty.
    async fn mail_where(&self, limit: i64, problems_only: bool, kind: &str) -> Result<Vec<MailView>, sqlx::Error> {
        type MailRow = (
            i64,
            Option<String>,
            String,
            String,
            String,
            String,
            String,
            String,
            i64,
            Option<i64>,
            i64,
            Option<String>,
            Option<i64>,
        );
        let sql = if problems_only {
            "SELECT o.id, r.reference, o.kind, o.subject, o.to_addrs, o.cc_addrs, o.reasons, o.body_text, o.created_at, o.sent_at, \
             CAST(o.attempts AS BIGINT), o.last_error, o.gave_up_at FROM outbox o LEFT JOIN change_requests r ON r.id = o.request_id \
             WHERE o.sent_at IS NULL AND o.last_error IS NOT NULL AND ($2 = '' OR o.kind = $2) ORDER BY o.id DESC LIMIT $1"
        } else {
            "SELECT o.id, r.reference, o.kind, o.subject, o.to_addrs, o.cc_addrs, o.reasons, o.body_text, o.created_at, o.sent_at, \
             CAST(o.attempts AS BIGINT), o.last_error, o.gave_up_at FROM outbox o LEFT JOIN change_requests r ON r.id = o.request_id \
             WHERE ($2 = '' OR o.kind = $2) ORDER BY o.id DESC LIMIT $1"
        };
        let rows: Vec<MailRow> =
            on_pool!(&self.db, pool => sqlx::query_as(sql).bind(limit).bind(kind).fetch_all(pool).await)?;
        let split = |s: String| s.split(", ").filter(|x| !x.is_empty()).map(str::to_string).collect::<Vec<_>>();
        rows.into_iter()
            .map(
                |(
                    id,
                    reference,
                    kind,
                    subject,
                    to,
                    cc,
                    reasons,
                    body,
                    created_at,
                    sent_at,
                    attempts,
                    last_error,
                    gave_up,
                )| {
                    Ok(MailView {
                        reasons: stored(&format!("message {id}"), "reasons", &reasons)?,
                        id,
                        reference,
                        kind,
                        subject,
                        to: split(to),
                        cc: split(cc),
                        body,
                        created_at: from_millis(created_at)?,
                        sent_at: sent_at.map(from_millis).transpose()?,
                        attempts,
                        last_error,
                        gave_up: gave_up.is_some(),
                    })
                },
            )
            .collect()
    }

    /// One attachment's description and bytes, if it belongs to the request.
    pub async fn attachment(&self, request_id: i64, id: i64) -> Result<Option<(AttachmentView, Vec<u8>)>, sqlx::Error> {
        type Row = (i64, String, String, i64, String, String, Vec<u8>);
        let row: Option<Row> = on_pool!(&self.db, pool => sqlx::query_as(
            "SELECT a.id, a.file_name, a.media_type, a.size_bytes, a.sha256, u.display_name, a.data FROM attachments a \
             JOIN users u ON u.id = a.uploaded_by WHERE a.request_id = $1 AND a.id = $2",
        )
        .bind(request_id)
        .bind(id)
        .fetch_optional(pool)
        .await)?;
        Ok(row.map(|(id, file_name, media_type, size_bytes, sha256, uploaded_by, data)| {
            (AttachmentView { id, file_name, media_type, size_bytes, sha256, uploaded_by }, data)
        }))
    }
}
