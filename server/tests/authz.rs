//! The authorisation matrix, through the HTTP layer, on SQLite and PostgreSQL: every role ×
//! every server function × their own team's request and another team's. Authorisation comes
//! before the process's guards, so one request in hosting review serves every action: an
//! allowed caller gets an answer about the request (done, refused by a guard, or a field
//! error), a refused one 403, and a dev of another team 404 (they may not even know it exists).

mod common;
use common::flow::*;
use common::*;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Outcome {
    Allowed,
    Forbidden,
    Hidden,
}
use Outcome::*;

const PEOPLE: [&str; 8] = [
    "dev@example.gov",
    "otto@example.gov",
    "hosting@example.gov",
    "lead@example.gov",
    "cor1@example.gov",
    "isso@example.gov",
    "archivist@example.gov",
    "admin@example.gov",
];

/// One row: a server function, its form (the reference is added), the outcome for each of PEOPLE.
type Row = (&'static str, Vec<(&'static str, &'static str)>, [Outcome; 8]);

/// Functions about one request.
fn matrix() -> Vec<Row> {
    let reads = [Allowed, Hidden, Allowed, Allowed, Allowed, Allowed, Allowed, Allowed];
    let dev_and_hosting = [Allowed, Hidden, Allowed, Allowed, Forbidden, Forbidden, Forbidden, Forbidden];
    let hosting = [Forbidden, Hidden, Allowed, Allowed, Forbidden, Forbidden, Forbidden, Forbidden];
    let dev = [Allowed, Hidden, Forbidden, Forbidden, Forbidden, Forbidden, Forbidden, Forbidden];
    // Each person runs every row in turn: hosting@ has assigned themselves by then; the lead
    // always stands for the assigned engineer.
    let engineer = [Forbidden, Hidden, Allowed, Allowed, Forbidden, Forbidden, Forbidden, Forbidden];
    vec![
        ("get_request_view", vec![], reads),
        ("get_comments", vec![], reads),
        ("save_staging_notes", vec![("notes", "Checked in staging")], dev),
        ("get_history", vec![], reads),
        ("request_audit", vec![], reads),
        ("add_comment", vec![("body", "A comment")], reads),
        (
            "answer_triage",
            vec![
                ("active_incident", "yes"),
                ("users_cannot_access", "no"),
                ("performance_degraded", "no"),
                ("security_or_quality_need", "no"),
            ],
            [Allowed, Hidden, Allowed, Allowed, Forbidden, Forbidden, Forbidden, Allowed],
        ),
        ("save_plan_step", vec![("base_version", "0"), ("step[action]", "x")], dev_and_hosting),
        ("change_plan_step", vec![("base_version", "0"), ("index", "1"), ("command", "down")], dev_and_hosting),
        ("complete_plan", vec![], dev_and_hosting),
        ("request_hosting_help", vec![], dev),
        ("record_call_held", vec![], hosting),
        ("sign_off_staging", vec![("role", "qa"), ("evidence", "run 1")], dev),
        // Not on the fast path: the guard refuses the dev team; nobody else may ask.
        ("ask_to_sign_off", vec![("capacity", "qa"), ("name", "Olive"), ("email", "olive@qa.example")], dev),
        ("complete_staging", vec![], dev),
        (
            "save_form_section",
            vec![("section", "details"), ("intent", "later"), ("fields[impact]", "none")],
            dev_and_hosting,
        ),
        ("submit_for_review", vec![], dev),
        ("assign_engineer", vec![], [Forbidden, Hidden, Allowed, Allowed, Forbidden, Forbidden, Forbidden, Allowed]),
        ("record_risk_review", vec![("security_related", "no"), ("reason", "none")], hosting),
        ("return_to_dev", vec![("comments", "Please add the CVE")], hosting),
        ("submit_to_cors", vec![], hosting),
        (
            "decide",
            vec![("verdict", "approve")],
            [Forbidden, Hidden, Forbidden, Forbidden, Allowed, Forbidden, Forbidden, Allowed],
        ),
        ("decision_for_cor", vec![], [Forbidden, Hidden, Forbidden, Forbidden, Allowed, Forbidden, Forbidden, Allowed]),
        ("production_view", vec![], reads),
        ("production_version", vec![], reads),
        ("start_production", vec![("override_reason", "x")], engineer),
        ("record_step", vec![("step", "1"), ("status", "started")], engineer),
        ("finish_production", vec![], engineer),
        ("confirm_rollback", vec![("reason", "x")], engineer),
        ("validate_production", vec![("note", "x")], dev),
        // No reason: a field error for those allowed, and nothing changes.
        ("raise_hold", vec![], [Allowed, Hidden, Allowed, Allowed, Allowed, Allowed, Forbidden, Allowed]),
        ("lift_hold", vec![], [Forbidden, Hidden, Allowed, Allowed, Forbidden, Forbidden, Forbidden, Allowed]),
        ("log_problem", vec![], [Allowed, Hidden, Allowed, Allowed, Forbidden, Forbidden, Forbidden, Allowed]),
        ("record_post_review", vec![], dev_and_hosting),
        // Nothing chosen: a field error for whoever may edit the plan.
        ("preview_plan_steps", vec![], dev_and_hosting),
        ("add_plan_steps", vec![], dev_and_hosting),
    ]
}

/// Functions about no one request: (name, form, outcome for each of PEOPLE).
fn global() -> Vec<Row> {
    let admin_only = [Forbidden, Forbidden, Forbidden, Forbidden, Forbidden, Forbidden, Forbidden, Allowed];
    let admin_unknown = [Forbidden, Forbidden, Forbidden, Forbidden, Forbidden, Forbidden, Forbidden, Hidden];
    vec![
        ("hosting_queue", vec![], [Forbidden, Forbidden, Allowed, Allowed, Forbidden, Forbidden, Forbidden, Allowed]),
        ("archive_search", vec![], [Forbidden, Forbidden, Allowed, Allowed, Allowed, Allowed, Allowed, Allowed]),
        ("problem_log", vec![], [Forbidden, Forbidden, Allowed, Allowed, Forbidden, Forbidden, Forbidden, Allowed]),
        ("calendar_view", vec![], [Allowed; 8]),
        ("add_calendar_entry", vec![], admin_only),
        ("people", vec![], admin_only),
        ("documented_operations", vec![], [Allowed; 8]),
        // No name: a field error for the hosting team and admins.
        (
            "save_documented_operation",
            vec![],
            [Forbidden, Forbidden, Allowed, Allowed, Forbidden, Forbidden, Forbidden, Allowed],
        ),
        ("undelivered_mail", vec![], admin_only),
        ("create_team", vec![("name", "")], admin_only),
        ("set_team_settings", vec![("team", "1"), ("stakeholders", "")], admin_only),
        ("webhooks", vec![], admin_only),
        ("invite_person", vec![("email", "")], admin_only),
        ("change_person", vec![("id", "1"), ("what", "reactivate")], admin_only),
        ("absences", vec![], [Forbidden, Forbidden, Allowed, Allowed, Allowed, Forbidden, Forbidden, Allowed]),
        (
            "declare_absence",
            vec![("cor", "me"), ("from", "2030-01-01"), ("to", "2030-01-02")],
            [Forbidden, Forbidden, Forbidden, Forbidden, Allowed, Forbidden, Forbidden, Forbidden],
        ),
        ("my_account", vec![], [Allowed; 8]),
        ("my_requests", vec![], [Allowed; 8]),
        ("awaiting_my_decision", vec![], [Allowed; 8]),
        (
            "start_request",
            vec![("title", ""), ("system", "")],
            [Allowed, Allowed, Allowed, Allowed, Forbidden, Forbidden, Forbidden, Allowed],
        ),
        ("add_webhook", vec![("url", "")], admin_only),
        ("remove_webhook", vec![("id", "999999")], admin_unknown),
        ("remove_calendar_entry", vec![("id", "999999")], admin_unknown),
        (
            "remove_absence",
            vec![("id", "999999")],
            [Forbidden, Forbidden, Hidden, Hidden, Hidden, Forbidden, Forbidden, Hidden],
        ),
        // Anyone's own tokens and sessions: an unknown one is not found, for everyone.
        ("create_api_token", vec![("name", "")], [Allowed; 8]),
        ("revoke_api_token", vec![("id", "999999")], [Hidden; 8]),
        ("end_session", vec![("id", "ffffffffffffffff")], [Hidden; 8]),
    ]
}

/// Functions anyone may call, each with why: their authority is what the caller holds (a
/// password, a single-use link), never a session.
const PUBLIC: [(&str, &str); 11] = [
    ("sign_in", "an email and password"),
    ("sign_in_methods", "says only how one may sign in here (the sign-in page's buttons)"),
    ("sign_out", "ends the caller's own session, if any"),
    ("whoami", "says only whether the caller is signed in"),
    ("password_link", "a single-use set-password token"),
    ("set_password", "a single-use set-password token"),
    ("decision_by_link", "a COR's single-use decision token"),
    ("decide_by_link", "a COR's single-use decision token"),
    ("sign_off_link", "a single-use sign-off token the dev team emailed"),
    ("sign_off_by_link", "a single-use sign-off token the dev team emailed"),
    ("dev_mail", "demo mode's inbox, on a loopback-only server (else admins alone; tests/http.rs)"),
];

/// Every server function the app registers is in the matrix, the global list or PUBLIC: a new
/// one fails here until someone says who may call it.
#[test]
fn every_registered_server_function_is_in_the_authorisation_matrix() {
    let listed: std::collections::BTreeSet<&str> =
        matrix().iter().chain(&global()).map(|r| r.0).chain(PUBLIC.iter().map(|p| p.0)).collect();
    let registered: std::collections::BTreeSet<String> = leptos::server_fn::axum::server_fn_paths()
        .map(|(path, _)| path.trim_start_matches("/api/").to_string())
        .collect();
    assert!(registered.len() > 50, "the registry is read: {registered:?}");
    let unlisted: Vec<&String> = registered.iter().filter(|n| !listed.contains(n.as_str())).collect();
    assert!(unlisted.is_empty(), "server functions missing from the authorisation matrix: {unlisted:?}");
    let gone: Vec<&&str> = listed.iter().filter(|n| !registered.contains(**n)).collect();
    assert!(gone.is_empty(), "listed but not registered: {gone:?}");
}

fn outcome_of(status: u16) -> Outcome {
    match status {
        403 => Forbidden,
        404 => Hidden,
        401 => panic!("signed in, yet 401"),
        _ => Allowed,
    }
}

both_backends!(every_role_gets_exactly_what_the_rules_allow_on_every_server_function, |url: String, _b| async move {
    add_other_team_dev(&url).await;
    let app = TestApp::spawn(&url).await;
    let r = submitted_for_review(&app).await;
    let mut wrong = Vec::new();
    // Nobody signed in: 401 everywhere.
    for (name, form, _) in matrix().into_iter().chain(global()) {
        let mut f = form.clone();
        f.push(("reference", r.as_str()));
        let status = app.call(name, &f).await.status().as_u16();
        if status != 401 {
            wrong.push(format!("anonymous {name}: {status}"));
        }
    }
    for (i, who) in PEOPLE.iter().enumerate() {
        let client = common::client();
        app.sign_in_as(&client, who).await;
        for (name, form, expected) in matrix().into_iter().chain(global()) {
            let mut f = form.clone();
            f.push(("reference", r.as_str()));
            let res = app.call_as(&client, name, &f).await;
            let status = res.status().as_u16();
            let got = outcome_of(status);
            if got != expected[i] {
                wrong.push(format!(
                    "{who} {name}: expected {:?}, got {status} {}",
                    expected[i],
                    res.text().await.unwrap_or_default()
                ));
            }
        }
    }
    assert!(wrong.is_empty(), "authorisation matrix mismatches:\n{}", wrong.join("\n"));
    app.stop().await;
});

both_backends!(someone_with_no_role_reaches_only_the_home_page_and_signing_out, |url: String, _b| async move {
    let app = TestApp::spawn(&url).await;
    let reference = submitted_for_review(&app).await;
    // An admin hands the archivist's role back to the identity provider's groups: "No role yet".
    app.sign_in("admin@example.gov").await;
    let people: serde_json::Value = app.call("people", &[]).await.json().await.unwrap();
    let otto = people["people"].as_array().unwrap().iter().find(|p| p["email"] == "archivist@example.gov").unwrap()
        ["id"]
        .to_string();
    let res = app.call("change_person", &[("id", &otto), ("what", "role"), ("value", "none")]).await;
    assert!(res.status().is_success(), "{}", res.text().await.unwrap());
    let otto = common::client();
    app.sign_in_as(&otto, "archivist@example.gov").await;
    let open = ["sign_in", "sign_in_methods", "sign_out", "whoami", "password_link", "set_password"];
    for (path, _) in leptos::server_fn::axum::server_fn_paths() {
        let name = path.trim_start_matches("/api/");
        // The emailed links' own functions: the token is the credential, whoever is signed in.
        if open.contains(&name) || name.ends_with("by_link") || name == "sign_off_link" || name == "dev_mail" {
            continue;
        }
        let res = app.call_as(&otto, name, &[("reference", reference.as_str())]).await;
        assert_eq!(res.status(), 403, "{name}");
    }
    for page in ["/requests", &format!("/requests/{reference}"), "/hosting", "/archive", "/admin/people", "/account"] {
        let res = otto.get(app.url(page)).send().await.unwrap();
        assert_eq!(res.headers().get("location").map(|l| l.to_str().unwrap()), Some("/"), "{page}");
    }
    let res = otto.get(app.url(&format!("/changes/{reference}.pdf"))).send().await.unwrap();
    assert_eq!(res.headers().get("location").map(|l| l.to_str().unwrap()), Some("/"));
    let home = otto.get(app.url("/")).send().await.unwrap().text().await.unwrap();
    assert!(home.contains("you have no role yet"));
    app.stop().await;
});

both_backends!(a_page_whose_read_is_refused_says_why_where_its_content_would_be, |url: String, _b| async move {
    let app = TestApp::spawn(&url).await;
    app.sign_in("dev@example.gov").await;
    // Pages with their own heading say it in a line under it; the calendar's read is open to all.
    for page in ["/admin/people", "/admin/webhooks", "/account"] {
        let (_, body) = app.get_text(page).await;
        let refused = body.contains("You do not have permission to do that");
        assert_eq!(refused, page != "/account", "{page}");
    }
    // A request's history that does not exist is the "not found" page.
    let (_, body) = app.get_text("/requests/ECR-2000-9999/history").await;
    assert!(body.contains("Page not found"), "{body}");
    app.stop().await;
});

both_backends!(only_those_who_may_start_a_request_are_offered_the_button, |url: String, _b| async move {
    let app = TestApp::spawn(&url).await;
    for (who, may_start) in [
        ("dev@example.gov", true),
        ("hosting@example.gov", true),
        ("cor1@example.gov", false),
        ("isso@example.gov", false),
    ] {
        app.sign_in(who).await;
        for page in ["/", "/requests"] {
            let (_, body) = app.get_text(page).await;
            assert_eq!(body.contains("Start an emergency change request"), may_start, "{who} on {page}");
            assert!(body.contains("/requests"), "{who} on {page}: a way to their requests");
        }
        // Opened directly, the form is there for those who may start, and anyone else is told
        // so (with a 403) before typing anything.
        let (status, body) = app.get_text("/requests/new").await;
        assert_eq!(body.contains("What needs to change?"), may_start, "{who} on /requests/new");
        assert_eq!(body.contains("You cannot start a request"), !may_start, "{who} on /requests/new");
        assert_eq!(status, if may_start { 200 } else { 403 }, "{who} on /requests/new");
        if !may_start {
            assert!(body.contains("Dev team member, Hosting engineer, Hosting lead, Admin"), "{body}");
        }
        app.call("sign_out", &[]).await;
    }
    app.stop().await;
});
