//! The dev-team wizard through its server functions, over HTTP, on SQLite and PostgreSQL:
//! every step, who may take it, and what bad input gets back.

mod common;
use common::flow::*;
use common::*;
use serde_json::Value;
use server::store::{Db, Store};

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
    // Dana signs as Dev; signing as QA too is refused at the field (the team wants someone else).
    ok(&app, "sign_off_staging", &[("reference", &r), ("role", "dev"), ("evidence", "unit tests pass")]).await;
    let (status, e) =
        failed(&app, "sign_off_staging", &[("reference", &r), ("role", "qa"), ("evidence", "QA run 12")]).await;
    assert_eq!(status, 422);
    assert_eq!(fields(&e), ["role"]);
    assert!(e.to_string().contains("You have signed off as Dev"), "{e}");
    assert_eq!(view(&app, &r).await["signed_as"], "Dev");
    // The other three capacities, each by its own person.
    for (role, signer) in server::demo::DEMO_SIGNERS.iter().filter(|(role, _)| role.key() != "dev") {
        app.sign_in(signer).await;
        assert_eq!(view(&app, &r).await["signed_as"], serde_json::Value::Null);
        ok(
            &app,
            "sign_off_staging",
            &[("reference", &r), ("role", role.key()), ("evidence", "https://ci.example.gov/runs/982")],
        )
        .await;
    }
    app.sign_in("dev@example.gov").await;
    let signers: Vec<String> = view(&app, &r).await["sign_offs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["signer"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(signers, ["Dana Developer", "Quinn Quality", "Tess Tester", "Pat Product"]);
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

both_backends!(
    a_team_may_let_one_person_sign_off_several_capacities_and_the_record_says_so,
    |url: String, _b| async move {
        let app = TestApp::spawn(&url).await;
        app.sign_in("admin@example.gov").await;
        let people: Value = app.call("people", &[]).await.json().await.unwrap();
        let team =
            people["teams"].as_array().unwrap().iter().find(|t| t[1] == "Grants Portal team").unwrap()[0].to_string();
        let res = app.call("set_team_settings", &[("team", &team), ("several_capacities", "yes")]).await;
        assert!(res.status().is_success());
        app.call("sign_out", &[]).await;

        app.sign_in("dev@example.gov").await;
        let r = start(&app, "Patch OpenSSL").await;
        ok(&app, "answer_triage", &[&[("reference", r.as_str())], EMERGENCY].concat()).await;
        ok(&app, "save_plan_step", &step(&r, "0")).await;
        ok(&app, "complete_plan", &[("reference", &r)]).await;
        for role in ["qa", "testers", "dev", "product"] {
            ok(&app, "sign_off_staging", &[("reference", &r), ("role", role), ("evidence", "run 982")]).await;
        }
        assert!(ok(&app, "complete_staging", &[("reference", &r)]).await.ends_with("/form/details"));
        let (status, page) = app.get_text(&format!("/requests/{r}/staging")).await;
        assert_eq!(status, 200);
        let said = "Dana Developer signed off as QA, Testers, Dev and Product: the team lets one person sign off in several capacities.";
        assert!(page.contains(said), "{page}");
        let res = app.client.get(app.url(&format!("/changes/{r}.pdf"))).send().await.unwrap();
        assert_eq!(res.status(), 200);
        let text = pdftotext(&res.bytes().await.unwrap());
        let flat = text.split_whitespace().collect::<Vec<_>>().join(" ");
        assert!(flat.contains(said), "{text}");
        app.stop().await;
    }
);

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
    let conflict = &e["EditConflict"];
    assert!(conflict["summary"].as_str().unwrap().contains("version 0"), "{e}");
    assert_eq!(conflict["changes"], serde_json::json!(["Step 1 “Deploy the patched image” was added"]));
    assert!(
        conflict["form"]["values"]
            .as_array()
            .unwrap()
            .iter()
            .any(|kv| kv[0] == "commands" && kv[1].as_str().unwrap().contains("kubectl set image")),
        "what was typed comes back: {e}"
    );
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
        assert_eq!(a["uploaded_by"], "Dana Developer");
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
        upload(&app, &r, "smoke.log", b"all green".to_vec()).await;
        let names: Vec<String> = view(&app, &r).await["attachments"]
            .as_array()
            .unwrap()
            .iter()
            .map(|a| a["file_name"].as_str().unwrap().to_string())
            .collect();
        assert_eq!(names, ["run 982.pdf", "smoke.log"], "oldest first");
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

both_backends!(
    hosting_reviews_returns_once_and_submits_to_the_cors_with_the_previewed_recipients,
    |url: String, _b| async move {
        let app = TestApp::spawn(&url).await;
        let r = submitted_for_review(&app).await;

        // The dev team cannot do hosting's part.
        app.sign_in("dev@example.gov").await;
        for (name, form) in [
            ("assign_engineer", vec![("reference", r.as_str())]),
            ("record_risk_review", vec![("reference", r.as_str()), ("security_related", "no"), ("reason", "x")]),
            ("return_to_dev", vec![("reference", r.as_str()), ("comments", "x")]),
            ("submit_to_cors", vec![("reference", r.as_str())]),
        ] {
            let (status, _) = failed(&app, name, &form).await;
            assert_eq!(status, 403, "{name} by the dev team");
        }
        app.call("sign_out", &[]).await;

        app.sign_in("hosting@example.gov").await;
        ok(&app, "assign_engineer", &[("reference", &r)]).await;
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
            approvals.iter().all(|m| m["cc"] == serde_json::json!([])),
            "a decision link reaches its COR alone, even when security-related"
        );
        let copy = mail.iter().find(|m| m["kind"] == "submitted_to_cors").unwrap();
        assert_eq!(copy["to"], serde_json::json!(["hosting@example.gov", "lead@example.gov"]));
        assert_eq!(
            copy["cc"],
            serde_json::json!([
                "dev@example.gov",
                "product@example.gov",
                "qa@example.gov",
                "tester@example.gov",
                "isso@example.gov"
            ]),
            "dev team (all four of the Grants Portal team) and ISSO copied"
        );

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

fn strings(v: &Value) -> Vec<String> {
    v.as_array().unwrap().iter().map(|x| x.as_str().unwrap_or_default().to_string()).collect()
}

/// A step for `base` with its own action text, editing step `id` ("" adds one).
fn step_with<'a>(r: &'a str, base: &'a str, id: &'a str, action: &'a str) -> Vec<(&'a str, &'a str)> {
    let mut s = step(r, base);
    s.retain(|(k, _)| *k != "step[action]");
    s.push(("step[action]", action));
    s.push(("step_id", id));
    s
}

both_backends!(
    parallel_plan_editors_each_land_a_version_or_get_a_conflict_never_an_overwrite,
    |url: String, _b| async move {
        let app = std::sync::Arc::new(TestApp::spawn(&url).await);
        let (hal, lee) = (common::client(), common::client());
        app.sign_in_as(&hal, "hosting@example.gov").await;
        app.sign_in_as(&lee, "lead@example.gov").await;
        let (mut r, mut base) = (String::new(), 0);

        // Rounds of two to eight writers at once (`RESILIENCE_TRIALS` rounds, randomised; the
        // bench command runs thousands), each adding its own step and retrying from the newest
        // version after a conflict. A lost update would drop a step; a silent overwrite would too.
        let rounds = std::env::var("RESILIENCE_TRIALS").ok().and_then(|v| v.parse().ok()).unwrap_or(3usize);
        let seed =
            std::env::var("RESILIENCE_SEED").ok().and_then(|v| v.parse().ok()).unwrap_or_else(|| fastrand::u64(..));
        let mut rng = fastrand::Rng::with_seed(seed);
        let mut expected = Vec::new();
        let (mut conflicts, mut total_writers) = (0, 0);
        for round in 0..rounds {
            // A fresh request every 20 rounds keeps plans to a realistic length.
            if round % 20 == 0 {
                app.call("sign_out", &[]).await;
                r = submitted_for_review(&app).await;
                app.sign_in("hosting@example.gov").await;
                base = view(&app, &r).await["plan_version"].as_i64().unwrap();
                expected.clear();
            }
            let writers = rng.usize(2..=8);
            total_writers += writers;
            let mut tasks = Vec::new();
            for w in 0..writers {
                let (app, r) = (app.clone(), r.clone());
                let client = match w {
                    0 => hal.clone(),
                    1 => lee.clone(),
                    _ if rng.bool() => hal.clone(),
                    _ => lee.clone(),
                };
                let action = format!("Round {round} writer {w} step");
                expected.push(action.clone());
                tasks.push(tokio::spawn(async move {
                    let mut conflicts = 0;
                    loop {
                        let v: Value =
                            app.call_as(&client, "get_request_view", &[("reference", &r)]).await.json().await.unwrap();
                        let version = v["plan_version"].as_i64().unwrap().to_string();
                        let res = app.call_as(&client, "save_plan_step", &step_with(&r, &version, "", &action)).await;
                        match res.status().as_u16() {
                            200..=399 => return conflicts,
                            409 => {
                                let e: Value = res.json().await.unwrap();
                                assert!(e.get("EditConflict").is_some(), "a conflict, not another refusal: {e}");
                                conflicts += 1;
                            }
                            other => panic!("writer {w}: {other} {}", res.text().await.unwrap()),
                        }
                    }
                }));
            }
            for t in tasks {
                conflicts += t.await.unwrap();
            }
            let v = view(&app, &r).await;
            let versions = expected.len() as i64;
            assert_eq!(
                v["plan_version"].as_i64().unwrap(),
                base + versions,
                "every write is its own version (seed {seed})"
            );
            let actions: Vec<String> = v["plan"]["steps"]
                .as_array()
                .unwrap()
                .iter()
                .map(|s| s["action"].as_str().unwrap().to_string())
                .collect();
            for action in &expected {
                assert_eq!(
                    actions.iter().filter(|a| *a == action).count(),
                    1,
                    "{action} landed once (seed {seed}): {actions:?}"
                );
            }
        }
        let history: Value = app.call("get_history", &[("reference", &r)]).await.json().await.unwrap();
        assert_eq!(history["plan_versions"].as_array().unwrap().len() as i64, base + expected.len() as i64);
        let by: std::collections::BTreeSet<String> = history["plan_versions"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v["by"].as_str().unwrap().to_string())
            .collect();
        assert!(by.contains("Hal Hosting") && by.contains("Lee Lead"), "history shows both editors: {by:?}");
        eprintln!("{rounds} rounds, {total_writers} writers, {conflicts} conflicts resolved by retrying (seed {seed})");
        match std::sync::Arc::try_unwrap(app) {
            Ok(app) => app.stop().await,
            Err(_) => panic!("tasks still hold the app"),
        }
    }
);

both_backends!(
    a_stale_step_edit_shows_what_changed_and_keeps_the_text_and_history_diffs_it,
    |url: String, _b| async move {
        let app = TestApp::spawn(&url).await;
        let r = submitted_for_review(&app).await;
        let lee = common::client();
        app.sign_in("hosting@example.gov").await;
        app.sign_in_as(&lee, "lead@example.gov").await;
        let v = view(&app, &r).await;
        let base = v["plan_version"].as_i64().unwrap().to_string();
        let id = v["plan"]["steps"][0]["id"].as_u64().unwrap().to_string();

        // Lee changes step 1's action first; Hal, still on the old version, changes it too.
        let res = app.call_as(&lee, "save_plan_step", &step_with(&r, &base, &id, "Deploy portal 2.4.2")).await;
        assert!(res.status().is_success());
        let (status, e) =
            failed(&app, "save_plan_step", &step_with(&r, &base, &id, "Deploy portal 2.4.1 carefully")).await;
        assert_eq!(status, 409);
        let c = &e["EditConflict"];
        assert!(c["summary"].as_str().unwrap().starts_with("Lee Lead saved the plan"), "{e}");
        assert_eq!(strings(&c["changes"]), ["Step 1 “Deploy portal 2.4.2”: what this step does changed"]);
        assert_eq!(c["form"]["errors"][0]["field"], "action");
        assert!(c["form"]["errors"][0]["message"].as_str().unwrap().contains("“Deploy portal 2.4.2”"));
        let kept: Vec<(String, String)> = serde_json::from_value(c["form"]["values"].clone()).unwrap();
        assert!(kept.contains(&("action".into(), "Deploy portal 2.4.1 carefully".into())), "Hal's text is kept");
        assert!(kept.contains(&("step_id".into(), id.clone())));

        // Hal decides: his text, saved on top of the newest version.
        let newest = view(&app, &r).await["plan_version"].as_i64().unwrap().to_string();
        ok(&app, "save_plan_step", &step_with(&r, &newest, &id, "Deploy portal 2.4.1 carefully")).await;

        let h: Value = app
            .call(
                "get_history",
                &[
                    ("reference", &r),
                    ("plan_from", &base),
                    ("plan_to", &(newest.parse::<i64>().unwrap() + 1).to_string()),
                ],
            )
            .await
            .json()
            .await
            .unwrap();
        let versions: Vec<String> = h["plan_versions"]
            .as_array()
            .unwrap()
            .iter()
            .take(2)
            .map(|v| v["by"].as_str().unwrap().to_string())
            .collect();
        assert_eq!(versions, ["Hal Hosting", "Lee Lead"], "both versions, newest first");
        let diff = &h["plan_diff"][2][0]["Changed"];
        assert_eq!(diff["fields"][0]["before"], "Deploy the patched image");
        assert_eq!(diff["fields"][0]["after"], "Deploy portal 2.4.1 carefully");
        app.stop().await;
    }
);

both_backends!(
    form_saves_from_an_old_version_merge_field_by_field_and_clash_only_on_the_same_field,
    |url: String, _b| async move {
        let app = TestApp::spawn(&url).await;
        let r = submitted_for_review(&app).await;
        let lee = common::client();
        app.sign_in("hosting@example.gov").await;
        app.sign_in_as(&lee, "lead@example.gov").await;
        let base = view(&app, &r).await["form_version"].as_i64().unwrap().to_string();
        let details = |description: &'static str| {
            vec![
                ("title", "Patch OpenSSL 3.0.15"),
                ("services", "Grants portal web and API"),
                ("environment", "Production"),
                ("artifact", "portal:2.4.1"),
                ("pipeline_url", "https://ci.example.gov/runs/981"),
                ("description", description),
            ]
        };
        let save = |client: Option<&reqwest::Client>,
                    sec: &'static str,
                    f: Vec<(&'static str, &'static str)>,
                    base: String| {
            let mut form = section(&r, sec, &f);
            form.push(("base_version".into(), base));
            let app = &app;
            let client = client.cloned();
            async move {
                let pairs: Vec<(&str, &str)> = form.iter().map(|(a, b)| (a.as_str(), b.as_str())).collect();
                match client {
                    Some(c) => app.call_as(&c, "save_form_section", &pairs).await,
                    None => app.call("save_form_section", &pairs).await,
                }
            }
        };
        // Different fields from the same version: both land.
        let res = save(Some(&lee), "details", details("Patch OpenSSL to 3.0.15 (CVE-2026-0001)"), base.clone()).await;
        assert!(res.status().is_success());
        let justification = vec![
            ("justification", "Exploited in the wild"),
            ("incident_reference", "INC-42"),
            ("security_related", "yes"),
            ("security_reason", "CVE-2026-0001"),
            ("impact", "Rolling restart, no downtime"),
            ("risk_level", "medium"),
        ];
        let res = save(None, "justification", justification, base.clone()).await;
        assert!(res.status().is_success(), "{}", res.text().await.unwrap());
        let v = view(&app, &r).await;
        assert_eq!(v["form"]["description"], "Patch OpenSSL to 3.0.15 (CVE-2026-0001)");
        assert_eq!(v["form"]["impact"], "Rolling restart, no downtime");

        // The same field from the same old version: a conflict naming it, with Hal's text kept.
        let res = save(None, "details", details("Patch OpenSSL; restart pods one by one"), base.clone()).await;
        assert_eq!(res.status(), 409);
        let e: Value = res.json().await.unwrap();
        let c = &e["EditConflict"];
        assert_eq!(c["form"]["errors"].as_array().unwrap().len(), 1);
        assert_eq!(c["form"]["errors"][0]["field"], "description");
        let kept: Vec<(String, String)> = serde_json::from_value(c["form"]["values"].clone()).unwrap();
        assert!(kept.contains(&("description".into(), "Patch OpenSSL; restart pods one by one".into())));
        assert_eq!(
            view(&app, &r).await["form"]["description"],
            "Patch OpenSSL to 3.0.15 (CVE-2026-0001)",
            "nothing saved"
        );
        app.stop().await;
    }
);

