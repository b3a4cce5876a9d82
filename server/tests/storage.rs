//! The storage conformance suite: the same scenarios against SQLite and PostgreSQL.

mod common;
use app::api::types::SessionUser;
use app::domain::forms::StartRequest;
use app::domain::reference::Reference;
use app::domain::roles::Role;
use app::ports::prelude::*;
use app::ports::QueueQuery;
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
    let first = store.start_request(&form("one"), &Acting::new(&dev, "test", nov)).await.unwrap();
    assert_eq!(first.reference, "ECR-2026-0001");
    let next_year = store.start_request(&form("new year"), &Acting::new(&dev, "test", jan)).await.unwrap();
    assert_eq!(next_year.reference, "ECR-2027-0001", "numbering restarts each year");

    let mut tasks = Vec::new();
    for i in 0..16 {
        let (store, dev) = (store.clone(), dev.clone());
        tasks.push(tokio::spawn(async move {
            store.start_request(&form(&format!("c{i}")), &Acting::new(&dev, "test", nov)).await.unwrap().reference
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
    store.start_request(&form("r"), &Acting::new(&dev, "10.0.0.1", chrono::Utc::now())).await.unwrap();
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
    store.start_request(&form("later"), &Acting::new(&dev, "10.0.0.1", chrono::Utc::now())).await.unwrap();
    assert!(verify_audit_chain(store.db(), Some(&head.hash)).await.unwrap().is_ok());
    let forged = "ab".repeat(32);
    let e = verify_audit_chain(store.db(), Some(&forged)).await.unwrap().unwrap_err();
    assert!(e.reason.contains("rewritten"), "{e:?}");
});

both_backends!(the_audit_chain_verifies_and_names_the_first_tampered_row, |url: String, backend| async move {
    let (store, dev) = store_with_dev(&url).await;
    let now = chrono::Utc::now();
    for i in 0..5 {
        store.start_request(&form(&format!("r{i}")), &Acting::new(&dev, "10.0.0.1", now)).await.unwrap();
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
        store.start_request(&form(&format!("r{i}")), &Acting::new(&dev, "x", chrono::Utc::now())).await.unwrap();
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

/// Titles whose words trip up a text parser or a tokenizer: scientific notation, versions,
/// punctuation inside words, markup, letters outside ASCII, repeated spaces.
const AWKWARD_TITLES: &[&str] = &[
    "Change number 4242",
    "Change number 42421",
    "change number 424",
    "Patch 4242e5xy and 5e5e5 parsing",
    "Upgrade OpenSSL to v3.0.13 (CVE-2024-0727)",
    "Fix <br 4242 x> markup in the footer",
    "Rotate keys: o'brien's account_42 & ops@agency.gov",
    "Café menu naïve cache — roll back",
    "Restart  the   portal",
    "x86_64 build of the login-service",
    "Deploy hotfix 1.2",
    "Deploy hotfix 1.20",
];

/// Fails naming only the titles found wrongly and those missed (the lists run to hundreds).
fn assert_same(found: &[String], expected: &[&str], what: &str) {
    let extra: Vec<&String> = found.iter().filter(|t| !expected.contains(&t.as_str())).collect();
    let missed: Vec<&&str> = expected.iter().filter(|t| !found.iter().any(|f| f == *t)).collect();
    assert!(extra.is_empty() && missed.is_empty(), "{what}: found wrongly {extra:?}, missed {missed:?}");
}

both_backends!(title_search_finds_exactly_the_titles_that_contain_the_text, |url: String, backend| async move {
    let (store, dev) = store_with_dev(&url).await;
    let at = chrono::Utc.with_ymd_and_hms(2026, 11, 21, 12, 0, 0).unwrap();
    for title in AWKWARD_TITLES {
        store.start_request(&form(title), &Acting::new(&dev, "test", at)).await.unwrap();
    }
    // More titles holding "patch" than PostgreSQL checks one by one, so that path is taken too.
    let many = match backend {
        Backend::Sqlite => {
            "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 520) \
             INSERT INTO change_requests (reference, ref_year, ref_number, title, system, state, started_by, team_id, created_at, updated_at) \
             SELECT printf('ECR-2025-%04d', i), 2025, i, 'Routine patch window ' || i, 'Portal', 'triage', 1, 1, 1700000000000 + i, 1700000000000 + i FROM n"
        }
        Backend::Postgres => {
            "INSERT INTO change_requests (reference, ref_year, ref_number, title, system, state, started_by, team_id, created_at, updated_at) \
             SELECT 'ECR-2025-' || lpad(i::text, 4, '0'), 2025, i, 'Routine patch window ' || i, 'Portal', 'triage', 1, 1, 1700000000000 + i, 1700000000000 + i \
             FROM generate_series(1, 520) AS i"
        }
    };
    execute(&store, many).await.unwrap();
    execute(&store, "UPDATE change_requests SET state = 'hosting_review'").await.unwrap();
    let titles: Vec<String> = AWKWARD_TITLES
        .iter()
        .map(|t| t.to_string())
        .chain((1..=520).map(|i| format!("Routine patch window {i}")))
        .collect();

    // Pieces of every awkward title (starting anywhere, of many lengths), and a few that match
    // nothing or many.
    let mut queries: Vec<String> = vec![
        "patch window".into(),
        "routine patch".into(),
        "e patch w".into(),
        "window 5".into(),
        "number 4242".into(),
        "number 9999".into(),
        "  Deploy HOTFIX 1.2  ".into(),
        "e5 5".into(),
    ];
    for title in AWKWARD_TITLES {
        let chars: Vec<char> = title.chars().collect();
        for start in (0..chars.len()).step_by(2) {
            for len in [2, 4, 6, 9, 13, 18] {
                if start + len <= chars.len() {
                    queries.push(chars[start..start + len].iter().collect());
                }
            }
        }
    }
    let all = QueueQuery { from_ms: i64::MIN, to_ms: i64::MAX, after: (i64::MIN, i64::MIN), ..Default::default() };
    for text in &queries {
        let needle = text.trim().to_lowercase();
        if needle.is_empty() {
            continue;
        }
        let mut expected: Vec<&str> =
            titles.iter().filter(|t| t.to_lowercase().contains(&needle)).map(String::as_str).collect();
        expected.sort();
        let q = QueueQuery { title_contains: text.clone(), ..all.clone() };
        let mut queue: Vec<String> =
            store.hosting_queue(&q, 1000).await.unwrap().into_iter().map(|i| i.summary.title).collect();
        queue.sort();
        assert_same(&queue, &expected, &format!("hosting queue, title contains {text:?}"));
        let archive = QueueQuery { after: (i64::MAX, i64::MAX), ..q };
        let mut found: Vec<String> =
            store.archive_search(&archive, 1000).await.unwrap().into_iter().map(|(r, _)| r.summary.title).collect();
        found.sort();
        assert_same(&found, &expected, &format!("archive search, title contains {text:?}"));
    }
});

both_backends!(
    every_list_carries_the_summary_team_engineer_and_times_it_was_stored_with,
    |url: String, _b| async move {
        let (store, dev) = store_with_dev(&url).await;
        let at = chrono::Utc.with_ymd_and_hms(2026, 11, 21, 12, 0, 0).unwrap();
        let started = store.start_request(&form("Patch the portal"), &Acting::new(&dev, "test", at)).await.unwrap();
        let engineer =
            store.ensure_user("eng@example.gov", "Hana Hosting", Role::HostingEngineer, None, None, 0).await.unwrap();
        let (submitted, helped, planned) =
            (at.timestamp_millis() + 60_000, at.timestamp_millis() + 120_000, 1_800_000_000_000i64);
        execute(
            &store,
            &format!(
                "UPDATE change_requests SET state = 'hosting_review', assigned_engineer = {engineer}, \
             submitted_at = {submitted}, assistance_requested_at = {helped}, planned_start = {planned}"
            ),
        )
        .await
        .unwrap();
        let expected =
            app::api::types::RequestSummary { state: app::domain::workflow::State::HostingReview, ..started };
        let ms = |t: i64| chrono::Utc.timestamp_millis_opt(t).unwrap();

        let all = QueueQuery { from_ms: i64::MIN, to_ms: i64::MAX, after: (i64::MIN, i64::MIN), ..Default::default() };
        let queue = store.hosting_queue(&all, 10).await.unwrap();
        assert_eq!(queue.len(), 1);
        assert_eq!(queue[0].summary, expected);
        assert_eq!(queue[0].team.as_deref(), Some("Portal team"));
        assert_eq!(queue[0].assigned.as_deref(), Some("Hana Hosting"));
        assert_eq!(queue[0].submitted_at, Some(ms(submitted)));
        assert_eq!(queue[0].assistance_requested_at, Some(ms(helped)));
        assert_eq!(queue[0].cursor.0, at.timestamp_millis());

        let found = store.archive_search(&QueueQuery { after: (i64::MAX, i64::MAX), ..all }, 10).await.unwrap();
        assert_eq!(found.len(), 1);
        assert_eq!((&found[0].0.summary, found[0].0.team.as_deref()), (&expected, Some("Portal team")));
        assert_eq!(found[0].1, queue[0].cursor);

        assert_eq!(store.requests_started_by(dev.id).await.unwrap(), vec![expected.clone()]);
        let scheduled = store.scheduled_changes(ms(planned - 1), ms(planned + 1)).await.unwrap();
        assert_eq!(scheduled.len(), 1);
        assert_eq!((&scheduled[0].summary, scheduled[0].team.as_deref()), (&expected, Some("Portal team")));
        assert_eq!((scheduled[0].at, scheduled[0].regular), (ms(planned), false));
    }
);

both_backends!(the_hosting_queue_lists_exactly_the_states_the_domain_says, |url: String, _b| async move {
    use app::domain::workflow::State;
    let (store, dev) = store_with_dev(&url).await;
    let at = chrono::Utc.with_ymd_and_hms(2026, 11, 21, 12, 0, 0).unwrap();
    let mut expected = Vec::new();
    for &state in State::ALL {
        for call_asked in [false, true] {
            let title = format!("{} {}", state.as_str(), if call_asked { "call asked" } else { "no call" });
            let r = store.start_request(&form(&title), &Acting::new(&dev, "test", at)).await.unwrap();
            let asked = if call_asked { at.timestamp_millis().to_string() } else { "NULL".into() };
            execute(
                &store,
                &format!(
                    "UPDATE change_requests SET state = '{}', assistance_requested_at = {asked} WHERE reference = '{}'",
                    state.as_str(),
                    r.reference
                ),
            )
            .await
            .unwrap();
            if state.in_hosting_queue(call_asked) {
                expected.push(title);
            }
        }
    }
    let all = QueueQuery { from_ms: i64::MIN, to_ms: i64::MAX, after: (i64::MIN, i64::MIN), ..Default::default() };
    let mut listed: Vec<String> =
        store.hosting_queue(&all, 1000).await.unwrap().into_iter().map(|i| i.summary.title).collect();
    listed.sort();
    expected.sort();
    assert_eq!(listed, expected);
    // Narrowed to one state, it lists only that state's (here: the call asked in planning).
    let planning = QueueQuery { state: Some(State::Planning), ..all };
    let listed: Vec<String> =
        store.hosting_queue(&planning, 1000).await.unwrap().into_iter().map(|i| i.summary.title).collect();
    assert_eq!(listed, ["planning call asked"]);
});

both_backends!(a_regular_change_leaves_the_hosting_queue_once_its_window_is_over, |url: String, _b| async move {
    let (store, dev) = store_with_dev(&url).await;
    let now = chrono::Utc.with_ymd_and_hms(2026, 12, 19, 12, 0, 0).unwrap();
    let since = app::domain::calendar::regular_changes_queued_since(now).timestamp_millis();
    let hour = 3_600_000;
    // Windows just inside and just outside the time a regular change stays queued, and none.
    for (title, window) in [("opened in time", Some(since)), ("over", Some(since - hour)), ("no window", None)] {
        let r = store.start_request(&form(title), &Acting::new(&dev, "test", now)).await.unwrap();
        let window = window.map_or("NULL".to_string(), |w| w.to_string());
        let sql = format!(
            "UPDATE change_requests SET state = 'regular_change', queued_window = {window} WHERE reference = '{}'",
            r.reference
        );
        execute(&store, &sql).await.unwrap();
    }
    let all = QueueQuery { from_ms: i64::MIN, to_ms: i64::MAX, after: (i64::MIN, i64::MIN), ..Default::default() };
    let titles = |q: QueueQuery| {
        let store = store.clone();
        async move {
            let mut t: Vec<String> =
                store.hosting_queue(&q, 100).await.unwrap().into_iter().map(|i| i.summary.title).collect();
            t.sort();
            t
        }
    };
    let queued = titles(QueueQuery { regular_windows_since_ms: since, ..all.clone() }).await;
    assert_eq!(queued, ["no window", "opened in time"]);
    // Unnarrowed (the archive's reading), every one is there.
    assert_eq!(titles(QueueQuery { regular_windows_since_ms: i64::MIN, ..all }).await.len(), 3);
});

both_backends!(the_security_related_requests_are_exactly_those_marked_so, |url: String, _b| async move {
    let (store, dev) = store_with_dev(&url).await;
    let at = chrono::Utc.with_ymd_and_hms(2026, 11, 21, 12, 0, 0).unwrap();
    for title in ["marked", "not marked"] {
        let r = store.start_request(&form(title), &Acting::new(&dev, "test", at)).await.unwrap();
        let flag = title == "marked";
        let sql = format!("UPDATE change_requests SET security_related = {flag} WHERE reference = '{}'", r.reference);
        execute(&store, &sql).await.unwrap();
    }
    let listed: Vec<String> = store.security_related_requests().await.unwrap().into_iter().map(|r| r.title).collect();
    assert_eq!(listed, ["marked"]);
});

both_backends!(a_hosting_engineers_requests_are_those_assigned_to_or_started_by_them, |url: String, _b| async move {
    let (store, dev) = store_with_dev(&url).await;
    let at = chrono::Utc.with_ymd_and_hms(2026, 11, 21, 12, 0, 0).unwrap();
    let me = store.ensure_user("hosting@example.gov", "Hana", Role::HostingEngineer, None, None, 0).await.unwrap();
    let other = store.ensure_user("hosting2@example.gov", "Hugo", Role::HostingEngineer, None, None, 0).await.unwrap();
    let hosting = SessionUser { id: me, role: Role::HostingEngineer, team_id: None, ..dev.clone() };
    for (title, assigned) in
        [("assigned to me", Some(me)), ("assigned to the other", Some(other)), ("unassigned", None)]
    {
        let r = store.start_request(&form(title), &Acting::new(&dev, "test", at)).await.unwrap();
        if let Some(id) = assigned {
            let sql =
                format!("UPDATE change_requests SET assigned_engineer = {id} WHERE reference = '{}'", r.reference);
            execute(&store, &sql).await.unwrap();
        }
    }
    store.start_request(&form("started by me"), &Acting::new(&hosting, "test", at)).await.unwrap();
    let listed: Vec<String> = store.requests_taken_by(me).await.unwrap().into_iter().map(|r| r.title).collect();
    assert_eq!(listed, ["started by me", "assigned to me"], "newest first");
});

both_backends!(a_cors_decided_requests_are_those_with_their_decision, |url: String, _b| async move {
    let (store, dev) = store_with_dev(&url).await;
    let at = chrono::Utc.with_ymd_and_hms(2026, 11, 21, 12, 0, 0).unwrap();
    let cor = store.ensure_user("cor@example.gov", "Cora", Role::Cor, None, None, 0).await.unwrap();
    let other = store.ensure_user("cor2@example.gov", "Corey", Role::Cor, None, None, 0).await.unwrap();
    // Decisions by two CORs on two of three requests; each COR's list has only theirs.
    for (title, by) in [("decided by cor", Some(cor)), ("decided by the other", Some(other)), ("undecided", None)] {
        let r = store.start_request(&form(title), &Acting::new(&dev, "test", at)).await.unwrap();
        if let Some(by) = by {
            // Two rounds of decisions on one request: it is listed once.
            for round in [1, 2] {
                let sql = format!(
                    "INSERT INTO decisions (request_id, decided_by, verdict, plan_hash, via, decided_at, round) \
                     SELECT id, {by}, 'approve', 'h', 'web', 0, {round} FROM change_requests WHERE reference = '{}'",
                    r.reference
                );
                execute(&store, &sql).await.unwrap();
            }
        }
    }
    let listed: Vec<String> = store.requests_decided_by(cor).await.unwrap().into_iter().map(|r| r.title).collect();
    assert_eq!(listed, ["decided by cor"]);
});

both_backends!(
    a_cor_with_more_than_a_page_of_decisions_sees_the_newest_200_requests_once_each,
    |url: String, _b| async move {
        let (store, dev) = store_with_dev(&url).await;
        let cor = store.ensure_user("cor@example.gov", "Cora", Role::Cor, None, None, 0).await.unwrap();
        let (by, team) = (dev.id, dev.team_id.unwrap());
        // 250 requests, each decided by the COR in two rounds: 500 decisions, more than a page.
        execute(
        &store,
        &format!(
            "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 250) \
             INSERT INTO change_requests (reference, ref_year, ref_number, title, system, state, started_by, team_id, created_at, updated_at) \
             SELECT 'ECR-2030-' || (1000 + i), 2030, 1000 + i, 'Decided ' || (1000 + i), 'portal', 'approved', {by}, {team}, 0, 0 FROM n ORDER BY i"
        ),
    )
    .await
    .unwrap();
        execute(
            &store,
            &format!(
                "INSERT INTO decisions (request_id, decided_by, verdict, plan_hash, via, decided_at, round) \
             SELECT r.id, {cor}, 'approve', 'h', 'web', 0, rounds.round FROM change_requests r \
             CROSS JOIN (SELECT 1 AS round UNION ALL SELECT 2) rounds WHERE r.ref_year = 2030"
            ),
        )
        .await
        .unwrap();
        let listed: Vec<String> = store.requests_decided_by(cor).await.unwrap().into_iter().map(|r| r.title).collect();
        let newest: Vec<String> = (1051..=1250).rev().map(|n| format!("Decided {n}")).collect();
        assert_eq!(listed, newest, "a page of 200 requests, newest first, none twice");
    }
);

both_backends!(
    a_waiting_request_whose_reference_does_not_decode_stops_the_reminders_with_an_error,
    |url: String, _b| async move {
        let (store, dev) = store_with_dev(&url).await;
        let at = chrono::Utc.with_ymd_and_hms(2026, 11, 21, 12, 0, 0).unwrap();
        let r = store.start_request(&form("waiting"), &Acting::new(&dev, "test", at)).await.unwrap();
        let hour = chrono::Duration::hours(1);
        let sql = format!(
        "UPDATE change_requests SET state = 'awaiting_approval', approval_requested_at = 0, reference = 'ECR-twenty' \
         WHERE reference = '{}'",
        r.reference
    );
        execute(&store, &sql).await.unwrap();
        // Skipping it would mean the CORs are never reminded of it, and nobody told why.
        let e = store.queue_reminders(at, hour, hour * 2, "https://offcycle.example.gov").await.unwrap_err();
        assert!(e.to_string().contains("ECR-twenty: change_requests.reference does not decode"), "{e}");
    }
);

both_backends!(the_calendar_books_each_state_by_the_date_the_domain_says, |url: String, _b| async move {
    use app::domain::calendar::conflicts::Booked;
    use app::domain::workflow::State;
    let (store, dev) = store_with_dev(&url).await;
    let at = chrono::Utc.with_ymd_and_hms(2026, 11, 21, 12, 0, 0).unwrap();
    // Every request has both dates; the calendar must place each by the one its state names.
    let (planned, window) = (1_800_000_000_000i64, 1_800_086_400_000i64);
    let mut expected = Vec::new();
    for &state in State::ALL {
        let r = store.start_request(&form(state.as_str()), &Acting::new(&dev, "test", at)).await.unwrap();
        execute(
            &store,
            &format!(
                "UPDATE change_requests SET state = '{}', planned_start = {planned}, queued_window = {window} \
                 WHERE reference = '{}'",
                state.as_str(),
                r.reference
            ),
        )
        .await
        .unwrap();
        match Booked::of(state) {
            Some(Booked::RequestedWindow) => expected.push((state.as_str().to_string(), planned, false)),
            Some(Booked::MaintenanceWindow) => expected.push((state.as_str().to_string(), window, true)),
            None => {}
        }
    }
    let ms = |t: i64| chrono::Utc.timestamp_millis_opt(t).unwrap();
    let mut listed: Vec<(String, i64, bool)> = store
        .scheduled_changes(ms(planned), ms(window + 1))
        .await
        .unwrap()
        .into_iter()
        .map(|c| (c.summary.title, c.at.timestamp_millis(), c.regular))
        .collect();
    listed.sort();
    expected.sort();
    assert!(expected.iter().any(|e| e.2) && expected.iter().any(|e| !e.2));
    assert_eq!(listed, expected);
});

both_backends!(a_cor_is_awaited_in_exactly_the_states_the_domain_says, |url: String, _b| async move {
    use app::domain::access::awaits_decision_of;
    use app::domain::workflow::State;
    let (store, dev) = store_with_dev(&url).await;
    let cor = store.ensure_user("cor@example.gov", "Casey COR", Role::Cor, None, None, 0).await.unwrap();
    let at = chrono::Utc.with_ymd_and_hms(2026, 11, 21, 12, 0, 0).unwrap();
    let mut expected = Vec::new();
    for &state in State::ALL {
        let r = store.start_request(&form(state.as_str()), &Acting::new(&dev, "test", at)).await.unwrap();
        execute(
            &store,
            &format!("UPDATE change_requests SET state = '{}' WHERE reference = '{}'", state.as_str(), r.reference),
        )
        .await
        .unwrap();
        if awaits_decision_of(Role::Cor).contains(&state) {
            expected.push(state.as_str().to_string());
        }
    }
    let mut listed: Vec<String> = store.awaiting_decision(cor).await.unwrap().into_iter().map(|s| s.title).collect();
    listed.sort();
    expected.sort();
    assert!(!expected.is_empty());
    assert_eq!(listed, expected);
});

both_backends!(a_stored_value_that_does_not_decode_is_an_error_not_a_default, |url: String, _b| async move {
    let (store, dev) = store_with_dev(&url).await;
    let at = chrono::Utc.with_ymd_and_hms(2026, 11, 21, 12, 0, 0).unwrap();
    let started = store.start_request(&form("Corruptible"), &Acting::new(&dev, "test", at)).await.unwrap();
    let reference = Reference::parse(&started.reference).unwrap();
    assert!(store.load_request(reference).await.unwrap().is_some());
    for (column, bad) in [("state", "'no_such_state'"), ("form_json", "'{not json'"), ("triage_json", "'[1, 2]'")] {
        let good: String = match store.db() {
            Db::Sqlite { pool: p, .. } => {
                sqlx::query_scalar(&format!("SELECT COALESCE({column}, 'NULL') FROM change_requests"))
                    .fetch_one(p)
                    .await
                    .unwrap()
            }
            Db::Postgres(p) => sqlx::query_scalar(&format!("SELECT COALESCE({column}, 'NULL') FROM change_requests"))
                .fetch_one(p)
                .await
                .unwrap(),
        };
        execute(&store, &format!("UPDATE change_requests SET {column} = {bad}")).await.unwrap();
        let err = store.load_request(reference).await.expect_err(column);
        assert!(err.to_string().contains(column) || format!("{err:?}").contains(column), "{column}: {err:?}");
        if column == "state" {
            // The lists read the state too: a summary that does not decode fails them as well.
            assert!(store.requests_started_by(dev.id).await.is_err(), "a list with a corrupt state");
            assert!(store.request_by_reference(reference).await.is_err(), "a summary with a corrupt state");
        }
        let restore = if good == "NULL" { "NULL".to_string() } else { format!("'{}'", good.replace('\'', "''")) };
        execute(&store, &format!("UPDATE change_requests SET {column} = {restore}")).await.unwrap();
        assert!(store.load_request(reference).await.unwrap().is_some(), "{column} restored");
    }
    // A stored time past chrono's range is a fault as well, not a date in 1970.
    execute(&store, "UPDATE change_requests SET updated_at = 9223372036854775807").await.unwrap();
    let err = store.load_request(reference).await.expect_err("a time out of range");
    assert!(format!("{err:?}").contains("out of range"), "{err:?}");
    assert!(store.requests_started_by(dev.id).await.is_err(), "a list with a time out of range");
    execute(&store, &format!("UPDATE change_requests SET updated_at = {}", at.timestamp_millis())).await.unwrap();
    assert!(store.load_request(reference).await.unwrap().is_some(), "the time restored");
    // The calendar too: an entry whose kind or day does not decode fails the list instead of
    // silently leaving a freeze out of it.
    let day = chrono::NaiveDate::from_ymd_opt(2026, 12, 24).unwrap();
    let entry = app::domain::calendar::CalendarEntry {
        id: 0,
        kind: app::domain::calendar::EntryKind::Freeze,
        name: "Holiday freeze".into(),
        reason: "Staff away".into(),
        from: day,
        to: day,
        starts_at: None,
    };
    store.add_calendar_entry(&entry, &Acting::new(&dev, "test", at)).await.unwrap();
    assert_eq!(store.calendar_entries().await.unwrap().len(), 1);
    for (column, bad) in [("kind", "'no_such_kind'"), ("starts_on", "'24/12/2026'")] {
        execute(&store, &format!("UPDATE calendar_entries SET {column} = {bad}")).await.unwrap();
        let err = store.calendar_entries().await.expect_err(column);
        assert!(format!("{err:?}").contains(column), "{column}: {err:?}");
        execute(&store, "UPDATE calendar_entries SET kind = 'freeze', starts_on = '2026-12-24'").await.unwrap();
    }
    // And a COR's absence: a day that does not parse fails the quorum's list instead of
    // silently counting the COR as present.
    let cor = store.ensure_user("cor@example.gov", "Alana COR", Role::Cor, None, None, 0).await.unwrap();
    let away = app::domain::quorum::NewAbsence { from: day, to: day, note: None };
    store.add_absence(cor, &away, &Acting::new(&dev, "test", at)).await.unwrap();
    assert_eq!(store.configured_cors(at).await.unwrap()[0].absences.len(), 1);
    execute(&store, "UPDATE absences SET starts_on = '24/12/2026'").await.unwrap();
    let err = store.configured_cors(at).await.expect_err("absence day");
    assert!(format!("{err:?}").contains("starts_on"), "{err:?}");
    // And a person: one whose role does not decode fails the admin's list rather than vanishing
    // from it.
    assert_eq!(store.people().await.unwrap().len(), 2);
    for (column, bad) in [("role", "no_such_role"), ("role_source", "no_such_source")] {
        let good: String = match store.db() {
            Db::Sqlite { pool: p, .. } => {
                sqlx::query_scalar(&format!("SELECT {column} FROM users WHERE id = {cor}")).fetch_one(p).await
            }
            Db::Postgres(p) => {
                sqlx::query_scalar(&format!("SELECT {column} FROM users WHERE id = {cor}")).fetch_one(p).await
            }
        }
        .unwrap();
        execute(&store, &format!("UPDATE users SET {column} = '{bad}' WHERE id = {cor}")).await.unwrap();
        let err = store.people().await.expect_err(column);
        assert!(format!("{err:?}").contains(column), "{column}: {err:?}");
        execute(&store, &format!("UPDATE users SET {column} = '{good}' WHERE id = {cor}")).await.unwrap();
    }
});

// An archive copy shows its messages as of its moment. A delivery is never part of the change
// that made the moment, so one stamped in that very millisecond came after it: counting it
// would let a second rendering of the same copy differ from the first.
both_backends!(a_delivery_in_the_moments_own_millisecond_is_not_in_the_record, |url: String, _b| async move {
    let (store, dev) = store_with_dev(&url).await;
    let at = chrono::Utc.with_ymd_and_hms(2026, 11, 21, 12, 0, 0).unwrap();
    let started = store.start_request(&form("Delivered"), &Acting::new(&dev, "test", at)).await.unwrap();
    let id = store.load_request(Reference::parse(&started.reference).unwrap()).await.unwrap().unwrap().id;
    let moment = at.timestamp_millis() + 1_000;
    execute(&store, "DELETE FROM outbox").await.unwrap();
    let (created, m) = (moment - 10, moment.to_string());
    for (kind, sent, gave_up) in [("sent", m.as_str(), "NULL"), ("given_up", "NULL", m.as_str())] {
        let sql = format!(
            "INSERT INTO outbox (request_id, kind, subject, to_addrs, cc_addrs, reasons, body_text, created_at, \
             sent_at, gave_up_at) VALUES ({id}, '{kind}', 'Subject', 'a@example.gov', '', '[]', '', {created}, {sent}, {gave_up})"
        );
        execute(&store, &sql).await.unwrap();
    }
    let as_of = |until: i64| store.messages_of(id, until);
    let shown = |messages: Vec<app::api::types::MailView>| {
        assert_eq!(messages.len(), 2, "both were queued before the moment");
        (messages[0].sent_at.is_some(), messages[1].gave_up)
    };
    let same_millisecond = shown(as_of(moment).await.unwrap());
    assert_eq!(same_millisecond, (false, false), "a delivery in the moment's own millisecond is after it");
    assert_eq!(shown(as_of(moment + 1).await.unwrap()), (true, true), "a delivery before the moment is in the record");
});

/// Every table and column, as `table.column`, from the database's own catalogue.
async fn columns(db: &Db) -> std::collections::BTreeSet<String> {
    let rows: Vec<(String, String)> = match db {
        Db::Sqlite { pool: p, .. } => sqlx::query_as(
            "SELECT m.name, c.name FROM sqlite_master m JOIN pragma_table_info(m.name) c \
             WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite_%' AND m.name <> '_sqlx_migrations'",
        )
        .fetch_all(p)
        .await
        .unwrap(),
        Db::Postgres(p) => sqlx::query_as(
            "SELECT table_name::text, column_name::text FROM information_schema.columns \
             WHERE table_schema = 'public' AND table_name <> '_sqlx_migrations'",
        )
        .fetch_all(p)
        .await
        .unwrap(),
    };
    rows.into_iter().map(|(t, c)| format!("{t}.{c}")).collect()
}

/// The two migration sets describe one schema: a column added to one database and forgotten in
/// the other fails here, not in production. The title-search indexes are the only difference,
/// each the database's own way of answering the same search.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_and_postgresql_have_the_same_tables_and_columns() {
    let (sqlite, postgres) = (TestDb::new(Backend::Sqlite).await, TestDb::new(Backend::Postgres).await);
    let (a, b) = (Db::open(&sqlite.url).await.unwrap(), Db::open(&postgres.url).await.unwrap());
    let (lite, pg) = (columns(&a).await, columns(&b).await);
    // SQLite: an FTS5 trigram table and its shadow tables; PostgreSQL: a generated words column.
    let search_only = |c: &String| c.starts_with("change_requests_title_search") || c == "change_requests.title_words";
    let only_lite: Vec<_> = lite.difference(&pg).filter(|c| !search_only(c)).collect();
    let only_pg: Vec<_> = pg.difference(&lite).filter(|c| !search_only(c)).collect();
    assert!(lite.len() > 100, "the catalogue query found the tables: {}", lite.len());
    assert!(
        only_lite.is_empty() && only_pg.is_empty(),
        "only in SQLite: {only_lite:?}; only in PostgreSQL: {only_pg:?}"
    );
    a.close().await;
    b.close().await;
    postgres.drop_database().await;
}
