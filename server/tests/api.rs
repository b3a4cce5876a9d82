//! The JSON API with personal access tokens, on SQLite and PostgreSQL, checked against its
//! own OpenAPI document.

mod common;
use common::flow::*;
use common::*;
use serde_json::Value;

async fn token_for(app: &TestApp, email: &str) -> String {
    let client = common::client();
    app.sign_in_as(&client, email).await;
    let res = app.call_as(&client, "create_api_token", &[("name", "pipeline")]).await;
    assert!(res.status().is_success());
    let token: String = res.json().await.unwrap();
    assert!(token.starts_with("ofc_") && token.len() == 68, "{token}");
    token
}

async fn post(app: &TestApp, token: &str, path: &str, key: Option<&str>, body: &Value) -> (u16, Value, bool) {
    let mut req = reqwest::Client::new().post(app.url(path)).bearer_auth(token).json(body);
    if let Some(k) = key {
        req = req.header("Idempotency-Key", k);
    }
    let res = req.send().await.unwrap();
    let status = res.status().as_u16();
    let replayed = res.headers().get("idempotent-replayed").is_some();
    (status, res.json().await.unwrap_or(Value::Null), replayed)
}

/// A token that may open requests.
async fn write_token_for(app: &TestApp, email: &str) -> String {
    let client = common::client();
    app.sign_in_as(&client, email).await;
    let res = app.call_as(&client, "create_api_token", &[("name", "release pipeline"), ("scope", "write")]).await;
    assert!(res.status().is_success());
    res.json().await.unwrap()
}

async fn get(app: &TestApp, token: Option<&str>, path: &str) -> (u16, Value) {
    let mut req = reqwest::Client::new().get(app.url(path));
    if let Some(t) = token {
        req = req.bearer_auth(t);
    }
    let res = req.send().await.unwrap();
    let status = res.status().as_u16();
    (status, res.json().await.unwrap_or(Value::Null))
}

/// Checks a JSON value against a schema of the document (objects' required fields and types).
fn conforms(doc: &Value, schema: &Value, value: &Value, at: &str, problems: &mut Vec<String>) {
    if let Some(r) = schema.get("$ref").and_then(Value::as_str) {
        let name = r.trim_start_matches("#/components/schemas/");
        return conforms(doc, &doc["components"]["schemas"][name], value, at, problems);
    }
    if let Some(all) = schema.get("allOf").and_then(Value::as_array) {
        // One object described in parts (flattened fields): check it against their union.
        let mut props = serde_json::Map::new();
        let mut required = Vec::new();
        for part in all {
            let part = match part.get("$ref").and_then(Value::as_str) {
                Some(r) => &doc["components"]["schemas"][r.trim_start_matches("#/components/schemas/")],
                None => part,
            };
            if let Some(p) = part["properties"].as_object() {
                props.extend(p.clone());
            }
            if let Some(r) = part["required"].as_array() {
                required.extend(r.clone());
            }
        }
        let merged = serde_json::json!({ "type": "object", "properties": props, "required": required });
        return conforms(doc, &merged, value, at, problems);
    }
    if let Some(one) = schema.get("oneOf").and_then(Value::as_array) {
        // Nullable fields: `oneOf: [{type: null}, {...}]`.
        if value.is_null() && one.iter().any(|s| s["type"] == "null") {
            return;
        }
        for s in one.iter().filter(|s| s["type"] != "null") {
            conforms(doc, s, value, at, problems);
        }
        return;
    }
    let types: Vec<&str> = match &schema["type"] {
        Value::String(t) => vec![t.as_str()],
        Value::Array(ts) => ts.iter().filter_map(Value::as_str).collect(),
        _ => vec![],
    };
    let ok = types.is_empty()
        || types.iter().any(|t| match *t {
            "object" => value.is_object(),
            "array" => value.is_array(),
            "string" => value.is_string(),
            "integer" => value.is_i64() || value.is_u64(),
            "number" => value.is_number(),
            "boolean" => value.is_boolean(),
            "null" => value.is_null(),
            _ => true,
        });
    if !ok {
        problems.push(format!("{at}: {value} is not {types:?}"));
        return;
    }
    if let Some(required) = schema["required"].as_array() {
        for f in required.iter().filter_map(Value::as_str) {
            if value.get(f).is_none() {
                problems.push(format!("{at}: missing required {f}"));
            }
        }
    }
    if let (Some(props), Some(obj)) = (schema["properties"].as_object(), value.as_object()) {
        for (k, v) in obj {
            match props.get(k) {
                Some(s) => conforms(doc, s, v, &format!("{at}.{k}"), problems),
                None => problems.push(format!("{at}: undocumented field {k}")),
            }
        }
    }
    if let (Some(items), Some(arr)) = (schema.get("items"), value.as_array()) {
        for (i, v) in arr.iter().enumerate() {
            conforms(doc, items, v, &format!("{at}[{i}]"), problems);
        }
    }
}

