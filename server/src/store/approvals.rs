//! Decision links (stored only as SHA-256), out-of-office periods, and the mail worker's
//! claims on the outbox.

use super::audit::audited;
use super::audit::{audited_as, done_by};
use super::outbox::{queue_message, MailTarget};
use super::ported;
use super::{from_millis, millis, on_pool, on_writer, AuditEvent, Db, Store};
use app::api::types::AbsenceView;
use app::domain::notify::{message, MessageContext, MessageKind};
use app::domain::quorum::{NewAbsence, Quorum};
use app::ports::Acting;
use app::ports::{ApprovalStore, StoreError};
use app::ports::{DecisionLink, SignOffInvitation};
use chrono::{DateTime, Utc};

/// The outbox's two queues: mail goes out whatever a webhook receiver does.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Queue {
    /// Email (through the relay or the demo inbox).
    Mail,
    /// Webhook deliveries (each to its own receiver).
    Webhooks,
}

/// A message the worker claimed: everything sending needs.
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct ClaimedMessage {
    /// Outbox id.
    pub id: i64,
    /// The request it concerns.
    pub request_id: Option<i64>,
    /// Subject line.
    pub subject: String,
    /// Addresses.
    #[sqlx(rename = "to_addrs", try_from = "String")]
    pub to: Addresses,
    /// Copies.
    #[sqlx(rename = "cc_addrs", try_from = "String")]
    pub cc: Addresses,
    /// The stored plain-text body (decision-link placeholders not yet filled).
    pub body_text: String,
    /// The COR a decision link is for.
    pub cor_id: Option<i64>,
    /// The plan version the link is bound to.
    pub plan_hash: Option<String>,
    /// The person an invitation's set-password link is for.
    pub user_id: Option<i64>,
    /// `webhook` for a webhook delivery (else a message kind).
    pub kind: String,
    /// The webhook it goes to.
    pub webhook_id: Option<i64>,
    /// Attempts so far, this one included.
    pub attempts: i64,
    /// The lease this claim holds (only its holder may mark the message).
    pub lease: i64,
}

/// A message's addresses, stored as one string, ", " between them.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Addresses(pub Vec<String>);

impl From<String> for Addresses {
    fn from(stored: String) -> Addresses {
        Addresses(stored.split(", ").filter(|x| !x.is_empty()).map(str::to_string).collect())
    }
}

impl std::ops::Deref for Addresses {
    type Target = Vec<String>;
    fn deref(&self) -> &Vec<String> {
        &self.0
    }
}

impl Store {
    /// Claims the oldest due message for `lease_ms`, or nothing. With several app servers on
    /// one PostgreSQL each message goes to exactly one of them (`FOR UPDATE SKIP LOCKED`); a
    /// claim whose worker died expires and the message is claimed again.
    pub async fn claim_due_message(
        &self,
        now: DateTime<Utc>,
        lease_ms: i64,
        queue: Queue,
    ) -> Result<Option<ClaimedMessage>, sqlx::Error> {
        let webhooks = queue == Queue::Webhooks;
        let now_ms = millis(now);
        let lease = now_ms + lease_ms;
        // The same statement on both; PostgreSQL also skips a row another server is claiming,
        // while SQLite has one writer at a time, so there the statement is atomic as it stands.
        macro_rules! claim {
            ($lock:literal) => {
                concat!(
                    "UPDATE outbox SET claimed_until = $1, attempts = attempts + 1 WHERE id = ( \
                     SELECT id FROM outbox WHERE sent_at IS NULL AND gave_up_at IS NULL AND next_attempt_at <= $2 \
                     AND claimed_until < $2 AND (webhook_id IS NOT NULL) = $3 ORDER BY id LIMIT 1",
                    $lock,
                    ") RETURNING id, request_id, subject, to_addrs, cc_addrs, body_text, cor_id, plan_hash, \
                     CAST(attempts AS BIGINT) AS attempts, claimed_until AS lease, user_id, kind, webhook_id"
                )
            };
        }
        let sql = match &self.db {
            Db::Postgres(_) => claim!(" FOR UPDATE SKIP LOCKED"),
            Db::Sqlite { .. } => claim!(""),
        };
        on_writer!(&self.db, pool => sqlx::query_as(sql)
            .bind(lease)
            .bind(now_ms)
            .bind(webhooks)
            .fetch_optional(pool)
            .await)
    }

