//! Scale benchmark for the hosting queue (run by `bench/queue-scale.sh`, not by the test suite):
//! seeds N requests in bulk and times the queue's queries, p50 and p95, on both databases.

mod common;
use app::ports::{QueueQuery, RequestStore};
use common::*;
use server::store::{Db, Store};
use std::time::Instant;

fn n() -> i64 {
    std::env::var("SCALE_N").ok().and_then(|v| v.parse().ok()).unwrap_or(100_000)
}

async fn seed(url: &str, backend: Backend, n: i64) -> Store {
    let db = Db::open(url).await.unwrap();
    let store = Store::new(db.clone());
    server::demo::seed(&store, Some(DEMO_PASSWORD)).await.unwrap();
    // One statement per backend: n requests over the states, the queue's share in hosting states.
    let sql = match backend {
        Backend::Sqlite => {
            "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < $1) \
             INSERT INTO change_requests (reference, ref_year, ref_number, title, system, state, started_by, team_id, created_at, updated_at) \
             SELECT printf('ECR-2026-%06d', i), 2026, i, 'Change number ' || i, 'System ' || (i % 50), \
             CASE i % 8 WHEN 0 THEN 'hosting_review' WHEN 1 THEN 'awaiting_approval' WHEN 2 THEN 'approved' ELSE 'completed' END, \
             1, 1, 1700000000000 + i * 1000, 1700000000000 + i * 1000 FROM n"
        }
        Backend::Postgres => {
            "INSERT INTO change_requests (reference, ref_year, ref_number, title, system, state, started_by, team_id, created_at, updated_at) \
             SELECT 'ECR-2026-' || lpad(i::text, 6, '0'), 2026, i, 'Change number ' || i, 'System ' || (i % 50), \
             CASE i % 8 WHEN 0 THEN 'hosting_review' WHEN 1 THEN 'awaiting_approval' WHEN 2 THEN 'approved' ELSE 'completed' END, \
             1, 1, 1700000000000 + i * 1000, 1700000000000 + i * 1000 FROM generate_series(1, $1::bigint) AS i"
        }
    };
    match &db {
        Db::Sqlite(p) => {
            sqlx::query(sql).bind(n).execute(p).await.unwrap();
            sqlx::query("ANALYZE").execute(p).await.unwrap();
        }
        Db::Postgres(p) => {
            sqlx::query(sql).bind(n).execute(p).await.unwrap();
            sqlx::query("ANALYZE").execute(p).await.unwrap();
        }
    }
    store
}

async fn time(store: &Store, q: &QueueQuery, runs: usize) -> (f64, f64, usize) {
    let mut ms = Vec::new();
    let mut rows = 0;
    for _ in 0..runs {
        let t = Instant::now();
        rows = store.hosting_queue(q, 51).await.unwrap().len();
        ms.push(t.elapsed().as_secs_f64() * 1000.0);
    }
    ms.sort_by(|a, b| a.partial_cmp(b).unwrap());
    (ms[runs / 2], ms[runs * 95 / 100], rows)
}

both_backends!(
    #[ignore]
    queue_queries_at_scale,
    |url: String, backend| async move {
        let n = n();
        let started = Instant::now();
        let store = seed(&url, backend, n).await;
        println!("\n{backend:?}: {n} requests seeded in {:.1} s", started.elapsed().as_secs_f64());
        let any = QueueQuery { from_ms: i64::MIN, to_ms: i64::MAX, after: (i64::MIN, i64::MIN), ..Default::default() };
        let deep = QueueQuery { after: (1700000000000 + (n * 9 / 10) * 1000, i64::MAX), ..any.clone() };
        let cases = [
            ("first page", any.clone()),
            ("a page 90% deep (keyset)", deep),
            ("state = approved", QueueQuery { state: "approved".into(), ..any.clone() }),
            ("one reference", QueueQuery { reference: format!("ECR-2026-{:06}", n / 2), ..any.clone() }),
            ("title words (LIKE %…%)", QueueQuery { title_like: "%number 4242%".into(), ..any.clone() }),
            ("system contains", QueueQuery { system_like: "%system 7%".into(), ..any.clone() }),
        ];
        println!("| query | p50 ms | p95 ms | rows |\n| --- | --- | --- | --- |");
        for (name, q) in cases {
            let (p50, p95, rows) = time(&store, &q, 100).await;
            println!("| {name} | {p50:.2} | {p95:.2} | {rows} |");
        }
    }
);
