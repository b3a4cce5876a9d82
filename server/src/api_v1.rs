//! The JSON API for automation, `/api/v1`: read requests, their plans and plan versions, and
//! the actions the token's owner could take (pipelines write through [`crate::api_pipeline`]). Personal access tokens (`Authorization: Bearer
//! ofc_…`, hashed at rest, scoped, revocable) and the same authorisation as the pages: a dev
//! team member reads only their team's requests. The OpenAPI document is generated from
//! these handlers (`/api/v1/openapi.json`).

use crate::auth::token_hash;
use crate::AppState;
use app::api::types::SessionUser;
use app::domain::workflow::available_actions;
use app::ports::prelude::*;
use app::service::actor_of;
use axum::extract::{Path, Query, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Extension;
use axum::{Json, Router};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, OpenApi, ToSchema};

/// An error answer.
#[derive(Serialize, ToSchema)]
pub struct ApiError {
    /// What went wrong, in words.
    pub error: String,
}

pub(crate) fn fail(status: StatusCode, error: &str) -> Response {
    (status, Json(ApiError { error: error.into() })).into_response()
}

/// A request as the API lists it.
#[derive(Serialize, ToSchema)]
pub struct RequestItem {
    /// `ECR-2026-0042`.
    pub reference: String,
    /// What the change does.
    pub title: String,
    /// The affected system.
    pub system: String,
    /// The state key (`hosting_review`, `awaiting_approval`, …).
    pub state: String,
    /// Who started it.
    pub started_by: String,
    /// RFC 3339, UTC.
    pub created_at: String,
    /// RFC 3339, UTC.
    pub updated_at: String,
}

/// One page of requests, newest first.
#[derive(Serialize, ToSchema)]
pub struct RequestPage {
    /// The requests.
    pub items: Vec<RequestItem>,
    /// Pass as `before` for the next page; absent on the last page.
    pub next: Option<i64>,
}

/// One request in detail.
#[derive(Serialize, ToSchema)]
pub struct RequestDetail {
    /// The summary.
    #[serde(flatten)]
    pub item: RequestItem,
    /// Security-related (the ISSO is copied).
    pub security_related: bool,
    /// The current plan version.
    pub plan_version: i64,
    /// Its SHA-256.
    pub plan_hash: String,
    /// The plan version submitted to the CORs, if it was.
    pub submitted_plan_hash: Option<String>,
    /// The assigned hosting engineer.
    pub assigned_engineer: Option<String>,
    /// On hold, with the reason.
    pub hold: Option<String>,
}

/// A plan version.
#[derive(Serialize, ToSchema)]
pub struct PlanItem {
    /// Version number.
    pub version: i64,
    /// SHA-256 of the normalised plan.
    pub hash: String,
    /// The steps in order.
    pub steps: Vec<app::domain::plan::PlanStep>,
}

/// A saved plan version, listed.
#[derive(Serialize, ToSchema)]
pub struct VersionItem {
    /// Version number.
    pub version: i64,
    /// Who saved it.
    pub by: String,
    /// RFC 3339, UTC.
    pub at: String,
}

/// What the token's owner could do now.
#[derive(Serialize, ToSchema)]
pub struct ActionsItem {
    /// Action keys in the README's table (`EditPlan`, `Decide`, …).
    pub actions: Vec<String>,
}

/// Paging for the request list.
#[derive(Deserialize, IntoParams)]
pub struct ListQuery {
    /// Only requests in this state.
    pub state: Option<String>,
    /// Requests older than this cursor (the previous page's `next`).
    pub before: Option<i64>,
    /// Page size; a size outside the bounds is taken as the nearest bound.
    #[param(minimum = 1, maximum = 100, default = 50)]
    pub limit: Option<i64>,
}

impl ListQuery {
    /// The page size asked for, within its bounds.
    fn page_size(&self) -> i64 {
        self.limit.unwrap_or(50).clamp(1, 100)
    }
}

#[derive(OpenApi)]
#[openapi(
    info(title = "Offcycle API", version = "1", description = "Read emergency change requests, their plans and the actions you could take; pipelines open requests and record staging."),
    paths(
        list_requests, get_request, get_plan, list_plan_versions, get_plan_version, get_actions,
        crate::api_pipeline::open_request, crate::api_pipeline::record_staging_notes,
        crate::api_pipeline::attach_evidence
    ),
    components(schemas(
        ApiError, RequestItem, RequestPage, RequestDetail, app::domain::plan::PlanStep, PlanItem, VersionItem, ActionsItem,
        crate::api_pipeline::NewRequest, crate::api_pipeline::TriageBody, crate::api_pipeline::NewStep,
        crate::api_pipeline::StagingNotes, crate::api_pipeline::Opened, crate::api_pipeline::Invalid,
        crate::api_pipeline::FieldProblem
    )),
    modifiers(&BearerAuth),
    security(("bearer" = []))
)]
pub(crate) struct ApiDoc;

