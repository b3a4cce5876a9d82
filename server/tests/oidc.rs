//! Sign-in through the organisation's identity provider, against a real OpenID Provider
//! (npm `oidc-provider` on loopback), on both databases.

mod common;

#[allow(unused_imports)]
use common::flow as _;
use common::provider::{self, user, TestProvider};
use common::{free_port, Backend, TestApp, TestDb};
use serde_json::Value;

/// An app on a known port with OIDC pointed at a fresh provider holding `users`.
async fn app_with_provider(url: &str, users: &[Value], provisioning: &str) -> (TestApp, TestProvider) {
    let port = free_port();
    let public = format!("http://127.0.0.1:{port}");
    let provider = TestProvider::start(&public, users, "").await;
    let mut config = common::config(url);
    config.bind = format!("127.0.0.1:{port}").parse().unwrap();
    config.public_url = public;
    config.oidc = Some(provider::settings(&provider, provisioning));
    (TestApp::spawn_with(config).await, provider)
}

fn refusal(landing: &provider::Landing) -> Option<String> {
    landing.location.strip_prefix("/sign-in?oidc=").map(String::from)
}

both_backends!(a_cor_and_a_dev_sign_in_with_roles_and_teams_from_their_groups, |url: String, _b| async move {
    // The provider's word for a name is not refused, only made one line and a name's length.
    let mut cor = user("cor-sub", "new.cor@example.gov", &["offcycle-cors"]);
    cor["name"] = Value::String(format!("Casey\r\nCor {}", "o".repeat(300)));
    let users = [cor, user("dev-sub", "new.dev@example.gov", &["offcycle-devs", "team-grants"])];
    let (app, provider) = app_with_provider(&url, &users, "jit").await;
    // Forms may be redirected to the provider (sign-in and sign-out without JavaScript).
    let page = app.client.get(app.url("/sign-in")).send().await.unwrap();
    let csp = page.headers()["content-security-policy"].to_str().unwrap().to_string();
    assert!(csp.contains(&format!("form-action 'self' {};", provider.issuer())), "{csp}");
    let cor = common::client();
    let landing = provider::sign_in(&app, &cor, "new.cor@example.gov", "/hosting").await;
    assert_eq!((landing.status, landing.location.as_str()), (303, "/hosting"), "back where they were going");
    assert_eq!(provider::whoami(&app, &cor).await, Some(("new.cor@example.gov".into(), "Cor".into(), None)));
    let dev = common::client();
    let landing = provider::sign_in(&app, &dev, "new.dev@example.gov", "/").await;
    assert_eq!(landing.status, 303);
    assert_eq!(
        provider::whoami(&app, &dev).await,
        Some(("new.dev@example.gov".into(), "DevTeamMember".into(), Some("Grants Portal".into())))
    );
    // Each acts in their role: the dev team member starts a request, the COR may not.
    let request = [("title", "Patch the grants portal"), ("system", "Grants Portal")];
    let res = app.call_as(&dev, "start_request", &request).await;
    assert!(res.status().is_success(), "{}", res.text().await.unwrap());
    let res = app.call_as(&cor, "start_request", &request).await;
    assert_eq!(res.status(), 403);
    let res = app.call_as(&cor, "awaiting_my_decision", &[]).await;
    assert_eq!(res.status(), 200);
    // A second sign-in finds the same person by (issuer, subject).
    let again = common::client();
    provider::sign_in(&app, &again, "new.cor@example.gov", "/").await;
    let people: Value = {
        app.sign_in("admin@example.gov").await;
        app.call("people", &[]).await.json().await.unwrap()
    };
    let count = people.to_string().matches("new.cor@example.gov").count();
    assert_eq!(count, 1, "one account, however often they sign in: {people}");
    let named = people["people"].as_array().unwrap().iter().find(|p| p["email"] == "new.cor@example.gov").unwrap();
    let name = format!("Casey Cor {}", "o".repeat(app::domain::limits::LINE - "Casey Cor ".len()));
    assert_eq!(named["name"], Value::String(name), "one line, cut at a name's length");
    app.stop().await;
});

