//! The mail worker: delivers the outbox over SMTP (lettre), with retries and exponential
//! backoff, and queues decision reminders and overdue notices.
//!
//! Each message is claimed with a lease (`FOR UPDATE SKIP LOCKED` on PostgreSQL), so with
//! several app servers every message goes to exactly one worker; a worker that dies mid-send
//! loses its lease and the message is sent again after restart (at least once, never lost).
//! A COR's decision link is made here, at send time: its token goes only into the message
//! and its SHA-256 into the database.

use crate::auth::{new_token, token_hash};
use crate::config::Config;
use crate::store::{ClaimedMessage, Queue, Store};
use app::domain::notify::{render_html, DECISION_LINK, LINK_EXPIRY, SET_PASSWORD_LINK, SIGN_OFF_LINK};
use app::ports::DemoInbox;
use chrono::{DateTime, Utc};
use lettre::message::{Mailbox, MultiPart};
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use std::time::Duration;

/// After this many failed attempts a message is given up and shown to admins.
pub const MAX_ATTEMPTS: i64 = 10;

/// Where messages go.
#[derive(Clone)]
pub enum Transport {
    /// A real SMTP relay.
    Smtp(AsyncSmtpTransport<Tokio1Executor>),
    /// Demo mode without a relay: the built-in mail viewer's inbox.
    Inbox(DemoInbox),
}

/// Delivers the outbox.
#[derive(Clone)]
pub struct Mailer {
    store: Store,
    transport: Transport,
    from: Mailbox,
    public_url: String,
    link_ttl: chrono::Duration,
    remind_after: chrono::Duration,
    escalate_after: chrono::Duration,
    retry_base: Duration,
    lease_ms: i64,
    http: reqwest::Client,
    webhooks_allow_private: bool,
    /// Where "now" comes from (the server's one clock).
    clock: std::sync::Arc<dyn app::service::Clock>,
}

/// HMAC-SHA256 of `body` with the webhook's secret, hex: the `X-Offcycle-Signature` value.
pub fn sign(secret: &str, body: &[u8]) -> String {
    use hmac::{Hmac, Mac};
    let mut mac = Hmac::<sha2::Sha256>::new_from_slice(secret.as_bytes()).expect("HMAC takes a key of any length");
    mac.update(body);
    hex::encode(mac.finalize().into_bytes())
}

/// Why the worker could not start.
#[derive(Debug, thiserror::Error)]
pub enum MailSetupError {
    /// `SMTP_URL` is not a usable relay address.
    #[error("SMTP_URL: {0}")]
    SmtpUrl(String),
    /// `OFFCYCLE_MAIL_FROM` is not an address.
    #[error("OFFCYCLE_MAIL_FROM: {0}")]
    From(String),
}

fn chrono_of(d: Duration) -> chrono::Duration {
    chrono::Duration::from_std(d).unwrap_or(chrono::Duration::MAX)
}

impl Mailer {
    /// The worker for `config`: SMTP when `SMTP_URL` is set, else the demo inbox in demo mode;
    /// `None` when neither (mail then waits in the outbox, visible to admins).
    pub fn from_config(
        store: Store,
        config: &Config,
        inbox: &DemoInbox,
        clock: std::sync::Arc<dyn app::service::Clock>,
    ) -> Result<Option<Mailer>, MailSetupError> {
        let transport = match &config.smtp_url {
            Some(url) => Transport::Smtp(
                AsyncSmtpTransport::<Tokio1Executor>::from_url(url)
                    .map_err(|e| MailSetupError::SmtpUrl(e.to_string()))?
                    .timeout(Some(Duration::from_secs(20)))
                    .build(),
            ),
            None if config.demo => Transport::Inbox(inbox.clone()),
            None => return Ok(None),
        };
        Ok(Some(Mailer {
            store,
            transport,
            from: config
                .mail_from
                .parse()
                .map_err(|e: lettre::address::AddressError| MailSetupError::From(e.to_string()))?,
            public_url: config.public_url.clone(),
            link_ttl: chrono_of(config.decision_link_ttl),
            remind_after: chrono_of(config.remind_after),
            escalate_after: chrono_of(config.escalate_after),
            retry_base: config.mail_retry_base,
            lease_ms: config.mail_lease.as_millis() as i64,
            http: reqwest::Client::builder()
                .timeout(Duration::from_secs(10))
                .redirect(reqwest::redirect::Policy::none())
                .build()
                .map_err(|e| MailSetupError::SmtpUrl(format!("HTTP client: {e}")))?,
            webhooks_allow_private: config.webhooks_allow_private,
            clock,
        }))
    }