struct BearerAuth;

impl utoipa::Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .description(Some("A personal access token (ofc_…) from your account page"))
                    .build(),
            ),
        );
    }
}

/// The routes, under `/api/v1`: the document is public, everything else needs a token.
pub fn routes(state: AppState) -> Router<AppState> {
    let authenticated = Router::new()
        .route("/api/v1/requests", get(list_requests).post(crate::api_pipeline::open_request))
        .route("/api/v1/requests/{reference}/staging-notes", post(crate::api_pipeline::record_staging_notes))
        .route("/api/v1/requests/{reference}/attachments", post(crate::api_pipeline::attach_evidence))
        .route("/api/v1/requests/{reference}", get(get_request))
        .route("/api/v1/requests/{reference}/plan", get(get_plan))
        .route("/api/v1/requests/{reference}/plan/versions", get(list_plan_versions))
        .route("/api/v1/requests/{reference}/plan/versions/{version}", get(get_plan_version))
        .route("/api/v1/requests/{reference}/actions", get(get_actions))
        .route_layer(axum::middleware::from_fn_with_state(state, authenticate));
    Router::new().route("/api/v1/openapi.json", get(openapi)).merge(authenticated)
}

/// The token's owner and what the token may do, as the handlers receive them.
#[derive(Clone)]
pub struct ApiCaller(pub SessionUser, pub app::ports::TokenScope);

/// Checks the token and audits every use, answered or refused (the audit log is where "who
/// read what through the API" is kept).
async fn authenticate(
    State(state): State<AppState>,
    mut req: axum::extract::Request,
    next: axum::middleware::Next,
) -> Response {
    let source = req.extensions().get::<app::ports::ClientAddress>().map(|a| a.0.clone()).unwrap_or_default();
    // The path carries a caller's text (a reference): bounded before it is kept.
    let what: String = format!("{} {}", req.method(), req.uri().path()).chars().take(200).collect();
    let now = state.services.clock.now();
    let result = caller(&state, req.headers()).await;
    let event = match &result {
        Ok(ApiCaller(user, _)) => {
            Some(crate::store::AuditEvent::success(now.timestamp_millis(), Some(user.id), None, "API", what, &source))
        }
        // Anonymous failures are counted per address: the first ten audited one by one, then one
        // row a hundred, and past the hourly limit the address is refused outright.
        Err(_) => {
            let key = [format!("api:{source}")];
            let n = match state.store.count_attempt(&key, now.timestamp_millis() / 3_600_000).await {
                Ok([n]) => n,
                Err(e) => return internal(format!("counting a failed API call failed: {e}")),
            };
            if n > crate::auth::MAX_API_FAILURES_PER_HOUR {
                return fail(StatusCode::TOO_MANY_REQUESTS, "Too many calls without a valid token: try again later");
            }
            crate::auth::audited(n).then(|| {
                let detail = match n {
                    1..=10 => format!("{what}: no valid token"),
                    n => format!("{what}: no valid token ({n} such calls this hour from this address)"),
                };
                crate::store::AuditEvent {
                    outcome: "failure".into(),
                    ..crate::store::AuditEvent::success(now.timestamp_millis(), None, None, "API", detail, &source)
                }
            })
        }
    };
    if let Some(event) = event {
        if let Err(e) = state.store.record(&event).await {
            return internal(format!("auditing an API call failed: {e}"));
        }
    }
    match result {
        Ok(caller) => {
            req.extensions_mut().insert(caller);
            next.run(req).await
        }
        Err(r) => r,
    }
}

async fn openapi() -> Json<utoipa::openapi::OpenApi> {
    Json(ApiDoc::openapi())
}

