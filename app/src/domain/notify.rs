//! Who is told what, and why: rules as data, so the UI can preview "who gets this and why"
//! before anything is sent, and the outbox sends exactly that.

use super::quorum::UserId;
use super::workflow::SignOffRole;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

/// A group or person a message is addressed to; the server resolves it to email addresses.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Recipient {
    /// The hosting team's shared address and members.
    HostingTeam,
    /// The hosting lead(s).
    HostingLead,
    /// The requesting dev team.
    DevTeam,
    /// The teams the CR form lists as affected.
    AffectedTeams,
    /// One configured COR.
    Cor(UserId),
    /// The ISSO.
    Isso,
    /// The stakeholders the CR form lists.
    Stakeholders,
    /// The admins.
    Admins,
    /// The person the dev team asked by email to sign off in this capacity.
    AskedToSignOff(SignOffRole),
}

impl Recipient {
    /// The roles whose active members make up this group (none for a group not drawn by role).
    pub fn roles(&self) -> &'static [super::roles::Role] {
        use super::roles::Role;
        match self {
            Recipient::HostingTeam => &[Role::HostingEngineer, Role::HostingLead],
            Recipient::HostingLead => &[Role::HostingLead],
            Recipient::Isso => &[Role::Isso],
            Recipient::Admins => &[Role::Admin],
            Recipient::DevTeam
            | Recipient::AffectedTeams
            | Recipient::Cor(_)
            | Recipient::Stakeholders
            | Recipient::AskedToSignOff(_) => &[],
        }
    }
}

/// What a message is about (each has its own template). Its key (stored with the message, and
/// the webhook event name) is the variant's name in snake case.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, strum::IntoStaticStr, strum::VariantNames)]
#[strum(serialize_all = "snake_case")]
pub enum MessageKind {
    /// A new emergency change request was started (step 1: notify hosting at once).
    EmergencyStarted,
    /// Triage found no emergency: planned for the next monthly window.
    RegularChangeQueued,
    /// The dev team asked for a call (within [`super::sla::ASSISTANCE_CALL_HOURS`]).
    AssistanceRequested,
    /// The dev team submitted the request for hosting review.
    SubmittedForReview,
    /// A hosting engineer took the request (seed 000: the requester is told who).
    EngineerAssigned,
    /// Hosting returned it to the dev team with comments.
    ReturnedToDev,
    /// The request for one COR's decision (each COR gets their own link).
    ApprovalRequest(UserId),
    /// A copy of the submission for everyone else.
    SubmittedToCors,
    /// The quorum was reached.
    Approved,
    /// A COR rejected it.
    Rejected,
    /// A plan edit voided earlier approvals; decisions are needed again.
    ApprovalsVoided,
    /// Production work started.
    ImplementationStarted,
    /// It was rolled back.
    RolledBack,
    /// Done: the stakeholder notice.
    Completed,
    /// Withdrawn by the requester.
    Withdrawn,
    /// A hold was raised.
    OnHold,
    /// Nobody can approve: every COR is out of office.
    Escalated,
    /// No decision yet from this COR: a reminder, with a fresh link.
    DecisionReminder(UserId),
    /// Still no decision after the escalation time: the hosting lead and admins step in.
    DecisionOverdue,
    /// Someone is asked to sign off staging in a capacity (their own link).
    SignOffRequest(SignOffRole),
}

/// One addressee and why they get the message.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Addressee {
    /// Who.
    pub who: Recipient,
    /// Why, in words shown in the preview and kept in the record.
    pub reason: String,
}

/// One message to send: To, CC, and what it is about. Built only through [`Message::new`]
/// (also when read back), so a message carrying a personal link reaches its holder alone.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "MessageParts")]
pub struct Message {
    kind: MessageKind,
    to: Vec<Addressee>,
    cc: Vec<Addressee>,
}

/// A message as stored, before [`Message::new`] checks it.
#[derive(Deserialize)]
struct MessageParts {
    kind: MessageKind,
    to: Vec<Addressee>,
    cc: Vec<Addressee>,
}

impl TryFrom<MessageParts> for Message {
    type Error = PersonalLinkShared;
    fn try_from(p: MessageParts) -> Result<Self, Self::Error> {
        Message::new(p.kind, p.to, p.cc)
    }
}

/// A message with a personal link addressed to anyone but its holder, or copied to anyone.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("a message carrying a personal link must go to its holder alone, with no copies")]
pub struct PersonalLinkShared;

impl Message {
    /// A message; one that carries a personal link (a COR's decision link) must have exactly
    /// one addressee, the link's holder, and no copies: whoever must also know gets a separate
    /// message without the link (for COR requests, [`MessageKind::SubmittedToCors`]).
    pub fn new(kind: MessageKind, to: Vec<Addressee>, cc: Vec<Addressee>) -> Result<Message, PersonalLinkShared> {
        if let Some(holder) = kind.link_holder() {
            if !cc.is_empty() || to.len() != 1 || to[0].who != holder {
                return Err(PersonalLinkShared);
            }
        }
        Ok(Message { kind, to, cc })
    }