/// One page of a thread: ((page, pages, offset), (total, bodies)).
async fn comments(app: &TestApp, r: &str, page: &str) -> ((i64, i64, i64), (i64, Vec<String>)) {
    let res = app.call("get_comments", &[("reference", r), ("page", page)]).await;
    assert!(res.status().is_success(), "get_comments: {}", res.status());
    let t: serde_json::Value = res.json().await.unwrap();
    let p = &t["page"];
    let bodies = t["comments"].as_array().unwrap().iter().map(|c| c["body"].as_str().unwrap().to_string()).collect();
    (
        (p["page"].as_i64().unwrap(), p["pages"].as_i64().unwrap(), p["offset"].as_i64().unwrap()),
        (t["total"].as_i64().unwrap(), bodies),
    )
}

both_backends!(the_comment_thread_is_plain_text_for_everyone_involved_and_nobody_else, |url: String, _b| async move {
    add_other_team_dev(&url).await;
    let app = TestApp::spawn(&url).await;
    let r = submitted_for_review(&app).await;
    app.sign_in("dev@example.gov").await;
    let (status, e) = failed(&app, "add_comment", &[("reference", &r), ("body", "   ")]).await;
    assert_eq!((status, fields(&e)), (422, vec!["body".to_string()]));
    ok(&app, "add_comment", &[("reference", &r), ("body", "Can we go at 10? <script>alert(1)</script>")]).await;
    app.call("sign_out", &[]).await;
    app.sign_in("hosting@example.gov").await;
    ok(&app, "add_comment", &[("reference", &r), ("body", "10 is fine.")]).await;
    assert_eq!(view(&app, &r).await["comment_count"], 2);
    let (_, thread) = comments(&app, &r, "").await;
    assert_eq!(thread.1, ["Can we go at 10? <script>alert(1)</script>", "10 is fine."]);
    let (status, html) = app.get_text(&format!("/requests/{r}/comments")).await;
    assert_eq!(status, 200);
    assert!(
        html.contains("&lt;script&gt;alert(1)&lt;/script&gt;") && !html.contains("<script>alert(1)"),
        "shown as text"
    );
    assert!(!html.contains("Earlier comments"), "one page needs no pager");

    // A long thread comes a page at a time, the newest page first; request pages only count it.
    for n in 3..=52 {
        ok(&app, "add_comment", &[("reference", &r), ("body", &format!("Comment {n}"))]).await;
    }
    assert_eq!(view(&app, &r).await["comment_count"], 52);
    assert!(view(&app, &r).await.get("comments").is_none(), "a request page does not carry the thread");
    let (page, newest) = comments(&app, &r, "").await;
    assert_eq!((page, newest.1), ((2, 2, 50), vec!["Comment 51".to_string(), "Comment 52".into()]));
    let (page, first) = comments(&app, &r, "1").await;
    assert_eq!(
        (page, first.1.len(), first.1[0].as_str(), first.1[49].as_str()),
        ((1, 2, 0), 50, "Can we go at 10? <script>alert(1)</script>", "Comment 50")
    );
    assert_eq!(comments(&app, &r, "7").await.0, (2, 2, 50), "a page that does not exist shows the newest");
    let (_, html) = app.get_text(&format!("/requests/{r}/comments?page=1")).await;
    assert!(
        html.contains("Comments 1 to 50 of 52") && html.contains(&format!("/requests/{r}/comments?page=2")),
        "page 1 says where it is and links to the later page"
    );

    app.call("sign_out", &[]).await;
    app.sign_in("otto@example.gov").await;
    let (status, _) = failed(&app, "add_comment", &[("reference", &r), ("body", "hello")]).await;
    assert_eq!(status, 404, "another team cannot even see the thread");
    let (status, _) = failed(&app, "get_comments", &[("reference", &r)]).await;
    assert_eq!(status, 404, "nor read it");
    app.stop().await;
});

