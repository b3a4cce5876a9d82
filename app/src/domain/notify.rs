//! Who is told what, and why: rules as data, so the UI can preview "who gets this and why"
//! before anything is sent, and the outbox sends exactly that.

use super::quorum::UserId;
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
}

/// What a message is about (each has its own template).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum MessageKind {
    /// A new emergency change request was started (step 1: notify hosting at once).
    EmergencyStarted,
    /// Triage found no emergency: planned for the next monthly window.
    RegularChangeQueued,
    /// The dev team asked for a call (within 2 hours).
    AssistanceRequested,
    /// The dev team submitted the request for hosting review.
    SubmittedForReview,
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
        if let Some(holder) = kind.cor() {
            if !cc.is_empty() || to.len() != 1 || to[0].who != Recipient::Cor(holder) {
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
            vec![a(R::HostingTeam, "Step 2: the dev team asked for a video call; hosting calls within 2 hours")],
            vec![a(R::DevTeam, "The requesting team keeps a copy")],
        ),
        K::SubmittedForReview => (
            vec![a(R::HostingTeam, "Step 4: hosting reviews security and performance risk")],
            vec![a(R::DevTeam, "The requesting team keeps a copy")],
        ),
        K::ReturnedToDev => (
            vec![a(R::DevTeam, "Hosting returned the request with comments to address")],
            vec![a(R::HostingTeam, "The reviewing team keeps a copy")],
        ),
        K::ApprovalRequest(cor) => (vec![a(R::Cor(*cor), "Step 4: a configured COR approves or rejects")], vec![]),
        K::DecisionReminder(cor) => {
            (vec![a(R::Cor(*cor), "A reminder: your decision is still needed on this emergency change")], vec![])
        }
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
    if security_related && !kind.carries_decision_link() && !to.iter().any(|x| x.who == R::Isso) {
        cc.push(a(R::Isso, "The change is security-related: the ISSO is copied on every message"));
    }
    match Message::new(kind, to, cc) {
        Ok(m) => m,
        // The table above addresses every personal-link kind to its holder alone (tested).
        Err(PersonalLinkShared) => unreachable!("a personal-link message with copies"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_subject_follows_the_organisations_convention() {
        let d = NaiveDate::from_ymd_opt(2026, 11, 21).unwrap();
        assert_eq!(
            subject(" Grants Portal ", "Production", d),
            "Grants Portal - Production - Emergency Change Request - 2026-11-21"
        );
    }

    #[test]
    fn the_submission_copies_the_dev_and_affected_teams() {
        let m = message(MessageKind::SubmittedToCors, false);
        let cc: Vec<_> = m.cc.iter().map(|x| x.who.clone()).collect();
        assert_eq!(cc, vec![Recipient::DevTeam, Recipient::AffectedTeams]);
    }

    /// Every kind of message, personal-link kinds for COR 7.
    fn every_kind() -> Vec<MessageKind> {
        use MessageKind as K;
        vec![
            K::EmergencyStarted,
            K::RegularChangeQueued,
            K::AssistanceRequested,
            K::SubmittedForReview,
            K::ReturnedToDev,
            K::ApprovalRequest(7),
            K::SubmittedToCors,
            K::Approved,
            K::Rejected,
            K::ApprovalsVoided,
            K::ImplementationStarted,
            K::RolledBack,
            K::Completed,
            K::Withdrawn,
            K::OnHold,
            K::Escalated,
            K::DecisionReminder(7),
            K::DecisionOverdue,
        ]
    }

    #[test]
    fn the_isso_is_copied_on_every_message_of_a_security_related_request_and_no_other() {
        for kind in every_kind().into_iter().filter(|k| !k.carries_decision_link()) {
            assert!(message(kind.clone(), true).cc.iter().any(|x| x.who == Recipient::Isso), "{kind:?}");
            assert!(!message(kind.clone(), false).cc.iter().any(|x| x.who == Recipient::Isso), "{kind:?}");
        }
    }

    #[test]
    fn a_personal_link_reaches_its_holder_alone_and_the_isso_gets_the_copy_without_it() {
        for kind in every_kind().into_iter().filter(MessageKind::carries_decision_link) {
            for security_related in [false, true] {
                let m = message(kind.clone(), security_related);
                assert_eq!(m.to().iter().map(|a| &a.who).collect::<Vec<_>>(), [&Recipient::Cor(7)], "{kind:?}");
                assert!(m.cc().is_empty(), "{kind:?} security-related {security_related}: no copies");
            }
        }
        let copy = message(MessageKind::SubmittedToCors, true);
        assert!(copy.cc().iter().any(|x| x.who == Recipient::Isso));
        assert!(!copy.kind().carries_decision_link());
    }

    #[test]
    fn a_personal_link_message_with_a_copy_or_another_addressee_cannot_be_built_or_read_back() {
        let to_cor = vec![a(Recipient::Cor(7), "decide")];
        let isso = vec![a(Recipient::Isso, "copied")];
        let kind = MessageKind::ApprovalRequest(7);
        assert_eq!(Message::new(kind.clone(), to_cor.clone(), isso.clone()), Err(PersonalLinkShared));
        assert_eq!(Message::new(kind.clone(), isso.clone(), vec![]), Err(PersonalLinkShared));
        assert_eq!(Message::new(kind.clone(), vec![a(Recipient::Cor(8), "decide")], vec![]), Err(PersonalLinkShared));
        let mut two = to_cor.clone();
        two.extend(isso.clone());
        assert_eq!(Message::new(kind.clone(), two, vec![]), Err(PersonalLinkShared));
        assert!(Message::new(MessageKind::Approved, to_cor.clone(), isso.clone()).is_ok());
        // Stored effects are checked again when read back.
        let json = serde_json::json!({ "kind": { "ApprovalRequest": 7 }, "to": to_cor, "cc": isso });
        assert!(serde_json::from_value::<Message>(json).is_err());
        let ok = message(kind, true);
        assert_eq!(serde_json::from_value::<Message>(serde_json::to_value(&ok).unwrap()).unwrap(), ok);
    }

    #[test]
    fn every_addressee_has_a_reason() {
        let m = message(MessageKind::RolledBack, true);
        assert!(m.to.iter().chain(&m.cc).all(|x| !x.reason.trim().is_empty()));
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
        match self {
            MessageKind::EmergencyStarted => "emergency_started",
            MessageKind::RegularChangeQueued => "regular_change_queued",
            MessageKind::AssistanceRequested => "assistance_requested",
            MessageKind::SubmittedForReview => "submitted_for_review",
            MessageKind::ReturnedToDev => "returned_to_dev",
            MessageKind::ApprovalRequest(_) => "approval_request",
            MessageKind::SubmittedToCors => "submitted_to_cors",
            MessageKind::Approved => "approved",
            MessageKind::Rejected => "rejected",
            MessageKind::ApprovalsVoided => "approvals_voided",
            MessageKind::ImplementationStarted => "implementation_started",
            MessageKind::RolledBack => "rolled_back",
            MessageKind::Completed => "completed",
            MessageKind::Withdrawn => "withdrawn",
            MessageKind::OnHold => "on_hold",
            MessageKind::Escalated => "escalated",
            MessageKind::DecisionReminder(_) => "decision_reminder",
            MessageKind::DecisionOverdue => "decision_overdue",
        }
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
}

/// Every event key a webhook can ask for (the message kinds).
pub const EVENT_KEYS: &[&str] = &[
    "emergency_started",
    "regular_change_queued",
    "assistance_requested",
    "submitted_for_review",
    "returned_to_dev",
    "approval_request",
    "submitted_to_cors",
    "approved",
    "rejected",
    "approvals_voided",
    "implementation_started",
    "rolled_back",
    "completed",
    "withdrawn",
    "on_hold",
    "escalated",
    "decision_reminder",
    "decision_overdue",
];

/// Stands for a COR's personal decision link in a stored body; the mail worker replaces it
/// when it sends (the raw token is never stored).
pub const DECISION_LINK: &str = "{{decision_link}}";
/// Stands for a person's set-password link in a stored invitation; made at send time.
pub const SET_PASSWORD_LINK: &str = "{{set_password_link}}";
/// How an invitation tells someone to sign in: through the identity provider when there is one,
/// with a single-use set-password link when a password is theirs to use.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SignInWay<'a> {
    /// The address people use.
    pub public_url: &'a str,
    /// The identity provider's label, when sign-in goes through one.
    pub provider: Option<&'a str>,
    /// Who may sign in with a password.
    pub passwords: crate::domain::identity::PasswordSignIn,
}

/// The invitation's text (its set-password link, if any, made when it is sent).
pub fn invitation_text(name: &str, role: crate::domain::roles::Role, way: &SignInWay<'_>) -> String {
    let mut text = format!(
        "Hello {name},\n\nYou have been given access to Offcycle, the emergency change service, as {}.\n\n",
        role.label()
    );
    let url = way.public_url;
    if let Some(provider) = way.provider {
        text.push_str(&format!("Sign in at {url}/sign-in with \"Sign in with {provider}\".\n\n"));
    }
    if way.passwords.allows(role) {
        let lead = if way.provider.is_some() { "Or choose a password" } else { "Choose your password" };
        text.push_str(&format!(
            "{lead}: {SET_PASSWORD_LINK}\nThe link works once and expires in 72 hours.\n\n\
             Then sign in at {url}/sign-in with this email address.\n"
        ));
    }
    text
}

/// Stands for the link's expiry time in a stored body.
pub const LINK_EXPIRY: &str = "{{link_expiry}}";

/// The plain-text body of a message.
pub fn render_text(message: &Message, ctx: &MessageContext) -> String {
    let mut out = format!("{}\n\n{} — {}\nSystem: {}\n", message.kind.headline(), ctx.reference, ctx.title, ctx.system);
    if let Some(note) = &ctx.note {
        out.push_str(&format!("\n{note}\n"));
    }
    if message.kind.carries_decision_link() {
        out.push_str(&format!(
            "\nReview and decide: {DECISION_LINK}\nThis link is yours alone. It works once and expires {LINK_EXPIRY}. \
             Opening it changes nothing; only the Approve or Reject button records a decision.\n"
        ));
    }
    out.push_str(&format!("\nOpen the request: {}\n", ctx.link));
    out.push_str("\nYou receive this message because:\n");
    for a in message.to.iter().chain(&message.cc) {
        out.push_str(&format!("- {}\n", a.reason));
    }
    out
}

/// The HTML body: the plain text, escaped, with its links made clickable. The text body is
/// the source of truth; this alternative only adds links and paragraphs.
pub fn render_html(text: &str) -> String {
    fn escape(s: &str) -> String {
        s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
    }
    let mut html = String::from(
        "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"></head>\
         <body style=\"font-family: Arial, sans-serif; font-size: 16px; line-height: 1.5\">",
    );
    for paragraph in text.split("\n\n") {
        let lines: Vec<String> = paragraph
            .lines()
            .map(|line| {
                let words: Vec<String> = line
                    .split(' ')
                    .map(|w| {
                        if w.starts_with("https://") || w.starts_with("http://") {
                            let e = escape(w);
                            format!("<a href=\"{e}\">{e}</a>")
                        } else {
                            escape(w)
                        }
                    })
                    .collect();
                words.join(" ")
            })
            .collect();
        html.push_str(&format!("<p>{}</p>", lines.join("<br>")));
    }
    html.push_str("</body></html>");
    html
}

#[cfg(test)]
mod html_tests {
    use super::*;

    #[test]
    fn html_escapes_everything_and_links_only_urls() {
        let html = render_html("Hello <b>&</b>\nOpen: https://x.gov/a?b=1&c=2\n\nBye");
        assert!(html.contains("Hello &lt;b&gt;&amp;&lt;/b&gt;<br>"));
        assert!(html.contains("<a href=\"https://x.gov/a?b=1&amp;c=2\">https://x.gov/a?b=1&amp;c=2</a>"));
        assert!(html.contains("<p>Bye</p>"));
        assert!(!html.contains("<b>"));
    }
}

#[cfg(test)]
mod invitation_tests {
    use super::*;
    use crate::domain::identity::PasswordSignIn;
    use crate::domain::roles::Role;

    #[test]
    fn an_invitation_offers_the_identity_provider_and_a_password_only_to_whom_may_use_one() {
        let plain = SignInWay { public_url: "https://o.gov", provider: None, passwords: PasswordSignIn::Everyone };
        let text = invitation_text("Ana", Role::Cor, &plain);
        assert!(text.contains("Choose your password: {{set_password_link}}") && text.contains("as COR"));
        let sso = SignInWay { provider: Some("Login.gov"), ..plain };
        let text = invitation_text("Ana", Role::Cor, &sso);
        assert!(text.contains("\"Sign in with Login.gov\"") && text.contains("Or choose a password"));
        let sso_only = SignInWay { passwords: PasswordSignIn::AdminsOnly, ..sso };
        let text = invitation_text("Ana", Role::Cor, &sso_only);
        assert!(!text.contains(SET_PASSWORD_LINK), "no password link for someone who may not use one: {text}");
        assert!(
            invitation_text("Ana", Role::Admin, &sso_only).contains(SET_PASSWORD_LINK),
            "break-glass admins get one"
        );
    }
}