    /// What it is about.
    pub fn kind(&self) -> &MessageKind {
        &self.kind
    }

    /// Primary recipients.
    pub fn to(&self) -> &[Addressee] {
        &self.to
    }

    /// Copied.
    pub fn cc(&self) -> &[Addressee] {
        &self.cc
    }
}

fn a(who: Recipient, reason: &str) -> Addressee {
    Addressee { who, reason: reason.to_string() }
}

/// The subject convention: `[Project] - [Environment] - Emergency Change Request - [YYYY-MM-DD]`.
pub fn subject(project: &str, environment: &str, date: NaiveDate) -> String {
    format!("{} - {} - Emergency Change Request - {}", project.trim(), environment.trim(), date.format("%Y-%m-%d"))
}

/// Builds the message for `kind`, adding the ISSO in CC when the request is security-related
/// (the process: "if the emergency change is related to a security fix/incident, CC the ISSO"),
/// except on a message carrying a personal link: the ISSO gets the submission's copy instead.
pub fn message(kind: MessageKind, security_related: bool) -> Message {
    use MessageKind as K;
    use Recipient as R;
    let (to, mut cc) = match &kind {
        K::EmergencyStarted => (
            vec![a(R::HostingTeam, "Step 1: the hosting team is notified as soon as an emergency change is started")],
            vec![a(R::DevTeam, "The requesting team keeps a copy")],
        ),
        K::RegularChangeQueued => (
            vec![a(
                R::HostingTeam,
                "Step 0: not an emergency — hosting is notified anyway and plans it for the coming month",
            )],
            vec![a(R::DevTeam, "The requesting team keeps a copy")],
        ),
        K::AssistanceRequested => (
            vec![a(
                R::HostingTeam,
                &format!(
                    "Step 2: the dev team asked for a video call; hosting calls {}",
                    super::sla::assistance_call_promise()
                ),
            )],
            vec![a(R::DevTeam, "The requesting team keeps a copy")],
        ),
        K::SubmittedForReview => (
            vec![a(R::HostingTeam, "Step 4: hosting reviews security and performance risk")],
            vec![a(R::DevTeam, "The requesting team keeps a copy")],
        ),
        K::EngineerAssigned => (
            vec![a(
                R::DevTeam,
                &format!("The requesting team is told who took the request, {}", super::sla::assignment_promise()),
            )],
            vec![],
        ),
        K::ReturnedToDev => (
            vec![a(R::DevTeam, "Hosting returned the request with comments to address")],
            vec![a(R::HostingTeam, "The reviewing team keeps a copy")],
        ),
        K::ApprovalRequest(cor) => (vec![a(R::Cor(*cor), "Step 4: a configured COR approves or rejects")], vec![]),
        K::DecisionReminder(cor) => {
            (vec![a(R::Cor(*cor), "A reminder: your decision is still needed on this emergency change")], vec![])
        }
        K::SignOffRequest(role) => (
            vec![a(R::AskedToSignOff(*role), "Step 2: the dev team asks you to validate the change in staging")],
            vec![],
        ),
        K::DecisionOverdue => (
            vec![
                a(R::HostingLead, "No COR decision within the escalation time: the hosting lead follows up"),
                a(R::Admins, "No COR decision within the escalation time: admins are told"),
            ],
            vec![a(R::HostingTeam, "Hosting keeps a copy")],
        ),
        K::SubmittedToCors => (
            vec![a(R::HostingTeam, "Hosting submitted the request and keeps a copy")],
            vec![
                a(R::DevTeam, "Step 4: the dev team is copied on the submission"),
                a(R::AffectedTeams, "Step 4: affected teams are copied on the submission"),
            ],
        ),
        K::Approved | K::Rejected => (
            vec![a(R::HostingTeam, "Hosting acts on the decision"), a(R::DevTeam, "The dev team is told the decision")],
            vec![a(R::AffectedTeams, "Affected teams are copied on the decision")],
        ),
        K::ApprovalsVoided => (
            vec![a(R::HostingTeam, "The plan changed after submission: earlier approvals no longer count")],
            vec![a(R::DevTeam, "The dev team is told the plan changed")],
        ),
        K::ImplementationStarted => (
            vec![a(R::DevTeam, "Step 5: the dev team stands by to validate")],
            vec![a(R::AffectedTeams, "Affected teams know production work has started")],
        ),
        K::RolledBack => (
            vec![
                a(R::DevTeam, "The change was rolled back"),
                a(R::HostingLead, "A rollback is reported to the hosting lead"),
            ],
            vec![
                a(R::Stakeholders, "Stakeholders are told the change did not go ahead"),
                a(R::AffectedTeams, "Affected teams are copied"),
            ],
        ),
        K::Completed => (
            vec![a(R::Stakeholders, "Step 5: hosting sends notice to stakeholders once the dev team has validated")],
            vec![
                a(R::AffectedTeams, "Affected teams are copied on the notice"),
                a(R::DevTeam, "The dev team is copied"),
            ],
        ),
        K::Withdrawn => (
            vec![a(R::HostingTeam, "The request was withdrawn")],
            vec![a(R::DevTeam, "The requesting team keeps a copy")],
        ),
        K::OnHold => (
            vec![
                a(R::HostingTeam, "A hold stops production work until it is lifted"),
                a(R::DevTeam, "The dev team is told about the hold"),
            ],
            vec![],
        ),
        K::Escalated => (
            vec![
                a(R::Admins, "Every COR is out of office: an admin must decide"),
                a(R::HostingLead, "Escalations go to the hosting lead"),
            ],
            vec![a(R::HostingTeam, "Hosting keeps a copy")],
        ),
    };
    if security_related && kind.link_holder().is_none() && !to.iter().any(|x| x.who == R::Isso) {
        cc.push(a(R::Isso, "The change is security-related: the ISSO is copied on every message"));
    }
    match Message::new(kind, to, cc) {
        Ok(m) => m,
        // The table above addresses every personal-link kind to its holder alone (tested).
        Err(PersonalLinkShared) => unreachable!("a personal-link message with copies"),
    }
}