both_backends!(the_queue_filters_searches_pages_by_keyset_and_assigns_to_a_teammate, |url: String, _b| async move {
    let app = TestApp::spawn(&url).await;
    let mut refs = Vec::new();
    for _ in 0..3 {
        refs.push(submitted_for_review(&app).await);
    }
    app.sign_in("dev@example.gov").await;
    let (status, _) = failed(&app, "hosting_queue", &[]).await;
    assert_eq!(status, 403, "the queue is the hosting team's");
    app.call("sign_out", &[]).await;
    app.sign_in("hosting@example.gov").await;
    let queue = |form: Vec<(&'static str, String)>| {
        let app = &app;
        async move {
            let pairs: Vec<(&str, &str)> = form.iter().map(|(a, b)| (*a, b.as_str())).collect();
            let res = app.call("hosting_queue", &pairs).await;
            let status = res.status().as_u16();
            (status, res.json::<Value>().await.unwrap())
        }
    };
    let refs_of = |page: &Value| -> Vec<String> {
        page["rows"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["summary"]["reference"].as_str().unwrap().to_string())
            .collect()
    };
    let (_, all) = queue(vec![]).await;
    assert_eq!(refs_of(&all), refs, "longest unchanged first");
    assert!(all["rows"][0]["clock"][0].as_str().unwrap().starts_with("Assign by"), "the assignment clock runs");
    let (_, one) = queue(vec![("filter[q]", refs[1].to_lowercase())]).await;
    assert_eq!(refs_of(&one), [refs[1].clone()], "a reference finds exactly that request");
    let (_, none) = queue(vec![("filter[q]", "50%_".into())]).await;
    assert!(refs_of(&none).is_empty(), "typed wildcards are literal");
    // Inside titles, any case: from the trigram index (three characters or more) or a scan.
    for q in ["openssl", "PATCH OPEN", "ssl", "op", "h \"o"] {
        let (_, found) = queue(vec![("filter[q]", q.into())]).await;
        let expected = if q.contains('"') { vec![] } else { refs.clone() };
        assert_eq!(refs_of(&found), expected, "title contains {q:?}");
    }
    let (_, none) = queue(vec![("filter[q]", "openssh".into())]).await;
    assert!(refs_of(&none).is_empty(), "no title contains openssh");
    let (status, e) = queue(vec![("filter[from]", "yesterday".into())]).await;
    assert_eq!((status, fields(&e)), (422, vec!["from".to_string()]));
    // A state the list does not know (an edited address) is named, not ignored.
    let (status, e) = queue(vec![("filter[state]", "on_fire".into())]).await;
    assert_eq!((status, fields(&e)), (422, vec!["state".to_string()]));
    let (_, reviewed) = queue(vec![("filter[state]", "hosting_review".into())]).await;
    assert_eq!(refs_of(&reviewed), refs, "a known state narrows as before");

    // Hal hands the second request to Lee; "unassigned" then leaves it out.
    let engineers = all["engineers"].as_array().unwrap();
    let lee = engineers.iter().find(|e| e[1] == "Lee Lead").unwrap()[0].as_i64().unwrap().to_string();
    ok(&app, "assign_engineer", &[("reference", &refs[1]), ("engineer", &lee)]).await;
    assert_eq!(view(&app, &refs[1]).await["assigned_name"], "Lee Lead");
    let (status, e) = failed(&app, "assign_engineer", &[("reference", &refs[0]), ("engineer", "1")]).await;
    assert_eq!((status, fields(&e)), (422, vec!["engineer".to_string()]), "only hosting engineers take requests");
    let (_, unassigned) = queue(vec![("filter[assigned]", "unassigned".into())]).await;
    assert_eq!(refs_of(&unassigned), [refs[0].clone(), refs[2].clone()]);

    // Keyset pages through storage: one row at a time, nothing twice, nothing skipped.
    let store = Store::new(Db::open(&url).await.unwrap());
    let mut query = app::ports::QueueQuery {
        from_ms: i64::MIN,
        to_ms: i64::MAX,
        after: (i64::MIN, i64::MIN),
        ..Default::default()
    };
    let mut seen = Vec::new();
    loop {
        let page = app::ports::QueueStore::hosting_queue(&store, &query, 1).await.unwrap();
        let Some(item) = page.first() else { break };
        seen.push(item.summary.reference.clone());
        query.after = item.cursor;
    }
    let mut sorted_seen = seen.clone();
    sorted_seen.sort();
    let mut sorted_refs = refs.clone();
    sorted_refs.sort();
    assert_eq!(sorted_seen, sorted_refs, "every request once: {seen:?}");
    app.stop().await;
});

