//! The dev-team wizard through its server functions, over HTTP, on SQLite and PostgreSQL:
//! every step, who may take it, and what bad input gets back.

mod common;
use app::domain::roles::Role;
use common::*;
use serde_json::Value;
use server::store::{Db, Store};

/// Adds a developer of another team, to check that teams cannot act on each other's requests.
async fn add_other_team_dev(url: &str) {
    let store = Store::new(Db::open(url).await.unwrap());
    let team = store.ensure_team("Other team").await.unwrap();
    let hash = server::auth::hash_password(DEMO_PASSWORD).unwrap();
    store.ensure_user("otto@example.gov", "Otto Other", Role::DevTeamMember, Some(team), Some(&hash), 0).await.unwrap();
}

async fn start(app: &TestApp, title: &str) -> String {
    let res = app.call("start_request", &[("title", title), ("system", "Grants portal")]).await;
    let location = res.headers()["location"].to_str().unwrap().to_string();
    assert!(location.ends_with("/triage"), "a new request opens at triage: {location}");
    location.trim_start_matches("/requests/").trim_end_matches("/triage").to_string()
}

async fn view(app: &TestApp, reference: &str) -> Value {
    let res = app.call("get_request_view", &[("reference", reference)]).await;
    assert_eq!(res.status(), 200, "view of {reference}");
    res.json().await.unwrap()
}

async fn ok(app: &TestApp, name: &str, form: &[(&str, &str)]) -> String {
    let res = app.call(name, form).await;
    let status = res.status();
    let location = res.headers().get("location").map(|v| v.to_str().unwrap().to_string());
    assert!(status.is_success(), "{name}: {status} {}", res.text().await.unwrap());
    location.unwrap_or_default()
}

async fn failed(app: &TestApp, name: &str, form: &[(&str, &str)]) -> (u16, Value) {
    let res = app.call(name, form).await;
    let status = res.status().as_u16();
    (status, res.json().await.unwrap_or(Value::Null))
}

fn fields(errors: &Value) -> Vec<String> {
    errors["Invalid"]["errors"].as_array().unwrap().iter().map(|e| e["field"].as_str().unwrap().to_string()).collect()
}

const EMERGENCY: &[(&str, &str)] = &[
    ("active_incident", "yes"),
    ("users_cannot_access", "no"),
    ("performance_degraded", "no"),
    ("security_or_quality_need", "yes"),
];

fn step<'a>(reference: &'a str, base: &'a str) -> Vec<(&'a str, &'a str)> {
    vec![
        ("reference", reference),
        ("base_version", base),
        ("step[action]", "Deploy the patched image"),
        ("step[commands]", "kubectl set image deploy/portal portal=portal:2.4.1"),
        ("step[owner]", "Hosting"),
        ("step[expected_result]", "All pods ready"),
        ("step[verification]", "curl https://portal/healthz"),
        ("step[rollback]", "kubectl rollout undo deploy/portal"),
        ("step[estimated_minutes]", "15"),
    ]
}

fn section(reference: &str, name: &str, fields: &[(&str, &str)]) -> Vec<(String, String)> {
    let mut v = vec![("reference".to_string(), reference.to_string()), ("section".to_string(), name.to_string())];
    v.push(("intent".into(), "continue".into()));
    for (k, val) in fields {
        v.push((format!("fields[{k}]"), val.to_string()));
    }
    v
}

async fn save_section(app: &TestApp, reference: &str, name: &str, f: &[(&str, &str)]) -> reqwest::Response {
    let form = section(reference, name, f);
    let pairs: Vec<(&str, &str)> = form.iter().map(|(a, b)| (a.as_str(), b.as_str())).collect();
    app.call("save_form_section", &pairs).await
}

