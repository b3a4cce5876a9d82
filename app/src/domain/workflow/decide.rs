//! Checking an action against the rules and their guards.

use super::*;

fn rule_for(request: &Request, actor: &Actor, action: ActionKind, ctx: &Context) -> Result<&'static Rule, Refusal> {
    if !action.taken_in(request.state) {
        return Err(Refusal::NotNow { action: action.label(), state: request.state.label() });
    }
    RULES
        .iter()
        .filter(|r| r.action == action && r.from.contains(&request.state))
        .find(|r| r.who.iter().any(|p| p.includes(actor, request, ctx)))
        .ok_or(Refusal::NotPermitted { action: action.label() })
}

fn guard(ok: bool, message: &str) -> Result<(), Refusal> {
    if ok {
        Ok(())
    } else {
        Err(Refusal::Guard(message.to_string()))
    }
}

/// Refuses a blank `input`, with `message` at its field.
fn given(text: &str, input: Input, message: impl Into<String>) -> Result<(), Refusal> {
    if text.trim().is_empty() {
        Err(Refusal::Input { input, message: message.into() })
    } else {
        Ok(())
    }
}

/// The guard of an action that rests only on how the request stands (a call owed, a hold), not
/// on anything typed: pages offer the action only when it passes, and `decide` refuses in its
/// words (a stale page).
fn standing_guard(kind: ActionKind, request: &Request) -> Result<(), Refusal> {
    match kind {
        // Asking again would restart the two-hour clock and hide that the call is late.
        ActionKind::RequestHostingHelp => match request.call_owed {
            false => Ok(()),
            true => Err(Refusal::Guard(format!(
                "You have already asked for a call: the hosting team calls {} of that",
                crate::domain::sla::assistance_call_promise()
            ))),
        },
        ActionKind::RecordCallHeld => {
            guard(request.call_owed, "No call is waiting: the dev team has not asked for one since the last was held")
        }
        ActionKind::RaiseHold => guard(request.hold.is_none(), "The request is already on hold"),
        ActionKind::LiftHold => guard(request.hold.is_some(), "The request is not on hold"),
        _ => Ok(()),
    }
}

/// The actions this person could take on this request now: the rules let them, and nothing in
/// how it stands refuses (guards on what they type may still refuse).
pub fn available_actions(request: &Request, actor: &Actor, ctx: &Context) -> Vec<ActionKind> {
    let mut kinds: Vec<ActionKind> = RULES
        .iter()
        .filter(|r| r.from.contains(&request.state) && r.who.iter().any(|p| p.includes(actor, request, ctx)))
        .map(|r| r.action)
        .filter(|k| standing_guard(*k, request).is_ok())
        .collect();
    kinds.sort();
    kinds.dedup();
    kinds
}

