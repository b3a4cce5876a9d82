//! The change calendar on SQLite and PostgreSQL: admin-managed freezes, holidays and windows;
//! a freeze requires the override reason to start production; regular changes land in the
//! admin's next window; the iCalendar feed for a session or an API token.

mod common;
use common::flow::*;
use common::*;
use serde_json::Value;

fn today_eastern() -> String {
    app::domain::calendar::eastern_date(chrono::Utc::now()).format("%Y-%m-%d").to_string()
}

async fn add(app: &TestApp, fields: &[(&str, &str)]) -> reqwest::Response {
    let form: Vec<(String, &str)> = fields.iter().map(|(k, v)| (format!("entry[{k}]"), *v)).collect();
    let form: Vec<(&str, &str)> = form.iter().map(|(k, v)| (k.as_str(), *v)).collect();
    app.call("add_calendar_entry", &form).await
}

both_backends!(
    a_freeze_requires_the_override_reason_and_regular_changes_land_in_the_admins_window,
    |url: String, _b| async move {
        let app = TestApp::spawn(&url).await;
        // Not an admin: refused.
        app.sign_in("hosting@example.gov").await;
        assert_eq!(add(&app, &[("kind", "holiday"), ("name", "x"), ("from", "2030-01-01")]).await.status(), 403);
        app.call("sign_out", &[]).await;

        app.sign_in("admin@example.gov").await;
        let res = add(&app, &[("kind", "freeze"), ("from", "26/11/2026")]).await;
        assert_eq!(res.status(), 422);
        let e: Value = res.json().await.unwrap();
        assert_eq!(fields(&e), ["name", "reason", "from"]);
        let today = today_eastern();
        let res =
            add(&app, &[("kind", "freeze"), ("name", "Year-end freeze"), ("reason", "Fiscal close"), ("from", &today)])
                .await;
        assert!(res.status().is_success(), "{}", res.status());
        // A window three weeks ahead, at 9pm Eastern: regular changes go there.
        let day = (app::domain::calendar::eastern_date(chrono::Utc::now()) + chrono::Duration::days(21))
            .format("%Y-%m-%d")
            .to_string();
        let res = add(&app, &[("kind", "window"), ("name", "Special window"), ("from", &day), ("time", "21:00")]).await;
        assert!(res.status().is_success());
        let cal: Value = app.call("calendar_view", &[]).await.json().await.unwrap();
        assert_eq!(cal["entries"].as_array().unwrap().len(), 2);
        assert_eq!(cal["can_edit"], true);
        let window = cal["windows"][0].as_str().unwrap().to_string();
        app.call("sign_out", &[]).await;

        // The freeze: starting production needs a reason, and the message names the freeze.
        let r = submitted_to_cors(&app).await;
        for cor in ["cor1@example.gov", "cor2@example.gov"] {
            app.sign_in(cor).await;
            ok(&app, "decide", &[("reference", &r), ("verdict", "approve")]).await;
            app.call("sign_out", &[]).await;
        }
        app.sign_in("hosting@example.gov").await;
        let (status, e) = failed(&app, "start_production", &[("reference", &r)]).await;
        assert_eq!((status, fields(&e)), (422, vec!["override_reason".to_string()]));
        assert!(e.to_string().contains("Year-end freeze"), "{e}");
        ok(&app, "start_production", &[("reference", &r), ("override_reason", "Exploited CVE")]).await;
        let v: Value = app.call("production_view", &[("reference", &r)]).await.json().await.unwrap();
        assert_eq!(v["override_reason"], "Exploited CVE");
        app.call("sign_out", &[]).await;

        // A regular change is planned into the admin's window, and the calendar shows it.
        app.sign_in("dev@example.gov").await;
        let regular = start(&app, "Upgrade a library").await;
        let no = [
            ("reference", regular.as_str()),
            ("active_incident", "no"),
            ("users_cannot_access", "no"),
            ("performance_degraded", "no"),
            ("security_or_quality_need", "no"),
        ];
        ok(&app, "answer_triage", &no).await;
        assert_eq!(view(&app, &regular).await["queued_window"], window.as_str());
        let cal: Value = app.call("calendar_view", &[]).await.json().await.unwrap();
        let listed: Vec<&Value> = cal["scheduled"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|c| c["summary"]["reference"] == regular.as_str())
            .collect();
        assert_eq!(listed.len(), 1);
        assert_eq!(listed[0]["regular"], true);
        app.call("sign_out", &[]).await;

        // Hosting has it in its queue until the window is over; then it is on the calendar only.
        app.sign_in("hosting@example.gov").await;
        let queue: Value = app.call("hosting_queue", &[]).await.json().await.unwrap();
        let row = queue["rows"].as_array().unwrap().iter().find(|r| r["summary"]["reference"] == regular.as_str());
        let spoken = app::domain::calendar::spoken(window.parse().unwrap());
        assert_eq!(row.unwrap()["window"], format!("Maintenance window at {spoken}"), "{queue}");
        let store = server::store::Store::new(server::store::Db::open(&url).await.unwrap());
        let over = chrono::Utc::now() - app::domain::calendar::QUEUED_AFTER_WINDOW - chrono::Duration::minutes(1);
        let sql = format!(
            "UPDATE change_requests SET queued_window = {} WHERE reference = '{regular}'",
            over.timestamp_millis()
        );
        execute(&store, &sql).await.unwrap();
        let queue = app.call("hosting_queue", &[]).await.text().await.unwrap();
        assert!(!queue.contains(&regular), "{queue}");
        app.stop().await;
    }
);