/// Fills every CR form section with valid answers (start on a Tuesday inside the window).
async fn complete_form(app: &TestApp, r: &str) {
    let sections: [(&str, Vec<(&str, &str)>); 5] = [
        (
            "details",
            vec![
                ("title", "Patch OpenSSL 3.0.15"),
                ("services", "Grants portal web and API"),
                ("environment", "Production"),
                ("artifact", "portal:2.4.1"),
                ("pipeline_url", "https://ci.example.gov/runs/981"),
                ("description", "Patch OpenSSL"),
            ],
        ),
        (
            "justification",
            vec![
                ("justification", "Exploited in the wild"),
                ("incident_reference", "INC-42"),
                ("security_related", "yes"),
                ("security_reason", "CVE-2026-0001"),
                ("impact", "Rolling restart"),
                ("risk_level", "medium"),
            ],
        ),
        ("deployment", vec![("strategy", "blue_green"), ("rollback_plan", "Switch traffic back to blue")]),
        (
            "schedule",
            vec![
                ("planned_date", "2030-01-08"),
                ("planned_time", "10:00"),
                ("duration_minutes", "30"),
                ("override_reason", ""),
            ],
        ),
        (
            "checklist",
            vec![
                ("check_ci_passed", "yes"),
                ("check_staging_validated", "yes"),
                ("check_rollback_tested", "yes"),
                ("check_migrations_compatible", "yes"),
                ("check_monitoring_ready", "yes"),
                ("check_on_call_available", "yes"),
                ("on_call", "Dana 555-0100"),
                ("affected_teams", "Grants Portal team"),
                ("stakeholders", "owner@example.gov"),
            ],
        ),
    ];
    for (name, f) in sections {
        let res = save_section(app, r, name, &f).await;
        assert!(res.status().is_success(), "{name}: {}", res.text().await.unwrap());
    }
}

both_backends!(a_dev_team_member_completes_an_emergency_request_end_to_end, |url: String, _b| async move {
    let app = TestApp::spawn(&url).await;
    app.sign_in("dev@example.gov").await;
    let r = start(&app, "Patch OpenSSL").await;

    assert!(ok(&app, "answer_triage", &[&[("reference", r.as_str())], EMERGENCY].concat()).await.ends_with(&r));
    let v = view(&app, &r).await;
    assert_eq!(v["state"], "Planning");

    let loc = ok(&app, "save_plan_step", &step(&r, "0")).await;
    assert!(loc.ends_with("/plan"));
    assert_eq!(view(&app, &r).await["plan_version"], 1);
    ok(&app, "complete_plan", &[("reference", &r)]).await;
    ok(&app, "request_hosting_help", &[("reference", &r)]).await;
    ok(&app, "save_staging_notes", &[("reference", &r), ("notes", "Deployed portal:2.4.1 to staging")]).await;
    for role in ["qa", "testers", "dev", "product"] {
        ok(
            &app,
            "sign_off_staging",
            &[("reference", &r), ("role", role), ("evidence", "https://ci.example.gov/runs/982")],
        )
        .await;
    }
    assert!(ok(&app, "complete_staging", &[("reference", &r)]).await.ends_with("/form/details"));
    complete_form(&app, &r).await;
    let v = view(&app, &r).await;
    assert!(v["tasks"].as_array().unwrap().iter().take(8).all(|t| t["status"] == "Completed"), "{}", v["tasks"]);
    assert_eq!(v["summary"]["title"], "Patch OpenSSL 3.0.15", "the form can rename the request");
    let res = save_section(
        &app,
        &r,
        "details",
        &[
            ("title", ""),
            ("services", "x"),
            ("environment", "x"),
            ("artifact", "x"),
            ("pipeline_url", "https://ci/1"),
            ("description", "x"),
        ],
    )
    .await;
    let e: Value = res.json().await.unwrap();
    assert_eq!(fields(&e), ["title"], "an empty title is refused at its field");
    assert_eq!(view(&app, &r).await["summary"]["title"], "Patch OpenSSL 3.0.15", "and does not replace the title");
    save_section(
        &app,
        &r,
        "details",
        &[
            ("title", "Patch OpenSSL 3.0.15"),
            ("services", "Grants portal web and API"),
            ("environment", "Production"),
            ("artifact", "portal:2.4.1"),
            ("pipeline_url", "https://ci.example.gov/runs/981"),
            ("description", "Patch OpenSSL"),
        ],
    )
    .await;

    assert!(ok(&app, "submit_for_review", &[("reference", &r)]).await.ends_with("/submitted"));
    let v = view(&app, &r).await;
    assert_eq!(v["state"], "HostingReview");
    assert!(
        v["submit_notices"].as_array().unwrap().iter().any(|n| n["who"] == "The ISSO"),
        "security-related: ISSO copied"
    );

    // The hosting team is told through the outbox, and the queue shows the request.
    let mail: Value = app.call("dev_mail", &[]).await.json().await.unwrap();
    let kinds: Vec<&str> = mail.as_array().unwrap().iter().map(|m| m["kind"].as_str().unwrap()).collect();
    for kind in ["emergency_started", "assistance_requested", "submitted_for_review"] {
        assert!(kinds.contains(&kind), "{kind} in {kinds:?}");
    }
    let submitted = mail.as_array().unwrap().iter().find(|m| m["kind"] == "submitted_for_review").unwrap();
    assert_eq!(submitted["to"], serde_json::json!(["hosting@example.gov", "lead@example.gov"]));
    assert!(submitted["cc"].as_array().unwrap().contains(&serde_json::json!("isso@example.gov")));
    assert!(submitted["subject"]
        .as_str()
        .unwrap()
        .starts_with("Grants portal - Production - Emergency Change Request - "));
    assert!(submitted["body"].as_str().unwrap().contains(&format!("/requests/{r}")));

    app.call("sign_out", &[]).await;
    app.sign_in("hosting@example.gov").await;
    let queue = app.call("hosting_queue", &[]).await.text().await.unwrap();
    assert!(queue.contains(&r), "{queue}");
    app.stop().await;
});

