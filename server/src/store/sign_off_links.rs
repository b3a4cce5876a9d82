//! Sign-off links: the dev team asks someone by email to sign off staging in one capacity. The
//! invitation is filed with the request's transaction; the link is made when the message is
//! sent, and only its SHA-256 is kept.

use super::{from_millis, millis, on_pool, on_writer, Store};
use app::domain::workflow::SignOffRole;
use app::ports::SignOffInvitation;
use chrono::{DateTime, Utc};

impl Store {
    /// Gives the newest open invitation of `invitee` on `request_id` the link `token_hash`
    /// (a resent message gets a new link; the old one stops working). False when there is
    /// none: the invitation was withdrawn or signed before the message went out.
    pub async fn create_sign_off_link(
        &self,
        request_id: i64,
        invitee: i64,
        token_hash: &str,
        expires: DateTime<Utc>,
    ) -> Result<bool, sqlx::Error> {
        let done = on_writer!(&self.db, pool => sqlx::query(
            "UPDATE sign_off_invitations SET token_hash = $1, expires_at = $2 WHERE id = ( \
             SELECT id FROM sign_off_invitations WHERE request_id = $3 AND invitee_id = $4 \
             AND used_at IS NULL AND withdrawn_at IS NULL ORDER BY id DESC LIMIT 1)",
        )
        .bind(token_hash)
        .bind(millis(expires))
        .bind(request_id)
        .bind(invitee)
        .execute(pool)
        .await
        .map(|r| r.rows_affected()))?;
        Ok(done == 1)
    }

    /// The invitation a link stands for; a stored capacity that does not parse is an error.
    pub(super) async fn sign_off_invitation(&self, token_hash: &str) -> Result<Option<SignOffInvitation>, sqlx::Error> {
        type Row = (String, String, i64, Option<i64>, Option<i64>, Option<i64>);
        let row: Option<Row> = on_pool!(&self.db, pool => sqlx::query_as(
            "SELECT r.reference, i.role, i.invitee_id, i.expires_at, i.used_at, i.withdrawn_at \
             FROM sign_off_invitations i JOIN change_requests r ON r.id = i.request_id WHERE i.token_hash = $1",
        )
        .bind(token_hash)
        .fetch_optional(pool)
        .await)?;
        let Some((reference, role, invitee_id, expires_at, used_at, withdrawn_at)) = row else { return Ok(None) };
        let role = SignOffRole::parse(&role)
            .ok_or_else(|| super::corrupt(&reference, "sign_off_invitations.role", format!("{role:?}")))?;
        Ok(Some(SignOffInvitation {
            reference,
            role,
            invitee_id,
            // A link exists only once the worker gave it an expiry.
            expires_at: from_millis(expires_at.unwrap_or(0))?,
            used_at: used_at.map(from_millis).transpose()?,
            withdrawn_at: withdrawn_at.map(from_millis).transpose()?,
        }))
    }

    /// Stamps the first time a sign-off link's page was shown.
    pub(super) async fn sign_off_invitation_opened(
        &self,
        token_hash: &str,
        at: DateTime<Utc>,
    ) -> Result<(), sqlx::Error> {
        on_writer!(&self.db, pool => sqlx::query(
            "UPDATE sign_off_invitations SET opened_at = $2 WHERE token_hash = $1 AND opened_at IS NULL",
        )
        .bind(token_hash)
        .bind(millis(at))
        .execute(pool)
        .await
        .map(|_| ()))
    }
}