    /// Delivers every message of `queue` due now; returns how many were sent.
    pub async fn deliver_due(&self, now: DateTime<Utc>, queue: Queue) -> Result<usize, sqlx::Error> {
        let mut sent = 0;
        while let Some(m) = self.store.claim_due_message(now, self.lease_ms, queue).await? {
            match self.deliver(&m, now).await {
                Ok(()) => {
                    if self.store.mark_sent(&m, self.clock.now()).await? {
                        sent += 1;
                    }
                }
                Err(error) => {
                    let retry = (m.attempts < MAX_ATTEMPTS)
                        .then(|| self.clock.now() + chrono_of(crate::retry::wait_after(self.retry_base, m.attempts)));
                    tracing::warn!(id = m.id, attempts = m.attempts, %error, "sending failed");
                    let queue_label = match queue {
                        Queue::Mail => "mail",
                        Queue::Webhooks => "webhooks",
                    };
                    metrics::counter!("offcycle_deliveries_failed_total", "queue" => queue_label).increment(1);
                    self.store.mark_failed(&m, &error, retry, self.clock.now()).await?;
                    match queue {
                        // The relay is likely down: leave the rest for the next round.
                        Queue::Mail => break,
                        // One receiver failing says nothing of the others: each backs off alone.
                        Queue::Webhooks => continue,
                    }
                }
            }
        }
        Ok(sent)
    }

    /// Posts one webhook delivery, signed with the hook's secret.
    async fn post_webhook(&self, m: &ClaimedMessage) -> Result<(), String> {
        let hook = m.webhook_id.ok_or("a webhook delivery without its webhook")?;
        let Some((url, secret)) = self.store.webhook_target(hook).await.map_err(|e| e.to_string())? else {
            return Err("the webhook was removed".into());
        };
        // Checked at every delivery, on the addresses the name resolves to now, and the request
        // goes to exactly those (a name that later resolves elsewhere cannot slip past).
        let shown = app::domain::webhook::redacted(&url);
        let receiver = app::domain::webhook::receiver(&url).map_err(|e| format!("{shown}: {e}"))?;
        let http = if self.webhooks_allow_private {
            self.http.clone()
        } else {
            let addrs: Vec<std::net::SocketAddr> = tokio::net::lookup_host((receiver.host.as_str(), receiver.port))
                .await
                .map_err(|e| format!("could not resolve {shown}: {e}"))?
                .collect();
            let ips: Vec<std::net::IpAddr> = addrs.iter().map(|a| a.ip()).collect();
            if let Some(why) = app::domain::webhook::refusal(&receiver, &ips, false) {
                return Err(format!("not sent to {shown}: {why}"));
            }
            reqwest::Client::builder()
                .timeout(Duration::from_secs(10))
                .redirect(reqwest::redirect::Policy::none())
                .resolve_to_addrs(&receiver.host, &addrs)
                .build()
                .map_err(|e| format!("HTTP client: {e}"))?
        };
        let res = http
            .post(&url)
            .header("Content-Type", "application/json")
            .header("X-Offcycle-Event", &m.subject)
            .header("X-Offcycle-Delivery", m.id.to_string())
            .header("X-Offcycle-Signature", format!("sha256={}", sign(&secret, m.body_text.as_bytes())))
            .body(m.body_text.clone())
            .send()
            .await
            .map_err(|e| format!("could not reach {shown}: {}", e.without_url()))?;
        if res.status().is_success() {
            Ok(())
        } else {
            Err(format!("{shown} answered {}", res.status()))
        }
    }