both_backends!(
    tokens_read_what_their_owner_may_read_and_answers_match_the_openapi_document,
    |url: String, _b| async move {
        add_other_team_dev(&url).await;
        let app = TestApp::spawn(&url).await;
        let r = submitted_for_review(&app).await;
        let dev = token_for(&app, "dev@example.gov").await;
        let otto = token_for(&app, "otto@example.gov").await;
        let hosting = token_for(&app, "hosting@example.gov").await;

        let (status, doc) = get(&app, None, "/api/v1/openapi.json").await;
        assert_eq!(status, 200);
        assert_eq!(doc["openapi"].as_str().map(|v| v.starts_with("3.")), Some(true));

        // Every documented operation, called as the dev: the status is documented and the body
        // conforms to the documented schema.
        let mut problems = Vec::new();
        let paths = doc["paths"].as_object().unwrap();
        assert_eq!(paths.len(), 8);
        for (path, ops) in paths.iter().filter(|(_, ops)| ops.get("get").is_some()) {
            let concrete = path.replace("{reference}", &r).replace("{version}", "1");
            for who in [Some(dev.as_str()), Some(otto.as_str()), None] {
                let (status, body) = get(&app, who, &concrete).await;
                let responses = &ops["get"]["responses"];
                match responses.get(status.to_string()) {
                    None => problems.push(format!("{concrete} as {who:?}: undocumented status {status}")),
                    Some(resp) => {
                        let schema = &resp["content"]["application/json"]["schema"];
                        conforms(&doc, schema, &body, &format!("{concrete} {status}"), &mut problems);
                    }
                }
            }
        }
        assert!(problems.is_empty(), "the API differs from its document:\n{}", problems.join("\n"));

        // The same authorisation as the pages.
        let (_, page) = get(&app, Some(&dev), "/api/v1/requests").await;
        assert_eq!(page["items"][0]["reference"], r.as_str());
        let (_, page) = get(&app, Some(&otto), "/api/v1/requests").await;
        assert!(page["items"].as_array().unwrap().is_empty(), "another team's requests are not listed");
        let (_, page) = get(&app, Some(&dev), "/api/v1/requests?state=hosting_review").await;
        assert_eq!(page["items"][0]["reference"], r.as_str(), "narrowed by state");
        let (status, e) = get(&app, Some(&dev), "/api/v1/requests?state=hosting-review").await;
        assert_eq!(status, 422, "an unknown state is named, not an empty page: {e}");
        assert!(e["error"].as_str().unwrap().contains("hosting_review"), "{e}");
        assert_eq!(get(&app, Some(&otto), &format!("/api/v1/requests/{r}")).await.0, 404);
        let (_, actions) = get(&app, Some(&hosting), &format!("/api/v1/requests/{r}/actions")).await;
        assert!(actions["actions"].as_array().unwrap().iter().any(|a| a == "RecordRiskReview"), "{actions}");
        let (_, plan) = get(&app, Some(&dev), &format!("/api/v1/requests/{r}/plan")).await;
        assert_eq!(plan["steps"][0]["action"], "Deploy the patched image");
        assert_eq!(plan["hash"].as_str().unwrap().len(), 64);
        // Version 0 is the empty plan before the first save; a version never saved is not found.
        let (status, empty) = get(&app, Some(&dev), &format!("/api/v1/requests/{r}/plan/versions/0")).await;
        assert_eq!((status, empty["steps"].as_array().map(Vec::len)), (200, Some(0)), "{empty}");
        assert_eq!(get(&app, Some(&dev), &format!("/api/v1/requests/{r}/plan/versions/99")).await.0, 404);

        // Bad, revoked and deactivated owners' tokens stop working at once.
        assert_eq!(get(&app, Some("ofc_nonsense"), "/api/v1/requests").await.0, 401);
        let client = common::client();
        app.sign_in_as(&client, "dev@example.gov").await;
        let account: Value = app.call_as(&client, "my_account", &[]).await.json().await.unwrap();
        let id = account["tokens"][0]["id"].as_i64().unwrap().to_string();
        assert!(app.call_as(&client, "revoke_api_token", &[("id", &id)]).await.status().is_success());
        assert_eq!(get(&app, Some(&dev), "/api/v1/requests").await.0, 401);
        let admin = common::client();
        app.sign_in_as(&admin, "admin@example.gov").await;
        let people: Value = app.call_as(&admin, "people", &[]).await.json().await.unwrap();
        let hal = people["people"].as_array().unwrap().iter().find(|p| p["email"] == "hosting@example.gov").unwrap()
            ["id"]
            .to_string();
        assert!(app
            .call_as(&admin, "change_person", &[("id", &hal), ("what", "deactivate")])
            .await
            .status()
            .is_success());
        assert_eq!(get(&app, Some(&hosting), "/api/v1/requests").await.0, 401, "a deactivated person's token is dead");
        app.stop().await;
    }
);