both_backends!(triage_with_nothing_urgent_makes_a_regular_change_and_tells_hosting, |url: String, _b| async move {
    let app = TestApp::spawn(&url).await;
    app.sign_in("dev@example.gov").await;
    let r = start(&app, "Upgrade a library").await;
    let no = [
        ("reference", r.as_str()),
        ("active_incident", "no"),
        ("users_cannot_access", "no"),
        ("performance_degraded", "no"),
        ("security_or_quality_need", "no"),
    ];
    assert!(ok(&app, "answer_triage", &no).await.ends_with("/regular"));
    let v = view(&app, &r).await;
    assert_eq!(v["state"], "RegularChange");
    assert!(v["queued_window"].is_string(), "queued for the next window");
    let mail = app.call("dev_mail", &[]).await.text().await.unwrap();
    assert!(mail.contains("regular_change_queued"));
    app.stop().await;
});

both_backends!(production_down_goes_straight_to_hosting_on_the_fast_path, |url: String, _b| async move {
    let app = TestApp::spawn(&url).await;
    app.sign_in("dev@example.gov").await;
    let r = start(&app, "Portal is down").await;
    let down = [
        ("reference", r.as_str()),
        ("active_incident", "yes"),
        ("users_cannot_access", "yes"),
        ("performance_degraded", "no"),
        ("security_or_quality_need", "no"),
    ];
    ok(&app, "answer_triage", &down).await;
    let v = view(&app, &r).await;
    assert_eq!((v["state"].as_str(), v["fast_path"].as_bool()), (Some("HostingReview"), Some(true)));
    // The dev team can still write the plan while hosting has it.
    ok(&app, "save_plan_step", &step(&r, "0")).await;
    app.stop().await;
});

