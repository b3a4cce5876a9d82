//! The storage conformance suite: the same scenarios against SQLite and PostgreSQL.

mod common;
use app::api::types::SessionUser;
use app::domain::forms::StartRequest;
use app::domain::reference::Reference;
use app::domain::roles::Role;
use app::ports::RequestStore;
use chrono::TimeZone;
use common::*;
use server::store::{verify_audit_chain, Db, Store};

async fn store_with_dev(url: &str) -> (Store, SessionUser) {
    let store = Store::new(Db::open(url).await.unwrap());
    let team = store.ensure_team("Portal team").await.unwrap();
    let id =
        store.ensure_user("dev@example.gov", "Dana Developer", Role::DevTeamMember, Some(team), None, 0).await.unwrap();
    let user = SessionUser {
        id,
        email: "dev@example.gov".into(),
        display_name: "Dana Developer".into(),
        role: Role::DevTeamMember,
        team_id: Some(team),
        team_name: Some("Portal team".into()),
    };
    (store, user)
}

fn form(title: &str) -> StartRequest {
    StartRequest { title: title.into(), system: "Portal".into() }
}

both_backends!(opening_twice_migrates_once, |url: String, _b| async move {
    Db::open(&url).await.unwrap().close().await;
    let db = Db::open(&url).await.unwrap();
    assert!(db.is_healthy().await);
});

both_backends!(references_are_sequential_per_year_and_unique_under_concurrency, |url: String, _b| async move {
    let (store, dev) = store_with_dev(&url).await;
    let nov = chrono::Utc.with_ymd_and_hms(2026, 11, 21, 12, 0, 0).unwrap();
    let jan = chrono::Utc.with_ymd_and_hms(2027, 1, 2, 9, 0, 0).unwrap();
    let first = store.start_request(&dev, "test", &form("one"), nov).await.unwrap();
    assert_eq!(first.reference, "ECR-2026-0001");
    let next_year = store.start_request(&dev, "test", &form("new year"), jan).await.unwrap();
    assert_eq!(next_year.reference, "ECR-2027-0001", "numbering restarts each year");

    let mut tasks = Vec::new();
    for i in 0..16 {
        let (store, dev) = (store.clone(), dev.clone());
        tasks.push(tokio::spawn(async move {
            store.start_request(&dev, "test", &form(&format!("c{i}")), nov).await.unwrap().reference
        }));
    }
    let mut refs = Vec::new();
    for t in tasks {
        refs.push(t.await.unwrap());
    }
    refs.sort();
    refs.dedup();
    assert_eq!(refs.len(), 16, "every concurrent start got its own reference");
    assert_eq!(refs.last().unwrap(), "ECR-2026-0017");

    let found = store.request_by_reference(Reference { year: 2026, number: 1 }).await.unwrap().unwrap();
    assert_eq!(
        (found.title.as_str(), found.state.as_str(), found.started_by.as_str()),
        ("one", "triage", "Dana Developer")
    );
    assert!(store.request_by_reference(Reference { year: 2026, number: 999 }).await.unwrap().is_none());
    let mine = store.requests_started_by(dev.id).await.unwrap();
    assert_eq!(mine.len(), 18);
    // Newest started first: the two sequential starts come last, in reverse order.
    let titles: Vec<_> = mine.iter().rev().take(2).map(|r| r.title.as_str()).collect();
    assert_eq!(titles, ["one", "new year"]);
});

/// Runs `sql` on the store's own pool (tests that act as someone with database access).
async fn execute(store: &Store, sql: &str) -> Result<(), sqlx::Error> {
    match store.db() {
        Db::Sqlite(pool) => sqlx::query(sql).execute(pool).await.map(|_| ()),
        Db::Postgres(pool) => sqlx::query(sql).execute(pool).await.map(|_| ()),
    }
}

/// What only a database owner can do: take the append-only triggers away.
async fn drop_audit_triggers(store: &Store, backend: Backend) {
    let statements: &[&str] = match backend {
        Backend::Sqlite => &["DROP TRIGGER audit_events_never_updated", "DROP TRIGGER audit_events_never_deleted"],
        Backend::Postgres => &["DROP TRIGGER audit_events_append_only ON audit_events"],
    };
    for sql in statements {
        execute(store, sql).await.unwrap();
    }
}

