//! The request flow as a dev team and hosting drive it, shared by the integration tests.

use super::*;
use app::domain::roles::Role;
use serde_json::Value;
use server::store::{Db, Store};

/// Adds a developer of another team, to check that teams cannot act on each other's requests.
pub async fn add_other_team_dev(url: &str) {
    let store = Store::new(Db::open(url).await.unwrap());
    let team = store.ensure_team("Other team").await.unwrap();
    let hash = server::auth::hash_password(DEMO_PASSWORD).unwrap();
    store.ensure_user("otto@example.gov", "Otto Other", Role::DevTeamMember, Some(team), Some(&hash), 0).await.unwrap();
}

pub async fn start(app: &TestApp, title: &str) -> String {
    let res = app.call("start_request", &[("title", title), ("system", "Grants portal")]).await;
    let location = res.headers()["location"].to_str().unwrap().to_string();
    assert!(location.ends_with("/triage"), "a new request opens at triage: {location}");
    location.trim_start_matches("/requests/").trim_end_matches("/triage").to_string()
}

pub async fn view(app: &TestApp, reference: &str) -> Value {
    let res = app.call("get_request_view", &[("reference", reference)]).await;
    assert_eq!(res.status(), 200, "view of {reference}");
    res.json().await.unwrap()
}

pub async fn ok(app: &TestApp, name: &str, form: &[(&str, &str)]) -> String {
    let res = app.call(name, form).await;
    let status = res.status();
    let location = res.headers().get("location").map(|v| v.to_str().unwrap().to_string());
    assert!(status.is_success(), "{name}: {status} {}", res.text().await.unwrap());
    location.unwrap_or_default()
}

pub async fn failed(app: &TestApp, name: &str, form: &[(&str, &str)]) -> (u16, Value) {
    let res = app.call(name, form).await;
    let status = res.status().as_u16();
    (status, res.json().await.unwrap_or(Value::Null))
}

pub fn fields(errors: &Value) -> Vec<String> {
    errors["Invalid"]["errors"].as_array().unwrap().iter().map(|e| e["field"].as_str().unwrap().to_string()).collect()
}

pub const EMERGENCY: &[(&str, &str)] = &[
    ("active_incident", "yes"),
    ("users_cannot_access", "no"),
    ("performance_degraded", "no"),
    ("security_or_quality_need", "yes"),
];

pub fn step<'a>(reference: &'a str, base: &'a str) -> Vec<(&'a str, &'a str)> {
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

pub fn section(reference: &str, name: &str, fields: &[(&str, &str)]) -> Vec<(String, String)> {
    let mut v = vec![("reference".to_string(), reference.to_string()), ("section".to_string(), name.to_string())];
    v.push(("intent".into(), "continue".into()));
    for (k, val) in fields {
        v.push((format!("fields[{k}]"), val.to_string()));
    }
    v
}

pub async fn save_section(app: &TestApp, reference: &str, name: &str, f: &[(&str, &str)]) -> reqwest::Response {
    let form = section(reference, name, f);
    let pairs: Vec<(&str, &str)> = form.iter().map(|(a, b)| (a.as_str(), b.as_str())).collect();
    app.call("save_form_section", &pairs).await
}

/// Fills every CR form section with valid answers (start on a Tuesday inside the window).
pub async fn complete_form(app: &TestApp, r: &str) {
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

/// The demo's Grants Portal team, as mail to the dev team lists it (by address).
pub const DEV_TEAM: [&str; 4] = ["dev@example.gov", "product@example.gov", "qa@example.gov", "tester@example.gov"];

/// Each capacity signs off staging as its own demo person (the team wants a different person in
/// each); the demo dev is signed in again afterwards.
pub async fn sign_staging(app: &TestApp, r: &str, evidence: &str) {
    for (role, signer) in server::demo::DEMO_SIGNERS {
        app.sign_in(signer).await;
        ok(app, "sign_off_staging", &[("reference", r), ("role", role.key()), ("evidence", evidence)]).await;
    }
    app.sign_in("dev@example.gov").await;
}

/// A request submitted for hosting review by the demo dev; returns its reference.
pub async fn submitted_for_review(app: &TestApp) -> String {
    app.sign_in("dev@example.gov").await;
    let r = start(app, "Patch OpenSSL").await;
    ok(app, "answer_triage", &[&[("reference", r.as_str())], EMERGENCY].concat()).await;
    ok(app, "save_plan_step", &step(&r, "0")).await;
    ok(app, "complete_plan", &[("reference", &r)]).await;
    sign_staging(app, &r, "run 982").await;
    ok(app, "complete_staging", &[("reference", &r)]).await;
    complete_form(app, &r).await;
    ok(app, "submit_for_review", &[("reference", &r)]).await;
    app.call("sign_out", &[]).await;
    r
}

/// Submits a security-related request to the CORs; returns its reference.
pub async fn submitted_to_cors(app: &TestApp) -> String {
    let r = submitted_for_review(app).await;
    app.sign_in("hosting@example.gov").await;
    ok(app, "assign_engineer", &[("reference", &r)]).await;
    ok(
        app,
        "record_risk_review",
        &[("reference", &r), ("notes", ""), ("security_related", "yes"), ("reason", "Patches an exploited CVE")],
    )
    .await;
    ok(app, "submit_to_cors", &[("reference", &r)]).await;
    app.call("sign_out", &[]).await;
    r
}