    /// Stores a new decision link's hash for a claimed message.
    pub async fn create_decision_link(
        &self,
        m: &ClaimedMessage,
        token_hash: &str,
        now: DateTime<Utc>,
        expires: DateTime<Utc>,
    ) -> Result<(), sqlx::Error> {
        on_writer!(&self.db, pool => sqlx::query(
            "INSERT INTO approval_tokens (token_hash, request_id, cor_id, plan_hash, outbox_id, created_at, expires_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(token_hash)
        .bind(m.request_id)
        .bind(m.cor_id)
        .bind(&m.plan_hash)
        .bind(m.id)
        .bind(millis(now))
        .bind(millis(expires))
        .execute(pool)
        .await
        .map(|_| ()))
    }

    /// Marks a claimed message sent (only while the claim is still this worker's).
    pub async fn mark_sent(&self, m: &ClaimedMessage, now: DateTime<Utc>) -> Result<bool, sqlx::Error> {
        let done = on_writer!(&self.db, pool => sqlx::query(
            "UPDATE outbox SET sent_at = $1, last_error = NULL WHERE id = $2 AND claimed_until = $3 AND sent_at IS NULL",
        )
        .bind(millis(now))
        .bind(m.id)
        .bind(m.lease)
        .execute(pool)
        .await
        .map(|r| r.rows_affected()))?;
        Ok(done == 1)
    }

    /// Records a failed attempt: retried at `retry_at`, or given up (shown to admins).
    pub async fn mark_failed(
        &self,
        m: &ClaimedMessage,
        error: &str,
        retry_at: Option<DateTime<Utc>>,
        now: DateTime<Utc>,
    ) -> Result<(), sqlx::Error> {
        on_writer!(&self.db, pool => sqlx::query(
            "UPDATE outbox SET last_error = $1, next_attempt_at = $2, claimed_until = 0, gave_up_at = $3 \
             WHERE id = $4 AND claimed_until = $5",
        )
        .bind(error)
        .bind(retry_at.map(millis).unwrap_or(i64::MAX))
        .bind(retry_at.is_none().then(|| millis(now)))
        .bind(m.id)
        .bind(m.lease)
        .execute(pool)
        .await
        .map(|_| ()))
    }

    /// Requests awaiting approval whose CORs were asked at or before `cutoff` and that have not
    /// been reminded (or escalated, with `escalation`) yet.
    async fn waiting_since(&self, cutoff: i64, escalation: bool) -> Result<Vec<(i64, String, i64)>, sqlx::Error> {
        let sql = if escalation {
            "SELECT id, reference, approval_requested_at FROM change_requests WHERE state = 'awaiting_approval' \
             AND approval_requested_at <= $1 AND escalated_at IS NULL ORDER BY id LIMIT 100"
        } else {
            "SELECT id, reference, approval_requested_at FROM change_requests WHERE state = 'awaiting_approval' \
             AND approval_requested_at <= $1 AND reminded_at IS NULL ORDER BY id LIMIT 100"
        };
        on_pool!(&self.db, pool => sqlx::query_as(sql).bind(cutoff).fetch_all(pool).await)
    }

    /// Queues reminders to the CORs still pending after `remind_after`, and the overdue notice
    /// to the hosting lead and admins after `escalate_after`; each once per submission.
    /// Returns how many requests got each.
    pub async fn queue_reminders(
        &self,
        now: DateTime<Utc>,
        remind_after: chrono::Duration,
        escalate_after: chrono::Duration,
        public_url: &str,
    ) -> Result<(usize, usize), sqlx::Error> {
        let mut counts = (0, 0);
        let cors = self.cors(now).await?;
        for (escalation, after) in [(false, remind_after), (true, escalate_after)] {
            for (id, reference, requested_at) in self.waiting_since(millis(now - after), escalation).await? {
                let parsed = app::domain::reference::Reference::parse(&reference);
                let reference = parsed
                    .ok_or_else(|| super::corrupt(&reference, "change_requests.reference", "not ECR-YYYY-NNNN"))?;
                let Some(loaded) = self.load(reference).await? else { continue };
                let snapshot = &loaded.snapshot;
                let sec = snapshot.security_related;
                let today = app::domain::calendar::eastern_date(now);
                let kinds: Vec<MessageKind> = if escalation {
                    vec![MessageKind::DecisionOverdue]
                } else {
                    match snapshot.quorum(&cors, today) {
                        Quorum::Pending { waiting_for, .. } => {
                            waiting_for.into_iter().map(MessageKind::DecisionReminder).collect()
                        }
                        _ => Vec::new(),
                    }
                };
                let target = MailTarget {
                    request_id: id,
                    started_by: snapshot.started_by,
                    team_id: snapshot.team_id,
                    form: &loaded.form,
                    system: &loaded.summary.system,
                    now,
                    plan_hash: snapshot.plan_under_decision().0.clone(),
                    state: snapshot.state.as_str(),
                };
                let ctx = MessageContext {
                    reference: loaded.summary.reference.clone(),
                    title: loaded.summary.title.clone(),
                    system: loaded.summary.system.clone(),
                    link: format!("{public_url}/requests/{}", loaded.summary.reference),
                    note: Some(format!(
                        "Submitted to the CORs {} ago; no quorum yet.",
                        humanise(now - from_millis(requested_at)?)
                    )),
                };
                let at = millis(now);
                let marked: bool = audited!(&self.db, tx => {
                    // Claim the reminder slot first: two app servers never both remind.
                    let sql = if escalation {
                        "UPDATE change_requests SET escalated_at = $1 WHERE id = $2 AND escalated_at IS NULL"
                    } else {
                        "UPDATE change_requests SET reminded_at = $1 WHERE id = $2 AND reminded_at IS NULL"
                    };
                    if sqlx::query(sql).bind(at).bind(id).execute(&mut *tx).await?.rows_affected() == 0 {
                        return Ok(false);
                    }
                    for kind in &kinds {
                        let m = message(kind.clone(), sec);
                        queue_message!(tx, &target, &m, &ctx);
                    }
                    let event = AuditEvent {
                        at,
                        actor_id: None,
                        request_id: Some(id),
                        action: if escalation { "Decision overdue".into() } else { "Decision reminder".into() },
                        detail: format!("{}: {} message(s) queued", loaded.summary.reference, kinds.len()),
                        source: "mail worker".into(),
                        outcome: "success".into(),
                    };
                    (true, event)
                })?;
                if marked {
                    if escalation {
                        counts.1 += 1;
                    } else {
                        counts.0 += 1;
                    }
                }
            }
        }
        Ok(counts)
    }
}

fn humanise(d: chrono::Duration) -> String {
    let minutes = d.num_minutes();
    if minutes < 120 {
        format!("{minutes} minutes")
    } else {
        format!("{} hours", minutes / 60)
    }
}

impl Store {
    /// Every outbox body (tests: proving no raw token rests in the database).
    #[doc(hidden)]
    pub async fn undelivered_and_bodies_for_test(&self) -> Vec<String> {
        let rows: Vec<(String,)> =
            on_pool!(&self.db, pool => sqlx::query_as("SELECT body_text FROM outbox").fetch_all(pool).await)
                .expect("the outbox reads");
        rows.into_iter().map(|r| r.0).collect()
    }

