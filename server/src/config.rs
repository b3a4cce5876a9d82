//! Configuration from the environment: each variable, its meaning and its default are in
//! [`crate::settings::SETTINGS`] (the README's table is made from it).

use std::net::SocketAddr;
use std::time::Duration;

/// Everything the server reads from its environment (the defaults: [`crate::settings::SETTINGS`]).
#[derive(Clone, Debug)]
pub struct Config {
    /// `DATABASE_URL`: `sqlite:…` or `postgres://…`.
    pub database_url: String,
    /// `OFFCYCLE_BIND`: where to listen.
    pub bind: SocketAddr,
    /// `OFFCYCLE_PUBLIC_URL`: the address people use, for links in mail.
    pub public_url: String,
    /// `SMTP_URL`: outgoing mail relay (`smtp://host:25`, `smtp://user:pass@host:587?tls=required`, `smtps://…`).
    pub smtp_url: Option<String>,
    /// `OFFCYCLE_DEMO=1`: seed a demo organisation and serve the mail viewer. Never in production.
    pub demo: bool,
    /// `OFFCYCLE_DEMO_REQUESTS=1` (with demo mode): example requests in every state of the
    /// process, seeded into an empty list.
    pub demo_requests: bool,
    /// `OFFCYCLE_DEMO_PASSWORD`: the demo users' password (generated and printed once if unset).
    pub demo_password: Option<String>,
    /// `LEPTOS_SITE_ROOT`: where cargo-leptos wrote the browser bundle.
    pub site_root: String,
    /// `OFFCYCLE_SESSION_IDLE_MINUTES`: a session ends after this much inactivity.
    pub session_idle: Duration,
    /// `OFFCYCLE_SESSION_MAX_HOURS`: a session ends this long after sign-in.
    pub session_absolute: Duration,
    /// The sender of every message.
    pub mail_from: String,
    /// How long an emailed decision link works.
    pub decision_link_ttl: Duration,
    /// No decision this long after submission: remind the pending CORs.
    pub remind_after: Duration,
    /// No quorum this long after submission: tell the hosting lead and admins.
    pub escalate_after: Duration,
    /// How often the mail worker looks for work.
    pub mail_poll: Duration,
    /// The first wait after a failed delivery (it doubles, up to an hour).
    pub mail_retry_base: Duration,
    /// How long a worker's claim on a message lasts; after that another worker (or this one,
    /// restarted) may send it.
    pub mail_lease: Duration,
    /// `ARCHIVE_DIR`: a folder (the organisation's synced archive) that also receives every
    /// archive copy as `ECR-2026-0042_20261121_v03.pdf`. Optional; the database always has them.
    pub archive_dir: Option<std::path::PathBuf>,
    /// How often the archive worker looks for copies another server filed (and retries
    /// folder writes).
    pub archive_poll: Duration,
    /// `OFFCYCLE_BENCH_BARE_FILE`: only for `bench/server-load.sh`, which compares a page with a
    /// bare route (`/bench/bare`) serving this file's bytes. Never set in a deployment.
    pub bench_bare_file: Option<std::path::PathBuf>,
    /// `OFFCYCLE_WEBHOOKS_ALLOW_PRIVATE`: webhook receivers may be on loopback, private or
    /// link-local addresses, and plain http (off: https receivers on the public internet only).
    pub webhooks_allow_private: bool,
    /// `OFFCYCLE_TRUSTED_PROXIES`: addresses of the reverse proxies in front (comma-separated);
    /// from them, the client's address is read from `X-Forwarded-For`.
    pub trusted_proxies: Vec<std::net::IpAddr>,
    /// `OFFCYCLE_OIDC_*`: sign-in through the organisation's identity provider, if set.
    pub oidc: Option<crate::oidc::OidcSettings>,
    /// `OFFCYCLE_METRICS_TOKEN`: the bearer token `/metrics` wants (unset: loopback only).
    pub metrics_token: Option<String>,
    /// `OFFCYCLE_PASSWORD_SIGN_IN`: `everyone` or `admins` (break-glass only).
    pub password_sign_in: app::domain::identity::PasswordSignIn,
}

/// A setting that could not be read.
#[derive(Debug, thiserror::Error)]
#[error("{name}: {problem}")]
pub struct ConfigError {
    name: &'static str,
    problem: String,
}

impl ConfigError {
    /// A setting and what is wrong with it.
    pub fn new(name: &'static str, problem: String) -> ConfigError {
        ConfigError { name, problem }
    }
}

/// A variable that is set to something other than blanks, trimmed.
pub(crate) fn var(name: &str) -> Option<String> {
    std::env::var(name).ok().map(|v| v.trim().to_string()).filter(|v| !v.is_empty())
}

/// A setting as text: the variable, or its default value from the table (none when the
/// default is said in words: the caller works it out).
pub(crate) fn text(name: &'static str) -> Option<String> {
    var(name).or_else(|| crate::settings::setting(name).default.value())
}

