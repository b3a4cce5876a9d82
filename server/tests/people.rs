//! People administration and sign-in protection, on SQLite and PostgreSQL: invitations with
//! single-use set-password links, the password policy, deactivation that ends sessions at
//! once, the session list, throttling without account enumeration.

mod common;
use common::*;
use serde_json::Value;
use server::store::{Db, Store};
use std::time::Duration;

/// The set-password link in the newest invitation to `email` (demo inbox: the mail viewer).
async fn invitation_link(app: &TestApp, email: &str) -> String {
    for _ in 0..100 {
        let mail: Value = app.call_as(&common::client(), "dev_mail", &[]).await.json().await.unwrap();
        if let Some(m) = mail.as_array().unwrap().iter().find(|m| m["kind"] == "invitation" && m["to"][0] == email) {
            let body = m["body"].as_str().unwrap();
            if let Some(i) = body.find("/set-password/") {
                return body[i + 14..].chars().take_while(|c| c.is_ascii_hexdigit()).collect();
            }
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("no invitation for {email}");
}

both_backends!(
    an_admin_invites_someone_who_sets_a_password_and_deactivation_ends_their_sessions_at_once,
    |url: String, _b| async move {
        let app = TestApp::spawn(&url).await;
        let admin = common::client();
        app.sign_in_as(&admin, "admin@example.gov").await;
        let people: Value = app.call_as(&admin, "people", &[]).await.json().await.unwrap();
        let team = people["teams"][0][0].to_string();

        // Field errors, each at its field, with what was typed kept.
        let res = app
            .call_as(&admin, "invite_person", &[("email", "not-an-email"), ("name", ""), ("role", "dev"), ("team", "")])
            .await;
        assert_eq!(res.status(), 422);
        let e: Value = res.json().await.unwrap();
        let fields: Vec<&str> =
            e["Invalid"]["errors"].as_array().unwrap().iter().map(|x| x["field"].as_str().unwrap()).collect();
        assert_eq!(fields, ["email", "name", "team"]);
        let res = app
            .call_as(
                &admin,
                "invite_person",
                &[("email", "Dana.New@Example.gov"), ("name", "Dana New"), ("role", "dev"), ("team", &team)],
            )
            .await;
        assert!(res.status().is_success(), "{}", res.text().await.unwrap());
        let res = app
            .call_as(
                &admin,
                "invite_person",
                &[("email", "dana.new@example.gov"), ("name", "Dana"), ("role", "dev"), ("team", &team)],
            )
            .await;
        assert_eq!(res.status(), 422, "one account per email");

        let token = invitation_link(&app, "dana.new@example.gov").await;
        assert_eq!(token.len(), 64);
        // The database holds only the link's hash, and the outbox only a placeholder.
        let store = Store::new(Db::open(&url).await.unwrap());
        assert!(store.undelivered_and_bodies_for_test().await.iter().all(|b| !b.contains(&token)));

        let anon = common::client();
        let (status, _) = (app.call_as(&anon, "password_link", &[("token", &token)]).await.status(), ());
        assert!(status.is_success());
        for (weak, why) in
            [("short", "at least 8"), ("password123", "too common"), ("dana.new@example.gov", "email address")]
        {
            let res =
                app.call_as(&anon, "set_password", &[("token", &token), ("password", weak), ("confirm", weak)]).await;
            assert_eq!(res.status(), 422, "{weak}");
            let text = res.text().await.unwrap();
            assert!(text.contains(why), "{weak}: {text}");
            assert!(!text.contains(weak) || weak == "dana.new@example.gov", "a password is never echoed back");
        }
        let good = "glacier umbrella violin";
        let res = app
            .call_as(&anon, "set_password", &[("token", &token), ("password", good), ("confirm", "glacier umbrella")])
            .await;
        assert_eq!(res.status(), 422, "the two must match");
        let res = app.call_as(&anon, "set_password", &[("token", &token), ("password", good), ("confirm", good)]).await;
        assert!(res.status().is_success());
        let res = app.call_as(&anon, "set_password", &[("token", &token), ("password", good), ("confirm", good)]).await;
        assert_eq!(res.status(), 404, "the link works once");

        // Dana signs in twice (two browsers), sees both sessions, ends the other one.
        let (b1, b2) = (common::client(), common::client());
        for b in [&b1, &b2] {
            let res = app.call_as(b, "sign_in", &[("email", "dana.new@example.gov"), ("password", good)]).await;
            assert!(res.status().is_success() || res.status().is_redirection());
        }
        let account: Value = app.call_as(&b1, "my_account", &[]).await.json().await.unwrap();
        let sessions = account["sessions"].as_array().unwrap();
        assert_eq!(sessions.len(), 2);
        let other = sessions.iter().find(|s| s["current"] == false).unwrap()["id"].as_str().unwrap().to_string();
        assert!(app.call_as(&b1, "end_session", &[("id", &other)]).await.status().is_success());
        assert_eq!(app.call_as(&b2, "my_account", &[]).await.status(), 401, "the other browser is signed out");

        // Deactivation: out at once, and sign-in refused with the same generic message.
        let people: Value = app.call_as(&admin, "people", &[]).await.json().await.unwrap();
        let dana = people["people"].as_array().unwrap().iter().find(|p| p["email"] == "dana.new@example.gov").unwrap()
            ["id"]
            .to_string();
        let res = app.call_as(&admin, "change_person", &[("id", &dana), ("what", "deactivate")]).await;
        assert!(res.status().is_success());
        assert_eq!(app.call_as(&b1, "my_account", &[]).await.status(), 401, "deactivated: out at once");
        let res = app.call_as(&b1, "sign_in", &[("email", "dana.new@example.gov"), ("password", good)]).await;
        assert_eq!(res.status(), 401);
        // Each team's standing stakeholders: email addresses only, one per line.
        let res = app
            .call_as(
                &admin,
                "set_stakeholders",
                &[("team", &team), ("stakeholders", "owner@example.gov\nnot an address")],
            )
            .await;
        assert_eq!(res.status(), 422);
        let res = app
            .call_as(
                &admin,
                "set_stakeholders",
                &[("team", &team), ("stakeholders", " owner@example.gov \n\nops@example.gov")],
            )
            .await;
        assert!(res.status().is_success());
        let people: Value = app.call_as(&admin, "people", &[]).await.json().await.unwrap();
        let saved = people["stakeholders"]
            .as_array()
            .unwrap()
            .iter()
            .find(|s| s[0].as_i64().map(|n| n.to_string()).as_deref() == Some(team.as_str()))
            .unwrap()[1]
            .clone();
        assert_eq!(saved, "owner@example.gov\nops@example.gov");
        // An admin cannot lock themselves out.
        let me = people["me"].to_string();
        assert_eq!(app.call_as(&admin, "change_person", &[("id", &me), ("what", "deactivate")]).await.status(), 409);
        app.stop().await;
    }
);

both_backends!(too_many_failures_throttle_an_account_and_an_unknown_email_alike, |url: String, _b| async move {
    let app = TestApp::spawn(&url).await;
    let store = Store::new(Db::open(&url).await.unwrap());
    let now = chrono::Utc::now().timestamp_millis();
    for email in ["dev@example.gov", "nobody@example.gov"] {
        for i in 0..server::auth::MAX_FAILURES_PER_HOUR {
            store.note_failure_for_test(email, now - i * 1000).await;
        }
    }
    let right = app.call("sign_in", &[("email", "dev@example.gov"), ("password", DEMO_PASSWORD)]).await;
    let unknown = app.call("sign_in", &[("email", "nobody@example.gov"), ("password", "whatever1")]).await;
    assert_eq!((right.status().as_u16(), unknown.status().as_u16()), (429, 429), "the same answer for both");
    let other = app.call("sign_in", &[("email", "hosting@example.gov"), ("password", DEMO_PASSWORD)]).await;
    assert!(other.status().is_success() || other.status().is_redirection(), "other accounts are unaffected");
    app.stop().await;
});
