//! Three app servers on one PostgreSQL database with one SMTP server and one archive folder:
//! a mixed load spread across them (sessions used on another server than the one that made
//! them, requests driven to the CORs on all three, COR decisions racing on different servers,
//! reminders and escalations coming due on every server's worker, archive copies filed).
//! Afterwards every message was sent exactly once, every decision link decided once, every
//! archive copy written once, and the audit chain verifies.
//!
//! PostgreSQL only: SQLite is one server's file, so "several app servers" means PostgreSQL.

mod common;
use common::flow::*;
use common::smtp::*;
use common::*;
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};
use std::time::Duration;

struct Server {
    child: std::process::Child,
    addr: std::net::SocketAddr,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

async fn start_server(db_url: &str, public: &str, port: u16, smtp: &str, archive: &std::path::Path) -> Server {
    let mut command = std::process::Command::new(env!("CARGO_BIN_EXE_server"));
    command
        .env("DATABASE_URL", db_url)
        .env("OFFCYCLE_BIND", format!("127.0.0.1:{port}"))
        .env("OFFCYCLE_PUBLIC_URL", public)
        .env("SMTP_URL", smtp)
        .env("OFFCYCLE_MAIL_FROM", "Offcycle <offcycle@example.gov>")
        .env("OFFCYCLE_DEMO", "1")
        .env("OFFCYCLE_DEMO_PASSWORD", DEMO_PASSWORD)
        .env("OFFCYCLE_MAIL_POLL_MS", "100")
        .env("OFFCYCLE_REMIND_AFTER_MINUTES", "0")
        .env("OFFCYCLE_ESCALATE_AFTER_MINUTES", "0")
        .env("ARCHIVE_DIR", archive)
        .env("OFFCYCLE_ARCHIVE_POLL_MS", "200")
        .env("LEPTOS_SITE_ROOT", concat!(env!("CARGO_MANIFEST_DIR"), "/../target/site"))
        .env("RUST_LOG", "error")
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null());
    // Dropped (killed and waited for) on every path, the panic below included.
    let server = Server {
        child: command.spawn().expect("the server binary"),
        addr: format!("127.0.0.1:{port}").parse().unwrap(),
    };
    let base = format!("http://127.0.0.1:{port}");
    for _ in 0..300 {
        if reqwest::get(format!("{base}/readyz")).await.is_ok_and(|r| r.status().is_success()) {
            return server;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("server on {port} did not become ready");
}

/// The newest decision link each COR received for each request: (reference, COR) → token.
fn newest_links(all: &[Mail]) -> BTreeMap<(String, String), String> {
    let mut links = BTreeMap::new();
    for m in all.iter().filter(|m| m.text.contains("/decide/")) {
        let reference = m
            .text
            .split_whitespace()
            .find(|w| w.starts_with("ECR-"))
            .unwrap()
            .trim_matches(|c: char| !c.is_ascii_alphanumeric() && c != '-');
        links.insert((reference.to_string(), m.to[0].clone()), link_in(&m.text));
    }
    links
}

/// Three servers on `db` with one SMTP sink and one archive folder. The first migrates and
/// seeds the demo organisation; the others join it.
async fn three_servers(db: &TestDb) -> (Vec<Server>, SmtpSink, std::path::PathBuf) {
    let sink = SmtpSink::running();
    let archive = std::env::temp_dir().join(format!("offcycle-cluster-archive-{}-{}", std::process::id(), free_port()));
    std::fs::create_dir_all(&archive).unwrap();
    let ports = [free_port(), free_port(), free_port()];
    let public = format!("http://127.0.0.1:{}", ports[0]);
    let mut servers = vec![start_server(&db.url, &public, ports[0], &sink.url(), &archive).await];
    for port in &ports[1..] {
        servers.push(start_server(&db.url, &public, *port, &sink.url(), &archive).await);
    }
    (servers, sink, archive)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn three_app_servers_share_one_database_and_do_everything_exactly_once() {
    let db = TestDb::new(Backend::Postgres).await;
    let (servers, sink, archive) = three_servers(&db).await;
    let on = |i: usize, client: &reqwest::Client| TestApp::remote(servers[i % 3].addr, client.clone());

    // A session made on one server works on the others.
    let browser = client();
    on(0, &browser).sign_in("dev@example.gov").await;
    for i in 1..3 {
        let me: Value = on(i, &browser).call("whoami", &[]).await.json().await.unwrap();
        assert_eq!(me["email"], "dev@example.gov", "server {i} knows the session server 0 made");
    }
    let moved = start(&on(1, &browser), "Started on server 1 with server 0's session").await;
    let v = view(&on(2, &browser), &moved).await;
    assert_eq!(v["summary"]["title"], "Started on server 1 with server 0's session");
    on(2, &browser).call("sign_out", &[]).await;
    let me: Value = on(0, &browser).call("whoami", &[]).await.json().await.unwrap();
    assert!(me.is_null(), "signed out on server 2 is signed out on server 0");

    // Requests driven to the CORs at once, spread over the servers (CLUSTER_REQUESTS, default
    // 6; the bench command runs more).
    let n: usize = std::env::var("CLUSTER_REQUESTS").ok().and_then(|v| v.parse().ok()).unwrap_or(6);
    let started = std::time::Instant::now();
    let flows = (0..n).map(|i| {
        let app = on(i, &client());
        async move { submitted_to_cors(&app).await }
    });
    let references: BTreeSet<String> = futures::future::join_all(flows).await.into_iter().collect();
    assert_eq!(references.len(), n, "distinct references: {references:?}");

    // Every server's worker looks for due reminders and escalations (both due at once here):
    // each goes out once.
    let copies = |m: &[Mail], needle: &str| m.iter().filter(|m| m.text.contains(needle)).count();
    let all = sink
        .wait_until("approval requests, reminders and escalations for every request", |m| {
            copies(m, "Your approval is requested") >= 2 * n
                && copies(m, "Reminder: your decision is still needed") >= 2 * n
                && copies(m, "No COR has decided on this emergency change within the escalation time") >= n
        })
        .await;
    // Give the three workers time to send anything twice, if they would.
    tokio::time::sleep(Duration::from_millis(1500)).await;
    let all = if mails(&sink).len() > all.len() { mails(&sink) } else { all };
    assert_eq!(copies(&all, "Your approval is requested"), 2 * n, "one approval request per COR and request");
    assert_eq!(copies(&all, "Reminder: your decision is still needed"), 2 * n, "one reminder per pending COR");
    let escalations: Vec<&Mail> =
        all.iter().filter(|m| m.text.contains("No COR has decided on this emergency change")).collect();
    let per_request: BTreeMap<String, usize> = escalations.iter().fold(BTreeMap::new(), |mut acc, m| {
        let r = references.iter().find(|r| m.text.contains(r.as_str())).unwrap().clone();
        *acc.entry(r).or_default() += 1;
        acc
    });
    assert!(per_request.values().all(|n| *n == per_request.values().next().copied().unwrap()), "{per_request:?}");
    assert_eq!(per_request.len(), n);

    // The CORs decide, racing: each COR's newest link used on two servers at once. One wins.
    let links = newest_links(&all);
    let mut races = Vec::new();
    for (i, r) in references.iter().enumerate() {
        for (j, cor) in ["cor1@example.gov", "cor2@example.gov"].iter().enumerate() {
            let token = links.get(&(r.clone(), cor.to_string())).expect("a link for each COR").clone();
            for k in 0..2 {
                let app = on(i + j + k, &client());
                let token = token.clone();
                races.push(async move {
                    let res = app.call("decide_by_link", &[("token", &token), ("verdict", "approve")]).await;
                    (token, res.status().as_u16())
                });
            }
        }
    }
    let outcomes = futures::future::join_all(races).await;
    let mut won: BTreeMap<String, usize> = BTreeMap::new();
    for (token, status) in &outcomes {
        assert!(matches!(status, 200 | 409), "a decision is taken or refused as used: {status}");
        if *status == 200 {
            *won.entry(token.clone()).or_default() += 1;
        }
    }
    assert_eq!(won.len(), 2 * n, "every link decided");
    assert!(won.values().all(|n| *n == 1), "each exactly once: {won:?}");

    // Approved everywhere, and the archive copies filed by whichever server got there.
    let hosting = client();
    on(1, &hosting).sign_in("hosting@example.gov").await;
    for r in &references {
        let v = view(&on(2, &hosting), r).await;
        assert_eq!(v["summary"]["state"], "approved", "{r}");
    }
    let pool = sqlx::PgPool::connect(&db.url).await.unwrap();
    let mut filed = Vec::new();
    for _ in 0..600 {
        let rows: Vec<(i64, Option<String>, Option<i64>)> =
            sqlx::query_as("SELECT id, sha256, folder_written_at FROM archive_copies ORDER BY id")
                .fetch_all(&pool)
                .await
                .unwrap();
        if !rows.is_empty() && rows.iter().all(|(_, sha, at)| sha.is_some() && at.is_some()) {
            filed = rows;
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(filed.len() >= n, "copies filed for the approvals: {filed:?}");
    let files: Vec<std::path::PathBuf> = std::fs::read_dir(&archive)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "pdf"))
        .collect();
    assert_eq!(files.len(), filed.len(), "one file per copy, none twice: {files:?}");
    let on_disk: BTreeSet<String> = files
        .iter()
        .map(|f| {
            use sha2::Digest;
            hex::encode(sha2::Sha256::digest(std::fs::read(f).unwrap()))
        })
        .collect();
    let in_db: BTreeSet<String> = filed.iter().map(|(_, sha, _)| sha.clone().unwrap()).collect();
    assert_eq!(on_disk, in_db, "each file is its copy");

    // Every queued message sent, once: as many messages arrived as the outbox holds for mail.
    for _ in 0..100 {
        let (unsent,): (i64,) =
            sqlx::query_as("SELECT COUNT(*) FROM outbox WHERE sent_at IS NULL AND webhook_id IS NULL")
                .fetch_one(&pool)
                .await
                .unwrap();
        if unsent == 0 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    tokio::time::sleep(Duration::from_millis(500)).await;
    let (queued,): (i64,) =
        sqlx::query_as("SELECT COUNT(*) FROM outbox WHERE webhook_id IS NULL").fetch_one(&pool).await.unwrap();
    let (unsent,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM outbox WHERE sent_at IS NULL AND webhook_id IS NULL")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(unsent, 0, "nothing left unsent");
    let delivered = sink.received().len() as i64;
    assert_eq!(delivered, queued, "every message exactly once");
    println!(
        "{n} requests to approval across 3 servers in {:.1} s: {delivered} messages delivered, {} decision links decided, {} archive copies filed, duplicates 0",
        started.elapsed().as_secs_f64(),
        won.len(),
        filed.len()
    );
    pool.close().await;

    drop(servers);
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_server"))
        .arg("verify-audit")
        .env("DATABASE_URL", &db.url)
        .env("RUST_LOG", "error")
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stdout));
    assert!(String::from_utf8_lossy(&out.stdout).contains("audit chain intact"));
    let _ = std::fs::remove_dir_all(&archive);
    db.drop_database().await;
}

/// Signed-in page views for `secs` seconds from `clients` browsers, each spreading its requests
/// over `servers` in turn: (pages per second, failures).
async fn page_views(servers: &[&Server], clients: &[reqwest::Client], path: &str, secs: u64) -> (f64, usize) {
    let until = std::time::Instant::now() + Duration::from_secs(secs);
    let started = std::time::Instant::now();
    let loads = clients.iter().enumerate().map(|(c, client)| {
        let apps: Vec<TestApp> = servers.iter().map(|s| TestApp::remote(s.addr, client.clone())).collect();
        async move {
            let (mut ok, mut failed, mut i) = (0usize, 0usize, c);
            while std::time::Instant::now() < until {
                let app = &apps[i % apps.len()];
                i += 1;
                let fine = match app.client.get(app.url(path)).send().await {
                    Ok(r) => r.status() == 200 && r.bytes().await.is_ok(),
                    Err(_) => false,
                };
                if fine {
                    ok += 1;
                } else {
                    failed += 1;
                }
            }
            (ok, failed)
        }
    });
    let results = futures::future::join_all(loads).await;
    let ok: usize = results.iter().map(|r| r.0).sum();
    (ok as f64 / started.elapsed().as_secs_f64(), results.iter().map(|r| r.1).sum())
}

/// The bench command's figure: signed-in wizard pages per second from one app server and from
/// three on one PostgreSQL database, the same browsers and duration (CLUSTER_SECS, default 10).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "a benchmark: bench/resilience.sh runs it"]
async fn pages_per_second_from_one_server_and_from_three() {
    let db = TestDb::new(Backend::Postgres).await;
    let (servers, _sink, archive) = three_servers(&db).await;
    let secs: u64 = std::env::var("CLUSTER_SECS").ok().and_then(|v| v.parse().ok()).unwrap_or(10);
    let first = TestApp::remote(servers[0].addr, client());
    first.sign_in("dev@example.gov").await;
    let reference = start(&first, "Pages per second").await;
    let path = format!("/requests/{reference}/plan");
    let mut browsers = Vec::new();
    for _ in 0..32 {
        let browser = client();
        first.sign_in_as(&browser, "dev@example.gov").await;
        browsers.push(browser);
    }
    let (one, one_failed) = page_views(&[&servers[0]], &browsers, &path, secs).await;
    let (three, three_failed) = page_views(&[&servers[0], &servers[1], &servers[2]], &browsers, &path, secs).await;
    println!("| app servers | signed-in wizard pages/s | failed |\n| --- | --- | --- |");
    println!("| 1 | {one:.0} | {one_failed} |\n| 3 | {three:.0} | {three_failed} |");
    assert_eq!((one_failed, three_failed), (0, 0));
    drop(servers);
    let _ = std::fs::remove_dir_all(&archive);
    db.drop_database().await;
}

/// A TCP forwarder to PostgreSQL the test can cut: an outage drops every connection through it
/// and refuses new ones, as a database restart does to its clients.
struct Cuttable {
    port: u16,
    up: std::sync::Arc<std::sync::atomic::AtomicBool>,
    open: std::sync::Arc<std::sync::Mutex<Vec<tokio::task::AbortHandle>>>,
    task: tokio::task::JoinHandle<()>,
}

impl Cuttable {
    async fn to(target: std::net::SocketAddr) -> Cuttable {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        let up = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(true));
        let open = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
        let (up2, open2) = (up.clone(), open.clone());
        let task = tokio::spawn(async move {
            loop {
                let Ok((mut inbound, _)) = listener.accept().await else { break };
                if !up2.load(std::sync::atomic::Ordering::SeqCst) {
                    drop(inbound);
                    continue;
                }
                let conn = tokio::spawn(async move {
                    if let Ok(mut outbound) = tokio::net::TcpStream::connect(target).await {
                        let _ = tokio::io::copy_bidirectional(&mut inbound, &mut outbound).await;
                    }
                });
                open2.lock().unwrap().push(conn.abort_handle());
            }
        });
        Cuttable { port, up, open, task }
    }

    fn cut(&self) {
        self.up.store(false, std::sync::atomic::Ordering::SeqCst);
        for conn in self.open.lock().unwrap().drain(..) {
            conn.abort();
        }
    }

    fn restore(&self) {
        self.up.store(true, std::sync::atomic::Ordering::SeqCst);
    }
}

impl Drop for Cuttable {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// PostgreSQL goes away mid-load and comes back: requests meanwhile are told 503 (never a 500,
/// never a dropped connection), the servers recover without a restart of their own, and every
/// write they acknowledged is there.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_database_outage_mid_load_fails_cleanly_and_loses_nothing() {
    let db = TestDb::new(Backend::Postgres).await;
    // Migrated and seeded directly first, so the outage hits a running service.
    server::store::Db::open(&db.url).await.unwrap().close().await;
    let (host_port, rest) = db.url.split_once('@').map(|(_, r)| r.split_once('/').unwrap()).unwrap();
    let proxy = Cuttable::to(host_port.parse().unwrap()).await;
    let via_proxy = db.url.replace(host_port, &format!("127.0.0.1:{}", proxy.port));
    assert!(via_proxy.ends_with(rest));
    let sink = SmtpSink::running();
    let archive = std::env::temp_dir().join(format!("offcycle-outage-archive-{}-{}", std::process::id(), free_port()));
    std::fs::create_dir_all(&archive).unwrap();
    let ports = [free_port(), free_port()];
    let public = format!("http://127.0.0.1:{}", ports[0]);
    let mut servers = Vec::new();
    for port in ports {
        servers.push(start_server(&via_proxy, &public, port, &sink.url(), &archive).await);
    }
    let browsers = [client(), client()];
    for (i, b) in browsers.iter().enumerate() {
        TestApp::remote(servers[i].addr, b.clone()).sign_in("dev@example.gov").await;
    }
    let started = std::time::Instant::now();
    let load = async {
        let mut outcomes = Vec::new();
        let mut i = 0usize;
        while started.elapsed() < Duration::from_secs(9) {
            let app = TestApp::remote(servers[i % 2].addr, browsers[i % 2].clone());
            let title = format!("Outage load {i}");
            let res = app.call("start_request", &[("title", title.as_str()), ("system", "Grants portal")]).await;
            let status = res.status().as_u16();
            let reference = res
                .headers()
                .get("location")
                .map(|l| l.to_str().unwrap().trim_start_matches("/requests/").trim_end_matches("/triage").to_string());
            outcomes.push((started.elapsed(), status, reference));
            i += 1;
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        outcomes
    };
    let outage = async {
        tokio::time::sleep(Duration::from_millis(1500)).await;
        proxy.cut();
        tokio::time::sleep(Duration::from_secs(3)).await;
        proxy.restore();
    };
    let (outcomes, ()) = tokio::join!(load, outage);
    let failed: Vec<_> = outcomes.iter().filter(|(_, s, _)| !matches!(s, 200..=399)).collect();
    assert!(!failed.is_empty(), "the outage was felt");
    assert!(failed.iter().all(|(_, s, _)| *s == 503), "failures are 503, never a 500: {failed:?}");
    let recovered = outcomes.iter().rev().take(5).all(|(_, s, _)| matches!(s, 200..=399));
    assert!(recovered, "the servers recovered on their own: {:?}", &outcomes[outcomes.len() - 5..]);
    for s in &mut servers {
        assert!(s.child.try_wait().unwrap().is_none(), "no server exited");
    }
    let pool = sqlx::PgPool::connect(&db.url).await.unwrap();
    let acknowledged: Vec<&String> =
        outcomes.iter().filter(|(_, s, _)| matches!(s, 200..=399)).filter_map(|(_, _, r)| r.as_ref()).collect();
    assert!(acknowledged.len() > 10);
    for reference in acknowledged {
        let (n,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM change_requests WHERE reference = $1")
            .bind(reference)
            .fetch_one(&pool)
            .await
            .unwrap();
        assert_eq!(n, 1, "{reference} was acknowledged, so it is there");
    }
    pool.close().await;
    drop(servers);
    let _ = std::fs::remove_dir_all(&archive);
    db.drop_database().await;
}
