//! COR approvals over real SMTP (aiosmtpd on loopback), on SQLite and PostgreSQL: the links,
//! the quorum with out-of-office, the ISSO copy, scanners, replays, races, outages and restarts.

mod common;
use common::flow::*;
use common::smtp::*;
use common::*;
use serde_json::Value;
use server::store::{Db, Store};
use std::time::Duration;

async fn app_with(url: &str, smtp: &str, tweak: impl FnOnce(&mut server::config::Config)) -> TestApp {
    let mut config = common::config(url);
    config.smtp_url = Some(smtp.to_string());
    tweak(&mut config);
    TestApp::spawn_with(config).await
}

/// The approval request a COR received.
fn approval_for<'a>(all: &'a [Mail], cor: &str) -> &'a Mail {
    all.iter().find(|m| m.to == [cor] && m.text.contains("Your approval is requested")).expect("an approval request")
}

async fn anonymous(app: &TestApp, name: &str, form: &[(&str, &str)]) -> reqwest::Response {
    app.call_as(&common::client(), name, form).await
}

both_backends!(two_cors_approve_from_emailed_links_and_scanners_decide_nothing, |url: String, _b| async move {
    let sink = SmtpSink::running();
    let app = app_with(&url, &sink.url(), |_| {}).await;
    let r = submitted_to_cors(&app).await;
    // Submission: one message per COR and the copy, each with the ISSO copied.
    sink.approval_requests().await;
    let all = sink
        .wait_until("the copy", |m| {
            m.iter().any(|m| m.text.contains("submitted this emergency change request to the CORs"))
        })
        .await;
    let a1 = approval_for(&all, "cor1@example.gov");
    let a2 = approval_for(&all, "cor2@example.gov");
    for (m, cor) in [(a1, "cor1@example.gov"), (a2, "cor2@example.gov")] {
        assert!(m.cc.is_empty(), "a decision link reaches its COR alone, never copied: {:?}", m.cc);
        assert_eq!(m.envelope_to, [cor], "nobody else receives the COR's link");
        assert!(m.subject.starts_with("Grants portal - Production - Emergency Change Request - "), "{}", m.subject);
        assert!(m.text.contains(&r) && m.html.contains(&r));
        let token = link_in(&m.text);
        assert_eq!(token.len(), 64, "256 bits, hex");
        assert!(m.html.contains(&format!("/decide/{token}\">")), "the HTML body links the same decision page");
    }
    // Seed 000: the requester was told who took the request (security-related: the ISSO too).
    let taken = all.iter().find(|m| m.text.contains("A hosting engineer has taken")).expect("the assignment notice");
    assert_eq!(taken.to, DEV_TEAM);
    assert_eq!(taken.cc, ["isso@example.gov"]);
    assert!(
        taken.text.contains("Hal Hosting is the hosting engineer for this request") && taken.text.contains(&r),
        "{}",
        taken.text
    );
    let copy = all.iter().find(|m| m.text.contains("submitted this emergency change request to the CORs")).unwrap();
    assert_eq!(copy.to, ["hosting@example.gov", "lead@example.gov"]);
    assert_eq!(
        copy.cc,
        [DEV_TEAM.as_slice(), &["isso@example.gov"]].concat(),
        "security-related: the ISSO gets the copy"
    );
    // No message that reaches anyone but its COR carries a decision link.
    for m in &all {
        if m.text.contains("/decide/") {
            assert_eq!((m.envelope_to.len(), m.cc.len()), (1, 0), "{:?} {:?}", m.envelope_to, m.cc);
        }
    }
    assert!(all
        .iter()
        .filter(|m| m.envelope_to.iter().any(|a| a == "isso@example.gov"))
        .all(|m| !m.text.contains("/decide/")));

    // Tokens rest only in the messages: the database has their hashes, the outbox placeholders.
    let (t1, t2) = (link_in(&a1.text), link_in(&a2.text));
    let store = Store::new(Db::open(&url).await.unwrap());
    let rows = store.undelivered_and_bodies_for_test().await;
    assert!(rows.iter().all(|b| !b.contains(&t1) && !b.contains(&t2)), "no raw token in the outbox");
    assert!(app::ports::ApprovalStore::decision_link(&store, &app::ports::token_hash(&t1)).await.unwrap().is_some());

    let links = |o: server::store::Operations| (o.links_open, o.links_opened, o.links_used);
    assert_eq!(links(store.operations(chrono::Utc::now()).await.unwrap()), (2, 0, 0));
    // A mail scanner opens the link three times (the page and its data): nothing is decided.
    for _ in 0..3 {
        let res = common::client().get(app.url(&format!("/decide/{t1}"))).send().await.unwrap();
        assert_eq!(res.status(), 200);
        let v: Value = anonymous(&app, "decision_by_link", &[("token", &t1)]).await.json().await.unwrap();
        assert_eq!(v["can_decide"], true);
        assert!(v["decisions"].as_array().unwrap().is_empty());
    }

    assert_eq!(links(store.operations(chrono::Utc::now()).await.unwrap()), (2, 1, 0), "opened, not used");

    // Rejecting needs a reason (at the field); approving decides once; a replay is refused.
    let res = anonymous(&app, "decide_by_link", &[("token", &t1), ("verdict", "reject")]).await;
    assert_eq!(res.status(), 422);
    let res = anonymous(&app, "decide_by_link", &[("token", &t1), ("verdict", "approve")]).await;
    assert!(res.status().is_success(), "{}", res.text().await.unwrap());
    let res = anonymous(&app, "decide_by_link", &[("token", &t1), ("verdict", "approve")]).await;
    assert_eq!(res.status(), 409, "a used link is refused");
    assert_eq!(links(store.operations(chrono::Utc::now()).await.unwrap()), (1, 0, 1));
    let v: Value = anonymous(&app, "decision_by_link", &[("token", &t1)]).await.json().await.unwrap();
    assert!(v["closed_reason"].as_str().unwrap().contains("was used"), "{v}");
    assert!(v["quorum"].as_str().unwrap().contains("waiting for"), "{v}");

    // A tampered token is not found and changes nothing.
    let mut tampered = t2.clone().into_bytes();
    tampered[10] = if tampered[10] == b'a' { b'b' } else { b'a' };
    let tampered = String::from_utf8(tampered).unwrap();
    assert_eq!(anonymous(&app, "decision_by_link", &[("token", &tampered)]).await.status(), 404);
    assert_eq!(anonymous(&app, "decide_by_link", &[("token", &tampered), ("verdict", "approve")]).await.status(), 404);

    let res = anonymous(&app, "decide_by_link", &[("token", &t2), ("verdict", "approve")]).await;
    assert!(res.status().is_success());
    app.sign_in("hosting@example.gov").await;
    let v = view(&app, &r).await;
    assert_eq!(v["state"], "Approved");
    // The decision goes to hosting and dev, with the ISSO copied.
    let all = sink.wait_until("the approval notice", |m| m.iter().any(|m| m.text.contains("has been approved"))).await;
    let approved = all.iter().find(|m| m.text.contains("has been approved")).unwrap();
    assert_eq!(approved.to, [["hosting@example.gov", "lead@example.gov"].as_slice(), &DEV_TEAM].concat());
    assert!(approved.cc.contains(&"isso@example.gov".to_string()));
    assert!(approved.text.contains("Approval: approved by"), "the basis is in the message: {}", approved.text);
    app.stop().await;
});