both_backends!(the_icalendar_feed_lists_scheduled_changes_for_a_session_or_a_token, |url: String, _b| async move {
    let app = TestApp::spawn(&url).await;
    let r = submitted_for_review(&app).await;
    // Nobody: 401, not the sign-in page (calendar apps cannot follow it).
    let anonymous = reqwest::Client::new();
    let res = anonymous.get(app.url("/calendar.ics")).send().await.unwrap();
    assert_eq!(res.status(), 401);
    let res = anonymous.get(app.url("/calendar.ics?token=ofc_nonsense")).send().await.unwrap();
    assert_eq!(res.status(), 401);
    app.sign_in("hosting@example.gov").await;
    // A full API token is refused here, and a feed token reads nothing but the feed.
    let res = app.call("create_api_token", &[("name", "pipeline")]).await;
    let api: String = res.json().await.unwrap();
    let res = anonymous.get(app.url(&format!("/calendar.ics?token={api}"))).send().await.unwrap();
    assert_eq!(res.status(), 401, "an API token is not a feed token");
    let res = app.call("create_api_token", &[("name", "calendar"), ("scope", "calendar")]).await;
    let token: String = res.json().await.unwrap();
    let res = anonymous.get(app.url("/api/v1/requests")).bearer_auth(&token).send().await.unwrap();
    assert_eq!(res.status(), 401, "a feed token reads no API");
    let res = anonymous.get(app.url(&format!("/calendar.ics?token={token}"))).send().await.unwrap();
    assert_eq!(res.status(), 200);
    assert!(res.headers()["content-type"].to_str().unwrap().starts_with("text/calendar"));
    let text = res.text().await.unwrap();
    let parsed: icalendar::Calendar = text.parse().expect("a valid iCalendar document");
    let uids: Vec<String> = parsed
        .components
        .iter()
        .filter_map(|c| match c {
            icalendar::CalendarComponent::Event(e) => icalendar::Component::get_uid(e).map(str::to_string),
            _ => None,
        })
        .collect();
    assert!(uids.contains(&format!("{r}@offcycle")), "the planned change is in the feed: {uids:?}");
    assert!(uids.iter().any(|u| u.starts_with("window-")), "and the maintenance windows");
    // The session works too.
    let (status, body) = app.get_text("/calendar.ics").await;
    assert_eq!(status, 200);
    assert!(body.contains(&format!("UID:{r}@offcycle")));
    app.stop().await;
});

