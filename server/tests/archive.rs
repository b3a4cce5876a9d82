//! The archive on SQLite and PostgreSQL: copies filed on submission and approval, rendered
//! deterministically, immutable in the database, checked on download, written to the
//! archive folder (retried when that fails), searched and exported by an archivist.

mod common;
use common::flow::*;
use common::*;
use serde_json::Value;
use server::archive::{record, sha256_hex, Version};
use server::store::{Db, Store};
use std::time::Duration;

/// The archive search as the archivist's page calls it.
async fn search(app: &TestApp, form: &[(&str, &str)]) -> Value {
    let res = app.call("archive_search", form).await;
    assert!(res.status().is_success(), "archive_search: {}", res.status());
    res.json().await.unwrap()
}

/// Waits until the request has `n` rendered copies; returns its search row.
async fn copies(app: &TestApp, reference: &str, n: usize) -> Value {
    for _ in 0..100 {
        let page = search(app, &[("filter[q]", reference)]).await;
        let row = page["rows"][0].clone();
        let c = row["copies"].as_array().cloned().unwrap_or_default();
        if c.len() == n && c.iter().all(|c| c["sha256"].is_string()) {
            return row;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("{reference} never got {n} rendered copies");
}

async fn get(app: &TestApp, path: &str) -> reqwest::Response {
    app.client.get(app.url(path)).send().await.unwrap()
}

async fn approve(app: &TestApp, reference: &str, cor: &str) {
    app.sign_in(cor).await;
    ok(app, "decide", &[("reference", reference), ("verdict", "approve")]).await;
    app.call("sign_out", &[]).await;
}

/// A clock stopped at one moment.
struct Stopped(chrono::DateTime<chrono::Utc>);

impl app::service::Clock for Stopped {
    fn now(&self) -> chrono::DateTime<chrono::Utc> {
        self.0
    }
}

// The worker stores a copy's rendering and audits the filing together, and may do it in the very
// millisecond the copy was filed. The audit event must still fall after the copy's moment: a later
// rendering of the copy would otherwise list it, and differ from the stored bytes.
both_backends!(a_copy_rendered_in_its_own_millisecond_renders_the_same_again, |url: String, _b| async move {
    use app::ports::prelude::*;
    let store = Store::new(Db::open(&url).await.unwrap());
    server::demo::seed(&store, Some("password"), &app::service::SystemClock).await.unwrap();
    let seeder = server::demo::Seeder::new(&store, "http://127.0.0.1", &app::service::SystemClock).await.unwrap();
    let r = seeder.drive("Filed", "Portal", server::demo::Example::AwaitingApproval).await.unwrap();
    let copy = store.unrendered_copies(10).await.unwrap().into_iter().find(|c| c.reference == r).expect("copy 1");
    let filed = chrono::DateTime::from_timestamp_millis(copy.filed_at).unwrap();
    assert_eq!(server::archive::render_pending(&store, &Stopped(filed)).await.unwrap(), 1);
    let (_, _, stored) = store.archive_copy(copy.id).await.unwrap().unwrap();
    let loaded = store.load(app::domain::reference::Reference::parse(&r).unwrap()).await.unwrap().unwrap();
    let again = server::pdf::render(&record(&store, &loaded, Version::Copy(&copy)).await.unwrap()).unwrap();
    assert!(stored == Some(again), "a second rendering of the copy differs from the stored one");
    let audited = store.audit_trail(loaded.id).await.unwrap();
    let filing = audited.iter().rfind(|e| e.action == "File archive copy").expect("the filing is audited");
    assert!(filing.at > filed, "the filing is audited at {}, not after the copy's moment {filed}", filing.at);
});

both_backends!(
    copies_filed_on_submission_and_approval_are_deterministic_and_found_by_an_archivist,
    |url: String, _b| async move {
        let app = TestApp::spawn(&url).await;
        let r = submitted_to_cors(&app).await;
        app.sign_in("archivist@example.gov").await;
        let row = copies(&app, &r, 1).await;
        let first = &row["copies"][0];
        assert_eq!(first["reason"], "Submitted to the CORs");
        assert_eq!(first["state"], "Awaiting approval");
        let id = first["id"].as_i64().unwrap();
        let res = get(&app, &format!("/archive/copies/{id}.pdf")).await;
        assert_eq!(res.status(), 200);
        assert_eq!(res.headers()["content-type"], "application/pdf");
        let sha = res.headers()["x-content-sha256"].to_str().unwrap().to_string();
        let pdf = res.bytes().await.unwrap();
        assert_eq!(sha256_hex(&pdf), sha, "the bytes are the recorded ones");
        assert_eq!(first["sha256"], sha.as_str());
        assert_eq!(first["size_bytes"], pdf.len());
        let text = pdftotext(&pdf);
        assert!(text.contains(&r) && text.contains("archive copy 1"), "{text}");
        assert!(text.contains("Awaiting approval") && text.contains("Patches an exploited CVE"), "{text}");

        // Rendering the filed version again gives the same bytes.
        let store = Store::new(Db::open(&url).await.unwrap());
        let pending = server::store::PendingCopy {
            id,
            request_id: 0,
            reference: r.clone(),
            copy_number: 1,
            reason: "submitted_to_cors".into(),
            state: "awaiting_approval".into(),
            record_version: 0,
            plan_version: 0,
            form_version: 0,
            filed_at: 0,
        };
        let stored = store.unrendered_copies(10).await.unwrap();
        assert!(stored.is_empty(), "nothing is left unrendered");
        let loaded = store.load(app::domain::reference::Reference::parse(&r).unwrap()).await.unwrap().unwrap();
        let (view, request_id, _) = store.archive_copy(id).await.unwrap().unwrap();
        assert_eq!(request_id, loaded.id);
        // The row's own versions, read back the way the worker reads them.
        let filed: (i64, i64, i64, i64) = match store.db() {
            Db::Sqlite { pool: p, .. } => sqlx::query_as(
                "SELECT record_version, plan_version, form_version, filed_at FROM archive_copies WHERE id = $1",
            )
            .bind(id)
            .fetch_one(p)
            .await
            .unwrap(),
            Db::Postgres(p) => sqlx::query_as(
                "SELECT record_version, plan_version, form_version, filed_at FROM archive_copies WHERE id = $1",
            )
            .bind(id)
            .fetch_one(p)
            .await
            .unwrap(),
        };
        let pending = server::store::PendingCopy {
            request_id,
            record_version: filed.0,
            plan_version: filed.1,
            form_version: filed.2,
            filed_at: filed.3,
            ..pending
        };
        let again = server::pdf::render(&record(&store, &loaded, Version::Copy(&pending)).await.unwrap()).unwrap();
        assert!(again == pdf.to_vec(), "a second rendering of copy {} differs", view.copy_number);
        // What a copy was filed with must decode: a state, a reason or a version that does not
        // is refused, not rendered as "Unknown", a blank reason or an empty plan.
        for (what, broken) in [
            ("archive_copies.state", server::store::PendingCopy { state: "no_such_state".into(), ..pending.clone() }),
            (
                "archive_copies.reason",
                server::store::PendingCopy { reason: "no_such_reason".into(), ..pending.clone() },
            ),
            ("plan_version", server::store::PendingCopy { plan_version: 99, ..pending.clone() }),
            ("form_version", server::store::PendingCopy { form_version: 99, ..pending.clone() }),
        ] {
            let err = record(&store, &loaded, Version::Copy(&broken)).await.expect_err(what);
            assert!(format!("{err:?}").contains(what), "{what}: {err:?}");
        }

        // The current record: the same version renders to the same bytes.
        let a = get(&app, &format!("/changes/{r}.pdf")).await.bytes().await.unwrap();
        let b = get(&app, &format!("/changes/{r}.pdf")).await.bytes().await.unwrap();
        assert!(a == b && a.starts_with(b"%PDF-1.7"), "the current record is deterministic");
        app.call("sign_out", &[]).await;

        // Both CORs approve: a second copy, filed on approval.
        approve(&app, &r, "cor1@example.gov").await;
        approve(&app, &r, "cor2@example.gov").await;
        app.sign_in("archivist@example.gov").await;
        let row = copies(&app, &r, 2).await;
        assert_eq!(row["copies"][1]["reason"], "Approved");
        assert_eq!(row["copies"][1]["state"], "Approved");
        let file_name = row["copies"][1]["file_name"].as_str().unwrap();
        assert!(file_name.starts_with(&format!("{r}_")) && file_name.ends_with("_v02.pdf"), "{file_name}");
        let copy2 = get(&app, &format!("/archive/copies/{}.pdf", row["copies"][1]["id"])).await.bytes().await.unwrap();
        let text = pdftotext(&copy2);
        assert!(text.contains("Approved") && text.contains("Alana COR"), "the approvals are in the copy:\n{text}");

        // Search: by state, title words and team; the CSV carries every copy with its checksum.
        let by_state = search(&app, &[("filter[state]", "approved")]).await;
        assert_eq!(by_state["rows"].as_array().unwrap().len(), 1);
        let by_title = search(&app, &[("filter[q]", "openssl")]).await;
        assert_eq!(by_title["rows"][0]["summary"]["reference"], r.as_str());
        let none = search(&app, &[("filter[state]", "completed")]).await;
        assert!(none["rows"].as_array().unwrap().is_empty());
        let team = by_title["rows"][0]["team"].as_str().expect("the request's team").to_uppercase();
        let by_team = search(&app, &[("filter[team]", team.as_str())]).await;
        assert_eq!(by_team["rows"][0]["summary"]["reference"], r.as_str(), "a team's name, in any case");
        let other_team = search(&app, &[("filter[team]", "Other team")]).await;
        assert!(other_team["rows"].as_array().unwrap().is_empty(), "another team's requests only");
        let bad = app.call("archive_search", &[("filter[from]", "21/11/2026")]).await;
        assert_eq!(bad.status(), 422, "a date that is not a date is a field error");
        let csv = get(&app, "/archive/export.csv?state=approved").await;
        assert_eq!(csv.status(), 200);
        assert!(csv.headers()["content-type"].to_str().unwrap().starts_with("text/csv"));
        let csv = csv.text().await.unwrap();
        let lines: Vec<&str> = csv.lines().collect();
        assert!(lines[0].starts_with("reference,title,system,team,state"), "{csv}");
        assert_eq!(lines.len(), 3, "a header and one row per copy:\n{csv}");
        assert!(lines[1].contains(&sha) && lines[2].contains(file_name), "{csv}");
        app.call("sign_out", &[]).await;

        // Who may download: the request's dev team yes, another team's developer no, nobody signed out.
        app.sign_in("dev@example.gov").await;
        assert_eq!(get(&app, &format!("/changes/{r}.pdf")).await.status(), 200);
        assert_eq!(app.call("archive_search", &[]).await.status(), 403, "dev teams use their request pages");
        app.call("sign_out", &[]).await;
        add_other_team_dev(&url).await;
        app.sign_in("otto@example.gov").await;
        assert_eq!(get(&app, &format!("/changes/{r}.pdf")).await.status(), 404);
        assert_eq!(get(&app, &format!("/archive/copies/{id}.pdf")).await.status(), 404);
        app.call("sign_out", &[]).await;
        assert_eq!(get(&app, &format!("/changes/{r}.pdf")).await.status(), 303);
        app.stop().await;
    }
);

both_backends!(a_filed_copy_is_never_overwritten_and_a_corrupted_one_is_refused, |url: String, backend| async move {
    let app = TestApp::spawn(&url).await;
    let r = submitted_to_cors(&app).await;
    app.sign_in("archivist@example.gov").await;
    let row = copies(&app, &r, 1).await;
    let id = row["copies"][0]["id"].as_i64().unwrap();
    let store = Store::new(Db::open(&url).await.unwrap());
    let (_, request_id, _) = store.archive_copy(id).await.unwrap().unwrap();
    let copy = server::store::PendingCopy {
        id,
        request_id,
        reference: r.clone(),
        copy_number: 1,
        reason: "submitted_to_cors".into(),
        state: "awaiting_approval".into(),
        record_version: 0,
        plan_version: 0,
        form_version: 0,
        filed_at: 0,
    };
    assert!(!store.store_rendering(&copy, b"%PDF-1.7 forged", "00", 1).await.unwrap(), "the first rendering stands");
    // The database itself refuses, whatever code tries.
    let update = "UPDATE archive_copies SET pdf = $1 WHERE id = $2";
    let delete = "DELETE FROM archive_copies WHERE id = $1";
    let (u, d) = match store.db() {
        Db::Sqlite { writer: p, .. } => (
            sqlx::query(update).bind(b"x".to_vec()).bind(id).execute(p).await.is_err(),
            sqlx::query(delete).bind(id).execute(p).await.is_err(),
        ),
        Db::Postgres(p) => (
            sqlx::query(update).bind(b"x".to_vec()).bind(id).execute(p).await.is_err(),
            sqlx::query(delete).bind(id).execute(p).await.is_err(),
        ),
    };
    assert!(u && d, "overwrite refused: {u}, delete refused: {d}");
    // Corruption below the app (a disk, a restore gone wrong): simulated by lifting the guard.
    let corrupt = "UPDATE archive_copies SET pdf = $1 WHERE id = $2";
    match store.db() {
        Db::Sqlite { writer: p, .. } => {
            sqlx::query("DROP TRIGGER archive_copies_immutable").execute(p).await.unwrap();
            sqlx::query(corrupt).bind(b"%PDF-1.7 flipped bits".to_vec()).bind(id).execute(p).await.unwrap();
        }
        Db::Postgres(p) => {
            sqlx::query("DROP TRIGGER archive_copies_immutable ON archive_copies").execute(p).await.unwrap();
            sqlx::query(corrupt).bind(b"%PDF-1.7 flipped bits".to_vec()).bind(id).execute(p).await.unwrap();
        }
    }
    let res = get(&app, &format!("/archive/copies/{id}.pdf")).await;
    assert_eq!(res.status(), 500, "{backend:?}");
    assert!(res.text().await.unwrap().contains("failed its checksum check"));
    app.call("sign_out", &[]).await;
    app.sign_in("hosting@example.gov").await;
    let trail: Value = app.call("request_audit", &[("reference", &r)]).await.json().await.unwrap();
    let text = trail.to_string();
    assert!(text.contains("failed its checksum") && text.contains("failure"), "{text}");
    app.stop().await;
});

both_backends!(
    the_archive_folder_gets_every_copy_and_a_failing_write_is_retried_and_shown,
    |url: String, _b| async move {
        let dir = std::env::temp_dir().join(format!("offcycle-archive-dir-{}-{}", std::process::id(), rand_port()));
        // A file where the folder should be: every write fails until it is a folder.
        std::fs::write(&dir, b"not a folder").unwrap();
        let mut config = config(&url);
        config.archive_dir = Some(dir.clone());
        let app = TestApp::spawn_with(config).await;
        let r = submitted_to_cors(&app).await;
        app.sign_in("admin@example.gov").await;
        let mut problems = Value::Null;
        for _ in 0..100 {
            problems = search(&app, &[]).await["folder_problems"].clone();
            if problems.as_array().is_some_and(|p| !p.is_empty()) {
                break;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        let file_name = problems[0]["file_name"].as_str().expect("the failing write is shown to admins").to_string();
        assert!(file_name.starts_with(&r) && file_name.ends_with("_v01.pdf"), "{file_name}");
        std::fs::remove_file(&dir).unwrap();
        std::fs::create_dir_all(&dir).unwrap();
        let target = dir.join(&file_name);
        for _ in 0..150 {
            if target.exists() {
                break;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        let bytes = std::fs::read(&target).expect("the copy reached the folder after the retry");
        let row = copies(&app, &r, 1).await;
        assert_eq!(sha256_hex(&bytes), row["copies"][0]["sha256"].as_str().unwrap());
        let mut cleared = false;
        for _ in 0..50 {
            if search(&app, &[]).await["folder_problems"].as_array().is_some_and(|p| p.is_empty()) {
                cleared = true;
                break;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        assert!(cleared, "the problem is gone once written");
        assert!(!std::fs::read_dir(&dir).unwrap().any(|e| e
            .unwrap()
            .file_name()
            .to_string_lossy()
            .ends_with(".partial")));
        let _ = std::fs::remove_dir_all(&dir);
        app.stop().await;
    }
);

fn rand_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}
