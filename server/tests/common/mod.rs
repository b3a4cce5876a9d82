//! Starts the real server in-process on port 0 with a fresh database (a temporary SQLite file,
//! or a new PostgreSQL database under `TEST_DATABASE_URL`), and drives it over HTTP.
#![allow(dead_code)]

pub mod flow;
pub mod pdf_check;
pub mod provider;
pub mod smtp;

use server::config::Config;
use sqlx::Connection;
use std::net::SocketAddr;
use std::time::Duration;
use tokio::sync::oneshot;

pub const DEMO_PASSWORD: &str = "integration-demo-password";

/// Which database a test runs against.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// A fresh, empty database for one test.
pub struct TestDb {
    pub url: String,
    _dir: Option<tempfile_dir::TempDir>,
    pg_admin: Option<(String, String)>,
}

mod tempfile_dir {
    /// A directory removed on drop.
    pub struct TempDir(pub std::path::PathBuf);
    impl Drop for TempDir {
        fn drop(&mut self) {
            let _ = std::fs::remove_dir_all(&self.0);
        }
    }
}

fn random_suffix() -> String {
    server::auth::new_token()[..12].to_string()
}

impl TestDb {
    pub async fn new(backend: Backend) -> TestDb {
        match backend {
            Backend::Sqlite => {
                let dir = std::env::temp_dir().join(format!("offcycle-test-{}", random_suffix()));
                std::fs::create_dir_all(&dir).unwrap();
                TestDb {
                    url: format!("sqlite://{}/offcycle.db", dir.display()),
                    _dir: Some(tempfile_dir::TempDir(dir)),
                    pg_admin: None,
                }
            }
            Backend::Postgres => {
                let admin = std::env::var("TEST_DATABASE_URL").expect(
                    "TEST_DATABASE_URL is not set: the PostgreSQL tests need a server (scripts/postgres.sh starts one); they are never skipped",
                );
                let name = format!("offcycle_test_{}", random_suffix());
                let mut conn = sqlx::PgConnection::connect(&admin)
                    .await
                    .unwrap_or_else(|e| panic!("cannot reach PostgreSQL at TEST_DATABASE_URL: {e}"));
                // Database names cannot be bound parameters; this one is made of [a-z0-9_] only.
                sqlx::query(&format!("CREATE DATABASE {name}")).execute(&mut conn).await.unwrap();
                let (base, _) = admin.rsplit_once('/').expect("TEST_DATABASE_URL ends in /database");
                TestDb { url: format!("{base}/{name}"), _dir: None, pg_admin: Some((admin, name)) }
            }
        }
    }

    /// Drops a PostgreSQL test database (SQLite files go with their directory).
    pub async fn drop_database(&self) {
        if let Some((admin, name)) = &self.pg_admin {
            if let Ok(mut conn) = sqlx::PgConnection::connect(admin).await {
                let _ = sqlx::query(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)")).execute(&mut conn).await;
            }
        }
    }
}

/// A running server.
pub struct TestApp {
    pub addr: SocketAddr,
    pub client: reqwest::Client,
    stop: Option<oneshot::Sender<()>>,
    task: Option<tokio::task::JoinHandle<()>>,
}

pub fn config(db_url: &str) -> Config {
    Config {
        database_url: db_url.to_string(),
        bind: "127.0.0.1:0".parse().unwrap(),
        public_url: "http://127.0.0.1".into(),
        smtp_url: None,
        demo: true,
        demo_password: Some(DEMO_PASSWORD.into()),
        demo_requests: false,
        site_root: "target/site".into(),
        session_idle: Duration::from_secs(1800),
        session_absolute: Duration::from_secs(12 * 3600),
        mail_from: "Offcycle <offcycle@example.gov>".into(),
        decision_link_ttl: Duration::from_secs(72 * 3600),
        remind_after: Duration::from_secs(4 * 3600),
        escalate_after: Duration::from_secs(8 * 3600),
        mail_poll: Duration::from_millis(100),
        mail_retry_base: Duration::from_millis(500),
        mail_lease: Duration::from_secs(120),
        archive_dir: None,
        archive_poll: Duration::from_millis(200),
        bench_bare_file: None,
        // The tests' receivers listen on loopback (tests/webhooks.rs checks the refusal).
        webhooks_allow_private: true,
        trusted_proxies: Vec::new(),
        oidc: None,
        metrics_token: None,
        password_sign_in: Default::default(),
    }
}

/// Runs `sql` on the store's own writer (tests that act as someone with database access).
pub async fn execute(store: &server::store::Store, sql: &str) -> Result<(), sqlx::Error> {
    use server::store::Db;
    match store.db() {
        Db::Sqlite { writer, .. } => sqlx::query(sql).execute(writer).await.map(|_| ()),
        Db::Postgres(pool) => sqlx::query(sql).execute(pool).await.map(|_| ()),
    }
}

/// A TCP port nobody listens on right now.
/// A PDF's text as `pdftotext -layout` reads it. Each call has its own file: tests run in
/// parallel and deterministic renders can be byte-identical.
pub fn pdftotext(pdf: &[u8]) -> String {
    use std::sync::atomic::{AtomicU64, Ordering};
    static CALLS: AtomicU64 = AtomicU64::new(0);
    let n = CALLS.fetch_add(1, Ordering::Relaxed);
    let path = std::env::temp_dir().join(format!("offcycle-text-{}-{n}.pdf", std::process::id()));
    std::fs::write(&path, pdf).unwrap();
    let out = std::process::Command::new("pdftotext").args(["-layout", "-enc", "UTF-8"]).arg(&path).arg("-").output();
    let _ = std::fs::remove_file(&path);
    String::from_utf8_lossy(&out.expect("pdftotext (poppler-utils) runs").stdout).into_owned()
}

