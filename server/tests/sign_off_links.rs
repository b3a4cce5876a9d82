//! Sign-off by someone outside the dev team, from an emailed link, over real SMTP on SQLite and
//! PostgreSQL: the link reaches them alone, opening it changes nothing, it signs once in the
//! capacity asked, and the record, the PDF and the audit trail say who signed and how.

mod common;
use app::domain::workflow::SignOffRole;
use common::flow::*;
use common::smtp::*;
use common::*;
use serde_json::Value;
use server::store::{Db, Store};

/// The token of the sign-off link in a message.
fn sign_off_link_in(text: &str) -> String {
    let start = text.find("/sign-off/").expect("a sign-off link");
    text[start + 10..].chars().take_while(|c| c.is_ascii_alphanumeric()).collect()
}

async fn anonymous(app: &TestApp, name: &str, form: &[(&str, &str)]) -> reqwest::Response {
    app.call_as(&common::client(), name, form).await
}

/// A request in staging validation with its dev team signed in, its mail going to `sink`.
async fn in_staging(url: &str, sink: &SmtpSink) -> (TestApp, String) {
    let mut config = common::config(url);
    config.smtp_url = Some(sink.url());
    let app = TestApp::spawn_with(config).await;
    app.sign_in("dev@example.gov").await;
    let r = start(&app, "Patch OpenSSL").await;
    ok(&app, "answer_triage", &[&[("reference", r.as_str())], EMERGENCY].concat()).await;
    ok(&app, "save_plan_step", &step(&r, "0")).await;
    ok(&app, "complete_plan", &[("reference", &r)]).await;
    (app, r)
}

both_backends!(someone_outside_the_dev_team_signs_qa_from_an_emailed_link, |url: String, _b| async move {
    let sink = SmtpSink::running();
    let (app, r) = in_staging(&url, &sink).await;

    // Each problem at its field, with what was typed kept.
    let ask = |capacity: &'static str, name: &'static str, email: &'static str| {
        vec![("reference", r.clone()), ("capacity", capacity.into()), ("name", name.into()), ("email", email.into())]
    };
    let call = |form: Vec<(&'static str, String)>| {
        let app = &app;
        async move {
            let form: Vec<(&str, &str)> = form.iter().map(|(k, v)| (*k, v.as_str())).collect();
            failed(app, "ask_to_sign_off", &form).await
        }
    };
    let (status, e) = call(ask("", "Olive Outside", "olive@qa.example")).await;
    assert_eq!((status, fields(&e)), (422, vec!["capacity".to_string()]));
    let (status, e) = call(ask("qa", "Olive Outside", "olive")).await;
    assert_eq!((status, fields(&e)), (422, vec!["email".to_string()]));
    assert!(e.to_string().contains("Olive Outside"), "the name typed comes back: {e}");
    let (status, e) = call(ask("qa", " ", "olive@qa.example")).await;
    assert_eq!((status, fields(&e)), (422, vec!["name".to_string()]));

    ok(
        &app,
        "ask_to_sign_off",
        &[("reference", &r), ("capacity", "qa"), ("name", "Olive Outside"), ("email", " Olive@QA.example ")],
    )
    .await;
    let all = sink.wait_until("the sign-off request", |m| m.iter().any(|m| m.text.contains("/sign-off/"))).await;
    let asked = all.iter().find(|m| m.text.contains("/sign-off/")).unwrap();
    assert_eq!(asked.envelope_to, ["olive@qa.example"], "the link reaches its holder alone");
    assert!(asked.cc.is_empty());
    assert!(asked.text.contains("Hello Olive Outside") && asked.text.contains("Sign off as QA"), "{}", asked.text);
    assert!(asked.text.contains("Dana Developer asks you"), "{}", asked.text);
    let token = sign_off_link_in(&asked.text);
    assert_eq!(token.len(), 64);
    let store = Store::new(Db::open(&url).await.unwrap());
    assert!(store.undelivered_and_bodies_for_test().await.iter().all(|b| !b.contains(&token)), "no raw token stored");

    let v = view(&app, &r).await;
    assert_eq!(v["invitations"][0]["name"], "Olive Outside");
    assert_eq!(v["invitations"][0]["email"], "olive@qa.example");
    assert_eq!(v["invitations"][0]["role"], "Qa");

    // Opening the link (a mail scanner, the person) changes nothing.
    for _ in 0..2 {
        assert_eq!(common::client().get(app.url(&format!("/sign-off/{token}"))).send().await.unwrap().status(), 200);
        let l: Value = anonymous(&app, "sign_off_link", &[("token", &token)]).await.json().await.unwrap();
        assert_eq!(l["closed_reason"], Value::Null, "{l}");
        assert_eq!(l["role"], "Qa");
        assert_eq!(l["plan"]["steps"][0]["action"], "Deploy the patched image");
    }
    assert!(view(&app, &r).await["sign_offs"].as_array().unwrap().is_empty());
    assert!(view(&app, &r).await["invitations"][0]["opened_at"].is_string(), "the dev team sees it was opened");

    // Signing needs the name (at its field; the evidence typed is kept), then signs once.
    let res = anonymous(&app, "sign_off_by_link", &[("token", &token), ("evidence", "Regression run 77 green")]).await;
    assert_eq!(res.status(), 422);
    let e: Value = res.json().await.unwrap();
    assert_eq!(fields(&e), ["name"]);
    assert!(e.to_string().contains("Regression run 77 green"));
    let sign = [("token", token.as_str()), ("evidence", "Regression run 77 green"), ("name", "Olive Outside")];
    let res = anonymous(&app, "sign_off_by_link", &sign).await;
    assert!(res.status().is_success(), "{}", res.text().await.unwrap());
    let res = anonymous(&app, "sign_off_by_link", &sign).await;
    assert_eq!(res.status(), 409, "a used link signs nothing more");
    let l: Value = anonymous(&app, "sign_off_link", &[("token", &token)]).await.json().await.unwrap();
    assert!(l["closed_reason"].as_str().unwrap().contains("was used"), "{l}");

    // The record: who signed, how; the invitation is spent; the audit trail and the PDF say so.
    let v = view(&app, &r).await;
    let qa = &v["sign_offs"][0];
    assert_eq!((qa["role"].as_str(), qa["signer"].as_str()), (Some("Qa"), Some("Olive Outside")));
    assert_eq!(qa["by_link_as"], "Olive Outside");
    assert!(v["invitations"].as_array().unwrap().is_empty());
    let audit: Value = app.call("request_audit", &[("reference", &r)]).await.json().await.unwrap();
    assert!(
        audit.as_array().unwrap().iter().any(|e| e["actor"] == "Olive Outside"
            && e["detail"]
                .as_str()
                .unwrap()
                .contains("QA signed off staging from an emailed link, signed “Olive Outside”")),
        "{audit}"
    );
    assert!(audit.to_string().contains("asked Olive Outside (olive@qa.example) by email to sign off as QA"), "{audit}");
    let pdf = app.client.get(app.url(&format!("/changes/{r}.pdf"))).send().await.unwrap().bytes().await.unwrap();
    let text = pdftotext(&pdf);
    assert!(text.contains("Olive Outside") && text.contains("From an emailed link"), "{text}");

    // Asked again, for another capacity, she is the same person: the page says so before she types.
    ok(
        &app,
        "ask_to_sign_off",
        &[("reference", &r), ("capacity", "testers"), ("name", "Olive Outside"), ("email", "olive@qa.example")],
    )
    .await;
    let all = sink
        .wait_until("the second request", |m| m.iter().filter(|m| m.text.contains("/sign-off/")).count() == 2)
        .await;
    let second = sign_off_link_in(&all.iter().rfind(|m| m.text.contains("Sign off as Testers")).unwrap().text);
    let l: Value = anonymous(&app, "sign_off_link", &[("token", &second)]).await.json().await.unwrap();
    assert!(l["closed_reason"].as_str().unwrap().contains("each capacity is signed off by a different person"), "{l}");
    // Asking someone else for the capacity withdraws her link.
    ok(
        &app,
        "ask_to_sign_off",
        &[("reference", &r), ("capacity", "testers"), ("name", "Tess Tester"), ("email", "tester@example.gov")],
    )
    .await;
    let l: Value = anonymous(&app, "sign_off_link", &[("token", &second)]).await.json().await.unwrap();
    assert!(l["closed_reason"].as_str().unwrap().contains("asked someone else"), "{l}");
    let res =
        anonymous(&app, "sign_off_by_link", &[("token", &second), ("evidence", "x"), ("name", "Olive Outside")]).await;
    assert_eq!(res.status(), 409);

    // A tampered token is not found.
    let mut tampered = token.clone().into_bytes();
    tampered[5] = if tampered[5] == b'a' { b'b' } else { b'a' };
    let tampered = String::from_utf8(tampered).unwrap();
    assert_eq!(anonymous(&app, "sign_off_link", &[("token", &tampered)]).await.status(), 404);
    app.stop().await;
});