both_backends!(a_group_taken_away_takes_its_role_and_an_admins_choice_stays, |url: String, _b| async move {
    let cor = [user("cor-sub", "new.cor@example.gov", &["offcycle-cors", "team-grants"])];
    let (app, mut provider) = app_with_provider(&url, &cor, "jit").await;
    let browser = common::client();
    provider::sign_in(&app, &browser, "new.cor@example.gov", "/").await;
    assert_eq!(provider::whoami(&app, &browser).await.unwrap().1, "Cor");
    // The provider drops the group: the next sign-in drops the role (and the team).
    provider.restart(&[user("cor-sub", "new.cor@example.gov", &[])], "").await;
    let browser = common::client();
    let landing = provider::sign_in(&app, &browser, "new.cor@example.gov", "/hosting").await;
    assert_eq!(landing.location, "/hosting");
    assert_eq!(provider::whoami(&app, &browser).await, Some(("new.cor@example.gov".into(), "Unassigned".into(), None)));
    // With no role, only the home page (which says so) and signing out are theirs.
    let res = browser.get(app.url("/hosting")).send().await.unwrap();
    assert_eq!((res.status().as_u16(), res.headers()["location"].to_str().unwrap()), (303, "/"));
    let res = app.call_as(&browser, "hosting_queue", &[]).await;
    assert_eq!(res.status(), 403);
    let home = browser.get(app.url("/")).send().await.unwrap().text().await.unwrap();
    assert!(home.contains("you have no role yet"), "{home}");
    // An admin makes them an archivist: their groups no longer decide the role.
    app.sign_in("admin@example.gov").await;
    let people: Value = app.call("people", &[]).await.json().await.unwrap();
    let id = people["people"].as_array().unwrap().iter().find(|p| p["email"] == "new.cor@example.gov").unwrap()["id"]
        .as_i64()
        .unwrap()
        .to_string();
    let res = app.call("change_person", &[("id", &id), ("what", "role"), ("value", "archivist")]).await;
    assert!(res.status().is_success(), "{}", res.text().await.unwrap());
    provider.restart(&cor, "").await;
    let browser = common::client();
    provider::sign_in(&app, &browser, "new.cor@example.gov", "/").await;
    let me = provider::whoami(&app, &browser).await.unwrap();
    assert_eq!(me.1, "Archivist", "an admin's choice stays");
    assert_eq!(me.2.as_deref(), Some("Grants Portal"), "the team had been the provider's to take away, and give back");
    // "No role yet" from an admin hands the role back to the groups.
    let res = app.call("change_person", &[("id", &id), ("what", "role"), ("value", "none")]).await;
    assert!(res.status().is_success());
    let browser = common::client();
    provider::sign_in(&app, &browser, "new.cor@example.gov", "/").await;
    assert_eq!(provider::whoami(&app, &browser).await.unwrap().1, "Cor");
    app.stop().await;
});

both_backends!(invite_only_links_an_invitation_by_verified_email_and_refuses_the_rest, |url: String, _b| async move {
    let mut unverified = user("dana-2", "dev@example.gov", &[]);
    unverified["email_verified"] = Value::Bool(false);
    let users = [
        user("dana", "dev@example.gov", &["offcycle-cors"]),
        user("stranger", "stranger@example.gov", &["offcycle-cors"]),
        unverified,
        user("dana-elsewhere", "dev@example.gov", &[]),
    ];
    let (app, mut provider) = app_with_provider(&url, &users, "invite").await;
    let stranger = common::client();
    let landing = provider::sign_in(&app, &stranger, "stranger@example.gov", "/").await;
    assert_eq!(refusal(&landing).as_deref(), Some("not_invited"));
    assert_eq!(provider::whoami(&app, &stranger).await, None);
    // The demo's Dana was invited (by an admin, as a dev team member): her verified email
    // claims the invitation, and the admin's role stays.
    let dana = common::client();
    let landing = provider::sign_in(&app, &dana, "dev@example.gov", "/requests").await;
    assert_eq!(landing.location, "/requests");
    assert_eq!(provider::whoami(&app, &dana).await.unwrap().1, "DevTeamMember");
    // Another subject with the same email is not her: linked by (issuer, subject) only.
    provider.restart(&users[1..], "").await;
    for email in ["dev@example.gov"] {
        let other = common::client();
        let landing = provider::sign_in(&app, &other, email, "/").await;
        assert_eq!(refusal(&landing).as_deref(), Some("email_unverified"), "an unverified address claims nothing");
        assert_eq!(provider::whoami(&app, &other).await, None);
    }
    provider.restart(&users[3..], "").await;
    let other = common::client();
    let landing = provider::sign_in(&app, &other, "dev@example.gov", "/").await;
    assert_eq!(refusal(&landing).as_deref(), Some("not_invited"), "the invitation is already claimed");
    app.stop().await;
});

