//! What an operator watches: `/metrics` (Prometheus text) and `/readyz`, on both databases.

mod common;

use common::*;

/// The value of the first sample line starting with `prefix` (0 when absent).
fn sample(text: &str, prefix: &str) -> f64 {
    text.lines()
        .find(|l| l.starts_with(prefix))
        .and_then(|l| l.rsplit(' ').next())
        .and_then(|v| v.parse().ok())
        .unwrap_or(0.0)
}

async fn scrape(app: &TestApp, token: Option<&str>) -> (u16, String) {
    let mut req = reqwest::Client::new().get(app.url("/metrics"));
    if let Some(t) = token {
        req = req.bearer_auth(t);
    }
    let res = req.send().await.unwrap();
    (res.status().as_u16(), res.text().await.unwrap())
}

both_backends!(metrics_count_requests_failures_and_what_waits, |url: String, _b| async move {
    let app = TestApp::spawn(&url).await;
    assert_eq!(app.client.get(app.url("/readyz")).send().await.unwrap().status(), 200);
    let (status, before) = scrape(&app, None).await;
    assert_eq!(status, 200, "loopback may read the metrics when no token is set");
    let healthz = r#"offcycle_http_requests_total{route="/healthz",method="GET",status="200"}"#;
    let failures = r#"offcycle_sign_in_failures_total{method="password"}"#;
    for _ in 0..3 {
        app.client.get(app.url("/healthz")).send().await.unwrap();
    }
    let res = app.call("sign_in", &[("email", "dev@example.gov"), ("password", "not the password")]).await;
    assert_eq!(res.status(), 401);
    let (_, after) = scrape(&app, None).await;
    // One recorder per process, and the other database's run of this test counts too.
    assert!(sample(&after, healthz) - sample(&before, healthz) >= 3.0, "{after}");
    assert!(sample(&after, failures) - sample(&before, failures) >= 1.0);
    assert!(
        after.contains("offcycle_http_request_duration_seconds_bucket{route=\"/healthz\",method=\"GET\",le=\"0.005\"}")
    );
    assert!(after.contains(r#"offcycle_outbox_unsent{queue="mail"}"#), "{after}");
    assert!(after.contains("offcycle_outbox_oldest_unsent_age_seconds "));
    assert!(after.contains(r#"offcycle_decision_links{state="open"}"#));
    assert_eq!(sample(&after, "offcycle_database_up "), 1.0);
    // Raw paths never become labels (one series per route pattern, whatever is asked).
    app.client.get(app.url("/requests/ECR-2026-9999/plan")).send().await.unwrap();
    let (_, text) = scrape(&app, None).await;
    assert!(!text.contains("ECR-2026-9999"));
    app.stop().await;
});

both_backends!(with_a_token_set_metrics_want_it_even_from_loopback, |url: String, _b| async move {
    let mut config = common::config(&url);
    config.metrics_token = Some("scrape-secret-for-tests".into());
    let app = TestApp::spawn_with(config).await;
    assert_eq!(scrape(&app, None).await.0, 403);
    assert_eq!(scrape(&app, Some("wrong")).await.0, 403);
    let (status, text) = scrape(&app, Some("scrape-secret-for-tests")).await;
    assert_eq!(status, 200);
    assert!(text.contains("offcycle_database_up"));
    app.stop().await;
});

/// `OFFCYCLE_LOG_FORMAT=json`: the server binary logs one JSON object a line, and a line logged
/// while a request is handled carries the id the response's `x-request-id` header gives.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn json_logs_name_the_request_they_belong_to() {
    let db = TestDb::new(Backend::Sqlite).await;
    let port = free_port();
    let log = std::env::temp_dir().join(format!("offcycle-json-log-{}-{port}.txt", std::process::id()));
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_server"))
        .env("DATABASE_URL", &db.url)
        .env("OFFCYCLE_BIND", format!("127.0.0.1:{port}"))
        .env("OFFCYCLE_LOG_FORMAT", "json")
        .env("RUST_LOG", "warn")
        .stdout(std::fs::File::create(&log).unwrap())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("the server binary");
    let base = format!("http://127.0.0.1:{port}");
    let mut up = false;
    for _ in 0..200 {
        if reqwest::get(format!("{base}/healthz")).await.is_ok_and(|r| r.status().is_success()) {
            up = true;
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    assert!(up, "the server answers");
    // A cross-site form post: refused, and logged as a warning while the request is handled.
    let res = reqwest::Client::new()
        .post(format!("{base}/api/sign_in"))
        .header("Origin", "https://evil.example")
        .form(&[("email", "a@b.gov"), ("password", "x")])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 403);
    let id = res.headers()["x-request-id"].to_str().unwrap().to_string();
    assert_eq!(id.len(), 16);
    tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    let _ = child.kill();
    let _ = child.wait();
    let text = std::fs::read_to_string(&log).unwrap();
    let _ = std::fs::remove_file(&log);
    let lines: Vec<serde_json::Value> = text
        .lines()
        .filter(|l| l.starts_with('{'))
        .map(|l| serde_json::from_str(l).expect("every log line is JSON"))
        .collect();
    let refused = lines
        .iter()
        .find(|l| l["fields"]["message"].as_str().is_some_and(|m| m.starts_with("refused a cross-site")))
        .unwrap_or_else(|| panic!("the refusal is logged: {text}"));
    assert_eq!(refused["span"]["id"], id.as_str(), "{refused}");
    assert_eq!(refused["level"], "WARN");
    db.drop_database().await;
}