/// Checks `action` by `actor` against the process and returns what follows, or why not.
pub fn decide(request: &Request, actor: &Actor, action: &Action, ctx: &Context) -> Result<Transition, Refusal> {
    // A used, voided or expired link says so whatever the request's state: that is what its
    // holder needs to hear (the page they opened says the same).
    let closed_link = match action {
        Action::Decide { link: Some(link), .. } => link.closed(request.submitted_plan_hash.as_ref(), ctx.now),
        Action::SignOff { link: Some(link), .. } => link.closed(ctx.now),
        _ => None,
    };
    if let Some(why) = closed_link {
        return Err(Refusal::Guard(why));
    }
    let rule = rule_for(request, actor, action.kind(), ctx)?;
    standing_guard(action.kind(), request)?;
    let sec = request.security_related;
    let from = request.state;
    let mut to = from;
    let mut effects = Vec::new();
    let on_hold = request.hold.is_some();
    let detail: String;
    // The dev team keeps writing plan and form (and records staging sign-offs afterwards) when
    // triage sends an outage straight to hosting.
    if let Some(why) = rule.only_on_fast_path {
        guard(request.fast_path, why)?;
    }

    match action {
        Action::Triage(answers) => {
            match answers.outcome() {
                TriageOutcome::OutageFastPath => {
                    to = S::HostingReview;
                    effects.push(Effect::MarkFastPath);
                    effects.push(Effect::Send(message(MessageKind::EmergencyStarted, sec)));
                    detail = "production is down: outage fast path, straight to hosting; staging sign-off recorded afterwards".into();
                }
                TriageOutcome::Emergency => {
                    to = S::Planning;
                    effects.push(Effect::Send(message(MessageKind::EmergencyStarted, sec)));
                    detail = "emergency justified: hosting notified".into();
                }
                TriageOutcome::RegularChange => {
                    to = S::RegularChange;
                    let window = ctx.calendar.next_maintenance_window(ctx.now);
                    effects.push(Effect::QueueForWindow(window));
                    effects.push(Effect::Send(message(MessageKind::RegularChangeQueued, sec)));
                    detail = match window {
                        Some(w) => format!(
                            "not an emergency: queued for the maintenance window of {}",
                            w.format("%Y-%m-%d %H:%M UTC")
                        ),
                        None => "not an emergency: queued for the next maintenance window (none scheduled yet)".into(),
                    };
                }
            }
        }
        Action::EditPlan { new_hash, complete, steps } => {
            guard(new_hash != &request.plan_hash, "The plan has not changed")?;
            crate::domain::plan::Plan::within_step_limit(*steps as usize)
                .map_err(|message| Refusal::Input { input: Input::StepAction, message })?;
            effects.push(Effect::NewPlanVersion { hash: new_hash.clone(), complete: *complete, steps: *steps });
            if matches!(from, S::AwaitingApproval | S::Approved | S::Rejected) {
                to = S::HostingReview;
                effects.push(Effect::VoidDecisions);
                effects.push(Effect::Send(message(MessageKind::ApprovalsVoided, sec)));
                detail = format!(
                    "new plan version {} after submission: earlier approvals and links are void",
                    new_hash.short()
                );
            } else {
                detail = format!("new plan version {}", new_hash.short());
            }
        }
        Action::CompletePlan => {
            guard(
                request.plan_complete,
                "Add at least one step, and complete every field of every step, before moving on to staging",
            )?;
            to = S::StagingValidation;
            detail = "plan complete".into();
        }
        Action::RequestHostingHelp => {
            effects.push(Effect::StartAssistanceClock);
            effects.push(Effect::Send(message(MessageKind::AssistanceRequested, sec)));
            detail = format!("asked hosting for a call {}", crate::domain::sla::assistance_call_promise());
        }
        Action::RecordCallHeld => {
            effects.push(Effect::StopAssistanceClock { held: true });
            detail = "held the call the dev team asked for".into();
        }
        Action::SignOff { role, evidence, link } => {
            // Someone asked by email is not of the dev team: their link is their only way in,
            // for the one capacity they were asked for.
            if !Party::DevTeam.includes(actor, request, ctx) {
                let Some(link) = link else {
                    return Err(Refusal::Guard("Sign off from the link in the email you were sent".into()));
                };
                guard(request.invited.get(&actor.id) == Some(&link.role), "This link no longer works")?;
            }
            if let Some(link) = link {
                guard(link.role == *role, &format!("This link asks you to sign off as {}", link.role.label()))?;
                given(&link.signature, Input::Name, "Enter your full name to sign")?;
            }
            given(evidence, Input::Evidence, "Enter a note or a link to the evidence")?;
            guard(!request.sign_offs.contains_key(role), &format!("{} has already signed off", role.label()))?;
            if let Some(already) = request.signed_elsewhere(actor.id) {
                return Err(Refusal::Input { input: Input::Capacity, message: role.another_person_needed(already) });
            }
            let by_link_as = link.as_ref().map(|l| l.signature.trim().to_string());
            effects.push(Effect::RecordSignOff { role: *role, by: actor.id, evidence: evidence.clone(), by_link_as });
            detail = match link {
                Some(l) => {
                    format!("{} signed off staging from an emailed link, signed “{}”", role.label(), l.signature.trim())
                }
                None => format!("{} signed off staging", role.label()),
            };
        }
        Action::AskToSignOff { role, name, email } => {
            guard(!request.sign_offs.contains_key(role), &format!("{} has already signed off", role.label()))?;
            given(name, Input::Name, "Enter the name of the person to ask")?;
            if !crate::domain::cr_form::is_email(email) {
                return Err(Refusal::Input {
                    input: Input::Email,
                    message: "Enter an email address like name@agency.gov".into(),
                });
            }
            effects.push(Effect::InviteSigner { role: *role, name: name.trim().to_string(), email: email.clone() });
            effects.push(Effect::Send(message(MessageKind::SignOffRequest(*role), false)));
            detail = format!("asked {} ({email}) by email to sign off as {}", name.trim(), role.label());
        }
        Action::AttachEvidence { file, held } => {
            if *held >= crate::domain::limits::ATTACHMENTS {
                return Err(Refusal::Input {
                    input: Input::File,
                    message: crate::domain::attachment::AttachmentError::TooMany.to_string(),
                });
            }
            effects.push(Effect::AttachEvidence(file.clone()));
            detail = format!("attached {} ({} bytes, sha256 {})", file.name, file.size, file.sha256);
        }
        Action::RecordStagingNotes { notes } => {
            effects.push(Effect::StagingNotes(notes.clone()));
            detail = "staging notes saved".into();
        }
        Action::CompleteStaging => {
            let missing: Vec<&str> =
                SignOffRole::ALL.iter().filter(|r| !request.sign_offs.contains_key(r)).map(|r| r.label()).collect();
            guard(missing.is_empty(), &format!("Staging needs sign-off from {} first", missing.join(", ")))?;
            to = S::CrForm;
            detail = "staging validated".into();
        }
        Action::UpdateForm { complete, planned_start, security_related } => {
            effects.push(Effect::FormUpdated {
                complete: *complete,
                planned_start: *planned_start,
                security_related: *security_related,
            });
            detail = "CR form saved".into();
        }
        Action::SubmitForReview => {
            guard(request.plan_complete, "Complete the operation plan before submitting")?;
            guard(request.form_complete, "Complete the CR form before submitting")?;
            guard(request.fast_path || request.staging_signed_off(), "Staging needs every sign-off before submitting")?;
            to = S::HostingReview;
            effects.push(Effect::Send(message(MessageKind::SubmittedForReview, sec)));
            detail = "submitted for hosting review".into();
        }
        Action::AssignEngineer { engineer, role, name } => {
            // Only hosting engineers and leads take requests.
            if !role.is_some_and(Role::is_hosting) {
                return Err(Refusal::Input { input: Input::Engineer, message: "Choose a hosting engineer".into() });
            }
            effects.push(Effect::Assign { engineer: *engineer, name: name.clone() });
            // Seed 000: the requester is told who took it (once per engineer, not on a repeat).
            if request.assigned_engineer != Some(*engineer) {
                effects.push(Effect::Send(message(MessageKind::EngineerAssigned, sec)));
            }
            detail = format!("hosting engineer {engineer} assigned");
        }
        Action::RecordRiskReview { security_related } => {
            effects.push(Effect::SetSecurityRelated(*security_related));
            detail = if *security_related {
                "risk review: security-related (ISSO copied)".into()
            } else {
                "risk review: not security-related".into()
            };
        }
        Action::ReturnToDev { comments } => {
            given(comments, Input::Comments, "Say what the dev team needs to change")?;
            to = S::ReturnedToDev;
            if from == S::Rejected {
                // The rejection ends this submission: a resubmission, changed or not, asks again.
                effects.push(Effect::VoidDecisions);
            }
            effects.push(Effect::ReturnComments(comments.clone()));
            effects.push(Effect::Send(message(MessageKind::ReturnedToDev, sec)));
            detail = "returned to dev with comments".into();
        }
        Action::SubmitToCors => {
            guard(!on_hold, "The request is on hold: lift the hold first")?;
            guard(request.plan_complete, "Complete the operation plan before submitting to the CORs")?;
            guard(request.form_complete, "Complete the CR form before submitting to the CORs")?;
            guard(request.risk_review_done, "Record the security and performance risk review first")?;
            guard(
                request.fast_path || request.staging_signed_off(),
                "Staging needs every sign-off first (only the outage fast path records it afterwards)",
            )?;
            guard(!ctx.cors.is_empty(), "No CORs are configured: ask an admin to configure them")?;
            to = S::AwaitingApproval;
            effects.push(Effect::FreezePlan(request.plan_hash.clone()));
            for cor in ctx.cors {
                effects.push(Effect::Send(message(MessageKind::ApprovalRequest(cor.id), sec)));
            }
            effects.push(Effect::Send(message(MessageKind::SubmittedToCors, sec)));
            effects.push(Effect::FileArchiveCopy(ArchiveReason::SubmittedToCors));
            let today = crate::domain::calendar::eastern_date(ctx.now);
            if let Quorum::Escalated { basis } = evaluate(ctx.cors, &[], &request.plan_hash, request.round + 1, today) {
                effects.push(Effect::Send(message(MessageKind::Escalated, sec)));
                effects.push(Effect::QuorumBasis(basis));
            }
            detail = format!("submitted to the CORs with plan version {}", request.plan_hash.short());
        }
        Action::Decide { verdict, plan_hash, .. } => {
            guard(!on_hold, "The request is on hold: no decision until the hold is lifted")?;
            let submitted = request.submitted_plan_hash.as_ref();
            guard(
                submitted == Some(plan_hash) && plan_hash == &request.plan_hash,
                "The plan changed after this was sent: open the latest version",
            )?;
            guard(!request.has_decided(actor.id, plan_hash), "You have already decided on this plan version")?;
            if let Verdict::Reject(reason) = verdict {
                given(reason, Input::Reason, "Give the reason for rejecting")?;
            }
            let today = crate::domain::calendar::eastern_date(ctx.now);
            let escalation = actor.role == Role::Admin;
            if escalation {
                guard(
                    matches!(request.quorum(ctx.cors, today), Quorum::Escalated { .. }),
                    "An admin decides only when every COR is out of office",
                )?;
            }
            let decision = Decision {
                by: actor.id,
                name: actor.name.clone(),
                verdict: verdict.clone(),
                at: ctx.now,
                plan_hash: plan_hash.clone(),
                round: request.round,
                on_escalation: escalation,
            };
            let mut all = request.decisions.clone();
            all.push(decision.clone());
            effects.push(Effect::RecordDecision(decision));
            let quorum = evaluate(ctx.cors, &all, plan_hash, request.round, today);
            // Before any message, so the message carries the basis (who rejected and why).
            effects.push(Effect::QuorumBasis(quorum.basis()));
            match quorum {
                Quorum::Approved { basis } => {
                    to = S::Approved;
                    effects.push(Effect::Send(message(MessageKind::Approved, sec)));
                    effects.push(Effect::FileArchiveCopy(ArchiveReason::Approved));
                    detail = format!("{} approved; quorum reached: {basis}", actor.name);
                }
                Quorum::Rejected { by, reason } => {
                    to = S::Rejected;
                    effects.push(Effect::Send(message(MessageKind::Rejected, sec)));
                    detail = format!("{by} rejected: {reason}");
                }
                Quorum::Pending { basis, .. } | Quorum::Escalated { basis } => {
                    detail = format!("{} approved; {basis}", actor.name);
                }
            }
        }
        Action::StartImplementation { override_reason } => {
            guard(!on_hold, "The request is on hold: production work cannot start until the hold is lifted")?;
            guard(
                request.submitted_plan_hash.as_ref() == Some(&request.plan_hash),
                "Only the approved plan version can be executed",
            )?;
            let warnings = ctx.calendar.check(ctx.now);
            if !warnings.is_empty() {
                let reason = override_reason.as_deref().unwrap_or("").trim();
                let words: Vec<String> = warnings.iter().map(|w| w.message()).collect();
                given(reason, Input::OverrideReason, format!("{}: say why it cannot wait", words.join("; ")))?;
                effects.push(Effect::RecordOverride(reason.to_string()));
            }
            to = S::Implementing;
            effects.push(Effect::Send(message(MessageKind::ImplementationStarted, sec)));
            detail = "production work started".into();
        }
        Action::RecordStep { step, rollback, status, note } => {
            request.production.check(*step, *rollback, *status).map_err(Refusal::Guard)?;
            if *status == StepStatus::Failed {
                given(note, Input::Note, format!("Say what went wrong in step {step}"))?;
            }
            effects.push(Effect::RecordStep {
                step: *step,
                rollback: *rollback,
                status: *status,
                note: note.trim().to_string(),
            });
            detail = match (rollback, status) {
                (true, _) => format!("rolled back step {step}"),
                (false, StepStatus::Started) => format!("started step {step}"),
                (false, StepStatus::Done) => format!("step {step} done"),
                (false, StepStatus::Failed) => format!("step {step} failed: {}", note.trim()),
            };
        }
        Action::FinishImplementation => {
            guard(request.production.all_done(), "Mark every step done before handing over for validation")?;
            to = S::ValidatingInProduction;
            detail = "every step done; dev team validating".into();
        }
        Action::AbortAndRollBack { reason } => {
            // At the reason's field: what was typed there comes back with the refusal.
            request
                .production
                .may_end_as_rolled_back()
                .map_err(|message| Refusal::Input { input: Input::Reason, message })?;
            given(reason, Input::Reason, "Say why the change was rolled back")?;
            to = S::RolledBack;
            effects.push(Effect::RecordReason(reason.clone()));
            effects.push(Effect::Send(message(MessageKind::RolledBack, sec)));
            effects.push(Effect::FileArchiveCopy(ArchiveReason::Closed));
            detail = format!("aborted and rolled back: {reason}");
        }
        Action::ValidateInProduction { note } => {
            given(note, Input::Note, "Say what you checked in production")?;
            guard(
                !request.fast_path || request.staging_signed_off(),
                "On the outage fast path, record the staging sign-offs before closing",
            )?;
            to = S::Completed;
            effects.push(Effect::RecordReason(note.clone()));
            effects.push(Effect::Send(message(MessageKind::Completed, sec)));
            effects.push(Effect::FileArchiveCopy(ArchiveReason::Closed));
            detail = "validated in production; stakeholders notified".into();
        }
        Action::LogProblem { text } => {
            given(text, Input::Problem, "Describe the problem and its effect")?;
            effects.push(Effect::LogProblem(text.trim().to_string()));
            detail = format!("problem logged: {}", text.trim());
        }
        Action::RecordPostReview { checks, lessons } => {
            given(lessons, Input::Lessons, "Say what to keep or change next time")?;
            let known = |c: &String| crate::domain::execution::VERIFICATION.iter().any(|(k, _)| k == c);
            if !checks.iter().all(known) {
                return Err(Refusal::Input {
                    input: Input::Checks,
                    message: "Choose verification items from the list".into(),
                });
            }
            effects.push(Effect::PostReview { checks: checks.clone(), lessons: lessons.trim().to_string() });
            if request.state.is_final() {
                // The closing copy is filed already: the review gets a copy of its own.
                effects.push(Effect::FileArchiveCopy(ArchiveReason::Reviewed));
            }
            detail = format!(
                "post-deployment review recorded ({} of {} checks)",
                checks.len(),
                crate::domain::execution::VERIFICATION.len()
            );
        }
        Action::Withdraw { reason } => {
            given(reason, Input::Reason, "Say why the request is withdrawn")?;
            to = S::Withdrawn;
            effects.push(Effect::RecordReason(reason.clone()));
            effects.push(Effect::Send(message(MessageKind::Withdrawn, sec)));
            detail = format!("withdrawn: {reason}");
        }
        Action::RaiseHold { reason } => {
            given(reason, Input::Reason, "Say what is blocking the change")?;
            effects.push(Effect::SetHold(Hold { reason: reason.clone(), raised_by: actor.id }));
            effects.push(Effect::Send(message(MessageKind::OnHold, sec)));
            detail = format!("on hold: {reason}");
        }
        Action::LiftHold => {
            effects.push(Effect::ClearHold);
            detail = "hold lifted".into();
        }
    }
    // Entering these states starts a clock the record keeps.
    if to != from {
        match to {
            S::HostingReview => effects.push(Effect::StampSubmitted),
            S::AwaitingApproval => effects.push(Effect::StampApprovalRequested),
            S::Implementing => effects.push(Effect::StampImplementationStarted),
            _ => {}
        }
        // A call still owed is settled once the request leaves the states where one may be
        // asked: hosting has it for review now (or it was withdrawn). A request returned to the
        // dev team later starts with no clock running.
        if request.call_owed && !to.may_ask_for_a_call() {
            effects.push(Effect::StopAssistanceClock { held: false });
        }
    }
    effects.push(Effect::Audit { action: action.kind().label().to_string(), detail });
    Ok(Transition { from, to, effects })
}