both_backends!(bad_input_on_every_step_gets_field_errors_and_drafts_are_kept, |url: String, _b| async move {
    let app = TestApp::spawn(&url).await;
    app.sign_in("dev@example.gov").await;
    let r = start(&app, "Patch").await;

    let (status, e) = failed(&app, "answer_triage", &[("reference", &r), ("active_incident", "yes")]).await;
    assert_eq!(status, 422);
    assert_eq!(fields(&e), ["users_cannot_access", "performance_degraded", "security_or_quality_need"]);
    ok(&app, "answer_triage", &[&[("reference", r.as_str())], EMERGENCY].concat()).await;

    let mut bad = step(&r, "0");
    bad.retain(|(k, _)| *k != "step[rollback]");
    bad.push(("step[rollback]", " "));
    bad.retain(|(k, _)| *k != "step[estimated_minutes]");
    bad.push(("step[estimated_minutes]", "a while"));
    let (status, e) = failed(&app, "save_plan_step", &bad).await;
    assert_eq!(status, 422);
    assert_eq!(fields(&e), ["rollback", "estimated_minutes"]);
    assert_eq!(e["Invalid"]["values"][0][1], "Deploy the patched image", "typed values come back");

    ok(&app, "save_plan_step", &step(&r, "0")).await;
    ok(&app, "complete_plan", &[("reference", &r)]).await;
    let (status, e) = failed(&app, "sign_off_staging", &[("reference", &r), ("role", "ceo"), ("evidence", "")]).await;
    assert_eq!(status, 422);
    assert_eq!(fields(&e), ["role", "evidence"]);

    // A section with problems is saved anyway, then reported.
    let res = save_section(
        &app,
        &r,
        "deployment",
        &[("strategy", "canary"), ("canary_steps", "50, 5"), ("rollback_plan", "")],
    )
    .await;
    assert_eq!(res.status(), 422);
    let e: Value = res.json().await.unwrap();
    assert_eq!(fields(&e), ["canary_steps", "rollback_plan"]);
    let v = view(&app, &r).await;
    assert_eq!((v["form"]["strategy"].as_str(), v["form"]["canary_steps"].as_str()), (Some("canary"), Some("50, 5")));

    let res = save_section(
        &app,
        &r,
        "schedule",
        &[("planned_date", "2030-01-11"), ("planned_time", "10:00"), ("duration_minutes", "30")],
    )
    .await;
    let e: Value = res.json().await.unwrap();
    assert_eq!(fields(&e), ["override_reason"], "a Friday needs a reason");
    assert!(e["Invalid"]["errors"][0]["message"].as_str().unwrap().contains("Friday"));
    app.stop().await;
});

both_backends!(a_plan_saved_from_an_old_version_is_a_conflict_not_an_overwrite, |url: String, _b| async move {
    let app = TestApp::spawn(&url).await;
    app.sign_in("dev@example.gov").await;
    let r = start(&app, "Patch").await;
    ok(&app, "answer_triage", &[&[("reference", r.as_str())], EMERGENCY].concat()).await;
    ok(&app, "save_plan_step", &step(&r, "0")).await;
    let (status, e) = failed(&app, "save_plan_step", &step(&r, "0")).await;
    assert_eq!(status, 409);
    assert_eq!(e, serde_json::json!("Conflict"));
    assert_eq!(view(&app, &r).await["plan"]["steps"].as_array().unwrap().len(), 1);
    // Reordering and deleting are plain forms too.
    let mut second = step(&r, "1");
    second.retain(|(k, _)| *k != "step[action]");
    second.push(("step[action]", "Verify the portal"));
    ok(&app, "save_plan_step", &second).await;
    ok(&app, "change_plan_step", &[("reference", &r), ("base_version", "2"), ("index", "2"), ("command", "up")]).await;
    assert_eq!(view(&app, &r).await["plan"]["steps"][0]["action"], "Verify the portal");
    ok(&app, "change_plan_step", &[("reference", &r), ("base_version", "3"), ("index", "1"), ("command", "delete")])
        .await;
    let v = view(&app, &r).await;
    assert_eq!(v["plan"]["steps"].as_array().unwrap().len(), 1);
    assert_eq!(v["plan"]["steps"][0]["action"], "Deploy the patched image");
    assert_eq!(v["plan_version"], 4, "every change is a new version");
    app.stop().await;
});

