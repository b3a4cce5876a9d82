//! The JSON API's write side, for release pipelines (seed 004: every change passes the CI/CD
//! pipeline, its artifact versioned): open a request with its triage answers, artifact, pipeline
//! link and plan, and record what was changed in staging. A token that may write is needed; the
//! owner's rights are the pages' (the same application service decides and audits). A retried
//! call with the same `Idempotency-Key` gets the request the first call opened.

use crate::api_v1::{fail, internal, ApiCaller, ApiError};
use crate::AppState;
use app::domain::forms::{FieldError, FormErrors, PlanStepForm, StartRequest};
use app::domain::plan::Plan;
use app::domain::workflow::{Action, ActionKind, TriageAnswers, TriageOutcome};
use app::error::AppError;
use app::ports::prelude::*;
use app::service::{Change, Principal};
use axum::extract::{Path, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::{Extension, Json};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// The four triage questions (seed 003, step 0).
#[derive(Deserialize, ToSchema, Default)]
#[serde(deny_unknown_fields)]
pub struct TriageBody {
    /// Is there an active, ongoing incident?
    #[serde(default)]
    pub active_incident: bool,
    /// Are users unable to reach the service? (The outage fast path: straight to hosting.)
    #[serde(default)]
    pub users_cannot_access: bool,
    /// Is performance significantly degraded?
    #[serde(default)]
    pub performance_degraded: bool,
    /// Does the change address an immediate security or quality need?
    #[serde(default)]
    pub security_or_quality_need: bool,
}

/// One plan step, as the plan editor asks for it.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewStep {
    /// What the step does.
    #[schema(max_length = 2000)]
    pub action: String,
    /// The exact commands or instructions.
    #[schema(max_length = 10000)]
    pub commands: String,
    /// Who performs it.
    #[schema(max_length = 120)]
    pub owner: String,
    /// What should be seen when it worked.
    #[schema(max_length = 2000)]
    pub expected_result: String,
    /// How to check it worked.
    #[schema(max_length = 2000)]
    pub verification: String,
    /// How to undo it.
    #[schema(max_length = 10000)]
    pub rollback: String,
    /// Estimated minutes.
    #[schema(minimum = 1, maximum = 1440)]
    pub estimated_minutes: u32,
}

/// A request as a pipeline opens it.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewRequest {
    /// What the change does.
    #[schema(max_length = 120)]
    pub title: String,
    /// The affected system.
    #[schema(max_length = 120)]
    pub system: String,
    /// The triage answers; none true makes it a regular change for the next maintenance window.
    #[serde(default)]
    pub triage: TriageBody,
    /// The artifact and version to deploy (`portal:2.4.1`): the CR form's field.
    #[serde(default)]
    #[schema(max_length = 2000)]
    pub artifact: String,
    /// The pipeline run that built and tested it: the CR form's field.
    #[serde(default)]
    #[schema(max_length = 2000)]
    pub pipeline_url: String,
    /// The operation plan, first step first (not for a regular change).
    #[serde(default)]
    #[schema(max_items = 200)]
    pub plan_steps: Vec<NewStep>,
}

/// What was changed in staging.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct StagingNotes {
    /// Versions deployed, settings changed, anything done by hand.
    #[schema(max_length = 10000)]
    pub notes: String,
}

/// A request the call opened (or, replayed, the one the first call with its key opened).
#[derive(Serialize, ToSchema)]
pub struct Opened {
    /// `ECR-2026-0042`.
    pub reference: String,
    /// The state key (`planning`, `hosting_review`, `regular_change`).
    pub state: String,
    /// The request's page, for people.
    pub url: String,
}

/// A problem with one field of the body.
#[derive(Serialize, ToSchema)]
pub struct FieldProblem {
    /// The field (`title`, `plan_steps[0].rollback`).
    pub field: String,
    /// What is wrong, in words.
    pub message: String,
}

