//! People administration and sign-in protection, on SQLite and PostgreSQL: invitations with
//! single-use set-password links, the password policy, deactivation that ends sessions at
//! once, the session list, throttling without account enumeration.

mod common;
use app::error::AppError;
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

        // A team's name is checked at its field, and taken once.
        for (name, problem) in
            [("   ", "Enter the team's name"), (&"x".repeat(121)[..], "Team name must be 120 characters or fewer")]
        {
            let res = app.call_as(&admin, "create_team", &[("name", name)]).await;
            assert_eq!(res.status(), 422, "{name:?}");
            let e: Value = res.json().await.unwrap();
            assert_eq!(e["Invalid"]["errors"][0]["field"], "team_name");
            assert!(e["Invalid"]["errors"][0]["message"].as_str().unwrap().contains(problem), "{e}");
        }
        let res = app.call_as(&admin, "create_team", &[("name", "  Records team ")]).await;
        assert!(res.status().is_success(), "{}", res.text().await.unwrap());
        let res = app.call_as(&admin, "create_team", &[("name", "Records team")]).await;
        assert_eq!(res.status(), 422, "one team per name");
        let people: Value = app.call_as(&admin, "people", &[]).await.json().await.unwrap();
        assert!(people["teams"].as_array().unwrap().iter().any(|t| t[1] == "Records team"), "stored trimmed");

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
        // Each team's settings: standing stakeholders (email addresses only, one per line) and
        // whether one person may sign off several capacities; a bad address keeps both as typed.
        let res = app
            .call_as(
                &admin,
                "set_team_settings",
                &[
                    ("team", &team),
                    ("stakeholders", "owner@example.gov\nnot an address"),
                    ("several_capacities", "yes"),
                ],
            )
            .await;
        assert_eq!(res.status(), 422);
        let e: Value = res.json().await.unwrap();
        assert_eq!(e["Invalid"]["values"][1], serde_json::json!([format!("several_capacities_{team}"), "yes"]));
        let res = app
            .call_as(
                &admin,
                "set_team_settings",
                &[
                    ("team", &team),
                    ("stakeholders", " owner@example.gov \n\nops@example.gov"),
                    ("several_capacities", "yes"),
                ],
            )
            .await;
        assert!(res.status().is_success());
        let people: Value = app.call_as(&admin, "people", &[]).await.json().await.unwrap();
        let saved = people["settings"]
            .as_array()
            .unwrap()
            .iter()
            .find(|s| s["team_id"].as_i64().map(|n| n.to_string()).as_deref() == Some(team.as_str()))
            .unwrap()
            .clone();
        assert_eq!(saved["stakeholders"], "owner@example.gov\nops@example.gov");
        assert_eq!(saved["one_signer_several_capacities"], true);
        // Unticked, the box sends nothing: back to a different person in each capacity.
        let res =
            app.call_as(&admin, "set_team_settings", &[("team", &team), ("stakeholders", "owner@example.gov")]).await;
        assert!(res.status().is_success());
        let people: Value = app.call_as(&admin, "people", &[]).await.json().await.unwrap();
        let saved = people["settings"]
            .as_array()
            .unwrap()
            .iter()
            .find(|s| s["team_id"].as_i64().map(|n| n.to_string()).as_deref() == Some(team.as_str()))
            .unwrap()
            .clone();
        assert_eq!(saved["one_signer_several_capacities"], false);
        // An admin cannot lock themselves out.
        let me = people["me"].to_string();
        assert_eq!(app.call_as(&admin, "change_person", &[("id", &me), ("what", "deactivate")]).await.status(), 409);
        app.stop().await;
    }
);

both_backends!(
    too_many_failures_throttle_that_address_alone_for_known_and_unknown_emails_alike,
    |url: String, _b| async move {
        use app::ports::Accounts;
        let app = TestApp::spawn(&url).await;
        let store = Store::new(Db::open(&url).await.unwrap());
        let accounts = server::auth::AccountService::new(
            store.clone(),
            None,
            Default::default(),
            std::sync::Arc::new(app::service::SystemClock),
        );
        let hour = chrono::Utc::now().timestamp_millis() / 3_600_000;
        let attacker = "203.0.113.9";
        for email in ["cor1@example.gov", "nobody@example.gov"] {
            let key = &server::auth::throttle_keys(email, attacker)[0];
            store.set_sign_in_attempts_for_test(key, hour, server::auth::MAX_FAILURES_PER_HOUR).await;
        }
        let right = accounts.sign_in("cor1@example.gov", DEMO_PASSWORD, attacker).await.map(|_| ());
        let unknown = accounts.sign_in("nobody@example.gov", "whatever1", attacker).await.map(|_| ());
        assert_eq!((right, unknown), (Err(AppError::Throttled), Err(AppError::Throttled)), "the same answer for both");
        // The COR, from their own address, is not locked out (and neither through the pages).
        assert!(accounts.sign_in("COR1@example.gov ", DEMO_PASSWORD, "198.51.100.7").await.is_ok());
        let res = app.call("sign_in", &[("email", "cor1@example.gov"), ("password", DEMO_PASSWORD)]).await;
        assert!(res.status().is_success(), "{}", res.status());
        app.stop().await;
    }
);