both_backends!(one_cor_suffices_while_the_other_is_out_of_office, |url: String, _b| async move {
    let sink = SmtpSink::running();
    let app = app_with(&url, &sink.url(), |_| {}).await;
    // The hosting team records COR 2's absence for today.
    app.sign_in("hosting@example.gov").await;
    let cors: Value = app.call("absences", &[]).await.json().await.unwrap();
    let cor2 = cors["cors"].as_array().unwrap().iter().find(|c| c[1] == "Alana COR").unwrap()[0].to_string();
    let today = app::domain::calendar::eastern_date(chrono::Utc::now()).to_string();
    let (status, e) = failed(&app, "declare_absence", &[("cor", &cor2), ("from", &today), ("to", "not a date")]).await;
    assert_eq!((status, fields(&e)), (422, vec!["to".to_string()]));
    ok(&app, "declare_absence", &[("cor", &cor2), ("from", &today), ("to", &today), ("note", "annual leave")]).await;
    app.call("sign_out", &[]).await;
    // A COR may not record absences for someone else.
    app.sign_in("cor1@example.gov").await;
    let (status, _) = failed(&app, "declare_absence", &[("cor", &cor2), ("from", &today), ("to", &today)]).await;
    assert_eq!(status, 403);
    app.call("sign_out", &[]).await;

    let r = submitted_to_cors(&app).await;
    let all = sink.approval_requests().await;
    let t1 = link_in(&approval_for(&all, "cor1@example.gov").text);
    let v: Value = anonymous(&app, "decision_by_link", &[("token", &t1)]).await.json().await.unwrap();
    assert!(v["quorum"].as_str().unwrap().contains("out of office"), "the basis shows the absence: {v}");
    let res = anonymous(&app, "decide_by_link", &[("token", &t1), ("verdict", "approve")]).await;
    assert!(res.status().is_success());
    app.sign_in("hosting@example.gov").await;
    assert_eq!(view(&app, &r).await["state"], "Approved", "one approval suffices");
    app.stop().await;
});

