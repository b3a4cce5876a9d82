//! Writing messages to the outbox (inside the caller's transaction) and the mail worker's
//! side of it: claiming due messages with a lease, marking them sent or failed.

use app::domain::cr_form::CrForm;
use std::collections::BTreeSet;

/// What resolving a message's recipients needs to know about its request.
pub struct MailTarget<'a> {
    /// The request's id.
    pub request_id: i64,
    /// Who started it (part of the dev team).
    pub started_by: i64,
    /// The dev team.
    pub team_id: Option<i64>,
    /// The CR form (affected teams, stakeholders, environment).
    pub form: &'a CrForm,
    /// The affected system (the subject's project).
    pub system: &'a str,
    /// When.
    pub now: chrono::DateTime<chrono::Utc>,
    /// The plan version a decision link is bound to.
    pub plan_hash: String,
    /// The request's state after the change (for webhooks).
    pub state: &'a str,
}

/// A webhook's JSON body for one message: the event in our own shape, or Slack's.
pub fn webhook_payload(
    message: &app::domain::notify::Message,
    ctx: &app::domain::notify::MessageContext,
    target: &MailTarget,
    slack: bool,
) -> String {
    let headline = message.kind().headline();
    if slack {
        let (reference, title, system, headline) =
            (slack_escape(&ctx.reference), slack_escape(&ctx.title), slack_escape(&ctx.system), slack_escape(headline));
        serde_json::json!({
            "text": format!("*{reference}* {title} ({system}): {headline} <{}|Open the request>", ctx.link)
        })
        .to_string()
    } else {
        serde_json::json!({
            "event": message.kind().key(),
            "headline": headline,
            "reference": ctx.reference,
            "title": ctx.title,
            "system": ctx.system,
            "state": target.state,
            "at": target.now.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
            "link": ctx.link,
        })
        .to_string()
    }
}

/// Slack's message format reads `<…>` as a link or mention and `&` as an entity: a title like
/// `<!channel>` must stay text.
pub fn slack_escape(text: &str) -> String {
    text.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;")
}

/// The environment for the subject line (Production unless the form says otherwise).
pub fn environment(form: &CrForm) -> &str {
    if form.environment.trim().is_empty() {
        "Production"
    } else {
        form.environment.trim()
    }
}

/// To wins over CC; each address once, in order.
pub fn dedupe(to: Vec<String>, cc: Vec<String>) -> (Vec<String>, Vec<String>) {
    let mut seen = BTreeSet::new();
    let to: Vec<String> = to.into_iter().filter(|a| seen.insert(a.to_lowercase())).collect();
    let cc: Vec<String> = cc.into_iter().filter(|a| seen.insert(a.to_lowercase())).collect();
    (to, cc)
}