both_backends!(the_database_refuses_to_change_or_delete_an_audit_row, |url: String, backend| async move {
    let (store, dev) = store_with_dev(&url).await;
    store.start_request(&dev, "10.0.0.1", &form("r"), chrono::Utc::now()).await.unwrap();
    let before = store.audit_rows_for_test().await;
    assert!(!before.is_empty());
    for sql in
        ["UPDATE audit_events SET detail = 'nothing to see' WHERE id = 1", "DELETE FROM audit_events WHERE id = 1"]
    {
        let e = execute(&store, sql).await.expect_err(sql);
        assert!(e.to_string().contains("append-only"), "{sql}: {e}");
    }
    if backend == Backend::Postgres {
        let e = execute(&store, "TRUNCATE audit_events").await.expect_err("truncate");
        assert!(e.to_string().contains("append-only"), "{e}");
    }
    assert_eq!(store.audit_rows_for_test().await, before, "nothing changed");
    let head = verify_audit_chain(store.db(), None).await.unwrap().unwrap();
    assert_eq!((head.rows, head.hash.len()), (before.len() as u64, 64), "the head hash is there to keep elsewhere");
    // Later, the chain must still pass through the kept hash; one it never had means a rewrite.
    store.start_request(&dev, "10.0.0.1", &form("later"), chrono::Utc::now()).await.unwrap();
    assert!(verify_audit_chain(store.db(), Some(&head.hash)).await.unwrap().is_ok());
    let forged = "ab".repeat(32);
    let e = verify_audit_chain(store.db(), Some(&forged)).await.unwrap().unwrap_err();
    assert!(e.reason.contains("rewritten"), "{e:?}");
});

both_backends!(the_audit_chain_verifies_and_names_the_first_tampered_row, |url: String, backend| async move {
    let (store, dev) = store_with_dev(&url).await;
    let now = chrono::Utc::now();
    for i in 0..5 {
        store.start_request(&dev, "10.0.0.1", &form(&format!("r{i}")), now).await.unwrap();
    }
    assert_eq!(verify_audit_chain(store.db(), None).await.unwrap().unwrap().rows, 5);

    // Someone who owns the database drops the triggers and edits row 3.
    drop_audit_triggers(&store, backend).await;
    execute(&store, "UPDATE audit_events SET detail = 'nothing to see' WHERE id = 3").await.unwrap();
    let broken = verify_audit_chain(store.db(), None).await.unwrap().unwrap_err();
    assert_eq!(broken.row_id, 3);
});

both_backends!(the_audit_chain_notices_rows_cut_from_the_end, |url: String, backend| async move {
    let (store, dev) = store_with_dev(&url).await;
    for i in 0..3 {
        store.start_request(&dev, "x", &form(&format!("r{i}")), chrono::Utc::now()).await.unwrap();
    }
    drop_audit_triggers(&store, backend).await;
    execute(&store, "DELETE FROM audit_events WHERE id = 3").await.unwrap();
    assert_eq!(verify_audit_chain(store.db(), None).await.unwrap().unwrap_err().row_id, 3);
});

both_backends!(sessions_end_after_idling_or_living_too_long, |url: String, _b| async move {
    let (store, dev) = store_with_dev(&url).await;
    let (idle, absolute) = (30 * 60_000, 12 * 3_600_000);
    let t0 = 1_000_000_000_000;
    store.open_session("idle", dev.id, "x", t0).await.unwrap();
    assert!(store.session_user("idle", t0 + 29 * 60_000, idle, absolute).await.unwrap().is_some());
    // Touched at 29 minutes; 31 minutes after that it has idled out.
    assert!(store.session_user("idle", t0 + 60 * 60_000, idle, absolute).await.unwrap().is_none());
    assert!(store.session_user("idle", t0 + 29 * 60_000, idle, absolute).await.unwrap().is_none(), "ended for good");

    store.open_session("busy", dev.id, "x", t0).await.unwrap();
    let mut t = t0;
    while t < t0 + absolute - 20 * 60_000 {
        t += 20 * 60_000;
        assert!(store.session_user("busy", t, idle, absolute).await.unwrap().is_some());
    }
    assert!(
        store.session_user("busy", t0 + absolute + 1, idle, absolute).await.unwrap().is_none(),
        "12 hours is the limit"
    );
});