both_backends!(racing_decisions_are_each_recorded_once_and_the_quorum_holds, |url: String, _b| async move {
    let sink = SmtpSink::running();
    let app = std::sync::Arc::new(app_with(&url, &sink.url(), |_| {}).await);
    let r = submitted_to_cors(&app).await;
    let all = sink.approval_requests().await;
    let (t1, t2) =
        (link_in(&approval_for(&all, "cor1@example.gov").text), link_in(&approval_for(&all, "cor2@example.gov").text));
    // Both CORs at the same instant, and COR 1's link posted twice at once as well.
    let mut tasks = Vec::new();
    for t in [t1.clone(), t2.clone(), t1.clone()] {
        let app = app.clone();
        tasks.push(tokio::spawn(async move {
            app.call_as(&common::client(), "decide_by_link", &[("token", &t), ("verdict", "approve")])
                .await
                .status()
                .as_u16()
        }));
    }
    let mut statuses = Vec::new();
    for t in tasks {
        statuses.push(t.await.unwrap());
    }
    statuses.sort();
    assert_eq!(statuses.iter().filter(|s| **s < 400).count(), 2, "two decisions land: {statuses:?}");
    app.sign_in("hosting@example.gov").await;
    let v = view(&app, &r).await;
    assert_eq!(v["state"], "Approved");
    let store = Store::new(Db::open(&url).await.unwrap());
    let reference = app::domain::reference::Reference::parse(&r).unwrap();
    let loaded = app::ports::Requests::load_request(&store, reference).await.unwrap().unwrap();
    assert_eq!(loaded.snapshot.decisions.len(), 2, "exactly one decision per COR");
    match std::sync::Arc::try_unwrap(app) {
        Ok(app) => app.stop().await,
        Err(_) => panic!("tasks still hold the app"),
    }
});

both_backends!(expired_and_voided_links_say_what_happened_and_change_nothing, |url: String, _b| async move {
    let sink = SmtpSink::running();
    let app = app_with(&url, &sink.url(), |c| c.decision_link_ttl = Duration::from_secs(0)).await;
    let r = submitted_to_cors(&app).await;
    let all = sink.approval_requests().await;
    let t1 = link_in(&approval_for(&all, "cor1@example.gov").text);
    let v: Value = anonymous(&app, "decision_by_link", &[("token", &t1)]).await.json().await.unwrap();
    assert_eq!(v["can_decide"], false);
    assert!(v["closed_reason"].as_str().unwrap().contains("expired"), "{v}");
    let res = anonymous(&app, "decide_by_link", &[("token", &t1), ("verdict", "approve")]).await;
    assert_eq!(res.status(), 409);
    app.stop().await;

    // A plan edit after submission voids the links.
    let sink = SmtpSink::running();
    let app = app_with(&url, &sink.url(), |_| {}).await;
    app.sign_in("hosting@example.gov").await;
    let v = view(&app, &r).await;
    assert_eq!(v["state"], "AwaitingApproval");
    let id = v["plan"]["steps"][0]["id"].as_u64().unwrap().to_string();
    let version = v["plan_version"].as_i64().unwrap().to_string();
    let mut edit = step(&r, &version);
    edit.push(("step_id", &id));
    edit.retain(|(k, _)| *k != "step[estimated_minutes]");
    edit.push(("step[estimated_minutes]", "20"));
    ok(&app, "save_plan_step", &edit).await;
    assert_eq!(view(&app, &r).await["state"], "HostingReview");
    let v: Value = anonymous(&app, "decision_by_link", &[("token", &t1)]).await.json().await.unwrap();
    assert!(v["closed_reason"].as_str().unwrap().contains("plan changed"), "{v}");
    app.stop().await;
});