    /// Builds and sends one message (making its decision link first, if it carries one).
    async fn deliver(&self, m: &ClaimedMessage, now: DateTime<Utc>) -> Result<(), String> {
        if m.kind == "webhook" {
            return self.post_webhook(m).await;
        }
        let mut text = m.body_text.clone();
        let personal = text.contains(DECISION_LINK) || text.contains(SET_PASSWORD_LINK) || text.contains(SIGN_OFF_LINK);
        // The domain addresses a personal link to its holder alone; the worker that makes the
        // token refuses anything else, whatever a stored row says.
        if personal && (m.to.len() != 1 || !m.cc.is_empty()) {
            return Err("refused: a message with a personal link must have one recipient and no copies".into());
        }
        if m.cor_id.is_some() && text.contains(DECISION_LINK) {
            let token = new_token();
            let expires = now + self.link_ttl;
            self.store.create_decision_link(m, &token_hash(&token), now, expires).await.map_err(|e| e.to_string())?;
            let expiry = app::domain::calendar::eastern(expires).format("%A %-d %B at %-I:%M %p Eastern").to_string();
            text = text
                .replace(DECISION_LINK, &format!("{}/decide/{token}", self.public_url))
                .replace(LINK_EXPIRY, &expiry);
        }
        if let (Some(invitee), Some(request), true) = (m.user_id, m.request_id, text.contains(SIGN_OFF_LINK)) {
            let token = new_token();
            let expires = now + self.link_ttl;
            let made = self
                .store
                .create_sign_off_link(request, invitee, &token_hash(&token), expires)
                .await
                .map_err(|e| e.to_string())?;
            if !made {
                // Someone else was asked, or the capacity was signed, before this went out.
                tracing::info!(outbox = m.id, "sign-off request not sent: nobody waits for it any more");
                return Ok(());
            }
            let expiry = app::domain::calendar::eastern(expires).format("%A %-d %B at %-I:%M %p Eastern").to_string();
            text = text
                .replace(SIGN_OFF_LINK, &format!("{}/sign-off/{token}", self.public_url))
                .replace(LINK_EXPIRY, &expiry);
        }
        if let (Some(user), true) = (m.user_id, text.contains(SET_PASSWORD_LINK)) {
            let token = new_token();
            let expires = now + chrono::Duration::hours(app::domain::notify::SET_PASSWORD_LINK_HOURS);
            self.store
                .create_password_link(user, &token_hash(&token), now, expires)
                .await
                .map_err(|e| e.to_string())?;
            text = text.replace(SET_PASSWORD_LINK, &format!("{}/set-password/{token}", self.public_url));
        }
        match &self.transport {
            Transport::Inbox(inbox) => {
                inbox.deliver(m.id, text);
                Ok(())
            }
            Transport::Smtp(smtp) => {
                let mut builder = Message::builder().from(self.from.clone()).subject(&m.subject);
                for to in m.to.iter() {
                    builder = builder.to(to.parse().map_err(|e| format!("bad address {to:?}: {e}"))?);
                }
                for cc in m.cc.iter() {
                    builder = builder.cc(cc.parse().map_err(|e| format!("bad address {cc:?}: {e}"))?);
                }
                let html = render_html(&text);
                let email = builder
                    .multipart(MultiPart::alternative_plain_html(text, html))
                    .map_err(|e| format!("could not build the message: {e}"))?;
                smtp.send(email).await.map(|_| ()).map_err(|e| e.to_string())
            }
        }
    }

    /// Queues reminders and overdue notices that are due.
    pub async fn remind(&self, now: DateTime<Utc>) -> Result<(usize, usize), sqlx::Error> {
        self.store.queue_reminders(now, self.remind_after, self.escalate_after, &self.public_url).await
    }

    /// Runs until `stop` flips: reminders and mail every `poll` in one loop, webhooks in a
    /// loop of their own, so a slow or failing receiver never holds up mail.
    pub fn spawn(self, poll: Duration, stop: tokio::sync::watch::Receiver<bool>) -> tokio::task::JoinHandle<()> {
        let me = std::sync::Arc::new(self);
        let run = |queue: Queue, mut stop: tokio::sync::watch::Receiver<bool>| {
            let me = me.clone();
            async move {
                loop {
                    tokio::select! {
                        _ = tokio::time::sleep(poll) => {}
                        _ = stop.changed() => return,
                    }
                    let now = me.clock.now();
                    if queue == Queue::Mail {
                        if let Err(e) = me.remind(now).await {
                            tracing::error!(error = %e, "queueing reminders failed");
                        }
                    }
                    if let Err(e) = me.deliver_due(now, queue).await {
                        tracing::error!(error = %e, ?queue, "delivery failed");
                    }
                }
            }
        };
        let mail = run(Queue::Mail, stop.clone());
        let hooks = tokio::spawn(run(Queue::Webhooks, stop));
        tokio::spawn(async move {
            mail.await;
            // Stopping ends the webhook loop too; one that is mid-delivery is left to its lease.
            hooks.abort();
        })
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_signature_is_the_rfc_4231_hmac_sha256() {
        // RFC 4231, test case 2.
        assert_eq!(
            super::sign("Jefe", b"what do ya want for nothing?"),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
    }
}