/// Resolves a domain message's recipients to addresses and writes it to the outbox, inside
/// transaction `$tx` (so the message exists exactly when the state change does).
macro_rules! queue_message {
    ($tx:ident, $target:expr, $message:expr, $ctx:expr) => {{
        let target: &$crate::store::outbox::MailTarget = $target;
        let message: &app::domain::notify::Message = $message;
        let ctx: &app::domain::notify::MessageContext = $ctx;
        let mut to: Vec<String> = Vec::new();
        let mut cc: Vec<String> = Vec::new();
        // The person a sign-off link is for: the mail worker makes the link for them.
        let mut link_holder: Option<i64> = None;
        for (list, addressees) in [(&mut to, message.to()), (&mut cc, message.cc())] {
            for a in addressees {
                let emails: Vec<String> = match &a.who {
                    app::domain::notify::Recipient::HostingTeam
                    | app::domain::notify::Recipient::HostingLead
                    | app::domain::notify::Recipient::Isso
                    | app::domain::notify::Recipient::Admins => {
                        let mut emails = Vec::new();
                        for role in a.who.roles() {
                            let members: Vec<(String,)> = sqlx::query_as(
                                "SELECT email FROM users WHERE active = TRUE AND role = $1 ORDER BY email",
                            ).bind(role.as_str()).fetch_all(&mut *$tx).await?;
                            emails.extend(members.into_iter().map(|m| m.0));
                        }
                        emails.sort();
                        emails
                    }
                    app::domain::notify::Recipient::AskedToSignOff(role) => {
                        let asked: Option<(String, i64)> = sqlx::query_as(
                            "SELECT u.email, u.id FROM sign_off_invitations i JOIN users u ON u.id = i.invitee_id \
                             WHERE i.request_id = $1 AND i.role = $2 AND i.used_at IS NULL AND i.withdrawn_at IS NULL AND u.active = TRUE \
                             ORDER BY i.id DESC LIMIT 1",
                        ).bind(target.request_id).bind(role.key()).fetch_optional(&mut *$tx).await?;
                        link_holder = asked.as_ref().map(|a| a.1);
                        asked.into_iter().map(|a| a.0).collect()
                    }
                    app::domain::notify::Recipient::Cor(id) => sqlx::query_as::<_, (String,)>("SELECT email FROM users WHERE id = $1 AND active = TRUE")
                        .bind(*id).fetch_all(&mut *$tx).await?.into_iter().map(|r| r.0).collect(),
                    app::domain::notify::Recipient::DevTeam => sqlx::query_as::<_, (String,)>(
                        "SELECT email FROM users WHERE active = TRUE AND (id = $1 OR (team_id IS NOT NULL AND team_id = $2)) ORDER BY email",
                    ).bind(target.started_by).bind(target.team_id).fetch_all(&mut *$tx).await?.into_iter().map(|r| r.0).collect(),
                    app::domain::notify::Recipient::AffectedTeams => {
                        let mut out = Vec::new();
                        for team in app::domain::cr_form::lines(&target.form.affected_teams) {
                            let members: Vec<(String,)> = sqlx::query_as(
                                "SELECT u.email FROM users u JOIN teams t ON t.id = u.team_id WHERE u.active = TRUE AND LOWER(t.name) = LOWER($1) ORDER BY u.email",
                            ).bind(&team).fetch_all(&mut *$tx).await?;
                            out.extend(members.into_iter().map(|r| r.0));
                        }
                        out
                    }
                    app::domain::notify::Recipient::Stakeholders => {
                        let mut out = app::domain::cr_form::lines(&target.form.stakeholders);
                        let standing: Option<(String,)> = sqlx::query_as("SELECT stakeholders FROM teams WHERE id = $1")
                            .bind(target.team_id)
                            .fetch_optional(&mut *$tx)
                            .await?;
                        out.extend(standing.map(|s| app::domain::cr_form::lines(&s.0)).unwrap_or_default());
                        out
                    }
                };
                list.extend(emails);
            }
        }
        let (to, cc) = $crate::store::outbox::dedupe(to, cc);
        if !to.is_empty() || !cc.is_empty() {
            let reasons: Vec<String> = message.to().iter().chain(message.cc()).map(|a| a.reason.clone()).collect();
            let cor = message.kind().cor();
            sqlx::query(
                "INSERT INTO outbox (request_id, kind, subject, to_addrs, cc_addrs, reasons, body_text, created_at, cor_id, plan_hash, user_id) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
            )
            .bind(target.request_id)
            .bind(message.kind().key())
            .bind(app::domain::notify::subject(
                target.system,
                $crate::store::outbox::environment(target.form),
                app::domain::calendar::eastern_date(target.now),
            ))
            .bind(to.join(", "))
            .bind(cc.join(", "))
            .bind(super::to_json(&reasons)?)
            .bind(app::domain::notify::render_text(message, ctx))
            .bind($crate::store::millis(target.now))
            .bind(cor)
            .bind(cor.map(|_| target.plan_hash.clone()))
            .bind(link_holder)
            .execute(&mut *$tx)
            .await?;
        }
        // The same event to every webhook that asked for it (global, or the request's team).
        let hooks: Vec<(i64, String, String, bool)> = sqlx::query_as(
            "SELECT id, url, events, slack FROM webhooks WHERE active = TRUE AND (team_id IS NULL OR team_id = $1) ORDER BY id",
        )
        .bind(target.team_id)
        .fetch_all(&mut *$tx)
        .await?;
        let key = message.kind().key();
        for (hook_id, url, events, slack) in hooks {
            if events.trim() != "*" && !events.split(',').any(|e| e.trim() == key) {
                continue;
            }
            sqlx::query(
                "INSERT INTO outbox (request_id, kind, subject, to_addrs, cc_addrs, reasons, body_text, created_at, webhook_id) \
                 VALUES ($1, 'webhook', $2, $3, '', '[]', $4, $5, $6)",
            )
            .bind(target.request_id)
            .bind(key)
            .bind(url)
            .bind($crate::store::outbox::webhook_payload(message, ctx, target, slack))
            .bind($crate::store::millis(target.now))
            .bind(hook_id)
            .execute(&mut *$tx)
            .await?;
        }
    }};
}
pub(crate) use queue_message;

#[cfg(test)]
mod tests {
    use super::{dedupe, slack_escape};

    #[test]
    fn slack_text_cannot_mention_or_link() {
        assert_eq!(
            slack_escape("Fix <!channel> & <https://evil.example|login>"),
            "Fix &lt;!channel&gt; &amp; &lt;https://evil.example|login&gt;"
        );
    }

    #[test]
    fn an_address_in_to_is_not_repeated_in_cc() {
        let (to, cc) = dedupe(
            vec!["a@x.gov".into(), "b@x.gov".into(), "A@x.gov".into()],
            vec!["b@x.gov".into(), "c@x.gov".into()],
        );
        assert_eq!(to, ["a@x.gov", "b@x.gov"]);
        assert_eq!(cc, ["c@x.gov"]);
    }
}
