//! Loading a request for a decision, and committing what the domain decided.

use super::audit::append_audit;
use super::outbox::{queue_message, MailTarget};
use super::{from_millis, millis, on_pool, AuditEvent, Store};
use app::api::types::{AttachmentView, MailView, RequestSummary, SessionUser, SignOffView};
use app::domain::cr_form::CrForm;
use app::domain::execution::{Problem, StepMark, StepStatus};
use app::domain::notify::{Message, MessageContext, MessageKind};
use app::domain::plan::{Plan, PlanHash};
use app::domain::quorum::{Absence, Cor};
use app::domain::quorum::{Decision, Verdict};
use app::domain::workflow::{Effect, Hold, Request, SignOffRole, State, TriageAnswers};
use app::ports::{Commit, LoadedRequest};
use std::collections::BTreeSet;

#[derive(sqlx::FromRow)]
struct RequestRow {
    id: i64,
    version: i64,
    reference: String,
    title: String,
    system: String,
    state: String,
    started_by_name: String,
    created_at: i64,
    updated_at: i64,
    started_by: i64,
    team_id: Option<i64>,
    assigned_engineer: Option<i64>,
    fast_path: bool,
    security_related: bool,
    plan_version: i64,
    plan_hash: String,
    plan_complete: bool,
    submitted_plan_hash: Option<String>,
    submission_round: i64,
    form_version: i64,
    form_json: String,
    form_complete: bool,
    risk_review_done: bool,
    hold_reason: Option<String>,
    hold_by: Option<i64>,
    planned_start: Option<i64>,
    triage_json: Option<String>,
    staging_notes: String,
    returned_comments: Option<String>,
    queued_window: Option<i64>,
    assistance_requested_at: Option<i64>,
    submitted_at: Option<i64>,
    risk_review_json: Option<String>,
    assigned_name: Option<String>,
    implementation_started_at: Option<i64>,
    override_reason: Option<String>,
    closing_note: Option<String>,
    post_review_json: Option<String>,
    comment_count: i64,
    steps_json: Option<String>,
    sign_offs_json: String,
    attachments_json: String,
    execution_json: String,
    problems_json: String,
    decisions_json: String,
}

/// One JSON array of rows from a sub-select over the request `r`, in the dialect's words: every
/// list a request's pages need comes back with the request in one statement, because each
/// statement is a round trip to the database (on SQLite, to sqlx's worker thread and back).
macro_rules! rows_json {
    (sqlite, $row:literal, $order:literal, $from:literal) => {
        concat!("(SELECT json_group_array(json_array(", $row, ") ORDER BY ", $order, ") ", $from, ")")
    };
    (postgres, $row:literal, $order:literal, $from:literal) => {
        concat!(
            "(SELECT COALESCE(json_agg(json_build_array(",
            $row,
            ") ORDER BY ",
            $order,
            "), '[]')::text ",
            $from,
            ")"
        )
    };
}

