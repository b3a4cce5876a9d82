//! Step 5 on SQLite and PostgreSQL: production work on the approved plan, step by step; a
//! failed step → the rollback checklist → rolled back; completion with the dev team's
//! validation and the stakeholder notice; holds; who may do what; the record in the archive.

mod common;
use common::flow::*;
use common::*;
use serde_json::Value;
use std::time::Duration;

async fn approved(app: &TestApp) -> String {
    let r = submitted_to_cors(app).await;
    for cor in ["cor1@example.gov", "cor2@example.gov"] {
        app.sign_in(cor).await;
        ok(app, "decide", &[("reference", &r), ("verdict", "approve")]).await;
        app.call("sign_out", &[]).await;
    }
    r
}

async fn production(app: &TestApp, r: &str) -> Value {
    let res = app.call("production_view", &[("reference", r)]).await;
    assert!(res.status().is_success(), "production_view: {}", res.status());
    res.json().await.unwrap()
}

/// Starts production as the assigned engineer, with the override reason the calendar asks for.
async fn start(app: &TestApp, r: &str) {
    app.sign_in("hosting@example.gov").await;
    let v = production(app, r).await;
    if v["window_warnings"].as_array().is_some_and(|w| !w.is_empty()) {
        // Outside the production window (as on a weekend): a reason is required, at the field.
        let (status, e) = failed(app, "start_production", &[("reference", r)]).await;
        assert_eq!((status, fields(&e)), (422, vec!["override_reason".to_string()]));
    }
    ok(app, "start_production", &[("reference", r), ("override_reason", "Certificate expires tonight")]).await;
}

async fn mark(app: &TestApp, r: &str, step: &str, status: &str, note: &str) -> reqwest::Response {
    app.call("record_step", &[("reference", r), ("step", step), ("status", status), ("note", note)]).await
}

async fn mail(app: &TestApp, r: &str, kind: &str) -> Vec<Value> {
    let all: Value = app.call("dev_mail", &[]).await.json().await.unwrap();
    all.as_array().unwrap().iter().filter(|m| m["reference"] == r && m["kind"] == kind).cloned().collect()
}

