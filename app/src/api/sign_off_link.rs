//! Staging sign-off from an emailed link: the dev team asked someone (often not a dev-team member
//! here) to sign off in one capacity. The token is the credential; no sign-in.
//!
//! Opening the link (the page's GET and [`sign_off_link`]) changes nothing. Only the POST of
//! [`sign_off_by_link`] signs, and it spends the link in the sign-off's own transaction.

use crate::api::types::SignOffLinkView;
use crate::error::AppError;
use leptos::prelude::*;

/// What a sign-off link shows. Unknown or tampered links are "not found".
#[server(endpoint = "sign_off_link")]
pub async fn sign_off_link(token: String) -> Result<SignOffLinkView, AppError> {
    super::ssr::respond(server::view(token).await)
}

/// Sign off from an emailed link, with evidence and the signer's name.
#[server(endpoint = "sign_off_by_link")]
pub async fn sign_off_by_link(
    token: String,
    #[server(default)] evidence: String,
    #[server(default)] name: String,
) -> Result<(), AppError> {
    super::ssr::respond(server::sign(token, evidence, name).await)
}

#[cfg(feature = "ssr")]
mod server {
    use crate::api::ssr::*;
    use crate::api::types::SignOffLinkView;
    use crate::domain::forms::{FormErrors, SignOffForm};
    use crate::domain::reference::Reference;
    use crate::domain::workflow::{decide, Action, ActionKind};
    use crate::error::AppError;
    use crate::ports::{token_hash, CurrentSession, EmailedLink, SignOffInvitation};

    /// The invitation and the person it is for; unknown links are "not found".
    async fn invitation_of(token: &str) -> Result<(String, SignOffInvitation, CurrentSession), AppError> {
        let store = services()?.requests.clone();
        let hash = token_hash(token.trim());
        let invitation = store.sign_off_link(&hash).await?.ok_or(AppError::NotFound)?;
        let person = store.active_user(invitation.invitee_id).await?.ok_or(AppError::NotFound)?;
        Ok((hash, invitation, CurrentSession { user: person, token_hash: String::new() }))
    }

    pub async fn view(token: String) -> Result<SignOffLinkView, AppError> {
        let (hash, invitation, who) = invitation_of(&token).await?;
        let services = services()?;
        let now = clock_now()?;
        services.requests.sign_off_link_opened(&hash, now).await?;
        // The link is the credential: its holder sees the request it was sent for, also once it
        // has been used (to see their sign-off recorded).
        let reference = Reference::parse(&invitation.reference).ok_or(AppError::NotFound)?;
        let r = services.requests.load_request(reference).await?.ok_or(AppError::NotFound)?;
        let mut closed = invitation.link("").closed(now);
        if closed.is_none() {
            // Whatever else the process says (the capacity signed, the request moved on), in
            // its own words: a trial of the sign-off with placeholder evidence and name.
            let l = load_readable_as(&invitation.reference, who.clone()).await?;
            let trial = Action::SignOff {
                role: invitation.role,
                evidence: "evidence".into(),
                link: Some(invitation.link("name")),
            };
            closed = decide(&l.request.snapshot, &actor_of(&who), &trial, &l.context()).err().map(|e| e.to_string());
        }
        Ok(SignOffLinkView {
            summary: r.summary.clone(),
            role: invitation.role,
            name: who.user.display_name.clone(),
            plan: r.plan.clone(),
            staging_notes: r.staging_notes.clone(),
            attachments: r.attachments.clone(),
            sign_offs: r.sign_offs.clone(),
            closed_reason: closed,
        })
    }

    pub async fn sign(token: String, evidence: String, name: String) -> Result<(), AppError> {
        let (hash, invitation, who) = invitation_of(&token).await?;
        let link = invitation.link(&name);
        // The link is the credential: a spent one opens nothing (its holder may no longer read
        // the request), so it is refused before loading, in the domain's words.
        if let Some(why) = link.closed(clock_now()?) {
            return Err(AppError::Refused(why));
        }
        let typed = [("evidence", evidence.as_str()), ("name", name.as_str())];
        perform_as(&invitation.reference, who, Some(EmailedLink::SignOff(&hash)), ActionKind::SignOff, |_| {
            // The evidence's own limits, as on the staging page.
            let form = SignOffForm { role: invitation.role.key().into(), evidence: evidence.clone() };
            let (role, evidence) = form.sign_off().map_err(|e| {
                AppError::Invalid(FormErrors {
                    errors: e.errors,
                    values: typed.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect(),
                })
            })?;
            Ok(Change::action(Action::SignOff { role, evidence, link: Some(link.clone()) }).typed(&typed))
        })
        .await?;
        leptos_axum::redirect(&format!("/sign-off/{}", token.trim()));
        Ok(())
    }
}
