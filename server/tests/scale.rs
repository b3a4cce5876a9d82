//! Scale benchmark (run by `bench/queue-scale.sh` and `bench/run.sh`, not by the test suite): seeds
//! requests in bulk in steps (10,000 → 100,000 on SQLite, → 1,000,000 on PostgreSQL by default)
//! and after each step times what people do at that size — each role's dashboard list, the hosting queue,
//! each role's dashboard list, searches, one request's page — p50 and p95, so the table shows how each cost grows with n.

mod common;
use app::domain::reference::Reference;
use app::ports::prelude::*;
use app::ports::QueueQuery;
use common::*;
use server::store::{Db, Store};
use std::time::Instant;

/// Sizes to measure at, from `SCALE_SQLITE` / `SCALE_POSTGRES` (comma-separated).
fn sizes(backend: Backend) -> Vec<i64> {
    let (var, default) = match backend {
        Backend::Sqlite => ("SCALE_SQLITE", "10000,100000"),
        Backend::Postgres => ("SCALE_POSTGRES", "10000,100000,1000000"),
    };
    let text = std::env::var(var).unwrap_or_else(|_| default.into());
    text.split(',').filter_map(|s| s.trim().parse().ok()).collect()
}

/// Adds requests `from..=to` in one statement (3 in 8 in states the queue shows, 1 in 10
/// security-related, those in hosting review assigned to `hosting`), and `cor`'s approval of
/// each approved one (1 in 8).
async fn seed_range(db: &Db, backend: Backend, from: i64, to: i64, (cor, hosting): (i64, i64)) {
    let sql = match backend {
        Backend::Sqlite => {
            "WITH RECURSIVE n(i) AS (SELECT $1 UNION ALL SELECT i + 1 FROM n WHERE i < $2) \
             INSERT INTO change_requests (reference, ref_year, ref_number, title, system, state, security_related, assigned_engineer, started_by, team_id, created_at, updated_at) \
             SELECT printf('ECR-2026-%04d', i), 2026, i, 'Change number ' || i, 'System ' || (i % 50), \
             CASE i % 8 WHEN 0 THEN 'hosting_review' WHEN 1 THEN 'awaiting_approval' WHEN 2 THEN 'approved' ELSE 'completed' END, \
             i % 10 = 0, CASE WHEN i % 8 = 0 THEN $3 END, 1, 1, 1700000000000 + i * 1000, 1700000000000 + i * 1000 FROM n"
        }
        Backend::Postgres => {
            "INSERT INTO change_requests (reference, ref_year, ref_number, title, system, state, security_related, assigned_engineer, started_by, team_id, created_at, updated_at) \
             SELECT 'ECR-2026-' || CASE WHEN i < 1000 THEN lpad(i::text, 4, '0') ELSE i::text END, 2026, i, 'Change number ' || i, 'System ' || (i % 50), \
             CASE i % 8 WHEN 0 THEN 'hosting_review' WHEN 1 THEN 'awaiting_approval' WHEN 2 THEN 'approved' ELSE 'completed' END, \
             i % 10 = 0, CASE WHEN i % 8 = 0 THEN $3 END, 1, 1, 1700000000000 + i * 1000, 1700000000000 + i * 1000 FROM generate_series($1::bigint, $2::bigint) AS i"
        }
    };
    let approvals = "INSERT INTO decisions (request_id, decided_by, verdict, plan_hash, via, decided_at, round) \
         SELECT r.id, $1, 'approve', 'bench', 'emailed link', r.created_at, 1 FROM change_requests r \
         WHERE r.state = 'approved' AND r.ref_year = 2026 AND r.ref_number BETWEEN $2 AND $3 AND r.title LIKE 'Change number %'";
    match db {
        Db::Sqlite { writer: p, .. } => {
            sqlx::query(sql).bind(from).bind(to).bind(hosting).execute(p).await.unwrap();
            sqlx::query(approvals).bind(cor).bind(from).bind(to).execute(p).await.unwrap();
            sqlx::query("ANALYZE").execute(p).await.unwrap();
        }
        Db::Postgres(p) => {
            sqlx::query(sql).bind(from).bind(to).bind(hosting).execute(p).await.unwrap();
            sqlx::query(approvals).bind(cor).bind(from).bind(to).execute(p).await.unwrap();
            sqlx::query("VACUUM ANALYZE change_requests, decisions").execute(p).await.unwrap();
        }
    }
}

/// p50 and p95 in ms of `runs` calls, and what the last call returned (rows).
async fn time<F, Fut>(runs: usize, mut call: F) -> (f64, f64, usize)
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = usize>,
{
    let mut ms = Vec::with_capacity(runs);
    let mut rows = 0;
    for _ in 0..runs {
        let t = Instant::now();
        rows = call().await;
        ms.push(t.elapsed().as_secs_f64() * 1000.0);
    }
    ms.sort_by(|a, b| a.total_cmp(b));
    (ms[runs / 2], ms[runs * 95 / 100], rows)
}