async fn archived_copies(app: &TestApp, r: &str, n: usize) -> Value {
    for _ in 0..100 {
        let page: Value = app.call("archive_search", &[("filter[q]", r)]).await.json().await.unwrap();
        let copies = page["rows"][0]["copies"].clone();
        if copies.as_array().is_some_and(|c| c.len() == n && c.iter().all(|c| c["sha256"].is_string())) {
            return copies;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("{r} never got {n} archive copies");
}

both_backends!(approved_to_completed_with_validation_and_the_stakeholder_notice, |url: String, _b| async move {
    let app = TestApp::spawn(&url).await;
    let r = approved(&app).await;
    start(&app, &r).await;
    let v = production(&app, &r).await;
    assert_eq!(v["summary"]["state"], "implementing");
    assert!(v["started_at"].is_string() && v["live"] == true);
    // Steps in order: done before started is refused, with the reason in words.
    let res = mark(&app, &r, "1", "done", "").await;
    assert_eq!(res.status(), 409);
    assert!(res.text().await.unwrap().contains("Start step 1 first"));
    assert!(mark(&app, &r, "1", "started", "").await.status().is_success());
    let res = app.call("finish_production", &[("reference", &r)]).await;
    assert_eq!(res.status(), 409, "not every step is done");
    assert!(mark(&app, &r, "1", "done", "Package installed, service restarted").await.status().is_success());
    let v = production(&app, &r).await;
    assert_eq!(v["progress"]["all_done"], true);
    assert_eq!(v["progress"]["steps"][0]["status"], "Done");
    assert_eq!(v["progress"]["steps"][0]["by"], "Hal Hosting");
    ok(&app, "finish_production", &[("reference", &r)]).await;
    app.call("sign_out", &[]).await;

    // The dev team validates; a note is required.
    app.sign_in("dev@example.gov").await;
    let v = production(&app, &r).await;
    assert_eq!(v["summary"]["state"], "validating_in_production");
    let (status, e) = failed(&app, "validate_production", &[("reference", &r)]).await;
    assert_eq!((status, fields(&e)), (422, vec!["note".to_string()]));
    ok(&app, "validate_production", &[("reference", &r), ("note", "Checked TLS 1.3 handshake and login")]).await;
    let v = production(&app, &r).await;
    assert_eq!(v["summary"]["state"], "completed");
    assert_eq!(v["live"], false);
    app.call("sign_out", &[]).await;

    // The stakeholders and affected teams are told; the final copy is filed with the log.
    app.sign_in("archivist@example.gov").await;
    let copies = archived_copies(&app, &r, 3).await;
    assert_eq!(copies[2]["reason"], "Closed");
    assert_eq!(copies[2]["state"], "Completed");
    let pdf = app.client.get(app.url(&format!("/archive/copies/{}.pdf", copies[2]["id"]))).send().await.unwrap();
    let text = pdftotext(&pdf.bytes().await.unwrap());
    for needle in [
        "Production execution log",
        "Package installed",
        "Hal Hosting",
        "Validated in production",
        "Checked TLS 1.3 handshake",
    ] {
        assert!(text.contains(needle), "{needle:?} missing from the final copy:\n{text}");
    }
    // After closing: the post-deployment review (its own archive copy) and the problem log.
    app.call("sign_out", &[]).await;
    app.sign_in("hosting@example.gov").await;
    let (status, e) =
        failed(&app, "record_post_review", &[("reference", &r), ("fields[verify_error_rates]", "yes")]).await;
    assert_eq!((status, fields(&e)), (422, vec!["lessons".to_string()]));
    ok(
        &app,
        "record_post_review",
        &[
            ("reference", &r),
            ("fields[verify_error_rates]", "yes"),
            ("fields[verify_latency]", "yes"),
            ("lessons", "Pre-pull the image"),
        ],
    )
    .await;
    ok(&app, "log_problem", &[("reference", &r), ("text", "The dashboard lagged by five minutes")]).await;
    ok(&app, "log_problem", &[("reference", &r), ("text", "A cache node restarted")]).await;
    let log: Value = app.call("problem_log", &[]).await.json().await.unwrap();
    assert_eq!(log[0]["reference"], r.as_str());
    assert_eq!(log[0]["text"], "A cache node restarted", "the log across requests is newest first");
    // The request's own page lists its problems oldest first, each with who logged it.
    let v = production(&app, &r).await;
    let problems: Vec<(&str, &str, &str)> = v["problems"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| (p["reference"].as_str().unwrap(), p["text"].as_str().unwrap(), p["by"].as_str().unwrap()))
        .collect();
    assert_eq!(
        problems,
        [
            (r.as_str(), "The dashboard lagged by five minutes", "Hal Hosting"),
            (r.as_str(), "A cache node restarted", "Hal Hosting")
        ]
    );
    app.call("sign_out", &[]).await;
    app.sign_in("archivist@example.gov").await;
    let copies = archived_copies(&app, &r, 4).await;
    assert_eq!(copies[3]["reason"], "Post-deployment review");
    let pdf = app.client.get(app.url(&format!("/archive/copies/{}.pdf", copies[3]["id"]))).send().await.unwrap();
    let text = pdftotext(&pdf.bytes().await.unwrap());
    for needle in
        ["Post-deployment", "✓ Error rates", "✗ The key user journeys", "Lessons learned", "Pre-pull the image"]
    {
        assert!(text.contains(needle), "{needle:?} missing from the review copy:\n{text}");
    }
    let notices = mail(&app, &r, "completed").await;
    assert_eq!(notices.len(), 1, "one completion notice");
    let recipients = notices[0]["to"].to_string() + &notices[0]["cc"].to_string();
    assert!(recipients.contains("isso@example.gov"), "the ISSO is copied on a security-related change: {recipients}");
    assert!(notices[0]["body"].as_str().unwrap_or_default().contains("Checked TLS 1.3 handshake"), "{}", notices[0]);
    app.stop().await;
});

both_backends!(a_failed_step_runs_the_rollback_checklist_and_ends_rolled_back, |url: String, _b| async move {
    let app = TestApp::spawn(&url).await;
    let r = approved(&app).await;
    start(&app, &r).await;
    assert!(mark(&app, &r, "1", "started", "").await.status().is_success());
    // Partway through, the step that went wrong is marked failed before the change can end.
    let (status, e) = failed(&app, "confirm_rollback", &[("reference", &r), ("reason", "The window closed")]).await;
    assert_eq!((status, fields(&e)), (422, vec!["reason".to_string()]));
    let (status, e) = failed(&app, "record_step", &[("reference", &r), ("step", "1"), ("status", "failed")]).await;
    assert_eq!((status, fields(&e)), (422, vec!["failed_note".to_string()]), "a failure needs a note");
    assert!(mark(&app, &r, "1", "failed", "Service did not come back: missing libssl").await.status().is_success());
    let v = production(&app, &r).await;
    assert_eq!(v["progress"]["failed"], true);
    assert_eq!(v["progress"]["rollback"][0]["step"], 1);
    assert_eq!(v["progress"]["rollback"][0]["action"], "kubectl rollout undo deploy/portal");
    // The rollback checklist first; then a reason.
    let (status, e) = failed(&app, "confirm_rollback", &[("reference", &r), ("reason", "libssl missing")]).await;
    assert_eq!((status, fields(&e)), (422, vec!["reason".to_string()]));
    let res = app
        .call(
            "record_step",
            &[("reference", &r), ("step", "1"), ("rollback", "true"), ("status", "done"), ("note", "Old package back")],
        )
        .await;
    assert!(res.status().is_success());
    let (status, e) = failed(&app, "confirm_rollback", &[("reference", &r)]).await;
    assert_eq!((status, fields(&e)), (422, vec!["reason".to_string()]));
    ok(&app, "confirm_rollback", &[("reference", &r), ("reason", "libssl missing on the hosts")]).await;
    let v = production(&app, &r).await;
    assert_eq!(v["summary"]["state"], "rolled_back");
    assert_eq!(v["closing_note"], "libssl missing on the hosts");
    let times: Vec<&Value> = v["progress"]["steps"]
        .as_array()
        .unwrap()
        .iter()
        .chain(v["progress"]["rollback"].as_array().unwrap())
        .collect();
    assert!(
        times.iter().all(|s| s["started_at"].is_string() && s["finished_at"].is_string()),
        "every time is recorded: {v}"
    );
    assert_eq!(mail(&app, &r, "rolled_back").await.len(), 1, "stakeholders are told");
    app.call("sign_out", &[]).await;
    app.sign_in("archivist@example.gov").await;
    let copies = archived_copies(&app, &r, 3).await;
    let pdf = app.client.get(app.url(&format!("/archive/copies/{}.pdf", copies[2]["id"]))).send().await.unwrap();
    let text = pdftotext(&pdf.bytes().await.unwrap());
    for needle in [
        "Rolled back",
        "Undo: kubectl rollout",
        "Service did not",
        "Why it was rolled back",
        "libssl missing on the hosts",
    ] {
        assert!(text.contains(needle), "{needle:?} missing from the final copy:\n{text}");
    }
    app.stop().await;
});

both_backends!(
    production_cannot_start_on_hold_unapproved_or_by_anyone_but_the_engineer,
    |url: String, _b| async move {
        let app = TestApp::spawn(&url).await;
        // Not approved yet: refused.
        let r = submitted_to_cors(&app).await;
        app.sign_in("hosting@example.gov").await;
        let res = app.call("start_production", &[("reference", &r), ("override_reason", "now")]).await;
        assert_eq!(res.status(), 409, "not approved");
        app.call("sign_out", &[]).await;
        for cor in ["cor1@example.gov", "cor2@example.gov"] {
            app.sign_in(cor).await;
            ok(&app, "decide", &[("reference", &r), ("verdict", "approve")]).await;
            app.call("sign_out", &[]).await;
        }
        // The dev team may not start it; they raise a hold.
        app.sign_in("dev@example.gov").await;
        let res = app.call("start_production", &[("reference", &r), ("override_reason", "now")]).await;
        assert_eq!(res.status(), 403);
        let (status, e) = failed(&app, "raise_hold", &[("reference", &r)]).await;
        assert_eq!((status, fields(&e)), (422, vec!["hold_reason".to_string()]));
        ok(&app, "raise_hold", &[("reference", &r), ("reason", "Marketing launch at noon")]).await;
        app.call("sign_out", &[]).await;
        app.sign_in("hosting@example.gov").await;
        let res = app.call("start_production", &[("reference", &r), ("override_reason", "now")]).await;
        assert_eq!(res.status(), 409);
        assert!(res.text().await.unwrap().contains("on hold"));
        assert_eq!(production(&app, &r).await["hold"], "Marketing launch at noon");
        // The page offers what the hold allows: lifting it, not raising a second.
        let offers = |page: &str| (page.contains(">Lift the hold<"), page.contains(">Raise a hold<"));
        let (_, page) = app.get_text(&format!("/requests/{r}/production")).await;
        assert_eq!(offers(&page), (true, false), "on hold");
        app.call("sign_out", &[]).await;
        // Whoever raised it lifts it; then the engineer starts.
        app.sign_in("dev@example.gov").await;
        ok(&app, "lift_hold", &[("reference", &r)]).await;
        let (_, page) = app.get_text(&format!("/requests/{r}/production")).await;
        assert_eq!(offers(&page), (false, true), "lifted");
        app.call("sign_out", &[]).await;
        start(&app, &r).await;
        assert_eq!(production(&app, &r).await["summary"]["state"], "implementing");
        // Another dev team cannot even see it.
        app.call("sign_out", &[]).await;
        add_other_team_dev(&url).await;
        app.sign_in("otto@example.gov").await;
        assert_eq!(app.call("production_view", &[("reference", &r)]).await.status(), 404);
        assert_eq!(
            app.call("record_step", &[("reference", &r), ("step", "1"), ("status", "started")]).await.status(),
            404
        );
        app.stop().await;
    }
);
