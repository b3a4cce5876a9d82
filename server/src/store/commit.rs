//! Committing what the domain decided: the snapshot, the plan and form versions, and every
//! effect, in one transaction that fails when the request changed since it was loaded.

use super::audit::append_audit;
use super::outbox::{queue_message, MailTarget};
use super::{millis, on_writer, AuditEvent, Store};
use app::domain::notify::{Message, MessageContext, MessageKind};
use app::domain::quorum::Verdict;
use app::domain::workflow::Effect;
use app::ports::{Commit, EmailedLink};

/// Sets what `set` names (with one `$1`) on the request's own row, in the commit's transaction.
macro_rules! set_on_request {
    ($tx:ident, $id:expr, $set:literal, $value:expr) => {
        sqlx::query(concat!("UPDATE change_requests SET ", $set, " WHERE id = $2"))
            .bind($value)
            .bind($id)
            .execute(&mut *$tx)
            .await?
    };
}

impl Store {
    /// Writes one transition (see [`CommitOutcome`]).
    pub(crate) async fn write_commit(&self, c: Commit<'_>) -> Result<CommitOutcome, sqlx::Error> {
        let at = millis(c.now);
        let req = c.request;
        let after = c.after;
        let t = c.transition;
        let form_for_mail = c.form.unwrap_or(&req.form);
        let target = MailTarget {
            request_id: req.id,
            started_by: after.started_by,
            team_id: after.team_id,
            form: form_for_mail,
            system: &req.summary.system,
            now: c.now,
            plan_hash: after.plan_under_decision().0.clone(),
            state: after.state.as_str(),
        };
        on_writer!(&self.db, pool => async {
            let mut tx = pool.begin().await?;
            let updated = sqlx::query(
                "UPDATE change_requests SET state = $1, fast_path = $2, security_related = $3, assigned_engineer = $4, \
                 plan_hash = $5, plan_complete = $6, submitted_plan_hash = $7, form_complete = $8, risk_review_done = $9, \
                 hold_reason = $10, hold_by = $11, planned_start = $12, updated_at = $13, submission_round = $14, \
                 version = version + 1 WHERE id = $15 AND version = $16",
            )
            .bind(after.state.as_str())
            .bind(after.fast_path)
            .bind(after.security_related)
            .bind(after.assigned_engineer)
            .bind(&after.plan_hash.0)
            .bind(after.plan_complete)
            .bind(after.submitted_plan_hash.as_ref().map(|h| h.0.clone()))
            .bind(after.form_complete)
            .bind(after.risk_review_done)
            .bind(after.hold.as_ref().map(|h| h.reason.clone()))
            .bind(after.hold.as_ref().map(|h| h.raised_by))
            .bind(after.planned_start.map(millis))
            .bind(at)
            .bind(i64::from(after.round))
            .bind(req.id)
            .bind(req.row_version)
            .execute(&mut *tx)
            .await?
            .rows_affected();
            if updated == 0 {
                return Ok(CommitOutcome::Stale);
            }
            // A decision from an emailed link spends the link in the same transaction: a
            // replayed or concurrent second use finds it spent and nothing is recorded.
            if let Some(link) = c.link {
                let (sql, token_hash) = match link {
                    EmailedLink::Decision(hash) => (
                        "UPDATE approval_tokens SET used_at = $1 WHERE token_hash = $2 AND request_id = $3 \
                         AND used_at IS NULL AND voided_at IS NULL AND expires_at > $1",
                        hash,
                    ),
                    EmailedLink::SignOff(hash) => (
                        "UPDATE sign_off_invitations SET used_at = $1 WHERE token_hash = $2 AND request_id = $3 \
                         AND used_at IS NULL AND withdrawn_at IS NULL AND expires_at > $1",
                        hash,
                    ),
                };
                let spent = sqlx::query(sql)
                .bind(at)
                .bind(token_hash)
                .bind(req.id)
                .execute(&mut *tx)
                .await?
                .rows_affected();
                if spent == 0 {
                    return Ok(CommitOutcome::LinkSpent);
                }
            }
            if let Some(plan) = c.plan {
                let version = req.plan_version + 1;
                sqlx::query(
                    "INSERT INTO plan_versions (request_id, version, hash, steps_json, created_by, created_at) VALUES ($1, $2, $3, $4, $5, $6)",
                )
                .bind(req.id)
                .bind(version)
                .bind(plan.hash().0)
                .bind(super::to_json(plan)?)
                .bind(c.actor.id)
                .bind(at)
                .execute(&mut *tx)
                .await?;
                set_on_request!(tx, req.id, "plan_version = $1", version);
            }
            if let Some(form) = c.form {
                let version = req.form_version + 1;
                let json = super::to_json(form)?;
                sqlx::query(
                    "INSERT INTO form_versions (request_id, version, form_json, created_by, created_at) VALUES ($1, $2, $3, $4, $5)",
                )
                .bind(req.id)
                .bind(version)
                .bind(&json)
                .bind(c.actor.id)
                .bind(at)
                .execute(&mut *tx)
                .await?;
                sqlx::query("UPDATE change_requests SET form_version = $1, form_json = $2 WHERE id = $3")
                    .bind(version)
                    .bind(&json)
                    .bind(req.id)
                    .execute(&mut *tx)
                    .await?;
                if let Some(title) = form.renames(&req.summary.title) {
                    set_on_request!(tx, req.id, "title = $1", title);
                }
            }
            if let Some(review) = c.risk_review {
                set_on_request!(tx, req.id, "risk_review_json = $1", super::to_json(review)?);
            }
            if let Some(triage) = c.triage {
                set_on_request!(tx, req.id, "triage_json = $1", super::to_json(triage)?);
            }
            for effect in &t.effects {
                match effect {
                    Effect::RecordSignOff { role, by, evidence, by_link_as } => {
                        sqlx::query(
                            "INSERT INTO sign_offs (request_id, role, signer_id, evidence, created_at, by_link_as) VALUES ($1, $2, $3, $4, $5, $6)",
                        )
                        .bind(req.id)
                        .bind(role.key())
                        .bind(by)
                        .bind(evidence)
                        .bind(at)
                        .bind(by_link_as)
                        .execute(&mut *tx)
                        .await?;
                        // Whoever else was asked for this capacity is no longer needed.
                        sqlx::query(WITHDRAW_INVITATIONS)
                        .bind(at)
                        .bind(req.id)
                        .bind(role.key())
                        .execute(&mut *tx)
                        .await?;
                    }
                    Effect::InviteSigner { role, name, email } => {
                        // Someone the service does not know yet becomes a person without a role:
                        // they can sign from their link, and nothing else.
                        let known: Option<(i64,)> = sqlx::query_as("SELECT id FROM users WHERE LOWER(email) = $1")
                            .bind(email)
                            .fetch_optional(&mut *tx)
                            .await?;
                        let invitee = match known {
                            Some((id,)) => id,
                            None => {
                                sqlx::query_as::<_, (i64,)>(
                                    "INSERT INTO users (email, display_name, role, active, created_at) VALUES ($1, $2, $3, TRUE, $4) RETURNING id",
                                )
                                .bind(email)
                                .bind(name)
                                .bind(app::domain::roles::Role::Unassigned.as_str())
                                .bind(at)
                                .fetch_one(&mut *tx)
                                .await?
                                .0
                            }
                        };
                        sqlx::query(WITHDRAW_INVITATIONS)
                        .bind(at)
                        .bind(req.id)
                        .bind(role.key())
                        .execute(&mut *tx)
                        .await?;
                        sqlx::query(
                            "INSERT INTO sign_off_invitations (request_id, role, invitee_id, invitee_name, invited_by, invited_at) \
                             VALUES ($1, $2, $3, $4, $5, $6)",
                        )
                        .bind(req.id)
                        .bind(role.key())
                        .bind(invitee)
                        .bind(name)
                        .bind(c.actor.id)
                        .bind(at)
                        .execute(&mut *tx)
                        .await?;
                    }
                    Effect::StampSubmitted => {
                        set_on_request!(tx, req.id, "submitted_at = $1", at);
                    }
                    Effect::StampApprovalRequested => {
                        set_on_request!(tx, req.id, "approval_requested_at = $1, reminded_at = NULL, escalated_at = NULL", at);
                    }
                    Effect::StampImplementationStarted => {
                        set_on_request!(tx, req.id, "implementation_started_at = $1", at);
                    }
                    Effect::AttachEvidence(file) => {
                        // The domain decided on the file's description; its bytes come beside it.
                        let Some(data) = c.attachment else {
                            return Err(sqlx::Error::Protocol("an evidence file came without its bytes".into()));
                        };
                        sqlx::query(
                            "INSERT INTO attachments (request_id, file_name, media_type, size_bytes, sha256, data, uploaded_by, created_at) \
                             VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
                        )
                        .bind(req.id)
                        .bind(&file.name)
                        .bind(&file.media_type)
                        .bind(data.len() as i64)
                        .bind(&file.sha256)
                        .bind(data)
                        .bind(c.actor.id)
                        .bind(at)
                        .execute(&mut *tx)
                        .await?;
                    }
                    Effect::StartAssistanceClock => {
                        set_on_request!(tx, req.id, "assistance_requested_at = $1", at);
                    }
                    Effect::StopAssistanceClock { held: false } => {
                        set_on_request!(tx, req.id, "assistance_requested_at = $1", None::<i64>);
                    }
                    Effect::StopAssistanceClock { held: true } => {
                        set_on_request!(tx, req.id, "assistance_requested_at = NULL, call_held_at = $1", at);
                    }
                    Effect::ReturnComments(comments) => {
                        set_on_request!(tx, req.id, "returned_comments = $1", comments);
                    }
                    Effect::StagingNotes(notes) => {
                        set_on_request!(tx, req.id, "staging_notes = $1", notes);
                    }
                    Effect::QueueForWindow(window) => {
                        set_on_request!(tx, req.id, "queued_window = $1", window.map(millis));
                    }
                    Effect::Send(message) => {
                        let ctx = message_context(c, message);
                        queue_message!(tx, &target, message, &ctx);
                    }
                    Effect::RecordDecision(d) => {
                        let (verdict, reason) = match &d.verdict {
                            Verdict::Approve => ("approve", None),
                            Verdict::Reject(r) => ("reject", Some(r.clone())),
                        };
                        sqlx::query(
                            "INSERT INTO decisions (request_id, decided_by, verdict, reason, plan_hash, on_escalation, via, decided_at, round) \
                             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
                        )
                        .bind(req.id)
                        .bind(d.by)
                        .bind(verdict)
                        .bind(reason)
                        .bind(&d.plan_hash.0)
                        .bind(d.on_escalation)
                        .bind(if matches!(c.link, Some(EmailedLink::Decision(_))) { "emailed link" } else { "signed in" })
                        .bind(at)
                        .bind(i64::from(d.round))
                        .execute(&mut *tx)
                        .await?;
                    }
                    Effect::VoidDecisions => {
                        sqlx::query("UPDATE approval_tokens SET voided_at = $1 WHERE request_id = $2 AND used_at IS NULL AND voided_at IS NULL")
                            .bind(at)
                            .bind(req.id)
                            .execute(&mut *tx)
                            .await?;
                    }
                    Effect::RecordStep { step, rollback, status, note } => {
                        sqlx::query(
                            "INSERT INTO execution_marks (request_id, step, rollback, status, note, marked_by, marked_at) \
                             VALUES ($1, $2, $3, $4, $5, $6, $7)",
                        )
                        .bind(req.id)
                        .bind(i64::from(*step))
                        .bind(*rollback)
                        .bind(status.as_str())
                        .bind(note)
                        .bind(c.actor.id)
                        .bind(at)
                        .execute(&mut *tx)
                        .await?;
                    }
                    Effect::LogProblem(text) => {
                        sqlx::query("INSERT INTO problems (request_id, text, logged_by, logged_at) VALUES ($1, $2, $3, $4)")
                            .bind(req.id)
                            .bind(text)
                            .bind(c.actor.id)
                            .bind(at)
                            .execute(&mut *tx)
                            .await?;
                    }
                    Effect::PostReview { checks, lessons } => {
                        let review = app::domain::execution::PostReview { checks: checks.clone(), lessons: lessons.clone() };
                        set_on_request!(tx, req.id, "post_review_json = $1", super::to_json(&review)?);
                    }
                    Effect::RecordOverride(reason) => {
                        set_on_request!(tx, req.id, "override_reason = $1", reason);
                    }
                    Effect::RecordReason(reason) => {
                        set_on_request!(tx, req.id, "closing_note = $1", reason);
                    }
                    Effect::FileArchiveCopy(reason) => {
                        // Filed here, in the transaction; rendered by the archive worker right
                        // after, from the versions recorded here, so a crash loses nothing.
                        sqlx::query(
                            "INSERT INTO archive_copies (request_id, copy_number, reason, state, record_version, plan_version, form_version, filed_at) \
                             VALUES ($1, (SELECT COALESCE(MAX(copy_number), 0) + 1 FROM archive_copies WHERE request_id = $1), $2, $3, $4, $5, $6, $7)",
                        )
                        .bind(req.id)
                        .bind(reason.as_str())
                        .bind(after.state.as_str())
                        .bind(req.row_version + 1)
                        .bind(req.plan_version + i64::from(c.plan.is_some()))
                        .bind(req.form_version + i64::from(c.form.is_some()))
                        .bind(at)
                        .execute(&mut *tx)
                        .await?;
                    }
                    Effect::Audit { action, detail } => {
                        let event = AuditEvent {
                            at,
                            actor_id: Some(c.actor.id),
                            request_id: Some(req.id),
                            action: action.clone(),
                            detail: format!("{}: {detail}", req.summary.reference),
                            source: c.source.to_string(),
                            outcome: "success".into(),
                        };
                        append_audit!(tx, &event);
                    }
                    // Written with the snapshot's columns above, or read by the messages'
                    // context (the quorum's basis).
                    Effect::MarkFastPath
                    | Effect::NewPlanVersion { .. }
                    | Effect::FormUpdated { .. }
                    | Effect::FreezePlan(_)
                    | Effect::QuorumBasis(_)
                    | Effect::SetSecurityRelated(_)
                    | Effect::Assign { .. }
                    | Effect::SetHold(_)
                    | Effect::ClearHold => {}
                }
            }
            tx.commit().await?;
            if t.effects.iter().any(|e| matches!(e, Effect::FileArchiveCopy(_))) {
                self.archive_signal.notify_one();
            }
            Ok(CommitOutcome::Done)
        }.await)
    }
}