both_backends!(only_the_requesting_team_may_act_and_other_teams_cannot_even_see_it, |url: String, _b| async move {
    add_other_team_dev(&url).await;
    let app = TestApp::spawn(&url).await;
    app.sign_in("dev@example.gov").await;
    let r = start(&app, "Patch").await;
    app.call("sign_out", &[]).await;

    // Every wizard server function, with valid input, by people who may not use it.
    let plan_step = step(&r, "0");
    let calls: Vec<(&str, Vec<(&str, &str)>)> = vec![
        ("answer_triage", [&[("reference", r.as_str())], EMERGENCY].concat()),
        ("save_plan_step", plan_step.clone()),
        ("change_plan_step", vec![("reference", &r), ("base_version", "0"), ("index", "1"), ("command", "delete")]),
        ("complete_plan", vec![("reference", &r)]),
        ("save_staging_notes", vec![("reference", &r), ("notes", "x")]),
        ("request_hosting_help", vec![("reference", &r)]),
        ("sign_off_staging", vec![("reference", &r), ("role", "qa"), ("evidence", "x")]),
        ("complete_staging", vec![("reference", &r)]),
        ("save_form_section", vec![("reference", &r), ("section", "details"), ("intent", "later")]),
        ("submit_for_review", vec![("reference", &r)]),
    ];
    app.sign_in("otto@example.gov").await;
    let (status, _) = failed(&app, "get_request_view", &[("reference", &r)]).await;
    assert_eq!(status, 404, "another team's request is not even visible");
    for (name, form) in &calls {
        let (status, _) = failed(&app, name, form).await;
        assert_eq!(status, 404, "{name} by another team");
    }
    app.call("sign_out", &[]).await;
    app.sign_in("cor1@example.gov").await;
    for (name, form) in &calls {
        let (status, _) = failed(&app, name, form).await;
        assert!(status == 403 || status == 409, "{name} by a COR: {status}");
        assert_ne!(status, 200);
    }
    app.call("sign_out", &[]).await;
    for (name, form) in &calls {
        let (status, _) = failed(&app, name, form).await;
        assert_eq!(status, 401, "{name} signed out");
    }
    let v = {
        app.sign_in("dev@example.gov").await;
        let v = view(&app, &r).await;
        app.call("sign_out", &[]).await;
        v
    };
    assert_eq!((v["state"].as_str(), v["plan_version"].as_i64()), (Some("Triage"), Some(0)), "nothing changed");

    for (who, may) in [
        ("cor1@example.gov", serde_json::json!(["RaiseHold"])),
        ("isso@example.gov", serde_json::json!(["RaiseHold"])),
        ("archivist@example.gov", serde_json::json!([])),
    ] {
        app.sign_in(who).await;
        assert_eq!(view(&app, &r).await["available"], may, "{who} reads; at most raises a hold");
        let (status, _) = failed(&app, "answer_triage", &[&[("reference", r.as_str())], EMERGENCY].concat()).await;
        assert_eq!(status, 403, "{who}");
        app.call("sign_out", &[]).await;
    }
    let (status, _) = failed(&app, "get_request_view", &[("reference", &r)]).await;
    assert_eq!(status, 401);
    let (status, _) = failed(&app, "hosting_queue", &[]).await;
    assert_eq!(status, 401);
    app.sign_in("dev@example.gov").await;
    let (status, _) = failed(&app, "hosting_queue", &[]).await;
    assert_eq!(status, 403, "the queue is for hosting");
    app.stop().await;
});

async fn upload(app: &TestApp, reference: &str, name: &str, bytes: Vec<u8>) -> String {
    let part = reqwest::multipart::Part::bytes(bytes).file_name(name.to_string());
    let res = app
        .client
        .post(app.url(&format!("/requests/{reference}/attachments")))
        .header("Sec-Fetch-Site", "same-origin")
        .multipart(reqwest::multipart::Form::new().part("file", part))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 303, "uploads answer with a redirect back to staging");
    res.headers()["location"].to_str().unwrap().to_string()
}