/// What a message's words are filled from.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct MessageContext {
    /// `ECR-2026-0001`.
    pub reference: String,
    /// The request's title.
    pub title: String,
    /// The affected system (the "project" in the subject).
    pub system: String,
    /// A link to the request.
    pub link: String,
    /// Extra words for this message (comments, reasons, the quorum basis).
    pub note: Option<String>,
}

impl MessageKind {
    /// The stored name of the kind.
    pub fn key(&self) -> &'static str {
        self.into()
    }

    /// The opening sentence of the message.
    pub fn headline(&self) -> &'static str {
        match self {
            MessageKind::EmergencyStarted => {
                "An emergency change request has been started. Please be ready to help plan and review it."
            }
            MessageKind::RegularChangeQueued => {
                "This change is not an emergency. It will be planned for the coming month's maintenance window."
            }
            MessageKind::AssistanceRequested => {
                "The dev team asks the hosting team for a video call or screenshare within 2 hours."
            }
            MessageKind::SubmittedForReview => {
                "The dev team has submitted this emergency change request for hosting review."
            }
            MessageKind::EngineerAssigned => "A hosting engineer has taken this emergency change request.",
            MessageKind::ReturnedToDev => "The hosting team has returned this request with comments to address.",
            MessageKind::ApprovalRequest(_) => "Your approval is requested for this emergency change.",
            MessageKind::SubmittedToCors => {
                "The hosting team has submitted this emergency change request to the CORs for approval."
            }
            MessageKind::Approved => "This emergency change has been approved.",
            MessageKind::Rejected => "This emergency change has been rejected.",
            MessageKind::ApprovalsVoided => {
                "The plan changed after submission: earlier approvals no longer count and decisions are needed again."
            }
            MessageKind::ImplementationStarted => {
                "The hosting team has started applying this change in production. Please stand by to validate."
            }
            MessageKind::RolledBack => "This change was aborted and rolled back.",
            MessageKind::Completed => "This change has been applied to production and validated by the dev team.",
            MessageKind::Withdrawn => "This emergency change request has been withdrawn.",
            MessageKind::OnHold => {
                "A hold has been raised on this change: production work will not start until it is lifted."
            }
            MessageKind::Escalated => "Every COR is out of office: an admin must decide on this emergency change.",
            MessageKind::DecisionReminder(_) => "Reminder: your decision is still needed on this emergency change.",
            MessageKind::DecisionOverdue => {
                "No COR has decided on this emergency change within the escalation time. Please follow up."
            }
            MessageKind::SignOffRequest(_) => {
                "The dev team asks you to sign off the staging validation of this emergency change."
            }
        }
    }

    /// True for messages that carry a COR's personal, single-use decision link.
    pub fn carries_decision_link(&self) -> bool {
        matches!(self, MessageKind::ApprovalRequest(_) | MessageKind::DecisionReminder(_))
    }

    /// The COR a decision-link message is for.
    pub fn cor(&self) -> Option<UserId> {
        match self {
            MessageKind::ApprovalRequest(id) | MessageKind::DecisionReminder(id) => Some(*id),
            _ => None,
        }
    }

    /// Who alone may receive a message carrying a personal link (a COR's decision link, a
    /// sign-off link); `None` for every other message.
    pub fn link_holder(&self) -> Option<Recipient> {
        match self {
            MessageKind::SignOffRequest(role) => Some(Recipient::AskedToSignOff(*role)),
            _ => self.cor().map(Recipient::Cor),
        }
    }
}

/// Every event key a webhook can ask for (the message kinds).
pub const EVENT_KEYS: &[&str] = <MessageKind as strum::VariantNames>::VARIANTS;

mod render;
pub use render::*;

#[cfg(test)]
mod tests;
