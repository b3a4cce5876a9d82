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
        K::EngineerAssigned,
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
        K::SignOffRequest(crate::domain::workflow::SignOffRole::Qa),
    ]
}

#[test]
fn the_isso_is_copied_on_every_message_of_a_security_related_request_and_no_other() {
    for kind in every_kind().into_iter().filter(|k| k.link_holder().is_none()) {
        assert!(message(kind.clone(), true).cc.iter().any(|x| x.who == Recipient::Isso), "{kind:?}");
        assert!(!message(kind.clone(), false).cc.iter().any(|x| x.who == Recipient::Isso), "{kind:?}");
    }
}

#[test]
fn a_personal_link_reaches_its_holder_alone_and_the_isso_gets_the_copy_without_it() {
    use MessageKind as K;
    let holders: Vec<_> = every_kind().into_iter().filter_map(|k| k.link_holder().map(|h| (k, h))).collect();
    assert_eq!(
        holders,
        [
            (K::ApprovalRequest(7), Recipient::Cor(7)),
            (K::DecisionReminder(7), Recipient::Cor(7)),
            (K::SignOffRequest(SignOffRole::Qa), Recipient::AskedToSignOff(SignOffRole::Qa)),
        ],
        "each message carrying a personal link names its holder"
    );
    for kind in every_kind().into_iter().filter(|k| k.link_holder().is_some()) {
        for security_related in [false, true] {
            let m = message(kind.clone(), security_related);
            let holder = kind.link_holder();
            assert_eq!(m.to().iter().map(|a| &a.who).collect::<Vec<_>>(), [holder.as_ref().unwrap()], "{kind:?}");
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
fn hosting_the_isso_and_admins_are_reached_by_role_and_the_other_groups_by_the_request() {
    use crate::domain::roles::Role;
    let hosting: Vec<Role> = Role::ALL.iter().copied().filter(|r| r.is_hosting()).collect();
    assert_eq!(Recipient::HostingTeam.roles(), hosting.as_slice());
    assert_eq!(Recipient::HostingLead.roles(), [Role::HostingLead]);
    assert_eq!(Recipient::Isso.roles(), [Role::Isso]);
    assert_eq!(Recipient::Admins.roles(), [Role::Admin]);
    let by_request = [
        Recipient::DevTeam,
        Recipient::AffectedTeams,
        Recipient::Cor(7),
        Recipient::Stakeholders,
        Recipient::AskedToSignOff(SignOffRole::Qa),
    ];
    assert!(by_request.iter().all(|r| r.roles().is_empty()), "these are drawn from the request, never by role");
}

#[test]
fn every_addressee_has_a_reason() {
    let m = message(MessageKind::RolledBack, true);
    assert!(m.to.iter().chain(&m.cc).all(|x| !x.reason.trim().is_empty()));
}

#[test]
fn message_keys_are_the_webhook_event_names_and_never_change() {
    // Stored messages and admins' webhook subscriptions hold these.
    assert_eq!(
        EVENT_KEYS,
        [
            "emergency_started",
            "regular_change_queued",
            "assistance_requested",
            "submitted_for_review",
            "engineer_assigned",
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
            "sign_off_request",
        ]
    );
    assert_eq!(every_kind().iter().map(MessageKind::key).collect::<Vec<_>>(), EVENT_KEYS, "every_kind lists them all");
    assert_eq!(MessageKind::ApprovalRequest(7).key(), "approval_request");
    assert_eq!(MessageKind::DecisionOverdue.key(), "decision_overdue");
}

#[test]
fn the_text_says_what_happened_to_which_request_and_why_each_reader_has_it() {
    let ctx = |note: Option<&str>| MessageContext {
        reference: "ECR-2026-0001".into(),
        title: "Fix sign-in".into(),
        system: "Grants Portal".into(),
        link: "https://o.gov/requests/ECR-2026-0001".into(),
        note: note.map(Into::into),
    };
    let m = message(MessageKind::SubmittedToCors, true);
    let text = render_text(&m, &ctx(Some("Hosting found no new risk.")));
    let head = format!("{}\n\nECR-2026-0001 — Fix sign-in\nSystem: Grants Portal\n", m.kind.headline());
    assert!(text.starts_with(&head), "{text}");
    assert!(text.contains("\nHosting found no new risk.\n"));
    assert!(text.contains("\nOpen the request: https://o.gov/requests/ECR-2026-0001\n"));
    assert!(!text.contains(DECISION_LINK) && !text.contains(SIGN_OFF_LINK), "a copy carries no personal link");
    for a in m.to.iter().chain(&m.cc) {
        assert!(text.contains(&format!("\n- {}\n", a.reason)), "{}", a.reason);
    }
    let decide = render_text(&message(MessageKind::ApprovalRequest(7), false), &ctx(None));
    assert!(decide.contains(&format!("Review and decide: {DECISION_LINK}\n")) && decide.contains(LINK_EXPIRY));
    let sign = render_text(&message(MessageKind::SignOffRequest(SignOffRole::Qa), false), &ctx(None));
    assert!(sign.contains(&format!("Sign off as QA: {SIGN_OFF_LINK}\n")), "{sign}");
    assert!(!sign.contains("Open the request") && !sign.contains(DECISION_LINK), "{sign}");
}