both_backends!(a_deactivated_person_is_refused, |url: String, _b| async move {
    let (app, _provider) = app_with_provider(&url, &[user("cor1", "cor1@example.gov", &[])], "invite").await;
    let browser = common::client();
    provider::sign_in(&app, &browser, "cor1@example.gov", "/").await;
    assert!(provider::whoami(&app, &browser).await.is_some());
    app.sign_in("admin@example.gov").await;
    let people: Value = app.call("people", &[]).await.json().await.unwrap();
    let id = people["people"].as_array().unwrap().iter().find(|p| p["email"] == "cor1@example.gov").unwrap()["id"]
        .as_i64()
        .unwrap()
        .to_string();
    let res = app.call("change_person", &[("id", &id), ("what", "deactivate")]).await;
    assert!(res.status().is_success());
    assert_eq!(provider::whoami(&app, &browser).await, None, "deactivating ends their sessions");
    let browser = common::client();
    let landing = provider::sign_in(&app, &browser, "cor1@example.gov", "/").await;
    assert_eq!(refusal(&landing).as_deref(), Some("deactivated"));
    assert_eq!(provider::whoami(&app, &browser).await, None);
    app.stop().await;
});

both_backends!(a_forged_replayed_or_carried_off_state_opens_no_session, |url: String, _b| async move {
    let (app, _provider) = app_with_provider(&url, &[user("cor1", "cor1@example.gov", &[])], "invite").await;
    // Forged: a state nobody issued.
    let browser = common::client();
    let res = browser.get(app.url("/auth/oidc/callback?code=x&state=forged")).send().await.unwrap();
    assert_eq!(res.headers()["location"], "/sign-in?oidc=expired");
    // Replayed: the provider's answer used a second time.
    let landing = provider::sign_in(&app, &browser, "cor1@example.gov", "/").await;
    assert_eq!(landing.location, "/");
    let thief = common::client();
    let res = thief.get(&landing.callback).send().await.unwrap();
    assert_eq!(res.headers()["location"], "/sign-in?oidc=expired");
    assert_eq!(provider::whoami(&app, &thief).await, None);
    // Carried off (login CSRF): an attacker's own unused answer, opened in the victim's browser.
    let attacker = common::client();
    let callback = provider::walk_to_callback(&app, &attacker, "cor1@example.gov").await;
    let victim = common::client();
    let res = victim.get(&callback).send().await.unwrap();
    assert_eq!(res.headers()["location"], "/sign-in?oidc=expired", "bound to the browser that started it");
    assert_eq!(provider::whoami(&app, &victim).await, None);
    app.stop().await;
});

