//! Resilience: what survives a crash and what holds under randomised races, on both databases.
//! `RESILIENCE_TRIALS` raises the number of randomised trials (the bench command runs thousands;
//! the test suite a few dozen).

mod common;
use app::domain::reference::Reference;
use app::ports::prelude::*;
use common::*;
use server::store::{verify_audit_chain, Db, Store};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// The real server binary, so it can be killed with SIGKILL; returns it and its base URL.
async fn spawn_server(db_url: &str) -> (std::process::Child, String) {
    let port = free_port();
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_server"))
        .env("DATABASE_URL", db_url)
        .env("OFFCYCLE_BIND", format!("127.0.0.1:{port}"))
        .env("RUST_LOG", "warn")
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("the server binary");
    let base = format!("http://127.0.0.1:{port}");
    for _ in 0..200 {
        if reqwest::get(format!("{base}/healthz")).await.is_ok_and(|r| r.status().is_success()) {
            return (child, base);
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let _ = child.kill();
    let _ = child.wait();
    panic!("the server did not answer /healthz");
}

async fn signed_in(base: &str) -> reqwest::Client {
    let c = client();
    let res = c
        .post(format!("{base}/api/sign_in"))
        .header("Accept", "application/json")
        .form(&[("email", "dev@example.gov"), ("password", DEMO_PASSWORD)])
        .send()
        .await
        .unwrap();
    assert!(res.status().is_success() || res.status().is_redirection(), "sign-in: {}", res.status());
    c
}

both_backends!(a_server_killed_under_write_load_keeps_every_acknowledged_write, |url: String, _b| async move {
    let store = Store::new(Db::open(&url).await.unwrap());
    server::demo::seed(&store, Some(DEMO_PASSWORD), &app::service::SystemClock).await.unwrap();
    store.db().clone().close().await;
    let (mut server, base) = spawn_server(&url).await;

    // Four people start requests as fast as the server answers; an answer with the new
    // request's address is an acknowledgement: that write must survive whatever happens next.
    let acknowledged = Arc::new(Mutex::new(Vec::<(String, String)>::new()));
    let mut writers = Vec::new();
    for w in 0..4 {
        let c = signed_in(&base).await;
        let (base, acknowledged) = (base.clone(), acknowledged.clone());
        writers.push(tokio::spawn(async move {
            for i in 0.. {
                let title = format!("Writer {w} change {i}");
                let res = c
                    .post(format!("{base}/api/start_request"))
                    .header("Accept", "application/json")
                    .form(&[("title", title.as_str()), ("system", "Grants portal")])
                    .send()
                    .await;
                let Ok(res) = res else { break };
                let Some(location) = res.headers().get("location").and_then(|l| l.to_str().ok()) else { break };
                let reference = location.trim_start_matches("/requests/").trim_end_matches("/triage").to_string();
                acknowledged.lock().unwrap().push((reference, title));
            }
        }));
    }
    // Kill it mid-stream, once a good number of writes are in.
    for _ in 0..400 {
        if acknowledged.lock().unwrap().len() >= 60 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    server.kill().unwrap();
    server.wait().unwrap();
    for w in writers {
        w.await.unwrap();
    }
    let acknowledged = acknowledged.lock().unwrap().clone();
    assert!(acknowledged.len() >= 60, "the load ran: {} writes", acknowledged.len());

    // It starts again on the same database and every acknowledged request is there, whole.
    let (mut server, base) = spawn_server(&url).await;
    let store = Store::new(Db::open(&url).await.unwrap());
    for (reference, title) in &acknowledged {
        let found = store.request_by_reference(Reference::parse(reference).unwrap()).await.unwrap();
        assert_eq!(found.map(|s| s.title), Some(title.clone()), "{reference} was acknowledged");
    }
    // The audit chain has no torn link: every committed request carries its audit row.
    let links = verify_audit_chain(store.db(), None).await.unwrap().expect("an intact audit chain").rows;
    assert!(links as usize >= acknowledged.len(), "{links} audit rows for {} writes", acknowledged.len());
    // And it takes new writes.
    let c = signed_in(&base).await;
    let res = c
        .post(format!("{base}/api/start_request"))
        .header("Accept", "application/json")
        .form(&[("title", "After the restart"), ("system", "Grants portal")])
        .send()
        .await
        .unwrap();
    assert!(res.headers().contains_key("location"), "{}", res.status());
    let _ = server.kill();
    let _ = server.wait();
});

/// How many randomised trials: `RESILIENCE_TRIALS`, else `default`.
fn trials(default: usize) -> usize {
    std::env::var("RESILIENCE_TRIALS").ok().and_then(|v| v.parse().ok()).unwrap_or(default)
}

both_backends!(racing_cors_record_one_decision_each_and_never_break_the_quorum, |url: String, _b| async move {
    use app::domain::quorum::Verdict;
    use app::domain::workflow::{Action, State};
    use server::demo::{Example, Seeder};
    let store = Store::new(Db::open(&url).await.unwrap());
    server::demo::seed(&store, Some(DEMO_PASSWORD), &app::service::SystemClock).await.unwrap();
    let seeder = Seeder::new(&store, "http://127.0.0.1", &app::service::SystemClock).await.unwrap();
    let admin = store.sign_in_candidate("admin@example.gov").await.unwrap().unwrap().user;
    let cor1 = store.sign_in_candidate("cor1@example.gov").await.unwrap().unwrap().user;
    let cor2 = store.sign_in_candidate("cor2@example.gov").await.unwrap().unwrap().user;
    let seed = std::env::var("RESILIENCE_SEED").ok().and_then(|v| v.parse().ok()).unwrap_or_else(|| fastrand::u64(..));
    let mut rng = fastrand::Rng::with_seed(seed);
    let n = trials(12);
    let (mut approved, mut rejected, mut pending) = (0, 0, 0);
    for trial in 0..n {
        // COR 2 is out of office in some trials: then one approval suffices. An absence that
        // ended last week (some trials) must not count.
        let absent = rng.bool();
        for a in store.absences().await.unwrap() {
            store.remove_absence(a.id, &Acting::new(&admin, "test", chrono::Utc::now())).await.unwrap();
        }
        let today = chrono::Utc::now().date_naive();
        let days = |n: i64| today + chrono::Duration::days(n);
        let away: &[(i64, i64)] = match (absent, rng.bool()) {
            (true, true) => &[(-10, -3), (-1, 1)],
            (true, false) => &[(-1, 1)],
            (false, true) => &[(-10, -3)],
            (false, false) => &[],
        };
        for (from, to) in away {
            store
                .add_absence(
                    cor2.id,
                    &app::domain::quorum::NewAbsence { from: days(*from), to: days(*to), note: None },
                    &Acting::new(&admin, "test", chrono::Utc::now()),
                )
                .await
                .unwrap();
        }
        let r = seeder.drive(&format!("Race {trial}"), "Grants portal", Example::AwaitingApproval).await.unwrap();
        let plan_hash =
            store.load_request(Reference::parse(&r).unwrap()).await.unwrap().unwrap().snapshot.plan_hash.clone();
        // One to four attempts at once, each a COR approving or rejecting; duplicates included.
        let attempts: Vec<(&str, Verdict)> = (0..rng.usize(1..=4))
            .map(|_| {
                let cor = if rng.bool() { "cor1@example.gov" } else { "cor2@example.gov" };
                let verdict = if rng.u8(0..4) == 0 { Verdict::Reject("Not now".into()) } else { Verdict::Approve };
                (cor, verdict)
            })
            .collect();
        // Each person who finds the request changed under them tries again, as the page would.
        let outcomes = futures::future::join_all(attempts.iter().map(|(cor, verdict)| {
            let action = Action::Decide { verdict: verdict.clone(), plan_hash: plan_hash.clone(), link: None };
            let (seeder, r) = (&seeder, &r);
            async move {
                let mut tries = 0;
                loop {
                    let outcome = seeder.act_as(r, cor, action.clone()).await.map_err(|e| e.to_string());
                    // The store's conflict, or the service's after its own retries.
                    let conflict = outcome.as_ref().is_err_and(|e| {
                        e.contains("changed since it was loaded") || e.contains("Someone else changed this")
                    });
                    tries += 1;
                    if !conflict || tries == 20 {
                        return outcome;
                    }
                }
            }
        }))
        .await;
        let landed = outcomes.iter().filter(|o| o.is_ok()).count();
        let after = store.load_request(Reference::parse(&r).unwrap()).await.unwrap().unwrap().snapshot;
        let context = format!("trial {trial} (seed {seed}): {attempts:?} → {outcomes:?} → {:?}", after.decisions);
        // Exactly the decisions that were acknowledged, at most one per COR.
        assert_eq!(after.decisions.len(), landed, "{context}");
        let mut by: Vec<_> = after.decisions.iter().map(|d| d.by).collect();
        by.sort();
        by.dedup();
        assert_eq!(by.len(), after.decisions.len(), "one decision per COR: {context}");
        // The state is the quorum rule applied to what was recorded.
        let any_reject = after.decisions.iter().any(|d| matches!(d.verdict, Verdict::Reject(_)));
        let approved_by = |id: i64| after.decisions.iter().any(|d| d.by == id && d.verdict == Verdict::Approve);
        // Every COR approved or is away (COR 1 never is here); someone approved.
        let expected = if any_reject {
            State::Rejected
        } else if approved_by(cor1.id) && (approved_by(cor2.id) || absent) {
            State::Approved
        } else {
            State::AwaitingApproval
        };
        assert_eq!(after.state, expected, "{context}");
        match expected {
            State::Approved => approved += 1,
            State::Rejected => rejected += 1,
            _ => pending += 1,
        }
    }
    eprintln!("{n} trials (seed {seed}): {approved} approved, {rejected} rejected, {pending} still awaiting");
});