/// The token's owner, or the answer to send instead.
async fn caller(state: &AppState, headers: &HeaderMap) -> Result<ApiCaller, Response> {
    let token = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(str::trim)
        .filter(|t| !t.is_empty());
    let Some(token) = token else {
        return Err(fail(StatusCode::UNAUTHORIZED, "Send a personal access token: Authorization: Bearer ofc_…"));
    };
    match state.store.token_user(&token_hash(token), state.services.clock.now()).await {
        Ok(Some((user, scope))) => match app::ports::TokenScope::parse(&scope) {
            Some(scope) if scope.reads_api() => Ok(ApiCaller(user, scope)),
            _ => Err(fail(StatusCode::UNAUTHORIZED, "The token is unknown, expired or revoked")),
        },
        Ok(_) => Err(fail(StatusCode::UNAUTHORIZED, "The token is unknown, expired or revoked")),
        Err(e) => Err(internal(e)),
    }
}

fn rfc3339(t: chrono::DateTime<chrono::Utc>) -> String {
    t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

fn item(s: &app::api::types::RequestSummary) -> RequestItem {
    RequestItem {
        reference: s.reference.clone(),
        title: s.title.clone(),
        system: s.system.clone(),
        state: s.state.as_str().to_string(),
        started_by: s.started_by.clone(),
        created_at: rfc3339(s.created_at),
        updated_at: rfc3339(s.updated_at),
    }
}

/// A storage failure, logged; the caller learns only that it was ours.
pub(crate) fn internal(e: impl std::fmt::Display) -> Response {
    tracing::error!("api: {e}");
    fail(StatusCode::INTERNAL_SERVER_ERROR, "Something went wrong on our side")
}

/// What a handler answers: the body, or the error answer.
type Answer = Result<Response, Response>;

/// A request the caller may read (others: 404, so nothing leaks).
async fn readable(state: &AppState, user: &SessionUser, reference: &str) -> Result<app::service::Readable, Response> {
    match state.workflow().readable(user, reference).await {
        Ok(r) => Ok(r),
        Err(app::error::AppError::NotFound) => Err(fail(StatusCode::NOT_FOUND, "No such request")),
        Err(e) => Err(internal(format!("{e:?}"))),
    }
}

/// The request the path names, loaded for the token's owner with the pages' authorisation: the
/// read handlers' one way in. Unknown or unreadable is 404.
struct Requested {
    /// The token's owner.
    user: SessionUser,
    /// The request as they may read it.
    read: app::service::Readable,
}

impl axum::extract::FromRequestParts<AppState> for Requested {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut axum::http::request::Parts, state: &AppState) -> Result<Self, Response> {
        let Some(ApiCaller(user, _)) = parts.extensions.get::<ApiCaller>().cloned() else {
            return Err(fail(StatusCode::UNAUTHORIZED, "Sign in with a token"));
        };
        let Path(params) = Path::<std::collections::HashMap<String, String>>::from_request_parts(parts, state)
            .await
            .map_err(IntoResponse::into_response)?;
        let reference = params.get("reference").ok_or_else(|| fail(StatusCode::NOT_FOUND, "No such request"))?;
        let read = readable(state, &user, reference).await?;
        Ok(Requested { user, read })
    }
}

fn plan_item(version: i64, plan: &app::domain::plan::Plan) -> PlanItem {
    PlanItem { version, hash: plan.hash().0, steps: plan.steps.clone() }
}

/// List the requests you may read, newest first.
#[utoipa::path(get, path = "/api/v1/requests", params(ListQuery), responses(
    (status = 200, body = RequestPage), (status = 401, body = ApiError), (status = 422, body = ApiError)
))]
async fn list_requests(
    State(state): State<AppState>,
    Extension(ApiCaller(user, _)): Extension<ApiCaller>,
    Query(q): Query<ListQuery>,
) -> Answer {
    let limit = q.page_size();
    // A state nobody has is a mistake to name, not a filter that quietly finds nothing.
    let wanted = match q.state.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        None => "",
        Some(s) => match app::domain::workflow::State::parse(s) {
            Some(known) => known.as_str(),
            None => {
                let known: Vec<&str> = app::domain::workflow::State::ALL.iter().map(|s| s.as_str()).collect();
                return Err(fail(
                    StatusCode::UNPROCESSABLE_ENTITY,
                    &format!("state: “{s}” is not a state; use one of {}", known.join(", ")),
                ));
            }
        },
    };
    let scope = app::domain::workflow::ReadScope::of(&actor_of(&user));
    let mut rows =
        state.store.api_requests(scope, wanted, q.before.unwrap_or(i64::MAX), limit + 1).await.map_err(internal)?;
    let next = (rows.len() as i64 > limit).then(|| {
        rows.truncate(limit as usize);
        rows.last().map(|(id, _)| *id).unwrap_or_default()
    });
    Ok(Json(RequestPage { items: rows.iter().map(|(_, s)| item(s)).collect(), next }).into_response())
}