both_backends!(parallel_guesses_cannot_slip_past_the_limit, |url: String, _b| async move {
    use app::ports::Accounts;
    let app = TestApp::spawn(&url).await;
    let store = Store::new(Db::open(&url).await.unwrap());
    let accounts = std::sync::Arc::new(server::auth::AccountService::new(
        store.clone(),
        None,
        Default::default(),
        std::sync::Arc::new(app::service::SystemClock),
    ));
    let hour = chrono::Utc::now().timestamp_millis() / 3_600_000;
    let source = "192.0.2.1";
    let key = &server::auth::throttle_keys("dev@example.gov", source)[0];
    let left = 5;
    store.set_sign_in_attempts_for_test(key, hour, server::auth::MAX_FAILURES_PER_HOUR - left).await;
    let guesses: Vec<_> = (0..20)
        .map(|i| {
            let accounts = accounts.clone();
            tokio::spawn(async move { accounts.sign_in("dev@example.gov", &format!("guess number {i}"), source).await })
        })
        .collect();
    let mut answers = Vec::new();
    for g in guesses {
        answers.push(g.await.unwrap().map(|_| ()).unwrap_err());
    }
    let checked = answers.iter().filter(|a| **a == AppError::BadCredentials).count();
    let refused = answers.iter().filter(|a| **a == AppError::Throttled).count();
    assert_eq!((checked, refused), (left as usize, 20 - left as usize), "{answers:?}");
    // Refusals past the limit are audited ten times, then once a hundred (not once each).
    let refusals = store.audit_rows_for_test().await.into_iter().filter(|r| r.2.contains("sign-in refused")).count();
    assert_eq!(refusals, 10, "the first ten refusals, then one row a hundred");
    app.stop().await;
});

/// Sets `password` from the set-password link `token`, as someone not signed in; the status.
async fn set_password(app: &TestApp, anon: &reqwest::Client, token: String, password: &str) -> reqwest::StatusCode {
    app.call_as(anon, "set_password", &[("token", &token), ("password", password), ("confirm", password)])
        .await
        .status()
}