/// A port for a server a test binds later (the identity provider, an app on a known address).
/// Port 0 would give one from the kernel's ephemeral range (32768–60999 on Linux), where any
/// outgoing connection of a parallel test can take it in the seconds before the bind; so the
/// port is drawn from below that range, and never handed out twice in one test binary.
pub fn free_port() -> u16 {
    static GIVEN: std::sync::Mutex<std::collections::BTreeSet<u16>> =
        std::sync::Mutex::new(std::collections::BTreeSet::new());
    let mut given = GIVEN.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
    loop {
        let port = fastrand::u16(20_000..32_000);
        if !given.contains(&port) && std::net::TcpListener::bind(("127.0.0.1", port)).is_ok() {
            given.insert(port);
            return port;
        }
    }
}

pub fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .timeout(Duration::from_secs(30))
        .build()
        .unwrap()
}

impl TestApp {
    /// A handle on a server running elsewhere (another process), driven with `client`.
    pub fn remote(addr: SocketAddr, client: reqwest::Client) -> TestApp {
        TestApp { addr, client, stop: None, task: None }
    }

    pub async fn spawn(db_url: &str) -> TestApp {
        Self::spawn_with(config(db_url)).await
    }

    pub async fn spawn_with(config: Config) -> TestApp {
        let bind = config.bind;
        let state = server::build_state(config).await.expect("server state");
        let listener = tokio::net::TcpListener::bind(bind).await.unwrap();
        let addr = listener.local_addr().unwrap();
        let (tx, rx) = oneshot::channel();
        let task = tokio::spawn(async move {
            server::serve(listener, state, async {
                let _ = rx.await;
            })
            .await
            .unwrap();
        });
        TestApp { addr, client: client(), stop: Some(tx), task: Some(task) }
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://{}{}", self.addr, path)
    }

    /// Stops the server and waits until it has closed the database. The client goes first: its
    /// idle keep-alive connections would otherwise hold the graceful shutdown open, and a server
    /// that has not let go of the database must fail here, not as a hang in the next test step.
    pub async fn stop(self) {
        let TestApp { client, stop, task, .. } = self;
        drop(client);
        if let Some(tx) = stop {
            let _ = tx.send(());
        }
        if let Some(task) = task {
            let stopped = tokio::time::timeout(Duration::from_secs(30), task).await;
            assert!(matches!(stopped, Ok(Ok(()))), "the server did not stop within 30 s: {stopped:?}");
        }
    }

    /// Calls a server function the way the browser's JavaScript does (JSON answer, no redirect).
    pub async fn call(&self, name: &str, form: &[(&str, &str)]) -> reqwest::Response {
        self.call_as(&self.client, name, form).await
    }

    /// [`TestApp::call`] from another browser (its own cookies, so its own session).
    pub async fn call_as(&self, client: &reqwest::Client, name: &str, form: &[(&str, &str)]) -> reqwest::Response {
        client
            .post(self.url(&format!("/api/{name}")))
            .header("Accept", "application/json")
            .header("Sec-Fetch-Site", "same-origin")
            .form(form)
            .send()
            .await
            .unwrap()
    }

    pub async fn sign_in(&self, email: &str) {
        self.sign_in_as(&self.client, email).await
    }

    /// Signs `email` in on another browser.
    pub async fn sign_in_as(&self, client: &reqwest::Client, email: &str) {
        let res = self.call_as(client, "sign_in", &[("email", email), ("password", DEMO_PASSWORD)]).await;
        assert!(res.status().is_success() || res.status().is_redirection(), "sign-in failed: {}", res.status());
    }

    pub async fn get_text(&self, path: &str) -> (u16, String) {
        let res = self.client.get(self.url(path)).send().await.unwrap();
        (res.status().as_u16(), res.text().await.unwrap())
    }
}

/// Runs an async test body once per backend, as `sqlite_<name>` and `postgres_<name>`.
#[macro_export]
macro_rules! both_backends {
    // Benchmarks: compiled with the tests, run only when asked (`-- --ignored`).
    (#[ignore] $name:ident, $body:expr) => {
        mod $name {
            use super::*;
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            #[ignore = "a benchmark: bench/queue-scale.sh runs it"]
            async fn sqlite() {
                let db = TestDb::new(Backend::Sqlite).await;
                ($body)(db.url.clone(), Backend::Sqlite).await;
                db.drop_database().await;
            }
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            #[ignore = "a benchmark: bench/queue-scale.sh runs it"]
            async fn postgres() {
                let db = TestDb::new(Backend::Postgres).await;
                ($body)(db.url.clone(), Backend::Postgres).await;
                db.drop_database().await;
            }
        }
    };
    ($name:ident, $body:expr) => {
        mod $name {
            use super::*;
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                let db = TestDb::new(Backend::Sqlite).await;
                ($body)(db.url.clone(), Backend::Sqlite).await;
                db.drop_database().await;
            }
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                let db = TestDb::new(Backend::Postgres).await;
                ($body)(db.url.clone(), Backend::Postgres).await;
                db.drop_database().await;
            }
        }
    };
}