/// Read one request.
#[utoipa::path(get, path = "/api/v1/requests/{reference}", params(("reference" = String, Path, description = "ECR-2026-0042")), responses(
    (status = 200, body = RequestDetail), (status = 401, body = ApiError), (status = 404, body = ApiError)
))]
async fn get_request(Requested { read, .. }: Requested) -> Answer {
    let l = read.request;
    Ok(Json(RequestDetail {
        item: item(&l.summary),
        security_related: l.snapshot.security_related,
        plan_version: l.plan_version,
        plan_hash: l.snapshot.plan_hash.0.clone(),
        submitted_plan_hash: l.snapshot.submitted_plan_hash.as_ref().map(|h| h.0.clone()),
        assigned_engineer: l.assigned_name.clone(),
        hold: l.snapshot.hold.as_ref().map(|h| h.reason.clone()),
    })
    .into_response())
}

/// Read the current plan.
#[utoipa::path(get, path = "/api/v1/requests/{reference}/plan", params(("reference" = String, Path)), responses(
    (status = 200, body = PlanItem), (status = 401, body = ApiError), (status = 404, body = ApiError)
))]
async fn get_plan(Requested { read, .. }: Requested) -> Answer {
    let l = read.request;
    Ok(Json(plan_item(l.plan_version, &l.plan)).into_response())
}

/// List every saved plan version, newest first.
#[utoipa::path(get, path = "/api/v1/requests/{reference}/plan/versions", params(("reference" = String, Path)), responses(
    (status = 200, body = [VersionItem]), (status = 401, body = ApiError), (status = 404, body = ApiError)
))]
async fn list_plan_versions(State(state): State<AppState>, Requested { read, .. }: Requested) -> Answer {
    let l = read.request;
    let versions = state.store.plan_history(l.id).await.map_err(internal)?;
    let items: Vec<VersionItem> =
        versions.into_iter().map(|v| VersionItem { version: v.version, by: v.by, at: rfc3339(v.at) }).collect();
    Ok(Json(items).into_response())
}

/// Read one saved plan version (version 0, before the first save, is the empty plan).
#[utoipa::path(get, path = "/api/v1/requests/{reference}/plan/versions/{version}", params(("reference" = String, Path), ("version" = i64, Path)), responses(
    (status = 200, body = PlanItem), (status = 401, body = ApiError), (status = 404, body = ApiError)
))]
async fn get_plan_version(
    State(state): State<AppState>,
    Requested { read, .. }: Requested,
    Path((_, version)): Path<(String, i64)>,
) -> Answer {
    let l = read.request;
    match state.store.plan_at(l.id, version).await.map_err(internal)? {
        Some(plan) => Ok(Json(plan_item(version, &plan)).into_response()),
        None => Err(fail(StatusCode::NOT_FOUND, "No such plan version")),
    }
}

/// The actions you could take on the request now (the process's guards aside).
#[utoipa::path(get, path = "/api/v1/requests/{reference}/actions", params(("reference" = String, Path)), responses(
    (status = 200, body = ActionsItem), (status = 401, body = ApiError), (status = 404, body = ApiError)
))]
async fn get_actions(Requested { user, read }: Requested) -> Answer {
    let actions = available_actions(&read.request.snapshot, &actor_of(&user), &read.context())
        .into_iter()
        .map(|a| format!("{a:?}"))
        .collect();
    Ok(Json(ActionsItem { actions }).into_response())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_page_size_is_as_the_document_says() {
        let doc = serde_json::to_value(ApiDoc::openapi()).expect("the document serialises");
        let params = doc["paths"]["/api/v1/requests"]["get"]["parameters"].as_array().cloned().unwrap_or_default();
        let limit = params.iter().find(|p| p["name"] == "limit").map(|p| p["schema"].clone()).unwrap_or_default();
        let bound =
            |k: &str| limit[k].as_f64().unwrap_or_else(|| panic!("the page size documents its {k}: {limit}")) as i64;
        let size = |limit| ListQuery { state: None, before: None, limit }.page_size();
        assert_eq!(size(None), bound("default"));
        for n in [bound("minimum"), bound("maximum")] {
            assert_eq!(size(Some(n)), n);
        }
        assert_eq!(size(Some(bound("minimum") - 1)), bound("minimum"));
        assert_eq!(size(Some(bound("maximum") + 1)), bound("maximum"));
    }
}
