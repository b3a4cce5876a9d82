//! `/metrics` in Prometheus's text format: requests by route and status with latency
//! histograms (recorded by [`record`]), counters the server bumps where things happen (failed
//! sign-ins and deliveries), and gauges read from the database at each scrape (the outbox, archive
//! copies waiting, decision links). Readable with `OFFCYCLE_METRICS_TOKEN` as a bearer token, or,
//! without one, from loopback only.

use crate::AppState;
use app::ports::ClientAddress;
use axum::body::Body;
use axum::extract::{MatchedPath, State};
use axum::http::{header, HeaderMap, Request, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::Extension;
use metrics_exporter_prometheus::{PrometheusBuilder, PrometheusHandle};
use std::sync::OnceLock;
use std::time::Instant;

/// Seconds: from a fast page (5 ms) to a slow PDF render.
const LATENCY_BUCKETS: [f64; 12] = [0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0];

/// The process's one recorder (a process may serve several apps: the tests do).
pub fn handle() -> &'static PrometheusHandle {
    static HANDLE: OnceLock<PrometheusHandle> = OnceLock::new();
    HANDLE.get_or_init(|| {
        let recorder = PrometheusBuilder::new()
            .set_buckets(&LATENCY_BUCKETS)
            .map(PrometheusBuilder::build_recorder)
            .unwrap_or_else(|_| PrometheusBuilder::new().build_recorder());
        let handle = recorder.handle();
        if metrics::set_global_recorder(recorder).is_err() {
            tracing::warn!("a metrics recorder was already installed");
        }
        // Histogram samples wait in the recorder until upkeep folds them into the buckets; left
        // to scrapes alone, a server nobody scrapes grows by every request it times (+12% RSS in
        // the bench's sustained load). A thread of its own: it outlives any one runtime.
        let upkeep = handle.clone();
        let spawned = std::thread::Builder::new().name("metrics-upkeep".into()).spawn(move || loop {
            std::thread::sleep(std::time::Duration::from_secs(5));
            upkeep.run_upkeep();
        });
        if let Err(e) = spawned {
            tracing::warn!("metrics upkeep thread not started: {e}");
        }
        handle
    })
}

/// Counts every request by route (the router's pattern, never the raw path) and status, and
/// times it.
pub async fn record(req: Request<Body>, next: Next) -> Response {
    let route = req.extensions().get::<MatchedPath>().map(|p| p.as_str().to_string()).unwrap_or_else(|| "other".into());
    let method: &'static str = match req.method().as_str() {
        "GET" => "GET",
        "HEAD" => "HEAD",
        "POST" => "POST",
        "PUT" => "PUT",
        "PATCH" => "PATCH",
        "DELETE" => "DELETE",
        "OPTIONS" => "OPTIONS",
        _ => "other",
    };
    let started = Instant::now();
    let response = next.run(req).await;
    let status = response.status().as_u16().to_string();
    metrics::counter!("offcycle_http_requests_total", "route" => route.clone(), "method" => method, "status" => status)
        .increment(1);
    metrics::histogram!("offcycle_http_request_duration_seconds", "route" => route, "method" => method)
        .record(started.elapsed().as_secs_f64());
    response
}

fn allowed(state: &AppState, headers: &HeaderMap, client: &str) -> bool {
    match &state.config.metrics_token {
        Some(token) => headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "))
            // Compared as hashes: no early exit on the first differing byte.
            .is_some_and(|given| app::ports::token_hash(given.trim()) == app::ports::token_hash(token)),
        None => client.parse::<std::net::IpAddr>().is_ok_and(|ip| ip.is_loopback()),
    }
}

/// `GET /metrics`.
pub async fn scrape(
    State(state): State<AppState>,
    Extension(ClientAddress(client)): Extension<ClientAddress>,
    headers: HeaderMap,
) -> Response {
    if !allowed(&state, &headers, &client) {
        return (
            StatusCode::FORBIDDEN,
            "Metrics need the bearer token (OFFCYCLE_METRICS_TOKEN) or a loopback address.",
        )
            .into_response();
    }
    match state.store.operations(state.services.clock.now()).await {
        Ok(o) => {
            metrics::gauge!("offcycle_outbox_unsent", "queue" => "mail").set(o.mail_unsent as f64);
            metrics::gauge!("offcycle_outbox_unsent", "queue" => "webhooks").set(o.webhooks_unsent as f64);
            metrics::gauge!("offcycle_outbox_oldest_unsent_age_seconds").set(o.oldest_unsent_age_seconds as f64);
            metrics::gauge!("offcycle_outbox_given_up").set(o.given_up as f64);
            metrics::gauge!("offcycle_archive_copies_waiting", "for" => "render").set(o.copies_unrendered as f64);
            // Without an archive folder, nothing waits for one.
            let unfiled = if state.config.archive_dir.is_some() { o.copies_unfiled } else { 0 };
            metrics::gauge!("offcycle_archive_copies_waiting", "for" => "folder").set(unfiled as f64);
            metrics::gauge!("offcycle_decision_links", "state" => "open").set(o.links_open as f64);
            metrics::gauge!("offcycle_decision_links", "state" => "opened").set(o.links_opened as f64);
            metrics::gauge!("offcycle_decision_links", "state" => "used").set(o.links_used as f64);
            metrics::gauge!("offcycle_decision_links", "state" => "voided").set(o.links_voided as f64);
            metrics::gauge!("offcycle_database_up").set(1.0);
        }
        Err(e) => {
            tracing::error!("metrics: reading the database failed: {e}");
            metrics::gauge!("offcycle_database_up").set(0.0);
        }
    }
    let h = handle();
    h.run_upkeep();
    ([(header::CONTENT_TYPE, "text/plain; version=0.0.4; charset=utf-8")], h.render()).into_response()
}