both_backends!(smtp_down_then_up_delivers_every_message_exactly_once, |url: String, _b| async move {
    let mut sink = SmtpSink::stopped();
    let app = app_with(&url, &sink.url(), |_| {}).await;
    let _r = submitted_to_cors(&app).await;
    // The relay is down: attempts fail, and admins see why.
    tokio::time::sleep(Duration::from_millis(800)).await;
    app.sign_in("admin@example.gov").await;
    let failing: Value = app.call("undelivered_mail", &[]).await.json().await.unwrap();
    assert!(!failing.as_array().unwrap().is_empty(), "failures are visible to admins");
    assert!(failing[0]["last_error"].as_str().is_some_and(|e| !e.is_empty()));
    app.call("sign_out", &[]).await;
    let queued = Store::new(Db::open(&url).await.unwrap()).outbox_count_for_test().await;
    sink.start();
    let got = sink.wait_for(queued).await;
    tokio::time::sleep(Duration::from_millis(1500)).await;
    let got_later = sink.received();
    assert_eq!(got_later.len(), got.len(), "nothing is sent twice");
    assert_eq!(got.len(), queued, "every queued message arrives once");
    app.sign_in("admin@example.gov").await;
    let failing: Value = app.call("undelivered_mail", &[]).await.json().await.unwrap();
    assert!(failing.as_array().unwrap().is_empty(), "{failing}");
    app.stop().await;
});

both_backends!(a_worker_that_dies_mid_send_loses_nothing, |url: String, _b| async move {
    let sink = SmtpSink::running();
    // The worker does not get round to it: the app queues, nobody sends.
    let app = app_with(&url, &sink.url(), |c| c.mail_poll = Duration::from_secs(3600)).await;
    let _r = submitted_to_cors(&app).await;
    app.stop().await;
    let store = Store::new(Db::open(&url).await.unwrap());
    let queued = store.outbox_count_for_test().await;
    // A worker claims a message and dies before marking it (its lease is short here).
    let claimed = store
        .claim_due_message(chrono::Utc::now(), 200, server::store::Queue::Mail)
        .await
        .unwrap()
        .expect("a due message");
    drop(claimed);
    tokio::time::sleep(Duration::from_millis(300)).await;
    // After the restart a new worker delivers everything, the orphaned message included.
    let app = app_with(&url, &sink.url(), |_| {}).await;
    sink.wait_for(queued).await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(sink.received().len(), queued);
    app.stop().await;
});

both_backends!(no_decision_in_time_reminds_the_pending_cors_then_escalates_once, |url: String, _b| async move {
    let sink = SmtpSink::running();
    let app = app_with(&url, &sink.url(), |c| {
        c.remind_after = Duration::from_millis(300);
        c.escalate_after = Duration::from_millis(900);
    })
    .await;
    let _r = submitted_to_cors(&app).await;
    let t1 = link_in(&approval_for(&sink.approval_requests().await, "cor1@example.gov").text);
    let res = anonymous(&app, "decide_by_link", &[("token", &t1), ("verdict", "approve")]).await;
    assert!(res.status().is_success());
    // COR 2 stays silent: one reminder (with a fresh link) to COR 2 only, then one overdue notice.
    sink.wait_until("the overdue notice", |m| m.iter().any(|m| m.text.contains("within the escalation time"))).await;
    tokio::time::sleep(Duration::from_millis(1000)).await;
    let all = mails(&sink);
    let reminders: Vec<&Mail> = all.iter().filter(|m| m.text.starts_with("Reminder:")).collect();
    assert_eq!(reminders.len(), 1, "once");
    assert_eq!(reminders[0].to, ["cor2@example.gov"]);
    assert_eq!(
        (reminders[0].envelope_to.as_slice(), reminders[0].cc.len()),
        (&["cor2@example.gov".to_string()][..], 0)
    );
    let fresh = link_in(&reminders[0].text);
    let v: Value = anonymous(&app, "decision_by_link", &[("token", &fresh)]).await.json().await.unwrap();
    assert_eq!(v["can_decide"], true, "the reminder's link works");
    let overdue: Vec<&Mail> = all.iter().filter(|m| m.text.contains("within the escalation time")).collect();
    assert_eq!(overdue.len(), 1);
    assert_eq!(overdue[0].to, ["lead@example.gov", "admin@example.gov"]);
    app.stop().await;
});