/// The request by reference with its current plan, sign-offs, attachments, execution marks,
/// problems and decisions. Flags inside the JSON are written as 0/1 so both dialects agree.
macro_rules! load_sql {
    ($dialect:ident) => {
        concat!(
            "SELECT r.id, r.version, r.reference, r.title, r.system, r.state, u.display_name AS started_by_name, \
             r.created_at, r.updated_at, r.started_by, r.team_id, r.assigned_engineer, r.fast_path, r.security_related, \
             r.plan_version, r.plan_hash, r.plan_complete, r.submitted_plan_hash, r.submission_round, r.form_version, r.form_json, r.form_complete, \
             r.risk_review_done, r.hold_reason, r.hold_by, r.planned_start, r.triage_json, r.staging_notes, r.returned_comments, \
             r.queued_window, r.assistance_requested_at, r.submitted_at, r.risk_review_json, a.display_name AS assigned_name, \
             r.implementation_started_at, r.override_reason, r.closing_note, r.post_review_json, \
             r.comment_count, p.steps_json, ",
            rows_json!($dialect, "s.role, su.display_name, s.evidence, s.created_at", "s.created_at",
                "FROM sign_offs s JOIN users su ON su.id = s.signer_id WHERE s.request_id = r.id"),
            " AS sign_offs_json, ",
            rows_json!($dialect, "f.id, f.file_name, f.media_type, f.size_bytes, f.sha256, fu.display_name", "f.id",
                "FROM attachments f JOIN users fu ON fu.id = f.uploaded_by WHERE f.request_id = r.id"),
            " AS attachments_json, ",
            rows_json!($dialect, "m.step, CASE WHEN m.rollback THEN 1 ELSE 0 END, m.status, m.note, mu.display_name, m.marked_at", "m.id",
                "FROM execution_marks m JOIN users mu ON mu.id = m.marked_by WHERE m.request_id = r.id"),
            " AS execution_json, ",
            rows_json!($dialect, "q.text, qu.display_name, q.logged_at", "q.id",
                "FROM problems q JOIN users qu ON qu.id = q.logged_by WHERE q.request_id = r.id"),
            " AS problems_json, ",
            rows_json!($dialect, "d.decided_by, du.display_name, d.verdict, d.reason, d.plan_hash, \
                CASE WHEN d.on_escalation THEN 1 ELSE 0 END, d.decided_at, d.round", "d.id",
                "FROM decisions d JOIN users du ON du.id = d.decided_by WHERE d.request_id = r.id"),
            " AS decisions_json \
             FROM change_requests r JOIN users u ON u.id = r.started_by LEFT JOIN users a ON a.id = r.assigned_engineer \
             LEFT JOIN plan_versions p ON p.request_id = r.id AND p.version = r.plan_version \
             WHERE r.ref_year = $1 AND r.ref_number = $2"
        )
    };
}

/// A sign-off as loaded: capacity, signer, evidence, when (ms).
type SignOffRow = (String, String, String, i64);
/// An attachment as loaded: id, file name, media type, size, SHA-256, uploader.
type AttachmentRow = (i64, String, String, i64, String, String);
/// An execution mark as loaded: step, rollback (0/1), status, note, by, when (ms).
type MarkRow = (i64, i64, String, String, String, i64);
/// A problem as loaded: text, by, when (ms).
type ProblemRow = (String, String, i64);
/// A decision as loaded: decided by, name, verdict, reason, plan hash, on escalation (0/1), when
/// (ms), submission round.
type DecisionRow = (i64, String, String, Option<String>, String, i64, i64, i64);

/// One of the load's JSON lists; a list that does not parse is a storage fault, not an empty list.
fn rows_of<T: serde::de::DeserializeOwned>(json: &str) -> Result<Vec<T>, sqlx::Error> {
    serde_json::from_str(json).map_err(|e| sqlx::Error::Decode(Box::new(e)))
}

/// A stored value that does not decode: a storage fault naming the request and the column,
/// never a default that would show a COR a blank form or a request back in triage.
fn corrupt(reference: &str, column: &str, problem: impl std::fmt::Display) -> sqlx::Error {
    sqlx::Error::Decode(format!("{reference}: {column} does not decode: {problem}").into())
}

/// A stored JSON column, decoded or a storage fault.
fn stored<T: serde::de::DeserializeOwned>(reference: &str, column: &str, json: &str) -> Result<T, sqlx::Error> {
    serde_json::from_str(json).map_err(|e| corrupt(reference, column, e))
}

/// A nullable stored JSON column: NULL is `None`; text that does not decode is a storage fault.
fn stored_opt<T: serde::de::DeserializeOwned>(
    reference: &str,
    column: &str,
    json: Option<&str>,
) -> Result<Option<T>, sqlx::Error> {
    json.map(|j| stored(reference, column, j)).transpose()
}

fn decision(
    (by, name, verdict, reason, plan_hash, on_escalation, at, round): DecisionRow,
) -> Result<Decision, sqlx::Error> {
    Ok(Decision {
        by,
        name,
        verdict: match (verdict.as_str(), reason) {
            ("approve", _) => Verdict::Approve,
            ("reject", reason) => Verdict::Reject(reason.unwrap_or_default()),
            (other, _) => return Err(corrupt("a decision", "verdict", format!("{other:?}"))),
        },
        at: from_millis(at),
        plan_hash: PlanHash(plan_hash),
        round: round_of(round)?,
        on_escalation: on_escalation != 0,
    })
}