    /// How many messages the outbox holds (tests).
    #[doc(hidden)]
    pub async fn outbox_count_for_test(&self) -> usize {
        let (n,): (i64,) =
            on_pool!(&self.db, pool => sqlx::query_as("SELECT COUNT(*) FROM outbox").fetch_one(pool).await)
                .expect("the outbox counts");
        n as usize
    }
}

impl Store {
    /// A webhook's address and secret, while it is active.
    pub async fn webhook_target(&self, id: i64) -> Result<Option<(String, String)>, sqlx::Error> {
        on_pool!(&self.db, pool => sqlx::query_as("SELECT url, secret FROM webhooks WHERE id = $1 AND active = TRUE")
            .bind(id)
            .fetch_optional(pool)
            .await)
    }
}

#[async_trait::async_trait]
impl ApprovalStore for Store {
    /// A decision link by the SHA-256 of its token.
    async fn decision_link(&self, token_hash: &str) -> Result<Option<DecisionLink>, StoreError> {
        ported(async {
            type Row = (String, i64, String, i64, Option<i64>, Option<i64>);
            let row: Option<Row> = on_pool!(&self.db, pool => sqlx::query_as(
                "SELECT r.reference, t.cor_id, t.plan_hash, t.expires_at, t.used_at, t.voided_at \
                 FROM approval_tokens t JOIN change_requests r ON r.id = t.request_id WHERE t.token_hash = $1",
            )
            .bind(token_hash)
            .fetch_optional(pool)
            .await)?;
            row.map(|(reference, cor_id, plan_hash, expires_at, used_at, voided_at)| {
                Ok(DecisionLink {
                    reference,
                    cor_id,
                    plan_hash,
                    expires_at: from_millis(expires_at)?,
                    used_at: used_at.map(from_millis).transpose()?,
                    voided_at: voided_at.map(from_millis).transpose()?,
                })
            })
            .transpose()
        })
        .await
    }

