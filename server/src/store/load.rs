//! Loading one request with everything its pages and decisions need: one statement, its lists as
//! JSON arrays. A stored value that does not decode is a storage fault, never a default.

use super::{corrupt, from_millis, stored, stored_opt, Store};
use app::api::types::{AttachmentView, RequestSummary, SignOffInvitationView, SignOffView};
use app::domain::cr_form::CrForm;
use app::domain::execution::{Problem, StepMark, StepStatus};
use app::domain::plan::{Plan, PlanHash};
use app::domain::quorum::{Decision, Verdict};
use app::domain::workflow::{Hold, Request, SignOffRole, State, TriageAnswers};
use app::ports::LoadedRequest;

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
    one_signer_several_capacities: Option<bool>,
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
    call_held_at: Option<i64>,
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
    invitations_json: String,
    attachments_json: String,
    execution_json: String,
    problems_json: String,
    decisions_json: String,
}

/// One JSON array of rows from a sub-select over the request `r`, in the dialect's words: every
/// list a request's pages need comes back with the request in one statement, because each
/// statement is a round trip to the database (on SQLite, to sqlx's worker thread and back).
/// Unordered: [`rows_of`] sorts them, as an ORDER BY inside the aggregate cost SQLite a
/// temporary b-tree per list on every page (4% of a page's instructions).
macro_rules! rows_json {
    (sqlite, $row:literal, $from:literal) => {
        concat!("(SELECT json_group_array(json_array(", $row, ")) ", $from, ")")
    };
    (postgres, $row:literal, $from:literal) => {
        concat!("(SELECT COALESCE(json_agg(json_build_array(", $row, ")), '[]')::text ", $from, ")")
    };
}

/// The request by reference with its current plan, sign-offs, attachments, execution marks,
/// problems and decisions. Flags inside the JSON are written as 0/1 so both dialects agree.
macro_rules! load_sql {
    ($dialect:ident) => {
        concat!(
            "SELECT r.id, r.version, r.reference, r.title, r.system, r.state, u.display_name AS started_by_name, \
             r.created_at, r.updated_at, r.started_by, r.team_id, t.one_signer_several_capacities, r.assigned_engineer, r.fast_path, r.security_related, \
             r.plan_version, r.plan_hash, r.plan_complete, r.submitted_plan_hash, r.submission_round, r.form_version, r.form_json, r.form_complete, \
             r.risk_review_done, r.hold_reason, r.hold_by, r.planned_start, r.triage_json, r.staging_notes, r.returned_comments, \
             r.queued_window, r.assistance_requested_at, r.call_held_at, r.submitted_at, r.risk_review_json, a.display_name AS assigned_name, \
             r.implementation_started_at, r.override_reason, r.closing_note, r.post_review_json, \
             r.comment_count, p.steps_json, ",
            rows_json!($dialect, "s.role, s.signer_id, su.display_name, s.evidence, s.created_at, s.by_link_as",
                "FROM sign_offs s JOIN users su ON su.id = s.signer_id WHERE s.request_id = r.id"),
            " AS sign_offs_json, ",
            rows_json!($dialect, "i.id, i.role, i.invitee_id, i.invitee_name, iu.email, i.invited_at, i.expires_at, i.opened_at",
                "FROM sign_off_invitations i JOIN users iu ON iu.id = i.invitee_id \
                 WHERE i.request_id = r.id AND i.used_at IS NULL AND i.withdrawn_at IS NULL"),
            " AS invitations_json, ",
            rows_json!($dialect, "f.id, f.file_name, f.media_type, f.size_bytes, f.sha256, fu.display_name",
                "FROM attachments f JOIN users fu ON fu.id = f.uploaded_by WHERE f.request_id = r.id"),
            " AS attachments_json, ",
            rows_json!($dialect, "m.id, m.step, CASE WHEN m.rollback THEN 1 ELSE 0 END, m.status, m.note, mu.display_name, m.marked_at",
                "FROM execution_marks m JOIN users mu ON mu.id = m.marked_by WHERE m.request_id = r.id"),
            " AS execution_json, ",
            rows_json!($dialect, "q.id, q.text, qu.display_name, q.logged_at",
                "FROM problems q JOIN users qu ON qu.id = q.logged_by WHERE q.request_id = r.id"),
            " AS problems_json, ",
            rows_json!($dialect, "d.id, d.decided_by, du.display_name, d.verdict, d.reason, d.plan_hash, \
                CASE WHEN d.on_escalation THEN 1 ELSE 0 END, d.decided_at, d.round",
                "FROM decisions d JOIN users du ON du.id = d.decided_by WHERE d.request_id = r.id"),
            " AS decisions_json \
             FROM change_requests r JOIN users u ON u.id = r.started_by LEFT JOIN users a ON a.id = r.assigned_engineer \
             LEFT JOIN teams t ON t.id = r.team_id \
             LEFT JOIN plan_versions p ON p.request_id = r.id AND p.version = r.plan_version \
             WHERE r.ref_year = $1 AND r.ref_number = $2"
        )
    };
}