both_backends!(setting_a_password_spends_every_open_link_of_that_person, |url: String, _b| async move {
    let app = TestApp::spawn(&url).await;
    let admin = common::client();
    app.sign_in_as(&admin, "admin@example.gov").await;
    let people: Value = app.call_as(&admin, "people", &[]).await.json().await.unwrap();
    let team = people["teams"][0][0].to_string();
    let form = [("email", "lee.new@example.gov"), ("name", "Lee New"), ("role", "dev"), ("team", team.as_str())];
    assert!(app.call_as(&admin, "invite_person", &form).await.status().is_success());
    let first = invitation_link(&app, "lee.new@example.gov").await;
    let people: Value = app.call_as(&admin, "people", &[]).await.json().await.unwrap();
    let id = people["people"].as_array().unwrap().iter().find(|p| p["email"] == "lee.new@example.gov").unwrap()["id"]
        .to_string();
    let res = app.call_as(&admin, "change_person", &[("id", &id), ("what", "resend")]).await;
    assert!(res.status().is_success(), "{}", res.text().await.unwrap());
    let mut second = first.clone();
    for _ in 0..100 {
        second = invitation_link(&app, "lee.new@example.gov").await;
        if second != first {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_ne!(first, second, "a second link was sent");
    let anon = common::client();
    let set = |token: String| set_password(&app, &anon, token, "copper lantern meadow");
    assert!(set(second).await.is_success());
    assert_eq!(set(first.clone()).await, 404, "the older link was spent with the newer one");
    assert_eq!(app.call_as(&anon, "password_link", &[("token", &first)]).await.status(), 404);
    app.stop().await;
});

/// Runs `server create-admin …` against `url`; returns its exit status and what it printed.
fn create_admin(url: &str, args: &[&str]) -> (bool, String) {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_server"))
        .arg("create-admin")
        .args(args)
        .env("DATABASE_URL", url)
        .env("OFFCYCLE_PUBLIC_URL", "https://offcycle.agency.example")
        .env("RUST_LOG", "warn")
        .output()
        .expect("the server binary");
    let printed = [out.stdout, out.stderr].concat();
    (out.status.success(), String::from_utf8_lossy(&printed).to_string())
}

fn printed_link(out: &str) -> String {
    let at = out.find("/set-password/").expect("a set-password link");
    out[at + 14..].chars().take_while(char::is_ascii_hexdigit).collect()
}

both_backends!(the_first_admin_comes_from_the_command_line_with_a_single_use_link, |url: String, _b| async move {
    // A real organisation's database: no demo people at all.
    let mut config = common::config(&url);
    config.demo = false;
    let (ok, out) = create_admin(&url, &["Ada.Admin@Agency.example", "--name", "Ada Admin"]);
    assert!(ok, "{out}");
    assert!(out.contains("https://offcycle.agency.example/set-password/"), "{out}");
    let first = printed_link(&out);
    assert_eq!(first.len(), 64);
    assert!(!create_admin(&url, &["not an email"]).0, "a bad address is refused");
    let long = "n".repeat(121);
    let (ok, out) = create_admin(&url, &["long.name@agency.example", "--name", &long]);
    assert!(!ok && out.contains("Their name must be 120 characters or fewer (it has 121)"), "{out}");
    // Run again: the same person, a fresh link; the first is spent.
    let (ok, out) = create_admin(&url, &["ada.admin@agency.example"]);
    assert!(ok && out.contains("Made an admin"), "{out}");
    let second = printed_link(&out);

    let app = TestApp::spawn_with(config).await;
    let anon = common::client();
    let good = "harbour kestrel piano";
    let set = |token: String| set_password(&app, &anon, token, good);
    assert_eq!(set(first).await, 404, "the first link was spent by the second");
    assert!(set(second.clone()).await.is_success());
    assert_eq!(set(second).await, 404, "a link works once");
    let admin = common::client();
    let res = app.call_as(&admin, "sign_in", &[("email", "ada.admin@agency.example"), ("password", good)]).await;
    assert!(res.status().is_success(), "{}", res.status());
    let people: Value = app.call_as(&admin, "people", &[]).await.json().await.unwrap();
    let me = people["people"].as_array().unwrap().iter().find(|p| p["email"] == "ada.admin@agency.example").unwrap();
    assert_eq!((me["name"].as_str(), me["role"].as_str()), (Some("Ada Admin"), Some("Admin")));
    let store = Store::new(Db::open(&url).await.unwrap());
    let audit = store.audit_rows_for_test().await;
    assert_eq!(audit.iter().filter(|r| r.0 == "Admin created").count(), 2, "each run is audited");
    assert!(audit.iter().any(|r| r.0 == "sign_in" && r.2 == "signed in"), "the sign-in is audited: {audit:?}");
    app.stop().await;
});

both_backends!(behind_a_trusted_proxy_each_client_is_throttled_on_its_own, |url: String, _b| async move {
    let mut config = common::config(&url);
    config.trusted_proxies = vec!["127.0.0.1".parse().unwrap()];
    let app = TestApp::spawn_with(config).await;
    let store = Store::new(Db::open(&url).await.unwrap());
    let hour = chrono::Utc::now().timestamp_millis() / 3_600_000;
    let key = &server::auth::throttle_keys("cor1@example.gov", "203.0.113.9")[0];
    store.set_sign_in_attempts_for_test(key, hour, server::auth::MAX_FAILURES_PER_HOUR).await;
    let sign_in = |client: &'static str| {
        let app = &app;
        async move {
            common::client()
                .post(app.url("/api/sign_in"))
                .header("Accept", "application/json")
                .header("Sec-Fetch-Site", "same-origin")
                .header("X-Forwarded-For", format!("192.0.2.200, {client}"))
                .form(&[("email", "cor1@example.gov"), ("password", DEMO_PASSWORD)])
                .send()
                .await
                .unwrap()
                .status()
                .as_u16()
        }
    };
    assert_eq!(sign_in("203.0.113.9").await, 429, "the guessing client is held back");
    assert_eq!(sign_in("198.51.100.7").await, 200, "the COR, through the same proxy, is not");
    app.stop().await;
});
