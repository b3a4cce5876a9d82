//! What an operator watches, read at each metrics scrape.

use super::{millis, on_pool, Store};
use chrono::{DateTime, Utc};

/// Figures for `/metrics`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Operations {
    /// Mail waiting to be sent (not given up).
    pub mail_unsent: i64,
    /// Webhook deliveries waiting.
    pub webhooks_unsent: i64,
    /// How long the oldest of those has waited (0 when none).
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

impl Store {
    /// The figures as of `now`.
    pub async fn operations(&self, now: DateTime<Utc>) -> Result<Operations, sqlx::Error> {
        let at = millis(now);
        let row: (i64, i64, Option<i64>, i64, i64, i64, i64, i64, i64, i64) = on_pool!(&self.db, pool => sqlx::query_as(
            "SELECT \
               (SELECT COUNT(*) FROM outbox WHERE sent_at IS NULL AND gave_up_at IS NULL AND webhook_id IS NULL), \
               (SELECT COUNT(*) FROM outbox WHERE sent_at IS NULL AND gave_up_at IS NULL AND webhook_id IS NOT NULL), \
               (SELECT MIN(created_at) FROM outbox WHERE sent_at IS NULL AND gave_up_at IS NULL), \
               (SELECT COUNT(*) FROM outbox WHERE sent_at IS NULL AND gave_up_at IS NOT NULL), \
               (SELECT COUNT(*) FROM archive_copies WHERE rendered_at IS NULL), \
               (SELECT COUNT(*) FROM archive_copies WHERE rendered_at IS NOT NULL AND folder_written_at IS NULL), \
               (SELECT COUNT(*) FROM approval_tokens WHERE used_at IS NULL AND voided_at IS NULL AND expires_at > $1), \
               (SELECT COUNT(*) FROM approval_tokens WHERE used_at IS NULL AND voided_at IS NULL AND expires_at > $1 AND opened_at IS NOT NULL), \
               (SELECT COUNT(*) FROM approval_tokens WHERE used_at IS NOT NULL), \
               (SELECT COUNT(*) FROM approval_tokens WHERE voided_at IS NOT NULL)",
        )
        .bind(at)
        .fetch_one(pool)
        .await)?;
        let (
            mail_unsent,
            webhooks_unsent,
            oldest,
            given_up,
            copies_unrendered,
            copies_unfiled,
            links_open,
            links_opened,
            links_used,
            links_voided,
        ) = row;
        Ok(Operations {
            mail_unsent,
            webhooks_unsent,
            oldest_unsent_age_seconds: oldest.map(|t| ((at - t) / 1000).max(0)).unwrap_or(0),
            given_up,
            copies_unrendered,
            copies_unfiled,
            links_open,
            links_opened,
            links_used,
            links_voided,
        })
    }
}
