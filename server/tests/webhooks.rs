//! Outgoing webhooks, on SQLite and PostgreSQL: a local HTTP receiver gets each event once,
//! signed with HMAC-SHA256, after an outage of the receiver too.

mod common;
use common::flow::*;
use common::*;
use serde_json::Value;
use std::sync::{Arc, Mutex};
use std::time::Duration;

type Received = Arc<Mutex<Vec<(String, String, String, String)>>>;

/// A receiver on `port` that records (delivery id, event, signature, body).
async fn receiver(port: u16, got: Received) -> tokio::task::JoinHandle<()> {
    use axum::{routing::post, Router};
    let app = Router::new().route(
        "/hook",
        post(move |headers: axum::http::HeaderMap, body: String| {
            let got = got.clone();
            async move {
                let h = |k: &str| headers.get(k).and_then(|v| v.to_str().ok()).unwrap_or_default().to_string();
                got.lock().unwrap().push((
                    h("x-offcycle-delivery"),
                    h("x-offcycle-event"),
                    h("x-offcycle-signature"),
                    body,
                ));
                "ok"
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", port)).await.unwrap();
    tokio::spawn(async move {
        axum::serve(listener, app).await.unwrap();
    })
}

both_backends!(each_event_reaches_the_receiver_once_signed_even_after_an_outage, |url: String, _b| async move {
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let app = TestApp::spawn(&url).await;
    let admin = common::client();
    app.sign_in_as(&admin, "admin@example.gov").await;
    let hook = format!("http://127.0.0.1:{port}/hook");
    let res = app.call_as(&admin, "add_webhook", &[("url", "ftp://nope"), ("events", "*")]).await;
    assert_eq!(res.status(), 422);
    let res = app.call_as(&admin, "add_webhook", &[("url", &hook), ("events", "approved,nonsense")]).await;
    assert_eq!(res.status(), 422, "unknown events are refused at the field");
    let res = app
        .call_as(&admin, "add_webhook", &[("url", &hook), ("events", "submitted_for_review, returned_to_dev")])
        .await;
    assert!(res.status().is_success());
    let secret: String = res.json().await.unwrap();

    // The receiver is down while the events happen.
    let r = submitted_for_review(&app).await;
    app.sign_in("hosting@example.gov").await;
    ok(&app, "return_to_dev", &[("reference", &r), ("comments", "Add the CVE")]).await;
    tokio::time::sleep(Duration::from_millis(1200)).await;
    let history: Value = app.call_as(&admin, "webhooks", &[]).await.json().await.unwrap();
    let failing = history["deliveries"].as_array().unwrap();
    assert_eq!(failing.len(), 2);
    assert!(
        failing.iter().all(|d| d["last_error"].as_str().is_some_and(|e| e.contains("could not reach"))),
        "{history}"
    );

    // Up again: each delivered exactly once, signed.
    let got: Received = Arc::default();
    let server = receiver(port, got.clone()).await;
    for _ in 0..100 {
        if got.lock().unwrap().len() >= 2 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    tokio::time::sleep(Duration::from_millis(1500)).await;
    let got = got.lock().unwrap().clone();
    assert_eq!(got.len(), 2, "each event once: {got:?}");
    let events: Vec<&str> = got.iter().map(|g| g.1.as_str()).collect();
    assert_eq!(events, ["submitted_for_review", "returned_to_dev"]);
    for (delivery, _, signature, body) in &got {
        assert!(!delivery.is_empty());
        assert_eq!(signature, &format!("sha256={}", server::mail::sign(&secret, body.as_bytes())), "a valid signature");
        let json: Value = serde_json::from_str(body).unwrap();
        assert_eq!(json["reference"], r.as_str());
    }
    assert_ne!(got[0].2, format!("sha256={}", server::mail::sign("wrong secret", got[0].3.as_bytes())));
    server.abort();
    app.stop().await;
});

both_backends!(a_receiver_that_never_answers_does_not_hold_up_mail, |url: String, _b| async move {
    // A receiver that takes the connection and never answers: each delivery waits out the
    // client's 10-second timeout.
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let hang = tokio::spawn(async move {
        let mut held = Vec::new();
        while let Ok((socket, _)) = listener.accept().await {
            held.push(socket);
        }
    });
    let app = TestApp::spawn(&url).await;
    let admin = common::client();
    app.sign_in_as(&admin, "admin@example.gov").await;
    let hook = format!("http://127.0.0.1:{port}/hook");
    let res = app.call_as(&admin, "add_webhook", &[("url", &hook), ("events", "*")]).await;
    assert!(res.status().is_success());
    let r = submitted_for_review(&app).await;
    // The first event's delivery is hanging by now; the next event's mail must still go.
    tokio::time::sleep(Duration::from_millis(500)).await;
    app.sign_in("hosting@example.gov").await;
    ok(&app, "return_to_dev", &[("reference", &r), ("comments", "Add the CVE")]).await;
    let started = std::time::Instant::now();
    let mut delivered = false;
    while started.elapsed() < Duration::from_secs(5) {
        let mail: Value = app.call_as(&admin, "dev_mail", &[]).await.json().await.unwrap();
        delivered = mail.as_array().unwrap().iter().any(|m| m["kind"] == "returned_to_dev" && !m["sent_at"].is_null());
        if delivered {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(delivered, "the returned-to-dev mail waited for the hanging receiver");
    app.stop().await;
    hang.abort();
});

both_backends!(receivers_must_be_public_https_unless_the_operator_allows_private_ones, |url: String, _b| async move {
    let mut config = common::config(&url);
    config.webhooks_allow_private = false;
    let app = TestApp::spawn_with(config).await;
    let admin = common::client();
    app.sign_in_as(&admin, "admin@example.gov").await;
    for bad in [
        "http://hooks.example.gov/x",
        "https://127.0.0.1:9/hook",
        "https://localhost/hook",
        "https://[::1]/hook",
        "https://169.254.169.254/latest/meta-data",
        "https://10.0.0.8/hook",
    ] {
        let res = app.call_as(&admin, "add_webhook", &[("url", bad), ("events", "*")]).await;
        assert_eq!(res.status(), 422, "{bad}");
        let e: Value = res.json().await.unwrap();
        assert_eq!(e["Invalid"]["errors"][0]["field"], "url", "{bad}: {e}");
    }
    // A receiver stored while private ones were allowed is refused at delivery all the same.
    let store = server::store::Store::new(server::store::Db::open(&url).await.unwrap());
    let people: &dyn app::ports::Webhooks = &store;
    let me = app.call_as(&admin, "whoami", &[]).await.json::<app::api::types::SessionUser>().await.unwrap();
    people
        .add_webhook(
            &app::domain::webhook::NewWebhook {
                url: "https://127.0.0.1:9/secret-path".into(),
                team_id: None,
                events: "*".into(),
                slack: false,
            },
            &app::ports::Acting::new(&me, "test", chrono::Utc::now()),
        )
        .await
        .unwrap();
    let _ = submitted_for_review(&app).await;
    let mut errors = Vec::new();
    for _ in 0..100 {
        let history: Value = app.call_as(&admin, "webhooks", &[]).await.json().await.unwrap();
        errors = history["deliveries"]
            .as_array()
            .unwrap()
            .iter()
            .filter_map(|d| d["last_error"].as_str().map(str::to_string))
            .collect();
        if !errors.is_empty() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(!errors.is_empty(), "the delivery was tried");
    assert!(
        errors
            .iter()
            .all(|e| e.starts_with("not sent to https://127.0.0.1/…: The receiver must be on the public internet")),
        "refused, and the path (often a secret) never shown: {errors:?}"
    );
    app.stop().await;
});
