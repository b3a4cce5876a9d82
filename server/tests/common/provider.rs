//! A real OpenID Provider for the tests: npm `oidc-provider` (end2end/oidc/provider.mjs) run
//! by Node on a loopback port, and a browser-like walk through its sign-in.

use super::{free_port, TestApp};
use serde_json::Value;
use std::process::Stdio;
use std::time::Duration;
use tokio::io::{AsyncBufReadExt, BufReader};

/// One provider process (restartable on the same port: a new signing key each start).
pub struct TestProvider {
    pub port: u16,
    pub dir: std::path::PathBuf,
    child: Option<tokio::process::Child>,
    redirect: String,
}

/// How often the tests' app may fetch the provider's keys again (a minute in production).
pub const KEY_REFRESH: Duration = Duration::from_secs(1);

/// A test user at the provider.
pub fn user(sub: &str, email: &str, groups: &[&str]) -> Value {
    serde_json::json!({ "sub": sub, "email": email, "email_verified": true, "name": format!("Test {sub}"), "groups": groups })
}

impl TestProvider {
    /// Starts the provider for an app whose public address is `app_url`.
    pub async fn start(app_url: &str, users: &[Value], tamper: &str) -> TestProvider {
        let dir = std::env::temp_dir().join(format!("offcycle-oidc-{}-{}", std::process::id(), free_port()));
        std::fs::create_dir_all(&dir).unwrap();
        let mut p = TestProvider { port: free_port(), dir, child: None, redirect: app_url.to_string() };
        p.run(users, tamper).await;
        p
    }

    pub fn issuer(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// Stops and starts again with these users and misbehaviour (and a new signing key).
    /// The app fetches keys at most once per [`KEY_REFRESH`]: waits that long, so the app
    /// may fetch the new key.
    pub async fn restart(&mut self, users: &[Value], tamper: &str) {
        self.stop().await;
        self.run(users, tamper).await;
        tokio::time::sleep(KEY_REFRESH + Duration::from_millis(100)).await;
    }

    async fn run(&mut self, users: &[Value], tamper: &str) {
        let script = concat!(env!("CARGO_MANIFEST_DIR"), "/../end2end/oidc/provider.mjs");
        let mut child = tokio::process::Command::new("node")
            .arg(script)
            .env("OIDC_PORT", self.port.to_string())
            .env("OIDC_REDIRECT_URIS", format!("{}/auth/oidc/callback", self.redirect))
            .env("OIDC_POST_LOGOUT_URIS", format!("{}/sign-in?signed_out=1", self.redirect))
            .env("OIDC_USERS", serde_json::to_string(users).unwrap())
            .env("OIDC_WORK_DIR", &self.dir)
            .env("OIDC_TAMPER", tamper)
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .kill_on_drop(true)
            .spawn()
            .expect("node runs end2end/oidc/provider.mjs (npm ci in end2end first)");
        let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
        let ready = tokio::time::timeout(Duration::from_secs(20), async {
            while let Ok(Some(line)) = lines.next_line().await {
                if line.contains("ready") {
                    return true;
                }
            }
            false
        })
        .await;
        assert_eq!(ready, Ok(true), "the test provider did not start");
        self.child = Some(child);
    }

    pub async fn stop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill().await;
            let _ = child.wait().await;
        }
    }

    /// How often the relying party fetched the key set.
    pub async fn jwks_requests(&self) -> i64 {
        let v: Value =
            reqwest::get(format!("{}/test/jwks-requests", self.issuer())).await.unwrap().json().await.unwrap();
        v["count"].as_i64().unwrap()
    }

    /// The `private_key_jwt` client's key file (made at the provider's first start).
    pub fn client_key(&self) -> std::path::PathBuf {
        self.dir.join("client-key.pem")
    }
}

impl Drop for TestProvider {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// The app's OIDC settings pointed at this provider.
pub fn settings(provider: &TestProvider, provisioning: &str) -> server::oidc::OidcSettings {
    server::oidc::OidcSettings {
        issuer: provider.issuer(),
        client_id: "offcycle".into(),
        auth: server::oidc::ClientAuth::Secret("offcycle-test-secret".into()),
        scopes: ["openid", "email", "profile", "groups"].map(String::from).to_vec(),
        acr_values: vec![],
        groups_claim: "groups".into(),
        mapping: "offcycle-cors=cor;offcycle-hosting=hosting;offcycle-devs=dev;team-grants=team:Grants Portal"
            .parse()
            .unwrap(),
        provisioning: provisioning.parse().unwrap(),
        algorithms: vec![openidconnect::core::CoreJwsSigningAlgorithm::RsaSsaPkcs1V15Sha256],
        label: "the test provider".into(),
        key_refresh: KEY_REFRESH,
    }
}

/// Where a sign-in through the provider ended: the app's last answer (status, `Location`).
#[derive(Debug)]
pub struct Landing {
    pub status: u16,
    pub location: String,
    /// The callback URL the provider sent the browser to.
    pub callback: String,
}

fn absolute(base: &str, location: &str) -> String {
    if location.starts_with("http") {
        location.to_string()
    } else {
        let origin: String = base.splitn(4, '/').take(3).collect::<Vec<_>>().join("/");
        format!("{origin}{location}")
    }
}

/// Walks a sign-in of `email` through the provider up to the app's callback, and stops there:
/// the callback URL, not yet used.
pub async fn walk_to_callback(app: &TestApp, client: &reqwest::Client, email: &str) -> String {
    let mut url = format!("{}?login_hint={email}", app.url("/auth/oidc/start"));
    for _ in 0..20 {
        let res = client.get(&url).send().await.unwrap();
        let location = res.headers().get("location").map(|l| l.to_str().unwrap().to_string());
        url = absolute(&url, &location.expect("a redirect on the way to the callback"));
        if url.starts_with(&app.url("/auth/oidc/callback")) {
            return url;
        }
    }
    panic!("too many redirects");
}

/// Signs `email` in through the provider (login hint), following every redirect by hand up to
/// the app's callback and its answer.
pub async fn sign_in(app: &TestApp, client: &reqwest::Client, email: &str, next: &str) -> Landing {
    let start = format!("{}?login_hint={email}&next={next}", app.url("/auth/oidc/start"));
    let mut url = start;
    for _ in 0..20 {
        let res = client.get(&url).send().await.unwrap();
        let status = res.status().as_u16();
        let location = res.headers().get("location").map(|l| l.to_str().unwrap().to_string());
        if url.starts_with(&app.url("/auth/oidc/callback")) {
            return Landing { status, location: location.unwrap_or_default(), callback: url };
        }
        match location {
            Some(l) if (300..400).contains(&status) => url = absolute(&url, &l),
            _ => {
                let body = res.text().await.unwrap_or_default();
                panic!("the walk stopped at {url} ({status}): {}", &body[..body.len().min(400)]);
            }
        }
    }
    panic!("too many redirects");
}

/// The whoami answer for this browser: (email, role) or None.
pub async fn whoami(app: &TestApp, client: &reqwest::Client) -> Option<(String, String, Option<String>)> {
    let v: Value = app.call_as(client, "whoami", &[]).await.json().await.unwrap();
    (!v.is_null()).then(|| {
        (
            v["email"].as_str().unwrap().to_string(),
            v["role"].as_str().unwrap().to_string(),
            v["team_name"].as_str().map(String::from),
        )
    })
}