/// A sign-off as loaded: capacity, signer's id and name, evidence, when (ms), the name typed
/// when signed from an emailed link. (One a capacity, so no row id; the other lists' rows begin
/// with theirs, the order they were written in.)
type SignOffRow = (String, i64, String, String, i64, Option<String>);
/// An open sign-off invitation as loaded: id, capacity, invitee's id, name and address, when
/// asked, when the link expires and when it was opened (ms; no link yet: null).
type InvitationRow = (i64, String, i64, String, String, i64, Option<i64>, Option<i64>);
/// An attachment as loaded: id, file name, media type, size, SHA-256, uploader.
type AttachmentRow = (i64, String, String, i64, String, String);
/// An execution mark as loaded: id, step, rollback (0/1), status, note, by, when (ms).
type MarkRow = (i64, i64, i64, String, String, String, i64);
/// A problem as loaded: id, text, by, when (ms).
type ProblemRow = (i64, String, String, i64);
/// A decision as loaded: id, decided by, name, verdict, reason, plan hash, on escalation (0/1),
/// when (ms), submission round.
type DecisionRow = (i64, i64, String, String, Option<String>, String, i64, i64, i64);

/// One of the load's JSON lists, in the order `key` gives (a stable sort); a list that does not
/// parse is a storage fault, not an empty list.
fn rows_of<T: serde::de::DeserializeOwned, K: Ord>(
    json: &str,
    key: impl FnMut(&T) -> K,
) -> Result<Vec<T>, sqlx::Error> {
    let mut rows: Vec<T> = serde_json::from_str(json).map_err(|e| sqlx::Error::Decode(Box::new(e)))?;
    rows.sort_by_key(key);
    Ok(rows)
}

fn decision(
    (_, by, name, verdict, reason, plan_hash, on_escalation, at, round): DecisionRow,
) -> Result<Decision, sqlx::Error> {
    Ok(Decision {
        by,
        name,
        verdict: match (verdict.as_str(), reason) {
            ("approve", _) => Verdict::Approve,
            ("reject", Some(reason)) => Verdict::Reject(reason),
            ("reject", None) => return Err(corrupt("a decision", "reason", "a rejection without its reason")),
            (other, _) => return Err(corrupt("a decision", "verdict", format!("{other:?}"))),
        },
        at: from_millis(at)?,
        plan_hash: PlanHash(plan_hash),
        round: round_of(round)?,
        on_escalation: on_escalation != 0,
    })
}