both_backends!(calls_without_a_valid_token_cannot_grow_the_audit_log_without_bound, |url: String, _b| async move {
    use server::store::{Db, Store};
    let app = TestApp::spawn(&url).await;
    let store = Store::new(Db::open(&url).await.unwrap());
    let refused = || async {
        store.audit_rows_for_test().await.into_iter().filter(|r| r.0 == "API" && r.1 == "failure").collect::<Vec<_>>()
    };
    let long_path = format!("/api/v1/requests/{}", "A".repeat(5_000));
    for _ in 0..15 {
        assert_eq!(get(&app, None, &long_path).await.0, 401);
    }
    let rows = refused().await;
    assert_eq!(rows.len(), 10, "the first ten are audited one by one");
    assert!(rows.iter().all(|r| r.2.chars().count() < 300), "with the path bounded");
    // The hundredth says how many there were; past the hourly limit the address is refused.
    let hour = chrono::Utc::now().timestamp_millis() / 3_600_000;
    store.set_sign_in_attempts_for_test("api:127.0.0.1", hour, 99).await;
    assert_eq!(get(&app, Some("ofc_nonsense"), "/api/v1/requests").await.0, 401);
    let rows = refused().await;
    assert_eq!(rows.len(), 11);
    assert!(rows[10].2.contains("100 such calls this hour"), "{:?}", rows[10]);
    store.set_sign_in_attempts_for_test("api:127.0.0.1", hour, server::auth::MAX_API_FAILURES_PER_HOUR).await;
    assert_eq!(get(&app, None, "/api/v1/requests").await.0, 429);
    assert_eq!(refused().await.len(), 11);
    // A valid token still works from that address.
    let dev = token_for(&app, "dev@example.gov").await;
    assert_eq!(get(&app, Some(&dev), "/api/v1/requests").await.0, 200);
    app.stop().await;
});