/// The body's problems, each at its field.
#[derive(Serialize, ToSchema)]
pub struct Invalid {
    /// What went wrong, in words.
    pub error: String,
    /// Each problem.
    pub fields: Vec<FieldProblem>,
}

/// The application service's refusal as an API answer.
fn refused(e: AppError) -> Response {
    match e {
        AppError::Invalid(form) => invalid(form.errors),
        AppError::Internal | AppError::Transport(_) => internal("a pipeline call failed on our side"),
        other => fail(StatusCode::from_u16(other.status()).unwrap_or(StatusCode::CONFLICT), &other.to_string()),
    }
}

fn invalid(errors: Vec<FieldError>) -> Response {
    let fields = errors.into_iter().map(|e| FieldProblem { field: e.field, message: e.message }).collect();
    (StatusCode::UNPROCESSABLE_ENTITY, Json(Invalid { error: "There is a problem with what was sent".into(), fields }))
        .into_response()
}

/// Errors of one part of the body, named by where they are in it.
fn at(prefix: &str, e: FormErrors) -> impl Iterator<Item = FieldError> + '_ {
    e.errors.into_iter().map(move |f| FieldError { field: format!("{prefix}{}", f.field), message: f.message })
}

/// The longest `Idempotency-Key` kept (a pipeline run's id fits many times over).
const IDEMPOTENCY_KEY_MAX: usize = 200;

/// The `Idempotency-Key` header: 1 to [`IDEMPOTENCY_KEY_MAX`] visible ASCII characters, or what
/// is wrong with it.
fn idempotency_key(headers: &HeaderMap) -> Result<String, String> {
    match headers.get("idempotency-key").map(|v| v.to_str().map(str::trim)) {
        Some(Ok(k)) if !k.is_empty() && k.len() <= IDEMPOTENCY_KEY_MAX && k.bytes().all(|b| b.is_ascii_graphic()) => {
            Ok(k.to_string())
        }
        Some(_) => Err(format!("Idempotency-Key must be 1 to {IDEMPOTENCY_KEY_MAX} visible ASCII characters")),
        None => Err("Send an Idempotency-Key header (for example the pipeline run's id): a retried call with the same key gets the same request".into()),
    }
}

/// The answer to a read-only token asking to write.
fn read_only() -> Response {
    fail(StatusCode::FORBIDDEN, "This token may only read: create one that may open requests on your account page")
}

/// What [`parsed`] makes of a body: the start, the plan, the CR form's fields.
type Parsed = (StartRequest, Plan, Vec<(&'static str, String)>);

/// The body checked as a whole, before anything is saved: every problem at its field.
fn parsed(body: &NewRequest) -> Result<Parsed, Vec<FieldError>> {
    let mut problems = Vec::new();
    let start = StartRequest { title: body.title.clone(), system: body.system.clone() }
        .normalised()
        .map_err(|e| problems.extend(at("", e)))
        .ok();
    let mut plan = Plan::default();
    for (i, s) in body.plan_steps.iter().enumerate() {
        let form = PlanStepForm {
            action: s.action.clone(),
            commands: s.commands.clone(),
            owner: s.owner.clone(),
            expected_result: s.expected_result.clone(),
            verification: s.verification.clone(),
            rollback: s.rollback.clone(),
            estimated_minutes: s.estimated_minutes.to_string(),
        };
        match form.step() {
            Ok(step) => plan.steps.push(step),
            Err(e) => problems.extend(at(&format!("plan_steps[{i}]."), e)),
        }
    }
    if let Err(message) = Plan::within_step_limit(plan.steps.len()) {
        problems.push(FieldError { field: "plan_steps".into(), message });
    }
    let fields =
        [("artifact", body.artifact.trim().to_string()), ("pipeline_url", body.pipeline_url.trim().to_string())];
    let typed: Vec<app::domain::limits::Typed> = fields
        .iter()
        .filter_map(|(name, value)| {
            app::domain::cr_form::field(name).map(|f| app::domain::limits::Typed {
                field: name,
                label: f.label,
                value,
                max: f.max,
            })
        })
        .collect();
    if let Err(e) = app::domain::limits::check(&typed) {
        problems.extend(at("", e));
    }
    match start {
        Some(start) if problems.is_empty() => Ok((start, plan.with_ids(), fields.into())),
        _ => Err(problems),
    }
}

/// Open a request from a pipeline: triage, artifact, pipeline link and plan in one call.
#[utoipa::path(post, path = "/api/v1/requests", request_body = NewRequest,
    params(("Idempotency-Key" = String, Header, description = "The same key (per token owner) on a retried call returns the request the first call opened")),
    responses(
        (status = 201, body = Opened, description = "Opened"),
        (status = 200, body = Opened, description = "Replayed: the request an earlier call with this key opened"),
        (status = 400, body = ApiError), (status = 401, body = ApiError), (status = 403, body = ApiError),
        (status = 422, body = Invalid)
    ))]