both_backends!(
    staging_evidence_files_are_checked_stored_with_their_checksum_and_downloaded,
    |url: String, _b| async move {
        add_other_team_dev(&url).await;
        let app = TestApp::spawn(&url).await;
        app.sign_in("dev@example.gov").await;
        let r = start(&app, "Patch").await;
        ok(&app, "answer_triage", &[&[("reference", r.as_str())], EMERGENCY].concat()).await;
        ok(&app, "save_plan_step", &step(&r, "0")).await;
        ok(&app, "complete_plan", &[("reference", &r)]).await;

        let pdf = b"%PDF-1.7\n% staging run 982\n".to_vec();
        let loc = upload(&app, &r, "C:\\evidence\\run \"982\".pdf", pdf.clone()).await;
        assert!(loc.ends_with("/staging#attachments"), "{loc}");
        let v = view(&app, &r).await;
        let a = &v["attachments"][0];
        assert_eq!(a["file_name"], "run 982.pdf", "path and quotes removed");
        let expected = {
            use sha2::Digest;
            hex::encode(sha2::Sha256::digest(&pdf))
        };
        assert_eq!(a["sha256"], expected.as_str());
        let id = a["id"].as_i64().unwrap();
        let res = app.client.get(app.url(&format!("/requests/{r}/attachments/{id}"))).send().await.unwrap();
        assert_eq!(res.status(), 200);
        assert_eq!(res.headers()["content-type"], "application/pdf");
        assert_eq!(res.headers()["content-disposition"], "attachment; filename=\"run 982.pdf\"");
        assert_eq!(res.bytes().await.unwrap().to_vec(), pdf);

        assert!(upload(&app, &r, "report.pdf", b"<script>alert(1)</script>".to_vec())
            .await
            .ends_with("upload_error=mismatch#field-file"));
        assert!(upload(&app, &r, "tool.exe", b"MZ".to_vec()).await.contains("upload_error=wrong_type"));
        assert!(upload(&app, &r, "big.log", vec![b'a'; 10 * 1024 * 1024 + 1]).await.contains("upload_error=too_large"));
        assert_eq!(view(&app, &r).await["attachments"].as_array().unwrap().len(), 1, "refused files are not stored");
        app.call("sign_out", &[]).await;

        app.sign_in("otto@example.gov").await;
        let res = app.client.get(app.url(&format!("/requests/{r}/attachments/{id}"))).send().await.unwrap();
        assert_eq!(res.status(), 404, "another team cannot download");
        let part = reqwest::multipart::Part::bytes(b"x".to_vec()).file_name("a.txt");
        let res = app
            .client
            .post(app.url(&format!("/requests/{r}/attachments")))
            .multipart(reqwest::multipart::Form::new().part("file", part))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 404, "nor upload");
        app.stop().await;
    }
);

/// A request submitted for hosting review by the demo dev; returns its reference.
async fn submitted_for_review(app: &TestApp) -> String {
    app.sign_in("dev@example.gov").await;
    let r = start(app, "Patch OpenSSL").await;
    ok(app, "answer_triage", &[&[("reference", r.as_str())], EMERGENCY].concat()).await;
    ok(app, "save_plan_step", &step(&r, "0")).await;
    ok(app, "complete_plan", &[("reference", &r)]).await;
    for role in ["qa", "testers", "dev", "product"] {
        ok(app, "sign_off_staging", &[("reference", &r), ("role", role), ("evidence", "run 982")]).await;
    }
    ok(app, "complete_staging", &[("reference", &r)]).await;
    complete_form(app, &r).await;
    ok(app, "submit_for_review", &[("reference", &r)]).await;
    app.call("sign_out", &[]).await;
    r
}

