//! Black-box tests: the real server over HTTP, on SQLite and on PostgreSQL.

mod common;
use common::*;

both_backends!(health_answers_when_the_database_does, |url: String, _b| async move {
    let app = TestApp::spawn(&url).await;
    let (status, body) = app.get_text("/healthz").await;
    assert_eq!((status, body.as_str()), (200, "ok"));
    app.stop().await;
});

both_backends!(pages_redirect_to_sign_in_and_server_functions_answer_401, |url: String, _b| async move {
    let app = TestApp::spawn(&url).await;
    let res = app.client.get(app.url("/requests/new")).send().await.unwrap();
    assert_eq!(res.status(), 303);
    assert_eq!(res.headers()["location"], "/sign-in?next=/requests/new");
    let res = app.call("start_request", &[("title", "x"), ("system", "y")]).await;
    assert_eq!(res.status(), 401);
    assert!(res.text().await.unwrap().contains("Unauthenticated"));
    app.stop().await;
});

both_backends!(a_wrong_password_and_an_unknown_email_get_the_same_answer, |url: String, _b| async move {
    let app = TestApp::spawn(&url).await;
    let wrong = app.call("sign_in", &[("email", "dev@example.gov"), ("password", "nope-nope")]).await;
    let unknown = app.call("sign_in", &[("email", "nobody@example.gov"), ("password", "nope-nope")]).await;
    assert_eq!(wrong.status(), 401);
    assert_eq!(unknown.status(), 401);
    assert!(wrong.headers().get("set-cookie").is_none());
    assert_eq!(wrong.text().await.unwrap(), unknown.text().await.unwrap());
    app.stop().await;
});

both_backends!(a_dev_starts_a_draft_reads_it_back_and_it_survives_a_restart, |url: String, _b| async move {
    let app = TestApp::spawn(&url).await;
    app.sign_in("dev@example.gov").await;
    let res = app.call("start_request", &[("title", "Patch OpenSSL"), ("system", "Grants portal")]).await;
    assert!(res.status().is_success(), "{}", res.status());
    let location = res.headers()["location"].to_str().unwrap().to_string();
    assert!(location.starts_with("/requests/ECR-"), "{location}");
    assert!(location.ends_with("/triage"), "a new request opens at triage: {location}");
    let reference = location.trim_start_matches("/requests/").trim_end_matches("/triage").to_string();
    let location = format!("/requests/{reference}");
    assert_eq!(reference.len(), "ECR-2026-0001".len());
    assert!(reference.ends_with("-0001"), "first request of the year: {reference}");

    let (status, page) = app.get_text(&location).await;
    assert_eq!(status, 200);
    assert!(
        page.contains("Patch OpenSSL") && page.contains("Grants portal") && page.contains("Check it is an emergency")
    );

    let list = app.call("my_requests", &[]).await.text().await.unwrap();
    assert!(list.contains(&reference), "{list}");

    // The second request gets the next number.
    let res = app.call("start_request", &[("title", "Rotate keys"), ("system", "Portal")]).await;
    assert!(res.headers()["location"].to_str().unwrap().ends_with("-0002/triage"));

    app.stop().await;
    let app = TestApp::spawn(&url).await;
    app.sign_in("dev@example.gov").await;
    let (status, page) = app.get_text(&location).await;
    assert_eq!(status, 200, "the draft survives a restart");
    assert!(page.contains("Patch OpenSSL"));
    app.stop().await;
});

// Pages are rendered on the server and only islands run in the browser, so a page carries what it
// shows and not the data it read (Leptos would otherwise serialize every resource into it: the
// whole request, who is signed in, for a script most pages never load).
both_backends!(a_page_carries_what_it_shows_not_the_data_it_read, |url: String, _b| async move {
    let app = TestApp::spawn(&url).await;
    app.sign_in("dev@example.gov").await;
    let res = app.call("start_request", &[("title", "Patch OpenSSL"), ("system", "Grants portal")]).await;
    let location = res.headers()["location"].to_str().unwrap().trim_end_matches("/triage").to_string();
    for path in [location.clone(), format!("{location}/plan"), "/requests".to_string()] {
        let (status, page) = app.get_text(&path).await;
        assert_eq!(status, 200, "{path}");
        assert!(page.contains("Dana Developer"), "{path} shows who is signed in");
        assert!(!page.contains("__RESOLVED_RESOURCES["), "{path} carries serialized data: {page}");
        assert!(!page.contains("dev@example.gov"), "{path} carries the person's email, which it does not show");
    }
    app.stop().await;
});