both_backends!(
    a_window_overlapping_another_change_on_the_same_system_warns_on_every_page_and_in_the_record,
    |url: String, _b| async move {
        let app = TestApp::spawn(&url).await;
        // Two requests on the Grants portal, both asking for 10:00 on 8 January 2030.
        let first = submitted_for_review(&app).await;
        let second = submitted_to_cors(&app).await;
        let said = format!("Overlaps {first} “Patch OpenSSL 3.0.15” on Grants portal");

        // The dev team (the same team: named) and hosting see it on the request's pages…
        app.sign_in("dev@example.gov").await;
        let v = view(&app, &second).await;
        let conflicts: Vec<String> =
            v["conflicts"].as_array().unwrap().iter().map(|c| c.as_str().unwrap().to_string()).collect();
        assert_eq!(conflicts.len(), 1, "{conflicts:?}");
        assert!(conflicts[0].starts_with(&said), "{conflicts:?}");
        let (_, page) = app.get_text(&format!("/requests/{second}/form/schedule")).await;
        assert!(page.contains("Schedule conflicts") && page.contains(&said), "the CR form's window section");
        // …and in the record as it stands.
        let res = app.client.get(app.url(&format!("/changes/{second}.pdf"))).send().await.unwrap();
        let text = pdftotext(&res.bytes().await.unwrap());
        let flat = text.split_whitespace().collect::<Vec<_>>().join(" ");
        assert!(flat.contains("Schedule conflicts") && flat.contains(&format!("Overlaps {first}")), "{text}");
        app.call("sign_out", &[]).await;
        app.sign_in("hosting@example.gov").await;
        let (_, review) = app.get_text(&format!("/requests/{first}/review")).await;
        assert!(
            review.contains("Schedule conflicts")
                && review.contains(&format!("Overlaps {second} “Patch OpenSSL 3.0.15”")),
            "the review page"
        );
        // The COR deciding on the second sees it on the page their emailed link opens.
        let mut token = None;
        for _ in 0..100 {
            let mail: Value = app.call("dev_mail", &[]).await.json().await.unwrap();
            token = mail.as_array().unwrap().iter().find_map(|m| {
                let body = m["body"].as_str().unwrap_or_default();
                (m["kind"] == "approval_request" && m["reference"] == second.as_str() && body.contains("/decide/"))
                    .then(|| common::smtp::link_in(body))
            });
            if token.is_some() {
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        }
        let token = token.expect("the approval request reached the demo inbox");
        let (status, decide) = app.get_text(&format!("/decide/{token}")).await;
        assert_eq!(status, 200);
        assert!(
            decide.contains("Schedule conflicts") && decide.contains(&format!("Overlaps {first}")),
            "the decision page"
        );
        // The calendar marks both.
        let cal: Value = app.call("calendar_view", &[]).await.json().await.unwrap();
        let overlaps = |r: &str| {
            cal["scheduled"].as_array().unwrap().iter().find(|c| c["summary"]["reference"] == r).unwrap()["overlaps"]
                .clone()
        };
        assert_eq!(overlaps(&first), serde_json::json!([second.clone()]));
        assert_eq!(overlaps(&second), serde_json::json!([first.clone()]));
        app.stop().await;
    }
);

both_backends!(
    another_team_s_change_stays_off_a_dev_team_s_calendar_and_feed_and_is_not_named_in_its_conflicts,
    |url: String, _b| async move {
        let app = TestApp::spawn(&url).await;
        add_other_team_dev(&url).await;
        // A developer in no team yet still sees what they started.
        let store = server::store::Store::new(server::store::Db::open(&url).await.unwrap());
        let hash = server::auth::hash_password(DEMO_PASSWORD).unwrap();
        let role = app::domain::roles::Role::DevTeamMember;
        store.ensure_user("solo@example.gov", "Sol Solo", role, None, Some(&hash), 0).await.unwrap();
        let ours = submitted_for_review(&app).await;
        // Another team, and the developer in none, plan changes on the same system at the same time.
        let schedule = [
            ("planned_date", "2030-01-08"),
            ("planned_time", "10:00"),
            ("duration_minutes", "30"),
            ("override_reason", ""),
        ];
        let mut planned = Vec::new();
        for who in ["otto@example.gov", "solo@example.gov"] {
            app.sign_in(who).await;
            let r = start(&app, &format!("Rotate the keys of {who}")).await;
            ok(&app, "answer_triage", &[&[("reference", r.as_str())], EMERGENCY].concat()).await;
            assert!(save_section(&app, &r, "schedule", &schedule).await.status().is_success());
            app.call("sign_out", &[]).await;
            planned.push(r);
        }
        let [theirs, solo] = [planned[0].clone(), planned[1].clone()];

        let listed = |cal: Value| -> Vec<String> {
            cal["scheduled"]
                .as_array()
                .unwrap()
                .iter()
                .map(|c| c["summary"]["reference"].as_str().unwrap().into())
                .collect()
        };
        let conflicts_of = |v: Value| -> Vec<String> {
            v["conflicts"].as_array().unwrap().iter().map(|c| c.as_str().unwrap().to_string()).collect()
        };
        for (who, sees) in [
            ("dev@example.gov", vec![ours.clone()]),
            ("otto@example.gov", vec![theirs.clone()]),
            ("solo@example.gov", vec![solo.clone()]),
            ("hosting@example.gov", vec![ours.clone(), theirs.clone(), solo.clone()]),
        ] {
            app.sign_in(who).await;
            let cal: Value = app.call("calendar_view", &[]).await.json().await.unwrap();
            assert_eq!(listed(cal), sees, "{who}'s calendar");
            let (_, feed) = app.get_text("/calendar.ics").await;
            for r in [&ours, &theirs, &solo] {
                assert_eq!(feed.contains(&format!("UID:{r}@offcycle")), sees.contains(r), "{who}'s feed and {r}");
            }
            app.call("sign_out", &[]).await;
        }
        // The dev team is told of the overlap without the other team's reference or title;
        // hosting is told which change it is.
        app.sign_in("dev@example.gov").await;
        let told = conflicts_of(view(&app, &ours).await);
        assert!(
            told.len() == 2 && told.iter().all(|t| t.starts_with("Overlaps another team's change on Grants portal")),
            "{told:?}"
        );
        app.call("sign_out", &[]).await;
        app.sign_in("hosting@example.gov").await;
        let told = conflicts_of(view(&app, &ours).await);
        assert!(
            told.len() == 2 && told.iter().any(|t| t.starts_with(&format!("Overlaps {theirs} “Rotate"))),
            "{told:?}"
        );
        app.stop().await;
    }
);