both_backends!(a_signed_in_cor_rejects_from_their_list_and_hosting_sees_why, |url: String, _b| async move {
    let sink = SmtpSink::running();
    let app = app_with(&url, &sink.url(), |_| {}).await;
    let r = submitted_to_cors(&app).await;
    app.sign_in("cor2@example.gov").await;
    let waiting: Value = app.call("awaiting_my_decision", &[]).await.json().await.unwrap();
    assert_eq!(waiting[0]["reference"], r.as_str(), "the request waits for this COR");
    // The request's own page leads to the decision too (not only the list and the email).
    let decide_link = format!("href=\"/requests/{r}/decide\"");
    let (_, page) = app.get_text(&format!("/requests/{r}")).await;
    assert!(page.contains(&decide_link), "{page}");
    app.call("sign_out", &[]).await;
    app.sign_in("dev@example.gov").await;
    let (_, page) = app.get_text(&format!("/requests/{r}")).await;
    assert!(
        page.contains("Submitted to the CORs") && !page.contains(&decide_link),
        "the dev team has no way to decide"
    );
    app.call("sign_out", &[]).await;
    app.sign_in("cor2@example.gov").await;
    let (status, e) = failed(&app, "decide", &[("reference", &r), ("verdict", "reject")]).await;
    assert_eq!((status, fields(&e)), (422, vec!["reason".to_string()]));
    ok(&app, "decide", &[("reference", &r), ("verdict", "reject"), ("reason", "Roll out after the 14:00 batch job")])
        .await;
    let waiting: Value = app.call("awaiting_my_decision", &[]).await.json().await.unwrap();
    assert!(waiting.as_array().unwrap().is_empty());
    app.call("sign_out", &[]).await;
    // A dev cannot decide at all.
    app.sign_in("dev@example.gov").await;
    let (status, _) = failed(&app, "decide", &[("reference", &r), ("verdict", "approve")]).await;
    assert_eq!(status, 403);
    app.call("sign_out", &[]).await;
    app.sign_in("hosting@example.gov").await;
    let v = view(&app, &r).await;
    assert_eq!(v["state"], "Rejected");
    assert!(v["decisions"][0].as_str().unwrap().contains("rejected on"), "{v}");
    let all = sink.wait_until("the rejection notice", |m| m.iter().any(|m| m.text.contains("has been rejected"))).await;
    let rejected = all.iter().find(|m| m.text.contains("has been rejected")).unwrap();
    assert!(rejected.text.contains("rejected by Alana COR: Roll out after the 14:00 batch job"), "{}", rejected.text);
    assert!(rejected.to.contains(&"hosting@example.gov".to_string()));
    app.stop().await;
});

/// The real server binary as a child process, so it can be killed with SIGKILL.
fn spawn_server(db_url: &str, smtp: &str) -> std::process::Child {
    let port = free_port();
    std::process::Command::new(env!("CARGO_BIN_EXE_server"))
        .env("DATABASE_URL", db_url)
        .env("OFFCYCLE_BIND", format!("127.0.0.1:{port}"))
        .env("SMTP_URL", smtp)
        .env("OFFCYCLE_MAIL_POLL_MS", "100")
        .env("OFFCYCLE_MAIL_LEASE_SECONDS", "2")
        .env("RUST_LOG", "warn")
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("the server binary")
}