both_backends!(bad_input_gets_field_errors_in_page_order_and_keeps_what_was_typed, |url: String, _b| async move {
    let app = TestApp::spawn(&url).await;
    app.sign_in("dev@example.gov").await;
    let long = "t".repeat(121);
    let res = app.call("start_request", &[("title", long.as_str()), ("system", "   ")]).await;
    assert_eq!(res.status(), 422);
    let body: serde_json::Value = res.json().await.unwrap();
    let errors = &body["Invalid"]["errors"];
    assert_eq!(errors[0]["field"], "title");
    assert_eq!(errors[0]["message"], "Title must be 120 characters or fewer");
    assert_eq!(errors[1]["field"], "system");
    assert_eq!(errors[1]["message"], "Enter the system that needs the change");
    assert_eq!(body["Invalid"]["values"][0][1], long.as_str());
    let list = app.call("my_requests", &[]).await.text().await.unwrap();
    assert_eq!(list, r#"{"kind":"Started","requests":[]}"#, "nothing was saved");
    app.stop().await;
});

both_backends!(without_javascript_an_error_comes_back_to_the_form_page, |url: String, _b| async move {
    let app = TestApp::spawn(&url).await;
    app.sign_in("dev@example.gov").await;
    let referer = app.url("/requests/new");
    let res = app
        .client
        .post(app.url("/api/start_request"))
        .header("Accept", "text/html")
        .header("Referer", &referer)
        .header("Sec-Fetch-Site", "same-origin")
        .form(&[("title", ""), ("system", "Kept system")])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 302);
    let location = res.headers()["location"].to_str().unwrap().to_string();
    assert!(location.starts_with(&referer) && location.contains("__err="), "{location}");
    let (status, page) = app.get_text(location.trim_start_matches(&format!("http://{}", app.addr))).await;
    assert_eq!(status, 200);
    assert!(page.contains("<title>Error: What needs to change?"), "title is prefixed");
    assert!(page.contains(r##"<a href="#field-title">Enter a title for the change</a>"##));
    assert!(page.contains(r#"value="Kept system""#), "typed value kept");
    app.stop().await;
});

both_backends!(cross_site_posts_are_refused, |url: String, _b| async move {
    let app = TestApp::spawn(&url).await;
    let res = app
        .client
        .post(app.url("/api/sign_in"))
        .header("Sec-Fetch-Site", "cross-site")
        .form(&[("email", "dev@example.gov"), ("password", DEMO_PASSWORD)])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 403);
    let res = app
        .client
        .post(app.url("/api/sign_in"))
        .header("Origin", "https://evil.example")
        .form(&[("email", "dev@example.gov"), ("password", DEMO_PASSWORD)])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 403);
    app.stop().await;
});

/// Who the server says is signed in, for a bare `Cookie` header (no cookie jar).
async fn whoami_with(app: &TestApp, cookie: &str) -> String {
    let res = reqwest::Client::new()
        .post(app.url("/api/whoami"))
        .header("Accept", "application/json")
        .header("Cookie", cookie)
        .send()
        .await
        .unwrap();
    res.text().await.unwrap()
}

both_backends!(sign_out_ends_the_session_on_the_server, |url: String, _b| async move {
    let app = TestApp::spawn(&url).await;
    let res = app.call("sign_in", &[("email", "dev@example.gov"), ("password", DEMO_PASSWORD)]).await;
    let set_cookie = res.headers()["set-cookie"].to_str().unwrap().to_string();
    assert!(set_cookie.contains("HttpOnly") && set_cookie.contains("SameSite=Lax"), "{set_cookie}");
    let session = set_cookie.split(';').next().unwrap().to_string();
    assert!(whoami_with(&app, &session).await.contains("dev@example.gov"));
    app.call("sign_out", &[]).await;
    assert_eq!(whoami_with(&app, &session).await, "null", "the old cookie no longer works");
    app.stop().await;
});

both_backends!(security_headers_are_on_every_page, |url: String, _b| async move {
    let app = TestApp::spawn(&url).await;
    let res = app.client.get(app.url("/sign-in")).send().await.unwrap();
    let h = res.headers();
    assert_eq!(h["x-content-type-options"], "nosniff");
    assert_eq!(h["referrer-policy"], "same-origin");
    let csp = h["content-security-policy"].to_str().unwrap();
    assert!(csp.contains("script-src 'nonce-") && csp.contains("frame-ancestors 'none'"), "{csp}");
    assert!(!csp.contains("unsafe-inline"));
    assert_eq!(h["cache-control"], "no-store", "pages are never stored");
    app.stop().await;
});

both_backends!(sign_in_returns_only_to_a_path_on_this_site, |url: String, _b| async move {
    let app = TestApp::spawn(&url).await;
    // `next=/%09/evil.example` and `next=/%0A` as a sign-in page would post them (no JavaScript).
    for (next, expected) in
        [("/\t/evil.example", "/"), ("/\n", "/"), ("/\\evil.example", "/"), ("/requests/new", "/requests/new")]
    {
        let client = common::client();
        let res = client
            .post(app.url("/api/sign_in"))
            .header("Accept", "text/html")
            .header("Sec-Fetch-Site", "same-origin")
            .header("Referer", app.url("/sign-in"))
            .form(&[("email", "dev@example.gov"), ("password", DEMO_PASSWORD), ("next", next)])
            .send()
            .await
            .unwrap();
        assert!(res.status().is_redirection(), "{next:?}: {}", res.status());
        assert_eq!(res.headers()["location"], expected, "{next:?}");
    }
    app.stop().await;
});

both_backends!(
    the_demo_mail_viewer_serves_only_admins_unless_the_server_is_loopback_only,
    |url: String, _b| async move {
        let mut config = common::config(&url);
        config.bind = "0.0.0.0:0".parse().unwrap();
        let app = TestApp::spawn_with(config).await;
        assert_eq!(app.call("dev_mail", &[]).await.status(), 404, "anonymous");
        app.sign_in("cor1@example.gov").await;
        assert_eq!(app.call("dev_mail", &[]).await.status(), 404, "a COR may not read everyone's links");
        app.call("sign_out", &[]).await;
        app.sign_in("admin@example.gov").await;
        assert_eq!(app.call("dev_mail", &[]).await.status(), 200, "an admin may");
        app.stop().await;
    }
);

both_backends!(over_https_the_session_cookie_is_host_prefixed_and_secure, |url: String, _b| async move {
    let mut config = common::config(&url);
    config.public_url = "https://offcycle.example.gov".into();
    let app = TestApp::spawn_with(config).await;
    let res = app.call("sign_in", &[("email", "dev@example.gov"), ("password", DEMO_PASSWORD)]).await;
    let set_cookie = res.headers()["set-cookie"].to_str().unwrap().to_string();
    assert!(set_cookie.starts_with("__Host-offcycle_session="), "{set_cookie}");
    assert!(set_cookie.contains("; Secure") && set_cookie.contains("Path=/") && !set_cookie.contains("Domain"));
    // The server reads the prefixed cookie back (the proxy in front terminates TLS).
    let cookie = set_cookie.split(';').next().unwrap().to_string();
    let who = whoami_with(&app, &cookie).await;
    assert!(who.contains("dev@example.gov"), "{who}");
    let plain = cookie.replacen("__Host-", "", 1);
    assert_eq!(whoami_with(&app, &plain).await, "null", "an unprefixed cookie is not a session over https");
    app.stop().await;
});

both_backends!(pages_finish_while_another_server_in_the_same_process_starts, |url: String, _b| async move {
    // Building a router lists its routes by running the app once, and Leptos holds back every
    // resource in the process while it does (leptos#4773): a page whose data first loaded in that
    // moment never finished. Tests start many servers in one process; this is that, on purpose.
    let app = TestApp::spawn(&url).await;
    app.sign_in("dev@example.gov").await;
    let state = server::build_state(config(&url)).await.expect("server state");
    let starting = tokio::task::spawn_blocking(move || {
        for _ in 0..300 {
            drop(server::router(state.clone()));
        }
    });
    let pages = (0..300).map(|_| {
        let (client, page) = (app.client.clone(), app.url("/requests/new"));
        async move {
            let answer = async { client.get(page).send().await?.text().await };
            tokio::time::timeout(std::time::Duration::from_secs(10), answer).await
        }
    });
    let answers = futures::future::join_all(pages).await;
    starting.await.unwrap();
    let hung = answers.iter().filter(|a| a.is_err()).count();
    assert_eq!(hung, 0, "{hung} of {} pages never finished", answers.len());
    for answer in answers {
        assert!(answer.unwrap().unwrap().contains("What needs to change"));
    }
    app.stop().await;
});
