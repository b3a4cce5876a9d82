//! Webhooks: where request events are posted, added and removed by admins.

use super::audit::append_audit;
use super::{millis, on_pool, AuditEvent, Store};
use app::api::types::{SessionUser, WebhookView};
use chrono::{DateTime, Utc};

impl Store {
    /// Active webhooks.
    pub(crate) async fn webhook_list(&self) -> Result<Vec<WebhookView>, sqlx::Error> {
        let rows: Vec<(i64, Option<String>, String, String, bool)> = on_pool!(&self.db, pool => sqlx::query_as(
            "SELECT w.id, t.name, w.url, w.events, w.slack FROM webhooks w LEFT JOIN teams t ON t.id = w.team_id \
             WHERE w.active = TRUE ORDER BY w.id",
        )
        .fetch_all(pool)
        .await)?;
        Ok(rows
            .into_iter()
            .map(|(id, team, url, events, slack)| WebhookView { id, team, url, events, slack })
            .collect())
    }

    /// Stores a webhook, audited.
    #[allow(clippy::too_many_arguments)]
    pub(crate) async fn write_webhook(
        &self,
        team_id: Option<i64>,
        url: &str,
        events: &str,
        slack: bool,
        secret: &str,
        by: &SessionUser,
        source: &str,
        now: DateTime<Utc>,
    ) -> Result<(), sqlx::Error> {
        let at = millis(now);
        on_pool!(&self.db, pool => async {
            let mut tx = pool.begin().await?;
            sqlx::query(
                "INSERT INTO webhooks (team_id, url, events, slack, secret, active, created_by, created_at) VALUES ($1, $2, $3, $4, $5, TRUE, $6, $7)",
            )
            .bind(team_id)
            .bind(url)
            .bind(events)
            .bind(slack)
            .bind(secret)
            .bind(by.id)
            .bind(at)
            .execute(&mut *tx)
            .await?;
            let event = AuditEvent::success(at, Some(by.id), None, "Webhook added", format!("{url} for {events}"), source);
            append_audit!(tx, &event);
            tx.commit().await
        }.await)
    }

    /// Turns a webhook off, audited.
    pub(crate) async fn disable_webhook(
        &self,
        id: i64,
        by: &SessionUser,
        source: &str,
        now: DateTime<Utc>,
    ) -> Result<bool, sqlx::Error> {
        let at = millis(now);
        on_pool!(&self.db, pool => async {
            let mut tx = pool.begin().await?;
            let n = sqlx::query("UPDATE webhooks SET active = FALSE WHERE id = $1 AND active = TRUE").bind(id).execute(&mut *tx).await?.rows_affected();
            if n == 0 {
                return Ok(false);
            }
            let event = AuditEvent::success(at, Some(by.id), None, "Webhook removed", format!("webhook {id}"), source);
            append_audit!(tx, &event);
            tx.commit().await?;
            Ok(true)
        }.await)
    }
}