/// A setting parsed from the variable or its default value; `None` when neither is there.
pub(crate) fn parsed<T: std::str::FromStr>(name: &'static str) -> Result<Option<T>, ConfigError>
where
    T::Err: std::fmt::Display,
{
    text(name).map(|v| v.parse().map_err(|e: T::Err| ConfigError { name, problem: format!("{v:?}: {e}") })).transpose()
}

/// A number setting, from the variable or the table's default.
fn number(name: &'static str) -> Result<u64, ConfigError> {
    parsed(name)?.ok_or_else(|| ConfigError { name, problem: "has no default: set it".into() })
}

/// An on/off setting: on when set to `1`, `true` or `yes` (the table's default is "off").
fn flag(name: &'static str) -> bool {
    matches!(var(name).as_deref(), Some("1" | "true" | "yes"))
}

impl Config {
    /// Reads the environment.
    pub fn from_env() -> Result<Config, ConfigError> {
        let default_bind = var("LEPTOS_SITE_ADDR").unwrap_or_else(|| "127.0.0.1:3000".into());
        let bind: SocketAddr = match parsed("OFFCYCLE_BIND")? {
            Some(bind) => bind,
            None => default_bind
                .parse()
                .map_err(|e| ConfigError { name: "LEPTOS_SITE_ADDR", problem: format!("{default_bind:?}: {e}") })?,
        };
        let public_url = var("OFFCYCLE_PUBLIC_URL").unwrap_or_else(|| format!("http://{bind}"));
        let trusted_proxies = var("OFFCYCLE_TRUSTED_PROXIES")
            .map(|list| {
                list.split(',')
                    .map(str::trim)
                    .filter(|p| !p.is_empty())
                    .map(|p| {
                        p.parse().map_err(|e| ConfigError {
                            name: "OFFCYCLE_TRUSTED_PROXIES",
                            problem: format!("{p:?}: {e}"),
                        })
                    })
                    .collect::<Result<Vec<_>, _>>()
            })
            .transpose()?
            .unwrap_or_default();
        if !(public_url.starts_with("http://") || public_url.starts_with("https://")) {
            return Err(ConfigError {
                name: "OFFCYCLE_PUBLIC_URL",
                problem: "must start with http:// or https://".into(),
            });
        }
        Ok(Config {
            database_url: text("DATABASE_URL").unwrap_or_default(),
            bind,
            public_url: public_url.trim_end_matches('/').to_string(),
            smtp_url: var("SMTP_URL"),
            demo: flag("OFFCYCLE_DEMO"),
            demo_password: var("OFFCYCLE_DEMO_PASSWORD"),
            demo_requests: flag("OFFCYCLE_DEMO_REQUESTS"),
            site_root: text("LEPTOS_SITE_ROOT").unwrap_or_default(),
            session_idle: Duration::from_secs(60 * number("OFFCYCLE_SESSION_IDLE_MINUTES")?),
            session_absolute: Duration::from_secs(3600 * number("OFFCYCLE_SESSION_MAX_HOURS")?),
            mail_from: text("OFFCYCLE_MAIL_FROM").unwrap_or_default(),
            decision_link_ttl: Duration::from_secs(3600 * number("OFFCYCLE_DECISION_LINK_HOURS")?),
            remind_after: Duration::from_secs(60 * number("OFFCYCLE_REMIND_AFTER_MINUTES")?),
            escalate_after: Duration::from_secs(60 * number("OFFCYCLE_ESCALATE_AFTER_MINUTES")?),
            mail_poll: Duration::from_millis(number("OFFCYCLE_MAIL_POLL_MS")?),
            mail_retry_base: Duration::from_secs(number("OFFCYCLE_MAIL_RETRY_SECONDS")?),
            mail_lease: Duration::from_secs(number("OFFCYCLE_MAIL_LEASE_SECONDS")?),
            archive_dir: var("ARCHIVE_DIR").map(std::path::PathBuf::from),
            archive_poll: Duration::from_millis(number("OFFCYCLE_ARCHIVE_POLL_MS")?),
            bench_bare_file: var("OFFCYCLE_BENCH_BARE_FILE").map(std::path::PathBuf::from),
            trusted_proxies,
            oidc: crate::oidc::OidcSettings::from_env()?,
            metrics_token: var("OFFCYCLE_METRICS_TOKEN"),
            password_sign_in: parsed("OFFCYCLE_PASSWORD_SIGN_IN")?.unwrap_or_default(),
            webhooks_allow_private: flag("OFFCYCLE_WEBHOOKS_ALLOW_PRIVATE"),
        })
    }

    /// True when people reach the service over https (cookies get `Secure`, HSTS is sent).
    pub fn is_https(&self) -> bool {
        self.public_url.starts_with("https://")
    }
}