both_backends!(every_text_has_a_limit_at_its_field_before_anything_is_saved, |url: String, _b| async move {
    let app = TestApp::spawn(&url).await;
    app.sign_in("dev@example.gov").await;
    let r = start(&app, "Limits").await;
    ok(&app, "answer_triage", &[&[("reference", r.as_str())], EMERGENCY].concat()).await;
    let long = "x".repeat(app::domain::limits::LONG + 1);

    // A CR form draft ("come back later") with one field over its limit saves nothing.
    ok(
        &app,
        "save_form_section",
        &[("reference", &r), ("section", "details"), ("intent", "later"), ("fields[description]", "Short")],
    )
    .await;
    let (status, e) = failed(
        &app,
        "save_form_section",
        &[("reference", &r), ("section", "details"), ("intent", "later"), ("fields[description]", &long)],
    )
    .await;
    assert_eq!((status, fields(&e)), (422, vec!["description".to_string()]));
    assert!(e["Invalid"]["errors"][0]["message"].as_str().unwrap().contains("10,000 characters or fewer"), "{e}");
    assert_eq!(e["Invalid"]["values"].as_array().unwrap().iter().find(|v| v[0] == "description").unwrap()[1], long);
    assert_eq!(view(&app, &r).await["form"]["description"], "Short", "the stored draft is untouched");

    // A plan step with over-long commands is refused at that field.
    let mut over = step(&r, "0");
    over.retain(|(k, _)| *k != "step[commands]");
    over.push(("step[commands]", &long));
    let (status, e) = failed(&app, "save_plan_step", &over).await;
    assert_eq!((status, fields(&e)), (422, vec!["commands".to_string()]));
    assert_eq!(view(&app, &r).await["plan"]["steps"].as_array().unwrap().len(), 0);

    // A plan holds at most 200 steps.
    for version in 0..app::domain::limits::PLAN_STEPS {
        ok(&app, "save_plan_step", &step(&r, &version.to_string())).await;
    }
    let full = app::domain::limits::PLAN_STEPS.to_string();
    let (status, e) = failed(&app, "save_plan_step", &step(&r, &full)).await;
    assert_eq!((status, fields(&e)), (422, vec!["action".to_string()]), "{e}");
    assert!(e["Invalid"]["errors"][0]["message"].as_str().unwrap().contains("at most 200 steps"));
    assert_eq!(view(&app, &r).await["plan"]["steps"].as_array().unwrap().len(), app::domain::limits::PLAN_STEPS);
    app.stop().await;
});