both_backends!(
    a_pipeline_opens_a_request_once_per_idempotency_key_with_its_plan_and_the_answers_match_the_document,
    |url: String, _b| async move {
        let app = TestApp::spawn(&url).await;
        let pipeline = write_token_for(&app, "dev@example.gov").await;
        let reader = token_for(&app, "dev@example.gov").await;
        let cor = write_token_for(&app, "cor1@example.gov").await;
        let (_, doc) = get(&app, None, "/api/v1/openapi.json").await;
        let documented = |path: &str, status: u16, body: &Value, problems: &mut Vec<String>| match doc["paths"][path]
            ["post"]["responses"]
            .get(status.to_string())
        {
            None => problems.push(format!("POST {path}: undocumented status {status}")),
            Some(resp) => {
                let schema = &resp["content"]["application/json"]["schema"];
                if !schema.is_null() {
                    conforms(&doc, schema, body, &format!("POST {path} {status}"), problems);
                }
            }
        };
        let mut problems = Vec::new();
        let body = serde_json::json!({
            "title": "Deploy portal 2.4.2",
            "system": "Grants portal",
            "triage": { "active_incident": true },
            "artifact": "portal:2.4.2",
            "pipeline_url": "https://ci.example.gov/runs/1200",
            "plan_steps": [{
                "action": "Deploy the patched image",
                "commands": "kubectl set image deploy/portal portal=portal:2.4.2",
                "owner": "Hosting",
                "expected_result": "All pods ready",
                "verification": "curl https://portal/healthz",
                "rollback": "kubectl rollout undo deploy/portal",
                "estimated_minutes": 15
            }]
        });

        // The first call opens it; the retried call with the same key gets the same request.
        let (status, first, replayed) = post(&app, &pipeline, "/api/v1/requests", Some("run-1200"), &body).await;
        assert_eq!((status, replayed), (201, false), "{first}");
        documented("/api/v1/requests", status, &first, &mut problems);
        let r = first["reference"].as_str().unwrap().to_string();
        assert_eq!(first["state"], "planning");
        assert!(first["url"].as_str().unwrap().ends_with(&format!("/requests/{r}")));
        let (status, again, replayed) = post(&app, &pipeline, "/api/v1/requests", Some("run-1200"), &body).await;
        assert_eq!((status, replayed), (200, true));
        documented("/api/v1/requests", status, &again, &mut problems);
        assert_eq!(again["reference"], r.as_str(), "one request per key");
        // Retries racing each other still make one request.
        let calls = (0..4).map(|_| post(&app, &pipeline, "/api/v1/requests", Some("run-1201"), &body));
        let raced: Vec<String> = futures::future::join_all(calls)
            .await
            .into_iter()
            .map(|(status, v, _)| {
                assert!(status == 201 || status == 200, "{status} {v}");
                v["reference"].as_str().unwrap().to_string()
            })
            .collect();
        assert!(raced.iter().all(|x| *x == raced[0]) && raced[0] != r, "{raced:?}");
        let (_, page) = get(&app, Some(&reader), "/api/v1/requests").await;
        assert_eq!(page["items"].as_array().unwrap().len(), 2, "two keys, two requests: {page}");

        // What it opened is what the pages show: triage, plan, the form's artifact and link.
        let (_, plan) = get(&app, Some(&reader), &format!("/api/v1/requests/{r}/plan")).await;
        assert_eq!(plan["steps"][0]["commands"], "kubectl set image deploy/portal portal=portal:2.4.2");
        app.sign_in("dev@example.gov").await;
        let v = view(&app, &r).await;
        assert_eq!(
            (v["form"]["artifact"].as_str(), v["form"]["pipeline_url"].as_str()),
            (Some("portal:2.4.2"), Some("https://ci.example.gov/runs/1200"))
        );
        let audit = app.call("request_audit", &[("reference", &r)]).await.text().await.unwrap();
        assert!(audit.contains("API "), "the audit trail says it came through the API: {audit}");

        // Staging notes from the pipeline, once the plan is complete.
        ok(&app, "complete_plan", &[("reference", &r)]).await;
        let notes = serde_json::json!({ "notes": "Deployed portal:2.4.2 to staging; 212 checks passed" });
        let (status, _, _) = post(&app, &pipeline, &format!("/api/v1/requests/{r}/staging-notes"), None, &notes).await;
        assert_eq!(status, 204);
        assert_eq!(view(&app, &r).await["staging_notes"], "Deployed portal:2.4.2 to staging; 212 checks passed");
        // An evidence file, checked by content as on the page.
        let upload = |name: &'static str, bytes: &'static [u8]| {
            let part = reqwest::multipart::Part::bytes(bytes).file_name(name);
            reqwest::Client::new()
                .post(app.url(&format!("/api/v1/requests/{r}/attachments")))
                .bearer_auth(&pipeline)
                .multipart(reqwest::multipart::Form::new().part("file", part))
                .send()
        };
        assert_eq!(upload("staging-run.log", b"all 212 checks passed\n").await.unwrap().status(), 204);
        let res = upload("report.pdf", b"<html>not a pdf</html>").await.unwrap();
        assert_eq!(res.status(), 422);
        let e: Value = res.json().await.unwrap();
        documented("/api/v1/requests/{reference}/attachments", 422, &e, &mut problems);
        assert!(e["fields"][0]["message"].as_str().unwrap().contains("does not match its name"), "{e}");
        assert_eq!(view(&app, &r).await["attachments"][0]["file_name"], "staging-run.log");
        let long = serde_json::json!({ "notes": "x".repeat(10_001) });
        let (status, e, _) = post(&app, &pipeline, &format!("/api/v1/requests/{r}/staging-notes"), None, &long).await;
        assert_eq!(status, 422);
        documented("/api/v1/requests/{reference}/staging-notes", status, &e, &mut problems);
        assert_eq!(e["fields"][0]["field"], "notes");

        // Every problem of the body at its field, nothing opened.
        let mut bad = body.clone();
        bad["title"] = "".into();
        bad["plan_steps"][0]["rollback"] = " ".into();
        bad["plan_steps"][0]["estimated_minutes"] = 0.into();
        let (status, e, _) = post(&app, &pipeline, "/api/v1/requests", Some("run-1202"), &bad).await;
        assert_eq!(status, 422);
        documented("/api/v1/requests", status, &e, &mut problems);
        let fields: Vec<&str> = e["fields"].as_array().unwrap().iter().map(|f| f["field"].as_str().unwrap()).collect();
        assert_eq!(fields, ["title", "plan_steps[0].rollback", "plan_steps[0].estimated_minutes"]);
        // Too many steps: said as the wizard says it.
        let mut long = body.clone();
        long["plan_steps"] = serde_json::Value::Array(vec![body["plan_steps"][0].clone(); 201]);
        let (status, e, _) = post(&app, &pipeline, "/api/v1/requests", Some("run-1205"), &long).await;
        assert_eq!((status, e["fields"][0]["field"].as_str()), (422, Some("plan_steps")));
        let said = e["fields"][0]["message"].as_str().unwrap();
        assert_eq!(said, "A plan can have at most 200 steps: combine related steps into one");
        // No key, a read-only token, a person who may not open requests: refused.
        let (status, e, _) = post(&app, &pipeline, "/api/v1/requests", None, &body).await;
        assert_eq!(status, 400);
        documented("/api/v1/requests", status, &e, &mut problems);
        let (status, e, _) = post(&app, &reader, "/api/v1/requests", Some("run-1203"), &body).await;
        assert_eq!(status, 403);
        documented("/api/v1/requests", status, &e, &mut problems);
        let (status, _, _) = post(&app, &cor, "/api/v1/requests", Some("run-1204"), &body).await;
        assert_eq!(status, 403);
        let (_, page) = get(&app, Some(&reader), "/api/v1/requests").await;
        assert_eq!(page["items"].as_array().unwrap().len(), 2, "refused calls open nothing");
        assert!(problems.is_empty(), "the API differs from its document:\n{}", problems.join("\n"));
        app.stop().await;
    }
);