/// A stored round; one that does not fit is a storage fault.
fn round_of(stored: i64) -> Result<u32, sqlx::Error> {
    u32::try_from(stored).map_err(|e| sqlx::Error::Decode(Box::new(e)))
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
            super::Db::Sqlite { pool, .. } => {
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
        // Sign-offs in the order they were given; in the same millisecond, by capacity.
        let sign_offs: Vec<SignOffRow> = rows_of(&row.sign_offs_json, |s: &SignOffRow| (s.4, s.0.clone()))?;
        let attachments = rows_of(&row.attachments_json, |f: &AttachmentRow| f.0)?
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
        let execution = rows_of(&row.execution_json, |m: &MarkRow| m.0)?
            .into_iter()
            .map(|(_, step, rollback, status, note, by, at)| {
                Ok(StepMark {
                    step: u32::try_from(step).map_err(|e| corrupt(r, "execution_marks.step", e))?,
                    rollback: rollback != 0,
                    status: StepStatus::parse(&status)
                        .ok_or_else(|| corrupt(r, "execution_marks.status", format!("{status:?}")))?,
                    note,
                    by,
                    at: from_millis(at)?,
                })
            })
            .collect::<Result<Vec<_>, sqlx::Error>>()?;
        let problems = rows_of(&row.problems_json, |q: &ProblemRow| q.0)?
            .into_iter()
            .map(|(_, text, by, at)| {
                Ok(Problem {
                    reference: row.reference.clone(),
                    title: row.title.clone(),
                    text,
                    by,
                    at: from_millis(at)?,
                })
            })
            .collect::<Result<_, sqlx::Error>>()?;
        let decisions =
            rows_of(&row.decisions_json, |d: &DecisionRow| d.0)?.into_iter().map(decision).collect::<Result<_, _>>()?;
        let form: CrForm = stored(r, "form_json", &row.form_json)?;
        let triage: Option<TriageAnswers> = stored_opt(r, "triage_json", row.triage_json.as_deref())?;
        let risk_review = stored_opt(r, "risk_review_json", row.risk_review_json.as_deref())?;
        let post_review = stored_opt(r, "post_review_json", row.post_review_json.as_deref())?;
        let sign_offs: Vec<SignOffView> = sign_offs
            .into_iter()
            .map(|(role, signer_id, signer, evidence, at, by_link_as)| {
                let role =
                    SignOffRole::parse(&role).ok_or_else(|| corrupt(r, "sign_offs.role", format!("{role:?}")))?;
                Ok(SignOffView { role, signer_id, signer, evidence, at: from_millis(at)?, by_link_as })
            })
            .collect::<Result<_, sqlx::Error>>()?;
        let invitations: Vec<(i64, SignOffInvitationView)> = rows_of(&row.invitations_json, |i: &InvitationRow| i.0)?
            .into_iter()
            .map(|(_, role, invitee, name, email, invited_at, expires_at, opened_at)| {
                let role = SignOffRole::parse(&role)
                    .ok_or_else(|| corrupt(r, "sign_off_invitations.role", format!("{role:?}")))?;
                Ok((
                    invitee,
                    SignOffInvitationView {
                        role,
                        name,
                        email,
                        invited_at: from_millis(invited_at)?,
                        expires_at: expires_at.map(from_millis).transpose()?,
                        opened_at: opened_at.map(from_millis).transpose()?,
                    },
                ))
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
            sign_offs: sign_offs.iter().map(|s| (s.role, s.signer_id)).collect(),
            // A request of no team has no team setting: the strict default.
            one_signer_several_capacities: row.one_signer_several_capacities.unwrap_or(false),
            invited: invitations.iter().map(|(id, i)| (*id, i.role)).collect(),
            decisions,
            hold: match (row.hold_reason.clone(), row.hold_by) {
                (Some(reason), Some(raised_by)) => Some(Hold { reason, raised_by }),
                _ => None,
            },
            call_owed: row.assistance_requested_at.is_some(),
            planned_start: row.planned_start.map(from_millis).transpose()?,
            production: app::domain::execution::Execution::of(plan.steps.len(), &execution),
        };
        Ok(Some(LoadedRequest {
            id: row.id,
            row_version: row.version,
            summary: RequestSummary {
                reference: row.reference,
                title: row.title,
                system: row.system,
                state,
                started_by: row.started_by_name,
                created_at: from_millis(row.created_at)?,
                updated_at: from_millis(row.updated_at)?,
            },
            snapshot,
            plan,
            plan_version: row.plan_version,
            form,
            form_version: row.form_version,
            triage,
            staging_notes: row.staging_notes,
            sign_offs,
            invitations: invitations.into_iter().map(|(_, i)| i).collect(),
            assistance_requested_at: row.assistance_requested_at.map(from_millis).transpose()?,
            call_held_at: row.call_held_at.map(from_millis).transpose()?,
            returned_comments: row.returned_comments,
            queued_window: row.queued_window.map(from_millis).transpose()?,
            submitted_at: row.submitted_at.map(from_millis).transpose()?,
            attachments,
            risk_review,
            assigned_name: row.assigned_name,
            execution,
            implementation_started_at: row.implementation_started_at.map(from_millis).transpose()?,
            override_reason: row.override_reason,
            closing_note: row.closing_note,
            post_review,
            problems,
            comment_count: row.comment_count,
        }))
    }
}