both_backends!(a_request_holds_at_most_fifty_evidence_files, |url: String, _b| async move {
    let app = TestApp::spawn(&url).await;
    app.sign_in("dev@example.gov").await;
    let r = start(&app, "Many files").await;
    ok(&app, "answer_triage", &[&[("reference", r.as_str())], EMERGENCY].concat()).await;
    ok(&app, "save_plan_step", &step(&r, "0")).await;
    ok(&app, "complete_plan", &[("reference", &r)]).await;
    for i in 0..app::domain::limits::ATTACHMENTS {
        let loc = upload(&app, &r, &format!("run-{i}.txt"), format!("run {i} passed").into_bytes()).await;
        assert!(loc.ends_with("/staging#attachments"), "{i}: {loc}");
    }
    let loc = upload(&app, &r, "one-more.txt", b"run 51 passed".to_vec()).await;
    assert!(loc.ends_with("upload_error=too_many#field-file"), "{loc}");
    let count = view(&app, &r).await["attachments"].as_array().unwrap().len();
    assert_eq!(count, app::domain::limits::ATTACHMENTS, "the 51st is not stored");
    app.stop().await;
});

both_backends!(hosting_s_risk_review_has_the_last_word_on_the_security_flag, |url: String, _b| async move {
    let app = TestApp::spawn(&url).await;
    // The dev team's form says security-related (CVE); hosting's review concludes it is not.
    let r = submitted_for_review(&app).await;
    app.sign_in("hosting@example.gov").await;
    ok(&app, "assign_engineer", &[("reference", &r)]).await;
    let before = view(&app, &r).await;
    assert_eq!(before["security_related"], true, "the form's answer, before the review");
    assert!(before["cors_preview"].to_string().contains("The ISSO"), "{}", before["cors_preview"]);
    ok(
        &app,
        "record_risk_review",
        &[("reference", &r), ("notes", ""), ("security_related", "no"), ("reason", "Only a timeout changes")],
    )
    .await;
    let v = view(&app, &r).await;
    assert_eq!(v["security_related"], false, "the page says what the messages do");
    assert!(!v["cors_preview"].to_string().contains("The ISSO"), "the preview copies no ISSO: {}", v["cors_preview"]);
    ok(&app, "submit_to_cors", &[("reference", &r)]).await;
    let mail: Value = app.call("dev_mail", &[]).await.json().await.unwrap();
    let copy = mail.as_array().unwrap().iter().find(|m| m["kind"] == "submitted_to_cors").unwrap().clone();
    assert!(!copy["cc"].as_array().unwrap().iter().any(|a| a == "isso@example.gov"), "{copy}");
});

