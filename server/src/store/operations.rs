//! What an operator watches, read at each metrics scrape.

use super::{millis, on_pool, Store};
use chrono::{DateTime, Utc};

/// Figures for `/metrics`.
#[derive(Clone, Debug, Default, PartialEq, Eq, sqlx::FromRow)]
pub struct Operations {
    /// Mail waiting to be sent (not given up).
    pub mail_unsent: i64,
    /// Webhook deliveries waiting.
    pub webhooks_unsent: i64,
    /// How long the oldest of those has waited (0 when none).
    #[sqlx(skip)]
    pub oldest_unsent_age_seconds: i64,
    /// Messages given up after every retry (admins see them at /admin/mail).
    pub given_up: i64,
    /// Archive copies filed but not rendered yet.
    pub copies_unrendered: i64,
    /// Rendered copies not yet written to the archive folder.
    pub copies_unfiled: i64,
    /// Decision links that still work.
    pub links_open: i64,
    /// Decision links that still work and whose page has been shown.
    pub links_opened: i64,
    /// Decision links used.
    pub links_used: i64,
    /// Decision links voided (a newer plan, a rejection).
    pub links_voided: i64,
}

/// The figures as read, each column named as its field, with when the oldest unsent was made.
#[derive(sqlx::FromRow)]
struct OperationsRow {
    #[sqlx(flatten)]
    figures: Operations,
    oldest_unsent_at: Option<i64>,
}

impl Store {
    /// The figures as of `now`.
    pub async fn operations(&self, now: DateTime<Utc>) -> Result<Operations, sqlx::Error> {
        let at = millis(now);
        let row: OperationsRow = on_pool!(&self.db, pool => sqlx::query_as(
            "SELECT \
               (SELECT COUNT(*) FROM outbox WHERE sent_at IS NULL AND gave_up_at IS NULL AND webhook_id IS NULL) AS mail_unsent, \
               (SELECT COUNT(*) FROM outbox WHERE sent_at IS NULL AND gave_up_at IS NULL AND webhook_id IS NOT NULL) AS webhooks_unsent, \
               (SELECT MIN(created_at) FROM outbox WHERE sent_at IS NULL AND gave_up_at IS NULL) AS oldest_unsent_at, \
               (SELECT COUNT(*) FROM outbox WHERE sent_at IS NULL AND gave_up_at IS NOT NULL) AS given_up, \
               (SELECT COUNT(*) FROM archive_copies WHERE rendered_at IS NULL) AS copies_unrendered, \
               (SELECT COUNT(*) FROM archive_copies WHERE rendered_at IS NOT NULL AND folder_written_at IS NULL) AS copies_unfiled, \
               (SELECT COUNT(*) FROM approval_tokens WHERE used_at IS NULL AND voided_at IS NULL AND expires_at > $1) AS links_open, \
               (SELECT COUNT(*) FROM approval_tokens WHERE used_at IS NULL AND voided_at IS NULL AND expires_at > $1 AND opened_at IS NOT NULL) AS links_opened, \
               (SELECT COUNT(*) FROM approval_tokens WHERE used_at IS NOT NULL) AS links_used, \
               (SELECT COUNT(*) FROM approval_tokens WHERE voided_at IS NOT NULL) AS links_voided",
        )
        .bind(at)
        .fetch_one(pool)
        .await)?;
        let oldest_unsent_age_seconds = row.oldest_unsent_at.map(|t| ((at - t) / 1000).max(0)).unwrap_or(0);
        Ok(Operations { oldest_unsent_age_seconds, ..row.figures })
    }
}