    /// Stamps the first time a decision link's page was shown.
    async fn decision_link_opened(&self, token_hash: &str, at: DateTime<Utc>) -> Result<(), StoreError> {
        ported(async {
            on_writer!(&self.db, pool => sqlx::query(
                "UPDATE approval_tokens SET opened_at = $2 WHERE token_hash = $1 AND opened_at IS NULL",
            )
            .bind(token_hash)
            .bind(millis(at))
            .execute(pool)
            .await
            .map(|_| ()))
        })
        .await
    }

    async fn sign_off_link(&self, token_hash: &str) -> Result<Option<SignOffInvitation>, StoreError> {
        ported(self.sign_off_invitation(token_hash)).await
    }

    async fn sign_off_link_opened(&self, token_hash: &str, at: DateTime<Utc>) -> Result<(), StoreError> {
        ported(self.sign_off_invitation_opened(token_hash, at)).await
    }

    /// Every recorded absence, soonest first.
    async fn absences(&self) -> Result<Vec<AbsenceView>, StoreError> {
        ported(async {
            type Row = (i64, i64, String, String, String, Option<String>, String);
            let rows: Vec<Row> = on_pool!(&self.db, pool => sqlx::query_as(
                "SELECT a.id, a.user_id, u.display_name, a.starts_on, a.ends_on, a.note, s.display_name FROM absences a \
                 JOIN users u ON u.id = a.user_id JOIN users s ON s.id = a.set_by ORDER BY a.starts_on, a.id",
            )
            .fetch_all(pool)
            .await)?;
            Ok(rows
                .into_iter()
                .map(|(id, user_id, name, from, to, note, set_by)| AbsenceView {
                    id,
                    user_id,
                    name,
                    from,
                    to,
                    note,
                    set_by,
                })
                .collect())
        })
        .await
    }

    /// Records an absence, audited.
    async fn add_absence(&self, user_id: i64, absence: &NewAbsence, acting: &Acting<'_>) -> Result<(), StoreError> {
        let NewAbsence { from, to, note } = absence;
        audited_as!(&self.db, acting, tx, at => {
            sqlx::query("INSERT INTO absences (user_id, starts_on, ends_on, note, set_by, created_at) VALUES ($1, $2, $3, $4, $5, $6)")
                .bind(user_id)
                .bind(from.to_string())
                .bind(to.to_string())
                .bind(note)
                .bind(acting.by.id)
                .bind(at)
                .execute(&mut *tx)
                .await?;
            let detail = format!("user {user_id} out of office {from} to {to}{}", note.as_ref().map(|n| format!(" ({n})")).unwrap_or_default());
            ((), done_by(acting, "Out of office", detail))
        })
    }

    /// Removes an absence, audited. `Ok(false)` when there was none with that id.
    async fn remove_absence(&self, id: i64, acting: &Acting<'_>) -> Result<bool, StoreError> {
        audited_as!(&self.db, acting, tx => {
            let gone = sqlx::query("DELETE FROM absences WHERE id = $1").bind(id).execute(&mut *tx).await?.rows_affected();
            if gone == 0 {
                return Ok(false);
            }
            (true, done_by(acting, "Out of office removed", format!("absence {id} removed")))
        })
    }
}