both_backends!(hosting_records_the_call_it_held_and_the_queue_stops_owing_it, |url: String, _b| async move {
    let app = TestApp::spawn(&url).await;
    app.sign_in("dev@example.gov").await;
    let r = start(&app, "Patch OpenSSL").await;
    ok(&app, "answer_triage", &[&[("reference", r.as_str())], EMERGENCY].concat()).await;
    ok(&app, "request_hosting_help", &[("reference", &r)]).await;
    app.sign_in("hosting@example.gov").await;
    // This request's rows: whether each owes the dev team a call.
    let owed = || async {
        let page: Value = app.call("hosting_queue", &[]).await.json().await.unwrap();
        let rows = page["rows"].as_array().unwrap().clone();
        rows.iter()
            .filter(|row| row["summary"]["reference"] == r.as_str())
            .map(|row| row["call_owed"].clone())
            .collect()
    };
    let listed: Vec<Value> = owed().await;
    assert_eq!(listed, [Value::Bool(true)]);
    // The row offers "Call held" to hosting; an admin reads the queue but is not offered it.
    let offered = |page: Value| page["can_record_calls"].clone();
    assert_eq!(offered(app.call("hosting_queue", &[]).await.json().await.unwrap()), Value::Bool(true));
    app.sign_in("admin@example.gov").await;
    assert_eq!(offered(app.call("hosting_queue", &[]).await.json().await.unwrap()), Value::Bool(false));
    app.sign_in("hosting@example.gov").await;
    ok(&app, "record_call_held", &[("reference", &r)]).await;
    let listed: Vec<Value> = owed().await;
    assert!(listed.is_empty(), "nothing owed: the request is the dev team's again, off the queue");
    let (status, e) = failed(&app, "record_call_held", &[("reference", &r)]).await;
    assert_eq!(status, 409, "{e}");
    assert!(e.to_string().contains("No call is waiting"), "{e}");
    let audit: Value = app.call("request_audit", &[("reference", &r)]).await.json().await.unwrap();
    assert!(audit.to_string().contains("held the call the dev team asked for"), "{audit}");
    // The dev team's pages say when, once no call is waiting any more.
    app.sign_in("dev@example.gov").await;
    let view: Value = app.call("get_request_view", &[("reference", &r)]).await.json().await.unwrap();
    assert_eq!(view["assistance"], Value::Null, "{view}");
    assert!(view["call_held"].as_str().is_some_and(|w| w.contains("Eastern on")), "{view}");
    app.stop().await;
});