pub async fn open_request(
    State(state): State<AppState>,
    Extension(caller): Extension<ApiCaller>,
    Extension(address): Extension<app::ports::ClientAddress>,
    headers: HeaderMap,
    Json(body): Json<NewRequest>,
) -> Result<Response, Response> {
    if !caller.1.writes_api() {
        return Err(read_only());
    }
    let user = &caller.0;
    if !app::domain::access::Area::StartRequest.allows(user.role) {
        return Err(fail(StatusCode::FORBIDDEN, "Only dev team members open requests"));
    }
    let key = idempotency_key(&headers).map_err(|m| fail(StatusCode::BAD_REQUEST, &m))?;
    let (start, plan, form_fields) = parsed(&body).map_err(invalid)?;
    let acting = app::ports::Acting::new(user, &format!("API {}", address.0), state.services.clock.now());
    let (summary, replayed) =
        state.store.start_request_once(&start, &key, &acting).await.map_err(|e| refused(e.into()))?;
    let reference = summary.reference.clone();
    let opened = |state_key: &str| Opened {
        reference: reference.clone(),
        state: state_key.to_string(),
        url: format!("{}/requests/{reference}", state.services.public_url.trim_end_matches('/')),
    };
    if replayed {
        let mut response = (StatusCode::OK, Json(opened(summary.state.as_str()))).into_response();
        response.headers_mut().insert("idempotent-replayed", HeaderValue::from_static("true"));
        return Ok(response);
    }
    let workflow = state.workflow();
    let who = Principal { user, source: &acting.source, link: None };
    let answers = TriageAnswers {
        active_incident: body.triage.active_incident,
        users_cannot_access: body.triage.users_cannot_access,
        performance_degraded: body.triage.performance_degraded,
        security_or_quality_need: body.triage.security_or_quality_need,
    };
    let mut done = workflow
        .perform(&who, &reference, ActionKind::Triage, |_| {
            Ok(Change { triage: Some(answers), ..Change::action(Action::Triage(answers)) })
        })
        .await
        .map_err(refused)?;
    // A regular change waits for the month's window: no plan or form in this process.
    if answers.outcome() != TriageOutcome::RegularChange {
        if !plan.steps.is_empty() {
            done = workflow
                .perform(&who, &reference, ActionKind::EditPlan, |_| Ok(Change::plan(plan.clone(), 0)))
                .await
                .map_err(refused)?;
        }
        if form_fields.iter().any(|(_, v)| !v.is_empty()) {
            done = workflow
                .perform(&who, &reference, ActionKind::UpdateForm, |r| {
                    let mut form = r.request.form.clone();
                    for (name, value) in &form_fields {
                        form.set(name, value.clone());
                    }
                    let mut change = Change::action(Action::UpdateForm {
                        complete: form.is_complete(&r.calendar),
                        planned_start: form.planned_start(),
                        security_related: form.is_security_related(),
                    });
                    change.form = Some(form);
                    Ok(change)
                })
                .await
                .map_err(refused)?;
        }
    }
    let mut response = (StatusCode::CREATED, Json(opened(done.after.state.as_str()))).into_response();
    if let Ok(location) = HeaderValue::from_str(&format!("/api/v1/requests/{reference}")) {
        response.headers_mut().insert(header::LOCATION, location);
    }
    Ok(response)
}