both_backends!(
    hosting_reviews_returns_once_and_submits_to_the_cors_with_the_previewed_recipients,
    |url: String, _b| async move {
        let app = TestApp::spawn(&url).await;
        let r = submitted_for_review(&app).await;

        // The dev team cannot do hosting's part.
        app.sign_in("dev@example.gov").await;
        for (name, form) in [
            ("assign_to_me", vec![("reference", r.as_str())]),
            ("record_risk_review", vec![("reference", r.as_str()), ("security_related", "no"), ("reason", "x")]),
            ("return_to_dev", vec![("reference", r.as_str()), ("comments", "x")]),
            ("submit_to_cors", vec![("reference", r.as_str())]),
        ] {
            let (status, _) = failed(&app, name, &form).await;
            assert_eq!(status, 403, "{name} by the dev team");
        }
        app.call("sign_out", &[]).await;

        app.sign_in("hosting@example.gov").await;
        ok(&app, "assign_to_me", &[("reference", &r)]).await;
        let v = view(&app, &r).await;
        assert_eq!((v["assigned_name"].as_str(), v["assigned_to_me"].as_bool()), (Some("Hal Hosting"), Some(true)));

        let (status, e) = failed(&app, "submit_to_cors", &[("reference", &r)]).await;
        assert_eq!(status, 409, "the risk review comes first: {e}");
        let (status, e) = failed(&app, "record_risk_review", &[("reference", &r), ("fields[risk_auth]", "yes")]).await;
        assert_eq!(status, 422);
        assert_eq!(fields(&e), ["notes", "security_related", "reason"]);
        ok(
            &app,
            "record_risk_review",
            &[
                ("reference", &r),
                ("fields[risk_auth]", "yes"),
                ("notes", "Login flow retested in staging"),
                ("security_related", "yes"),
                ("reason", "Patches an actively exploited CVE"),
            ],
        )
        .await;
        let v = view(&app, &r).await;
        assert_eq!(v["risk_review"]["risks"], serde_json::json!(["auth"]));
        assert_eq!(v["security_related"], true);

        let (status, e) = failed(&app, "return_to_dev", &[("reference", &r), ("comments", "  ")]).await;
        assert_eq!((status, fields(&e)), (422, vec!["comments".to_string()]));
        ok(&app, "return_to_dev", &[("reference", &r), ("comments", "Add the CVE number to the description")]).await;
        app.call("sign_out", &[]).await;

        // The dev team sees the comments and submits again.
        app.sign_in("dev@example.gov").await;
        let v = view(&app, &r).await;
        assert_eq!(v["state"], "ReturnedToDev");
        assert_eq!(v["returned_comments"], "Add the CVE number to the description");
        ok(&app, "submit_for_review", &[("reference", &r)]).await;
        app.call("sign_out", &[]).await;

        app.sign_in("hosting@example.gov").await;
        let preview = view(&app, &r).await["cors_preview"].clone();
        ok(&app, "submit_to_cors", &[("reference", &r)]).await;
        let v = view(&app, &r).await;
        assert_eq!(v["state"], "AwaitingApproval");

        let mail: Value = app.call("dev_mail", &[]).await.json().await.unwrap();
        let mail = mail.as_array().unwrap();
        let approvals: Vec<&Value> = mail.iter().filter(|m| m["kind"] == "approval_request").collect();
        let to: Vec<&str> = approvals.iter().rev().map(|m| m["to"][0].as_str().unwrap()).collect();
        assert_eq!(to, ["cor1@example.gov", "cor2@example.gov"], "one message per COR");
        assert!(
            approvals.iter().all(|m| m["cc"] == serde_json::json!(["isso@example.gov"])),
            "security-related: ISSO copied"
        );
        let copy = mail.iter().find(|m| m["kind"] == "submitted_to_cors").unwrap();
        assert_eq!(copy["to"], serde_json::json!(["hosting@example.gov", "lead@example.gov"]));
        assert_eq!(copy["cc"], serde_json::json!(["dev@example.gov", "isso@example.gov"]), "dev team and ISSO copied");

        // What the preview promised is what the outbox holds: the same reasons, message by message.
        let reasons = |notices: &Value| -> Vec<String> {
            notices.as_array().unwrap().iter().map(|n| n["reason"].as_str().unwrap().to_string()).collect()
        };
        let previewed: Vec<Vec<String>> = preview.as_array().unwrap().iter().map(|p| reasons(&p[1])).collect();
        let mut sent: Vec<Vec<String>> = approvals
            .iter()
            .rev()
            .map(|m| m["reasons"].as_array().unwrap().iter().map(|x| x.as_str().unwrap().to_string()).collect())
            .collect();
        sent.push(copy["reasons"].as_array().unwrap().iter().map(|x| x.as_str().unwrap().to_string()).collect());
        assert_eq!(previewed, sent);
        app.stop().await;
    }
);