both_backends!(tokens_that_do_not_check_out_are_refused_and_rotated_keys_are_fetched, |url: String, _b| async move {
    let users = [user("cor1", "cor1@example.gov", &[])];
    let (app, mut provider) = app_with_provider(&url, &users, "invite").await;
    let browser = common::client();
    assert_eq!(provider::sign_in(&app, &browser, "cor1@example.gov", "/").await.location, "/");
    for tamper in ["aud", "nonce", "exp"] {
        provider.restart(&users, tamper).await;
        let browser = common::client();
        let landing = provider::sign_in(&app, &browser, "cor1@example.gov", "/").await;
        assert_eq!(refusal(&landing).as_deref(), Some("failed"), "{tamper}");
        assert_eq!(provider::whoami(&app, &browser).await, None, "{tamper}");
    }
    // Each restart gave the provider a new key, which the app fetched when a token named it.
    // Now tokens signed by a key the provider never published: fetched again at most once
    // within the refresh interval, and refused.
    provider.restart(&users, "kid").await;
    let before = provider.jwks_requests().await;
    let began = std::time::Instant::now();
    for _ in 0..6 {
        let browser = common::client();
        let landing = provider::sign_in(&app, &browser, "cor1@example.gov", "/").await;
        assert_eq!(refusal(&landing).as_deref(), Some("failed"));
    }
    // At most one fetch per refresh interval (one, on an idle machine), never one per token.
    let fetches = provider.jwks_requests().await - before;
    let intervals = (began.elapsed().as_millis() / provider::KEY_REFRESH.as_millis()) as i64;
    assert!(fetches >= 1 && fetches <= 1 + intervals && fetches < 6, "{fetches} fetches in {intervals} intervals");
    // A real rotation: a new key at the provider, and sign-in just works.
    provider.restart(&users, "").await;
    let browser = common::client();
    assert_eq!(provider::sign_in(&app, &browser, "cor1@example.gov", "/").await.location, "/");
    assert!(provider::whoami(&app, &browser).await.is_some());
    app.stop().await;
});

both_backends!(a_private_key_jwt_client_signs_in_and_asks_for_an_acr, |url: String, _b| async move {
    let port = free_port();
    let public = format!("http://127.0.0.1:{port}");
    let provider = TestProvider::start(&public, &[user("cor1", "cor1@example.gov", &[])], "").await;
    let mut config = common::config(&url);
    config.bind = format!("127.0.0.1:{port}").parse().unwrap();
    config.public_url = public;
    let mut settings = provider::settings(&provider, "invite");
    settings.client_id = "offcycle-jwt".into();
    settings.auth = server::oidc::ClientAuth::private_key_file(&provider.client_key(), None).unwrap();
    settings.acr_values = vec!["urn:offcycle:test:acr:1".into()];
    config.oidc = Some(settings);
    let app = TestApp::spawn_with(config).await;
    let browser = common::client();
    let start = browser.get(app.url("/auth/oidc/start")).send().await.unwrap();
    let to = start.headers()["location"].to_str().unwrap().to_string();
    for part in ["code_challenge_method=S256", "acr_values=urn%3Aoffcycle%3Atest%3Aacr%3A1", "nonce=", "state="] {
        assert!(to.contains(part), "{part} in {to}");
    }
    let landing = provider::sign_in(&app, &browser, "cor1@example.gov", "/").await;
    assert_eq!(landing.location, "/", "the provider took the signed assertion");
    assert_eq!(provider::whoami(&app, &browser).await.unwrap().0, "cor1@example.gov");
    app.stop().await;
});

both_backends!(signing_out_ends_the_session_here_and_at_the_provider, |url: String, _b| async move {
    let (app, provider) = app_with_provider(&url, &[user("cor1", "cor1@example.gov", &[])], "invite").await;
    let browser = common::client();
    provider::sign_in(&app, &browser, "cor1@example.gov", "/").await;
    let to = sign_out_without_javascript(&app, &browser).await;
    assert!(to.starts_with(&format!("{}/session/end?", provider.issuer())), "{to}");
    assert!(to.contains("id_token_hint=") && to.contains("post_logout_redirect_uri="), "{to}");
    let audit = server::store::Store::new(server::store::Db::open(&url).await.unwrap()).audit_rows_for_test().await;
    assert!(
        audit.iter().any(|r| r.0 == "sign_in" && r.2.starts_with("signed in through the identity provider")),
        "the sign-in is audited: {audit:?}"
    );
    assert_eq!(provider::whoami(&app, &browser).await, None, "the session here is over");
    // The provider accepts the hint and the return address, and asks to confirm.
    let page = browser.get(&to).send().await.unwrap();
    assert_eq!(page.status(), 200);
    assert!(page.text().await.unwrap().contains("Yes, sign me out"));
    // A password session signs out locally only.
    app.sign_in("dev@example.gov").await;
    assert_eq!(sign_out_without_javascript(&app, &app.client).await, "/sign-in?signed_out=1");
    app.stop().await;
});