/// Record what was changed in staging (as the staging page's "What was changed").
#[utoipa::path(post, path = "/api/v1/requests/{reference}/staging-notes", request_body = StagingNotes,
    params(("reference" = String, Path)),
    responses(
        (status = 204, description = "Recorded"), (status = 401, body = ApiError), (status = 403, body = ApiError),
        (status = 404, body = ApiError), (status = 409, body = ApiError), (status = 422, body = Invalid)
    ))]
pub async fn record_staging_notes(
    State(state): State<AppState>,
    Extension(caller): Extension<ApiCaller>,
    Extension(address): Extension<app::ports::ClientAddress>,
    Path(reference): Path<String>,
    Json(body): Json<StagingNotes>,
) -> Result<Response, Response> {
    if !caller.1.writes_api() {
        return Err(read_only());
    }
    let source = format!("API {}", address.0);
    let who = Principal { user: &caller.0, source: &source, link: None };
    state
        .workflow()
        .perform(&who, &reference, ActionKind::RecordStagingNotes, |_| {
            let notes = app::domain::forms::staging_notes(&body.notes)?;
            Ok(Change::action(Action::RecordStagingNotes { notes }))
        })
        .await
        .map_err(refused)?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

/// Attach an evidence file (multipart field `file`: PDF, PNG, JPG, TXT, LOG, CSV or JSON, under
/// 10 MB, checked by content), as the staging page's upload.
#[utoipa::path(post, path = "/api/v1/requests/{reference}/attachments",
    params(("reference" = String, Path)),
    request_body(content_type = "multipart/form-data", description = "The file, as the multipart field `file`"),
    responses(
        (status = 204, description = "Attached"), (status = 401, body = ApiError), (status = 403, body = ApiError),
        (status = 404, body = ApiError), (status = 422, body = Invalid)
    ))]