/// A stored round; one that does not fit is a storage fault.
fn round_of(stored: i64) -> Result<u32, sqlx::Error> {
    u32::try_from(stored).map_err(|e| sqlx::Error::Decode(Box::new(e)))
}

/// The stored key of a sign-off capacity.
pub fn sign_off_key(role: SignOffRole) -> &'static str {
    match role {
        SignOffRole::Qa => "qa",
        SignOffRole::Testers => "testers",
        SignOffRole::Dev => "dev",
        SignOffRole::Product => "product",
    }
}

fn sign_off_role(key: &str) -> Option<SignOffRole> {
    SignOffRole::ALL.into_iter().find(|r| sign_off_key(*r) == key)
}

/// The plan hash of a request that has no plan yet.
pub fn empty_plan_hash() -> PlanHash {
    Plan::default().hash()
}

impl Store {
    /// One request with everything its pages and decisions need.
    pub async fn load(
        &self,
        reference: app::domain::reference::Reference,
    ) -> Result<Option<LoadedRequest>, sqlx::Error> {
        let row: Option<RequestRow> = match &self.db {
            super::Db::Sqlite(pool) => {
                sqlx::query_as(load_sql!(sqlite)).bind(reference.year).bind(reference.number).fetch_optional(pool).await
            }
            super::Db::Postgres(pool) => {
                sqlx::query_as(load_sql!(postgres))
                    .bind(reference.year)
                    .bind(reference.number)
                    .fetch_optional(pool)
                    .await
            }
        }?;
        let Some(row) = row else { return Ok(None) };
        let r = row.reference.as_str();
        // No plan version yet is an empty plan; a stored one must decode.
        let plan: Plan = stored_opt::<Plan>(r, "steps_json", row.steps_json.as_deref())?.unwrap_or_default().with_ids();
        let sign_offs: Vec<SignOffRow> = rows_of(&row.sign_offs_json)?;
        let attachments = rows_of::<AttachmentRow>(&row.attachments_json)?
            .into_iter()
            .map(|(id, file_name, media_type, size_bytes, sha256, uploaded_by)| AttachmentView {
                id,
                file_name,
                media_type,
                size_bytes,
                sha256,
                uploaded_by,
            })
            .collect();
        let execution = rows_of::<MarkRow>(&row.execution_json)?
            .into_iter()
            .map(|(step, rollback, status, note, by, at)| {
                Ok(StepMark {
                    step: u32::try_from(step).map_err(|e| corrupt(r, "execution_marks.step", e))?,
                    rollback: rollback != 0,
                    status: StepStatus::parse(&status)
                        .ok_or_else(|| corrupt(r, "execution_marks.status", format!("{status:?}")))?,
                    note,
                    by,
                    at: from_millis(at),
                })
            })
            .collect::<Result<_, sqlx::Error>>()?;
        let problems = rows_of::<ProblemRow>(&row.problems_json)?
            .into_iter()
            .map(|(text, by, at)| Problem {
                reference: row.reference.clone(),
                title: row.title.clone(),
                text,
                by,
                at: from_millis(at),
            })
            .collect();
        let decisions =
            rows_of::<DecisionRow>(&row.decisions_json)?.into_iter().map(decision).collect::<Result<_, _>>()?;
        let form: CrForm = stored(r, "form_json", &row.form_json)?;
        let triage: Option<TriageAnswers> = stored_opt(r, "triage_json", row.triage_json.as_deref())?;
        let risk_review = stored_opt(r, "risk_review_json", row.risk_review_json.as_deref())?;
        let post_review = stored_opt(r, "post_review_json", row.post_review_json.as_deref())?;
        let sign_offs: Vec<SignOffView> = sign_offs
            .into_iter()
            .map(|(role, signer, evidence, at)| {
                let role = sign_off_role(&role).ok_or_else(|| corrupt(r, "sign_offs.role", format!("{role:?}")))?;
                Ok(SignOffView { role, signer, evidence, at: from_millis(at) })
            })
            .collect::<Result<_, sqlx::Error>>()?;
        let state = State::parse(&row.state).ok_or_else(|| corrupt(r, "state", format!("{:?}", row.state)))?;
        let snapshot = Request {
            state,
            started_by: row.started_by,
            team_id: row.team_id,
            assigned_engineer: row.assigned_engineer,
            fast_path: row.fast_path,
            security_related: row.security_related,
            plan_hash: if row.plan_hash.is_empty() { empty_plan_hash() } else { PlanHash(row.plan_hash.clone()) },
            plan_complete: row.plan_complete,
            submitted_plan_hash: row.submitted_plan_hash.clone().map(PlanHash),
            round: round_of(row.submission_round)?,
            form_complete: row.form_complete,
            risk_review_done: row.risk_review_done,
            sign_offs: sign_offs.iter().map(|s| s.role).collect::<BTreeSet<_>>(),
            decisions,
            hold: match (row.hold_reason.clone(), row.hold_by) {
                (Some(reason), Some(raised_by)) => Some(Hold { reason, raised_by }),
                _ => None,
            },
            planned_start: row.planned_start.map(from_millis),
        };
        Ok(Some(LoadedRequest {
            id: row.id,
            row_version: row.version,
            summary: RequestSummary {
                reference: row.reference,
                title: row.title,
                system: row.system,
                state: row.state,
                started_by: row.started_by_name,
                created_at: from_millis(row.created_at),
                updated_at: from_millis(row.updated_at),
            },
            snapshot,
            plan,
            plan_version: row.plan_version,
            form,
            form_version: row.form_version,
            triage,
            staging_notes: row.staging_notes,
            sign_offs,
            assistance_requested_at: row.assistance_requested_at.map(from_millis),
            returned_comments: row.returned_comments,
            queued_window: row.queued_window.map(from_millis),
            submitted_at: row.submitted_at.map(from_millis),
            attachments,
            risk_review,
            assigned_name: row.assigned_name,
            execution,
            implementation_started_at: row.implementation_started_at.map(from_millis),
            override_reason: row.override_reason,
            closing_note: row.closing_note,
            post_review,
            problems,
            comment_count: row.comment_count,
        }))
    }

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
            plan_hash: after.submitted_plan_hash.as_ref().unwrap_or(&after.plan_hash).0.clone(),
            state: after.state.as_str(),
        };
        on_pool!(&self.db, pool => async {
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
            if let Some(token_hash) = c.decision_token {
                let spent = sqlx::query(
                    "UPDATE approval_tokens SET used_at = $1 WHERE token_hash = $2 AND request_id = $3 \
                     AND used_at IS NULL AND voided_at IS NULL AND expires_at > $1",
                )
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
                .bind(serde_json::to_string(plan).unwrap_or_default())
                .bind(c.actor.id)
                .bind(at)
                .execute(&mut *tx)
                .await?;
                sqlx::query("UPDATE change_requests SET plan_version = $1 WHERE id = $2").bind(version).bind(req.id).execute(&mut *tx).await?;
            }
            if let Some(form) = c.form {
                let version = req.form_version + 1;
                let json = serde_json::to_string(form).unwrap_or_default();
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
                // The title is the request's name everywhere: a valid new one replaces it.
                let title = form.title.trim();
                if !title.is_empty() && title.chars().count() <= 120 && title != req.summary.title {
                    sqlx::query("UPDATE change_requests SET title = $1 WHERE id = $2")
                        .bind(title)
                        .bind(req.id)
                        .execute(&mut *tx)
                        .await?;
                }
            }
            if let Some(review) = c.risk_review {
                sqlx::query("UPDATE change_requests SET risk_review_json = $1 WHERE id = $2")
                    .bind(serde_json::to_string(review).unwrap_or_default())
                    .bind(req.id)
                    .execute(&mut *tx)
                    .await?;
            }
            if let Some(triage) = c.triage {
                sqlx::query("UPDATE change_requests SET triage_json = $1 WHERE id = $2")
                    .bind(serde_json::to_string(triage).unwrap_or_default())
                    .bind(req.id)
                    .execute(&mut *tx)
                    .await?;
            }
            for effect in &t.effects {
                match effect {
                    Effect::RecordSignOff { role, evidence } => {
                        sqlx::query("INSERT INTO sign_offs (request_id, role, signer_id, evidence, created_at) VALUES ($1, $2, $3, $4, $5)")
                            .bind(req.id)
                            .bind(sign_off_key(*role))
                            .bind(c.actor.id)
                            .bind(evidence)
                            .bind(at)
                            .execute(&mut *tx)
                            .await?;
                    }
                    Effect::StampSubmitted => {
                        sqlx::query("UPDATE change_requests SET submitted_at = $1 WHERE id = $2")
                            .bind(at)
                            .bind(req.id)
                            .execute(&mut *tx)
                            .await?;
                    }
                    Effect::StampApprovalRequested => {
                        sqlx::query("UPDATE change_requests SET approval_requested_at = $1, reminded_at = NULL, escalated_at = NULL WHERE id = $2")
                            .bind(at)
                            .bind(req.id)
                            .execute(&mut *tx)
                            .await?;
                    }
                    Effect::StampImplementationStarted => {
                        sqlx::query("UPDATE change_requests SET implementation_started_at = $1 WHERE id = $2")
                            .bind(at)
                            .bind(req.id)
                            .execute(&mut *tx)
                            .await?;
                    }
                    Effect::StartAssistanceClock => {
                        sqlx::query("UPDATE change_requests SET assistance_requested_at = $1 WHERE id = $2")
                            .bind(at)
                            .bind(req.id)
                            .execute(&mut *tx)
                            .await?;
                    }
                    Effect::ReturnComments(comments) => {
                        sqlx::query("UPDATE change_requests SET returned_comments = $1 WHERE id = $2")
                            .bind(comments)
                            .bind(req.id)
                            .execute(&mut *tx)
                            .await?;
                    }
                    Effect::QueueForWindow(window) => {
                        sqlx::query("UPDATE change_requests SET queued_window = $1 WHERE id = $2")
                            .bind(window.map(millis))
                            .bind(req.id)
                            .execute(&mut *tx)
                            .await?;
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
                        .bind(if c.decision_token.is_some() { "emailed link" } else { "signed in" })
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
                        sqlx::query("UPDATE change_requests SET post_review_json = $1 WHERE id = $2")
                            .bind(serde_json::to_string(&review).unwrap_or_default())
                            .bind(req.id)
                            .execute(&mut *tx)
                            .await?;
                    }
                    Effect::RecordOverride(reason) => {
                        sqlx::query("UPDATE change_requests SET override_reason = $1 WHERE id = $2")
                            .bind(reason)
                            .bind(req.id)
                            .execute(&mut *tx)
                            .await?;
                    }
                    Effect::RecordReason(reason) => {
                        sqlx::query("UPDATE change_requests SET closing_note = $1 WHERE id = $2")
                            .bind(reason)
                            .bind(req.id)
                            .execute(&mut *tx)
                            .await?;
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
                    | Effect::Assign(_)
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

    pub(crate) async fn write_staging_notes(
        &self,
        request_id: i64,
        by: &SessionUser,
        source: &str,
        notes: &str,
        at: i64,
    ) -> Result<(), sqlx::Error> {
        on_pool!(&self.db, pool => async {
            let mut tx = pool.begin().await?;
            let (reference,): (String,) = sqlx::query_as(
                "UPDATE change_requests SET staging_notes = $1, updated_at = $2, version = version + 1 WHERE id = $3 RETURNING reference",
            )
            .bind(notes)
            .bind(at)
            .bind(request_id)
            .fetch_one(&mut *tx)
            .await?;
            let event = AuditEvent::success(at, Some(by.id), Some(request_id), "Record staging changes", format!("{reference}: staging notes saved"), source);
            append_audit!(tx, &event);
            tx.commit().await
        }.await)
    }

    /// The active CORs with the absences that matter from now on (those ending yesterday or
    /// later, Eastern, with a day's margin for time zones): what decisions and pages need.
    pub(crate) async fn cors(&self) -> Result<Vec<Cor>, sqlx::Error> {
        let today = app::domain::calendar::eastern_date(chrono::Utc::now());
        self.cors_absent_since(today - chrono::Days::new(1)).await
    }

    /// The active CORs, each with the absences ending on or after `since`, in one statement
    /// (old absences pile up over the years; no page needs them).
    pub(crate) async fn cors_absent_since(&self, since: chrono::NaiveDate) -> Result<Vec<Cor>, sqlx::Error> {
        type Row = (i64, String, Option<String>, Option<String>, Option<String>, Option<String>);
        let rows: Vec<Row> = on_pool!(&self.db, pool => sqlx::query_as(
            "SELECT u.id, u.display_name, a.starts_on, a.ends_on, a.note, s.display_name FROM users u \
             LEFT JOIN absences a ON a.user_id = u.id AND a.ends_on >= $1 LEFT JOIN users s ON s.id = a.set_by \
             WHERE u.role = 'cor' AND u.active = TRUE ORDER BY u.id, a.starts_on, a.id",
        )
        .bind(since.format("%Y-%m-%d").to_string())
        .fetch_all(pool)
        .await)?;
        let mut cors: Vec<Cor> = Vec::new();
        for (id, name, from, to, note, set_by) in rows {
            if cors.last().is_none_or(|c| c.id != id) {
                cors.push(Cor { id, name, absences: Vec::new() });
            }
            let absence = match (from.and_then(|f| f.parse().ok()), to.and_then(|t| t.parse().ok())) {
                (Some(from), Some(to)) => Some(Absence { from, to, note, set_by: set_by.unwrap_or_default() }),
                _ => None,
            };
            if let (Some(cor), Some(absence)) = (cors.last_mut(), absence) {
                cor.absences.push(absence);
            }
        }
        Ok(cors)
    }

    /// The newest problems logged across every request.
    pub(crate) async fn recent_problems(&self, limit: i64) -> Result<Vec<Problem>, sqlx::Error> {
        type Row = (String, String, String, String, i64);
        let rows: Vec<Row> = on_pool!(&self.db, pool => sqlx::query_as(
            "SELECT r.reference, r.title, p.text, u.display_name, p.logged_at FROM problems p \
             JOIN change_requests r ON r.id = p.request_id JOIN users u ON u.id = p.logged_by \
             ORDER BY p.logged_at DESC, p.id DESC LIMIT $1",
        )
        .bind(limit)
        .fetch_all(pool)
        .await)?;
        Ok(rows
            .into_iter()
            .map(|(reference, title, text, by, at)| Problem { reference, title, text, by, at: from_millis(at) })
            .collect())
    }

    /// The newest outbox rows of one kind (webhook deliveries).
    pub(crate) async fn mail_of_kind(&self, kind: &str, limit: i64) -> Result<Vec<MailView>, sqlx::Error> {
        self.mail_where(limit, false, kind).await
    }

    pub(crate) async fn mail(&self, limit: i64, problems_only: bool) -> Result<Vec<MailView>, sqlx::Error> {
        self.mail_where(limit, problems_only, "").await
    }

    /// The newest outbox rows: only undelivered ones with `problems_only`, only `kind` unless empty.
    async fn mail_where(&self, limit: i64, problems_only: bool, kind: &str) -> Result<Vec<MailView>, sqlx::Error> {
        type MailRow = (
            i64,
            Option<String>,
            String,
            String,
            String,
            String,
            String,
            String,
            i64,
            Option<i64>,
            i64,
            Option<String>,
            Option<i64>,
        );
        let sql = if problems_only {
            "SELECT o.id, r.reference, o.kind, o.subject, o.to_addrs, o.cc_addrs, o.reasons, o.body_text, o.created_at, o.sent_at, \
             CAST(o.attempts AS BIGINT), o.last_error, o.gave_up_at FROM outbox o LEFT JOIN change_requests r ON r.id = o.request_id \
             WHERE o.sent_at IS NULL AND o.last_error IS NOT NULL AND ($2 = '' OR o.kind = $2) ORDER BY o.id DESC LIMIT $1"
        } else {
            "SELECT o.id, r.reference, o.kind, o.subject, o.to_addrs, o.cc_addrs, o.reasons, o.body_text, o.created_at, o.sent_at, \
             CAST(o.attempts AS BIGINT), o.last_error, o.gave_up_at FROM outbox o LEFT JOIN change_requests r ON r.id = o.request_id \
             WHERE ($2 = '' OR o.kind = $2) ORDER BY o.id DESC LIMIT $1"
        };
        let rows: Vec<MailRow> =
            on_pool!(&self.db, pool => sqlx::query_as(sql).bind(limit).bind(kind).fetch_all(pool).await)?;
        let split = |s: String| s.split(", ").filter(|x| !x.is_empty()).map(str::to_string).collect::<Vec<_>>();
        Ok(rows
            .into_iter()
            .map(
                |(
                    id,
                    reference,
                    kind,
                    subject,
                    to,
                    cc,
                    reasons,
                    body,
                    created_at,
                    sent_at,
                    attempts,
                    last_error,
                    gave_up,
                )| MailView {
                    id,
                    reference,
                    kind,
                    subject,
                    to: split(to),
                    cc: split(cc),
                    reasons: serde_json::from_str(&reasons).unwrap_or_default(),
                    body,
                    created_at: from_millis(created_at),
                    sent_at: sent_at.map(from_millis),
                    attempts,
                    last_error,
                    gave_up: gave_up.is_some(),
                },
            )
            .collect())
    }
}

/// What a commit came to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CommitOutcome {
    /// Written.
    Done,
    /// The request changed since it was loaded: nothing written.
    Stale,
    /// The decision link was already used, voided or expired: nothing written.
    LinkSpent,
}

fn message_context(c: Commit<'_>, message: &Message) -> MessageContext {
    let note = c.transition.effects.iter().find_map(|e| match (e, message.kind()) {
        (Effect::ReturnComments(text), MessageKind::ReturnedToDev) => {
            Some(format!("Comments from the hosting team:\n{text}"))
        }
        (Effect::QueueForWindow(Some(w)), MessageKind::RegularChangeQueued) => {
            Some(format!("Planned for the maintenance window starting {}.", w.format("%Y-%m-%d %H:%M UTC")))
        }
        (Effect::QuorumBasis(basis), _) => Some(format!("Approval: {basis}")),
        (Effect::RecordReason(reason), _) => Some(reason.clone()),
        (Effect::SetHold(h), MessageKind::OnHold) => Some(format!("Reason: {}", h.reason)),
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

impl Store {
    /// Stores an attachment (already checked) with its audit event, in one transaction.
    #[allow(clippy::too_many_arguments)]
    pub async fn add_attachment(
        &self,
        request_id: i64,
        reference: &str,
        by: &SessionUser,
        source: &str,
        file_name: &str,
        media_type: &str,
        data: &[u8],
        now: chrono::DateTime<chrono::Utc>,
    ) -> Result<i64, sqlx::Error> {
        use sha2::Digest;
        let sha = hex::encode(sha2::Sha256::digest(data));
        let at = millis(now);
        on_pool!(&self.db, pool => async {
            let mut tx = pool.begin().await?;
            let (id,): (i64,) = sqlx::query_as(
                "INSERT INTO attachments (request_id, file_name, media_type, size_bytes, sha256, data, uploaded_by, created_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
            )
            .bind(request_id)
            .bind(file_name)
            .bind(media_type)
            .bind(data.len() as i64)
            .bind(&sha)
            .bind(data)
            .bind(by.id)
            .bind(at)
            .fetch_one(&mut *tx)
            .await?;
            let event = AuditEvent::success(at, Some(by.id), Some(request_id), "Attach staging evidence", format!("{reference}: attached {file_name} ({} bytes, sha256 {sha})", data.len()), source);
            append_audit!(tx, &event);
            tx.commit().await?;
            Ok(id)
        }.await)
    }

    /// One attachment's description and bytes, if it belongs to the request.
    pub async fn attachment(&self, request_id: i64, id: i64) -> Result<Option<(AttachmentView, Vec<u8>)>, sqlx::Error> {
        type Row = (i64, String, String, i64, String, String, Vec<u8>);
        let row: Option<Row> = on_pool!(&self.db, pool => sqlx::query_as(
            "SELECT a.id, a.file_name, a.media_type, a.size_bytes, a.sha256, u.display_name, a.data FROM attachments a \
             JOIN users u ON u.id = a.uploaded_by WHERE a.request_id = $1 AND a.id = $2",
        )
        .bind(request_id)
        .bind(id)
        .fetch_optional(pool)
        .await)?;
        Ok(row.map(|(id, file_name, media_type, size_bytes, sha256, uploaded_by, data)| {
            (AttachmentView { id, file_name, media_type, size_bytes, sha256, uploaded_by }, data)
        }))
    }
}