both_backends!(
    invitations_stay_in_the_order_they_were_asked_in_when_a_link_is_sent_again,
    |url: String, _b| async move {
        let sink = SmtpSink::running();
        let (app, r) = in_staging(&url, &sink).await;
        for (capacity, name, email) in
            [("qa", "Olive Outside", "olive@qa.example"), ("testers", "Tess Tester", "tess@qa.example")]
        {
            ok(&app, "ask_to_sign_off", &[("reference", &r), ("capacity", capacity), ("name", name), ("email", email)])
                .await;
        }
        let asked = |m: &[Mail]| m.iter().filter(|m| m.text.contains("/sign-off/")).count() == 2;
        sink.wait_until("both sign-off requests", asked).await;

        // A message sent again makes a new link, which rewrites the invitation's row: PostgreSQL
        // then keeps it after the other one. The list is still in the order people were asked in.
        let store = Store::new(Db::open(&url).await.unwrap());
        let loaded = store.load(app::domain::reference::Reference::parse(&r).unwrap()).await.unwrap().unwrap();
        let olive = *loaded.snapshot.invited.iter().find(|(_, role)| **role == SignOffRole::Qa).unwrap().0;
        let expires = chrono::Utc::now() + chrono::Duration::days(1);
        assert!(store.create_sign_off_link(loaded.id, olive, &"0".repeat(64), expires).await.unwrap());
        let v = view(&app, &r).await;
        let names: Vec<&str> =
            v["invitations"].as_array().into_iter().flatten().filter_map(|i| i["name"].as_str()).collect();
        assert_eq!(names, ["Olive Outside", "Tess Tester"]);
        app.stop().await;
    }
);