both_backends!(a_server_killed_mid_send_loses_no_message, |url: String, _b| async move {
    // Queue the submission's messages without sending them (the worker would wait an hour).
    let parked = SmtpSink::stopped();
    let app = app_with(&url, &parked.url(), |c| c.mail_poll = Duration::from_secs(3600)).await;
    let _r = submitted_to_cors(&app).await;
    app.stop().await;
    let queued = Store::new(Db::open(&url).await.unwrap()).outbox_count_for_test().await;

    // A real server process starts sending to a relay that never answers the data, and is
    // killed with SIGKILL in the middle of that send.
    let stall = SmtpSink::stalling();
    let mut server = spawn_server(&url, &stall.url());
    let marker = stall.dir.join("stalled");
    for _ in 0..200 {
        if marker.exists() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert!(marker.exists(), "the server got as far as sending");
    server.kill().unwrap();
    server.wait().unwrap();

    // After a restart, against a working relay, every message arrives, the interrupted one too.
    let sink = SmtpSink::running();
    let mut server = spawn_server(&url, &sink.url());
    let got = sink.wait_for(queued).await;
    tokio::time::sleep(Duration::from_millis(800)).await;
    let _ = server.kill();
    let _ = server.wait();
    assert_eq!(got.len(), queued);
    assert_eq!(sink.received().len(), queued, "and none twice");
});

/// Signs `who` in, runs one server function that must succeed, signs out.
async fn as_person(app: &TestApp, who: &str, name: &str, form: &[(&str, &str)]) {
    app.sign_in(who).await;
    ok(app, name, form).await;
    app.call("sign_out", &[]).await;
}

both_backends!(
    a_rejected_request_returned_and_resubmitted_unchanged_asks_both_cors_again,
    |url: String, _b| async move {
        let app = TestApp::spawn(&url).await;
        let r = submitted_to_cors(&app).await;
        let r = r.as_str();
        as_person(&app, "cor1@example.gov", "decide", &[("reference", r), ("verdict", "approve")]).await;
        let reject = [("reference", r), ("verdict", "reject"), ("reason", "Add the rollback timing")];
        as_person(&app, "cor2@example.gov", "decide", &reject).await;
        // Hosting sends it back; the dev team resubmits without touching the plan; hosting resubmits.
        as_person(&app, "hosting@example.gov", "return_to_dev", &[("reference", r), ("comments", "Say when")]).await;
        as_person(&app, "dev@example.gov", "submit_for_review", &[("reference", r)]).await;
        as_person(&app, "hosting@example.gov", "submit_to_cors", &[("reference", r)]).await;

        // The COR who rejected is asked again and may decide; the earlier approval no longer counts.
        app.sign_in("cor2@example.gov").await;
        let waiting: Value = app.call("awaiting_my_decision", &[]).await.json().await.unwrap();
        assert_eq!(waiting[0]["reference"], r, "a new submission waits for this COR again");
        ok(&app, "decide", &[("reference", r), ("verdict", "approve")]).await;
        assert_eq!(view(&app, r).await["state"], "AwaitingApproval", "the first submission's approval does not count");
        app.call("sign_out", &[]).await;
        as_person(&app, "cor1@example.gov", "decide", &[("reference", r), ("verdict", "approve")]).await;
        app.sign_in("hosting@example.gov").await;
        let v = view(&app, r).await;
        assert_eq!(v["state"], "Approved");
        assert_eq!(v["decisions"].as_array().unwrap().len(), 4, "the record keeps both submissions' decisions: {v}");
        app.stop().await;
    }
);

both_backends!(your_requests_lists_what_each_role_has_to_do_with, |url: String, _b| async move {
    let app = TestApp::spawn(&url).await;
    let security = submitted_to_cors(&app).await;
    app.sign_in("dev@example.gov").await;
    let plain = start(&app, "Rotate the logs").await;
    app.call("sign_out", &[]).await;
    let page_of = |who: &'static str| {
        let app = &app;
        async move {
            app.sign_in(who).await;
            let (status, page) = app.get_text("/requests").await;
            assert_eq!(status, 200, "{who}");
            app.call("sign_out", &[]).await;
            page
        }
    };
    // A COR: the requests they decided, and no others.
    app.sign_in("cor1@example.gov").await;
    ok(&app, "decide", &[("reference", &security), ("verdict", "approve")]).await;
    app.call("sign_out", &[]).await;
    let page = page_of("cor1@example.gov").await;
    assert!(page.contains("Requests you decided") && page.contains(&security) && !page.contains(&plain), "{page}");
    let page = page_of("cor2@example.gov").await;
    assert!(page.contains("You have not decided any requests yet."), "{page}");
    // The ISSO: the security-related ones, which they are copied on.
    let page = page_of("isso@example.gov").await;
    assert!(page.contains(&security) && !page.contains(&plain), "{page}");
    assert!(page.contains("You are copied on every message about a security-related request."));
    assert!(!page.contains("Your next step"), "the ISSO has no step in these");
    // An archivist: a way to the archive, and no link to an empty list.
    let page = page_of("archivist@example.gov").await;
    assert!(page.contains("Find a request in the archive") && !page.contains(">My requests<"), "{page}");
    app.sign_in("archivist@example.gov").await;
    let (_, home) = app.get_text("/").await;
    assert!(home.contains("Search the archive") && !home.contains("See your requests"), "{home}");
    app.call("sign_out", &[]).await;
    // Hosting: the requests assigned to them (the submitted one), not another's.
    let page = page_of("hosting@example.gov").await;
    assert!(page.contains("Requests assigned to you or started by you") && page.contains(&security), "{page}");
    assert!(!page.contains(&plain), "{page}");
    let page = page_of("lead@example.gov").await;
    assert!(page.contains("No request is assigned to you and you have not started any."), "{page}");
    // A dev team member: the requests they started, with their next step.
    let page = page_of("dev@example.gov").await;
    assert!(page.contains(&security) && page.contains(&plain) && page.contains("Your next step"));
    app.stop().await;
});
