//! Staging sign-offs as shown: who signed each capacity and how, who was asked by email, and
//! what a sign-off link's page shows.

use super::{AttachmentView, RequestSummary};
use crate::domain::plan::Plan;
use crate::domain::workflow::SignOffRole;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// A staging sign-off as shown.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SignOffView {
    /// In which capacity.
    pub role: SignOffRole,
    /// Who signed: their id (one person in two capacities is the same id)…
    pub signer_id: i64,
    /// …and their name.
    pub signer: String,
    /// Their evidence.
    pub evidence: String,
    /// When.
    pub at: DateTime<Utc>,
    /// From an emailed link: the name they typed to sign (signed in: `None`).
    #[serde(default)]
    pub by_link_as: Option<String>,
}

impl SignOffView {
    /// How it was signed, in the record's words.
    pub fn how(&self) -> String {
        match &self.by_link_as {
            Some(name) => format!("From an emailed link, signed “{name}”"),
            None => "Signed in".into(),
        }
    }
}

/// Someone the dev team asked by email to sign off, whose link is still open.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SignOffInvitationView {
    /// The capacity asked for.
    pub role: SignOffRole,
    /// Their name, as the dev team gave it.
    pub name: String,
    /// Their address.
    pub email: String,
    /// When they were asked.
    pub invited_at: DateTime<Utc>,
    /// When the link stops working (once the message is sent).
    pub expires_at: Option<DateTime<Utc>>,
    /// When they first opened it, if they have.
    pub opened_at: Option<DateTime<Utc>>,
}

impl SignOffView {
    /// What the record says of anyone who signed off in several capacities (only a team's setting
    /// allows it): one sentence per such person, in the order they first signed.
    pub fn several_capacities(list: &[SignOffView]) -> Vec<String> {
        let mut people: Vec<(i64, &str, Vec<SignOffRole>)> = Vec::new();
        for s in list {
            match people.iter_mut().find(|(id, _, _)| *id == s.signer_id) {
                Some((_, _, roles)) => roles.push(s.role),
                None => people.push((s.signer_id, &s.signer, vec![s.role])),
            }
        }
        people
            .into_iter()
            .filter(|(_, _, roles)| roles.len() > 1)
            .map(|(_, name, roles)| {
                format!(
                    "{name} signed off as {}: the team lets one person sign off in several capacities.",
                    SignOffRole::in_words(&roles)
                )
            })
            .collect()
    }
}

/// What a sign-off link's page shows its holder: the request, the plan and what was changed in
/// staging, the capacity asked for, and whether the link can still sign.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SignOffLinkView {
    /// The request.
    pub summary: RequestSummary,
    /// The capacity asked for.
    pub role: SignOffRole,
    /// The holder's name, as the dev team gave it.
    pub name: String,
    /// The plan to check.
    pub plan: Plan,
    /// What was changed in staging.
    pub staging_notes: String,
    /// Evidence files the dev team attached.
    pub attachments: Vec<AttachmentView>,
    /// The sign-offs so far.
    pub sign_offs: Vec<SignOffView>,
    /// Why the link cannot sign (used, withdrawn, expired, already signed), in words.
    pub closed_reason: Option<String>,
}