both_backends!(
    #[ignore]
    queries_at_scale,
    |url: String, backend| async move {
        let db = Db::open(&url).await.unwrap();
        let store = Store::new(db.clone());
        server::demo::seed(&store, Some(DEMO_PASSWORD), &app::service::SystemClock).await.unwrap();
        let sizes = sizes(backend);
        let cors = store.configured_cors(chrono::Utc::now()).await.unwrap();
        let cor = cors.iter().find(|c| c.name == "Elizabeth COR").expect("the demo's first COR").id;
        let silent_cor = cors.iter().find(|c| c.name == "Alana COR").expect("the demo's second COR").id;
        let people = store.people().await.unwrap();
        let person = |email: &str| people.iter().find(|p| p.email == email).expect("a demo person").id;
        let (hosting, lead) = (person("hosting@example.gov"), person("lead@example.gov"));
        let names = [
            "dashboard: your requests (newest 200)",
            "dashboard, ISSO: security-related requests (newest 200)",
            "dashboard, COR: requests they decided (newest 200)",
            "dashboard, COR: awaiting their decision",
            "dashboard, hosting: requests assigned to them or started (newest 200)",
            "dashboard, a COR who has decided nothing",
            "dashboard, a hosting engineer who has taken nothing",
            "hosting queue: first page",
            "hosting queue: a page 90% deep (keyset)",
            "hosting queue: state = approved",
            "search: title contains words (\"number 4242\": words index)",
            "search: title contains a fragment (\"4242\": trigram index)",
            "search: system contains",
            "archive search: title contains words",
            "search: one reference",
            "one request's page (load by reference)",
        ];
        let mut p95s: Vec<Vec<f64>> = vec![Vec::new(); names.len()];
        let mut seeded = 0;
        for &n in &sizes {
            let started = Instant::now();
            seed_range(&db, backend, seeded + 1, n, (cor, hosting)).await;
            println!("{backend:?}: {} → {n} requests seeded in {:.1} s", seeded, started.elapsed().as_secs_f64());
            seeded = n;
            let any =
                QueueQuery { from_ms: i64::MIN, to_ms: i64::MAX, after: (i64::MIN, i64::MIN), ..Default::default() };
            let deep = QueueQuery { after: (1700000000000 + (n * 9 / 10) * 1000, i64::MAX), ..any.clone() };
            let approved = QueueQuery { state: Some(app::domain::workflow::State::Approved), ..any.clone() };
            // Matches "Change number 4242" and the longer numbers that start with it.
            let title = QueueQuery { title_contains: "number 4242".into(), ..any.clone() };
            let fragment = QueueQuery { title_contains: "4242".into(), ..any.clone() };
            let system = QueueQuery { system_like: "%system 7%".into(), ..any.clone() };
            let middle = format!("ECR-2026-{:04}", n / 2);
            let one = QueueQuery { reference: middle.clone(), ..any.clone() };
            let archive = QueueQuery { after: (i64::MAX, i64::MAX), ..title.clone() };
            let reference = Reference::parse(&middle).unwrap();
            let runs = 100;
            let results = [
                time(runs, || async { store.requests_started_by(1).await.unwrap().len() }).await,
                time(runs, || async { store.security_related_requests().await.unwrap().len() }).await,
                time(runs, || async { store.requests_decided_by(cor).await.unwrap().len() }).await,
                time(runs, || async { store.awaiting_decision(cor).await.unwrap().len() }).await,
                time(runs, || async { store.requests_taken_by(hosting).await.unwrap().len() }).await,
                time(runs, || async { store.requests_decided_by(silent_cor).await.unwrap().len() }).await,
                time(runs, || async { store.requests_taken_by(lead).await.unwrap().len() }).await,
                time(runs, || async { store.hosting_queue(&any, 51).await.unwrap().len() }).await,
                time(runs, || async { store.hosting_queue(&deep, 51).await.unwrap().len() }).await,
                time(runs, || async { store.hosting_queue(&approved, 51).await.unwrap().len() }).await,
                time(runs, || async { store.hosting_queue(&title, 51).await.unwrap().len() }).await,
                time(runs, || async { store.hosting_queue(&fragment, 51).await.unwrap().len() }).await,
                time(runs, || async { store.hosting_queue(&system, 51).await.unwrap().len() }).await,
                time(runs, || async { store.archive_search(&archive, 51).await.unwrap().len() }).await,
                time(runs, || async { store.hosting_queue(&one, 51).await.unwrap().len() }).await,
                time(runs, || async { usize::from(store.load_request(reference).await.unwrap().is_some()) }).await,
            ];
            println!("| at {n} | p50 ms | p95 ms | rows |\n| --- | --- | --- | --- |");
            for (i, (p50, p95, rows)) in results.into_iter().enumerate() {
                // The worst case of a person's own list: nothing of theirs, so nothing stops the walk.
                let empty = names[i].ends_with(" nothing");
                assert!((rows > 0) != empty, "{}: {rows} found at {n}", names[i]);
                println!("| {} | {p50:.2} | {p95:.2} | {rows} |", names[i]);
                p95s[i].push(p95);
            }
        }
        // The summary: p95 at each size, and how much it grew from the smallest to the largest.
        let header: Vec<String> = sizes.iter().map(|n| format!("p95 ms at {n}")).collect();
        println!("\nSUMMARY {backend:?}");
        println!("| query | {} | growth (n ×{}) |", header.join(" | "), sizes.last().unwrap() / sizes[0]);
        println!("| --- |{}--- |", " --- |".repeat(sizes.len()));
        for (i, name) in names.iter().enumerate() {
            let cells: Vec<String> = p95s[i].iter().map(|v| format!("{v:.2}")).collect();
            let growth = p95s[i].last().unwrap() / p95s[i][0].max(0.01);
            println!("| {name} | {} | ×{growth:.1} |", cells.join(" | "));
        }
    }
);