/// Ends the open sign-off invitations for one capacity ($1 now, $2 the request, $3 the capacity):
/// it was signed, or someone else was asked.
const WITHDRAW_INVITATIONS: &str =
    "UPDATE sign_off_invitations SET withdrawn_at = $1 WHERE request_id = $2 AND role = $3 \
                                    AND used_at IS NULL AND withdrawn_at IS NULL";

/// What a commit came to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CommitOutcome {
    /// Written.
    Done,
    /// The request changed since it was loaded: nothing written.
    Stale,
    /// The emailed link was already used, voided, withdrawn or expired: nothing written.
    LinkSpent,
}

fn message_context(c: Commit<'_>, message: &Message) -> MessageContext {
    let note = c.transition.effects.iter().find_map(|e| match (e, message.kind()) {
        (Effect::Assign { name, .. }, MessageKind::EngineerAssigned) => {
            Some(format!("{name} is the hosting engineer for this request and will contact you about the next steps."))
        }
        (Effect::ReturnComments(text), MessageKind::ReturnedToDev) => {
            Some(format!("Comments from the hosting team:\n{text}"))
        }
        (Effect::QueueForWindow(Some(w)), MessageKind::RegularChangeQueued) => {
            Some(format!("Planned for the maintenance window starting {}.", w.format("%Y-%m-%d %H:%M UTC")))
        }
        (Effect::QuorumBasis(basis), _) => Some(format!("Approval: {basis}")),
        (Effect::RecordReason(reason), _) => Some(reason.clone()),
        (Effect::SetHold(h), MessageKind::OnHold) => Some(format!("Reason: {}", h.reason)),
        (Effect::InviteSigner { role, name, .. }, MessageKind::SignOffRequest(_)) => Some(format!(
            "Hello {name},\n{} asks you to check the change in staging and sign off as {}.",
            c.actor.display_name,
            role.label()
        )),
        _ => None,
    });
    MessageContext {
        reference: c.request.summary.reference.clone(),
        title: c.request.summary.title.clone(),
        system: c.request.summary.system.clone(),
        link: format!("{}/requests/{}", c.public_url, c.request.summary.reference),
        note,
    }
}
