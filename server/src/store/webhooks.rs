//! Webhooks: where request events are posted, added and removed by admins.

use super::audit::{audited_as, done_by};
use super::{on_pool, ported, Store};
use app::api::types::{MailView, WebhookView};
use app::domain::webhook::NewWebhook;
use app::ports::Acting;
use app::ports::{StoreError, Webhooks};

#[async_trait::async_trait]
impl Webhooks for Store {
    /// Active webhooks.
    async fn webhooks(&self) -> Result<Vec<WebhookView>, StoreError> {
        ported(async {
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
        })
        .await
    }

    /// The newest deliveries (outbox rows of the webhook kind).
    async fn webhook_deliveries(&self, limit: i64) -> Result<Vec<MailView>, StoreError> {
        ported(self.mail_of_kind("webhook", limit)).await
    }

    /// Stores a webhook with a new secret, audited, and returns the secret (shown once).
    async fn add_webhook(&self, hook: &NewWebhook, acting: &Acting<'_>) -> Result<String, StoreError> {
        let secret = crate::auth::new_token();
        audited_as!(&self.db, acting, tx, at => {
            sqlx::query(
                "INSERT INTO webhooks (team_id, url, events, slack, secret, active, created_by, created_at) VALUES ($1, $2, $3, $4, $5, TRUE, $6, $7)",
            )
            .bind(hook.team_id)
            .bind(&hook.url)
            .bind(&hook.events)
            .bind(hook.slack)
            .bind(&secret)
            .bind(acting.by.id)
            .bind(at)
            .execute(&mut *tx)
            .await?;
            (secret, done_by(acting, "Webhook added", format!("{} for {}", hook.url, hook.events)))
        })
    }

    /// Turns a webhook off, audited.
    async fn remove_webhook(&self, id: i64, acting: &Acting<'_>) -> Result<bool, StoreError> {
        audited_as!(&self.db, acting, tx => {
            let n = sqlx::query("UPDATE webhooks SET active = FALSE WHERE id = $1 AND active = TRUE").bind(id).execute(&mut *tx).await?.rows_affected();
            if n == 0 {
                return Ok(false);
            }
            (true, done_by(acting, "Webhook removed", format!("webhook {id}")))
        })
    }
}