pub async fn attach_evidence(
    State(state): State<AppState>,
    Extension(caller): Extension<ApiCaller>,
    Extension(address): Extension<app::ports::ClientAddress>,
    Path(reference): Path<String>,
    mut multipart: axum::extract::Multipart,
) -> Result<Response, Response> {
    use crate::attachments::{attach, Refused};
    if !caller.1.writes_api() {
        return Err(read_only());
    }
    let source = format!("API {}", address.0);
    match attach(&state, &caller.0, &source, &reference, &mut multipart).await {
        Ok(()) => Ok(StatusCode::NO_CONTENT.into_response()),
        Err(Refused::Answer(a)) if a.status() == StatusCode::NOT_FOUND => {
            Err(fail(StatusCode::NOT_FOUND, "No such request"))
        }
        Err(Refused::Answer(_)) => Err(internal("loading a request for an evidence file failed")),
        Err(Refused::Forbidden) => Err(fail(StatusCode::FORBIDDEN, "You cannot attach evidence to this request now")),
        Err(Refused::File(e)) => Err(invalid(vec![FieldError { field: "file".into(), message: e.to_string() }])),
        Err(Refused::Internal) => Err(internal("storing an evidence file failed")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use app::domain::attachment;
    use serde_json::{json, Value};
    use utoipa::OpenApi;

    /// Whether `parsed` finds a problem at a property of the body, or of its first step, when
    /// that property is given this value.
    fn refused(in_step: bool, property: &str, value: Value) -> bool {
        let mut body = json!({ "title": "Deploy", "system": "Portal", "plan_steps": [a_step()] });
        let field = match in_step {
            true => {
                body["plan_steps"][0][property] = value;
                format!("plan_steps[0].{property}")
            }
            false => {
                body[property] = value;
                property.to_string()
            }
        };
        let body: NewRequest = serde_json::from_value(body).expect("the body deserialises");
        parsed(&body).err().unwrap_or_default().iter().any(|p| p.field == field)
    }

    /// A pipeline can trust the document: each bound it states is the one checked, and every
    /// text the body carries has one.
    #[test]
    fn every_bound_the_document_states_is_the_one_checked() {
        let doc = serde_json::to_value(crate::api_v1::ApiDoc::openapi()).expect("the document serialises");
        let schema = |name: &str| doc["components"]["schemas"][name].clone();
        let number = |v: &Value, what: &str| v.as_f64().unwrap_or_else(|| panic!("{what} is documented")) as usize;
        let mut checked = Vec::new();
        for (name, in_step) in [("NewRequest", false), ("NewStep", true)] {
            let properties = schema(name)["properties"].as_object().cloned().unwrap_or_default();
            for (property, s) in &properties {
                let what = format!("{name}.{property}");
                let at = |v: Value| refused(in_step, property, v);
                match s["type"].as_str() {
                    Some("string") => {
                        let max = number(&s["maxLength"], &format!("{what}'s longest"));
                        assert!(!at("x".repeat(max).into()), "{what}: {max} characters are refused");
                        assert!(at("x".repeat(max + 1).into()), "{what}: {} characters are taken", max + 1);
                    }
                    Some("integer") => {
                        let (min, max) = (number(&s["minimum"], &what), number(&s["maximum"], &what));
                        assert!(!at(min.into()) && !at(max.into()), "{what}: {min} or {max} is refused");
                        assert!(at((min - 1).into()) && at((max + 1).into()), "{what}: outside {min}–{max} is taken");
                    }
                    Some("array") => {
                        let max = number(&s["maxItems"], &format!("{what}'s most items"));
                        let steps = |n: usize| Value::Array(vec![a_step(); n]);
                        assert!(!at(steps(max)) && at(steps(max + 1)), "{what}: the limit is not {max}");
                    }
                    _ => continue,
                }
                checked.push(what);
            }
        }
        assert_eq!(checked.len(), 12, "every text, number and list of a new request: {checked:?}");
        let notes = number(&schema("StagingNotes")["properties"]["notes"]["maxLength"], "StagingNotes.notes");
        assert!(app::domain::forms::staging_notes(&"x".repeat(notes)).is_ok());
        assert!(app::domain::forms::staging_notes(&"x".repeat(notes + 1)).is_err());
        let upload = &doc["paths"]["/api/v1/requests/{reference}/attachments"]["post"];
        let said = |k: &str| upload[k].as_str().unwrap_or_default().to_string();
        let words =
            format!("{} {}", said("summary"), said("description")).split_whitespace().collect::<Vec<_>>().join(" ");
        for said in [attachment::kinds_in_words(), format!("under {}", attachment::size_in_words())] {
            assert!(words.contains(&said), "the evidence upload's document does not say {said}: {words}");
        }
    }

    /// A plan step with every field given.
    fn a_step() -> Value {
        json!({
            "action": "Deploy", "commands": "deploy", "owner": "Hosting", "expected_result": "Up",
            "verification": "curl", "rollback": "undo", "estimated_minutes": 15
        })
    }

    #[test]
    fn an_idempotency_key_is_one_to_the_limit_of_visible_ascii_characters() {
        let with = |key: &str| {
            let mut h = HeaderMap::new();
            h.insert("idempotency-key", key.parse().unwrap());
            idempotency_key(&h)
        };
        assert_eq!(with(" run-42 "), Ok("run-42".into()));
        assert!(with(&"k".repeat(IDEMPOTENCY_KEY_MAX)).is_ok());
        let refused = "Idempotency-Key must be 1 to 200 visible ASCII characters";
        assert_eq!(with(&"k".repeat(IDEMPOTENCY_KEY_MAX + 1)), Err(refused.into()));
        assert_eq!(with("two words"), Err(refused.into()));
        assert!(idempotency_key(&HeaderMap::new()).unwrap_err().starts_with("Send an Idempotency-Key"));
    }
}