/// The header's "Sign out" form posted as a browser without JavaScript does: where it redirects.
async fn sign_out_without_javascript(app: &TestApp, browser: &reqwest::Client) -> String {
    let res = browser
        .post(app.url("/api/sign_out"))
        .header("Accept", "text/html")
        .header("Sec-Fetch-Site", "same-origin")
        .header("Referer", app.url("/"))
        .send()
        .await
        .unwrap();
    assert!(res.status().is_redirection(), "{}", res.status());
    res.headers()["location"].to_str().unwrap().to_string()
}

both_backends!(password_sign_in_can_be_kept_for_break_glass_admins, |url: String, _b| async move {
    let port = free_port();
    let public = format!("http://127.0.0.1:{port}");
    let provider = TestProvider::start(&public, &[], "").await;
    let mut config = common::config(&url);
    config.bind = format!("127.0.0.1:{port}").parse().unwrap();
    config.public_url = public;
    config.oidc = Some(provider::settings(&provider, "invite"));
    config.password_sign_in = app::domain::identity::PasswordSignIn::AdminsOnly;
    let app = TestApp::spawn_with(config).await;
    let methods: Value = app.call("sign_in_methods", &[]).await.json().await.unwrap();
    assert_eq!(methods, serde_json::json!({ "provider": "the test provider", "passwords_for_admins_only": true }));
    let res = app.call("sign_in", &[("email", "dev@example.gov"), ("password", common::DEMO_PASSWORD)]).await;
    assert!(!res.status().is_success());
    assert!(res.text().await.unwrap().contains("Sign in with the test provider"));
    assert!(provider::whoami(&app, &app.client).await.is_none());
    app.sign_in("admin@example.gov").await;
    assert_eq!(provider::whoami(&app, &app.client).await.unwrap().1, "Admin");
    // An invitation tells a COR to use the provider, with no password link they could not use;
    // a break-glass admin's has one.
    for (email, role, link) in [("new.cor@example.gov", "cor", false), ("new.admin@example.gov", "admin", true)] {
        let res = app.call("invite_person", &[("email", email), ("name", "New Person"), ("role", role)]).await;
        assert!(res.status().is_success(), "{}", res.text().await.unwrap());
        let body = invitation_body(&app, email).await;
        assert!(body.contains("\"Sign in with the test provider\""), "{body}");
        assert_eq!(body.contains("/set-password/"), link, "{body}");
    }
    app.stop().await;
});

/// The body of the invitation to `email`, as delivered (the demo inbox).
async fn invitation_body(app: &TestApp, email: &str) -> String {
    for _ in 0..100 {
        let mail: Value = app.call_as(&common::client(), "dev_mail", &[]).await.json().await.unwrap();
        if let Some(m) = mail.as_array().unwrap().iter().find(|m| m["kind"] == "invitation" && m["to"][0] == email) {
            // Delivered: the body as sent (its link, if any, made at send time).
            if !m["sent_at"].is_null() {
                return m["body"].as_str().unwrap().to_string();
            }
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    panic!("no invitation for {email}");
}

both_backends!(without_oidc_the_sign_in_page_offers_passwords_only, |url: String, _b: Backend| async move {
    let app = TestApp::spawn(&url).await;
    let methods: Value = app.call("sign_in_methods", &[]).await.json().await.unwrap();
    assert_eq!(methods, serde_json::json!({ "provider": null, "passwords_for_admins_only": false }));
    let res = app.client.get(app.url("/auth/oidc/start")).send().await.unwrap();
    assert_eq!(res.headers()["location"], "/sign-in");
    app.stop().await;
});
