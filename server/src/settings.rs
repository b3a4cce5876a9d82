//! Every setting the server reads from its environment, in one table: the defaults it runs with
//! and the README's **Configuration** table come from here, and a test finds every
//! `OFFCYCLE_…` name the server's code reads in it.

/// What a setting is when its variable is unset.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Fallback {
    /// A number the server uses when the variable is unset.
    Number(u64),
    /// A text the server uses when the variable is unset, read as if it had been set.
    Text(&'static str),
    /// What happens when it is unset, in words (the code works it out).
    Words(&'static str),
}

/// One environment variable.
#[derive(Clone, Copy, Debug)]
pub struct Setting {
    /// The variable.
    pub name: &'static str,
    /// What it does, as the README says it.
    pub meaning: &'static str,
    /// Its default.
    pub default: Fallback,
}

use Fallback::{Number, Text, Words};

/// The settings, in the README's order.
pub const SETTINGS: &[Setting] = &[
    Setting {
        name: "DATABASE_URL",
        meaning: "`sqlite://path/file.db` (created and migrated on first start) or `postgres://user:pass@host/db` (PostgreSQL 14+; the migrations create the bundled `pg_trgm` extension for title search, which a database owner may do)",
        default: Text("sqlite://data/offcycle.db"),
    },
    Setting {
        name: "OFFCYCLE_BIND",
        meaning: "address to listen on",
        default: Words("`LEPTOS_SITE_ADDR`, else `127.0.0.1:3000`"),
    },
    Setting {
        name: "OFFCYCLE_PUBLIC_URL",
        meaning: "the address people use (links in mail; `https://` turns on `Secure` cookies and HSTS)",
        default: Words("`http://{bind}`"),
    },
    Setting {
        name: "SMTP_URL",
        meaning: "outgoing mail relay: `smtp://host:25`, `smtp://user:pass@host:587?tls=required` (STARTTLS), `smtps://host:465`; unset outside demo mode, mail waits in the outbox",
        default: Words("none"),
    },
    Setting {
        name: "OFFCYCLE_MAIL_FROM",
        meaning: "the sender of every message",
        default: Text("Offcycle <offcycle@localhost>"),
    },
    Setting {
        name: "OFFCYCLE_DECISION_LINK_HOURS",
        meaning: "how long a COR's emailed decision link works",
        default: Number(72),
    },
    Setting {
        name: "OFFCYCLE_REMIND_AFTER_MINUTES",
        meaning: "no decision this long after submission → remind the pending CORs",
        default: Number(240),
    },
    Setting {
        name: "OFFCYCLE_ESCALATE_AFTER_MINUTES",
        meaning: "no quorum this long after submission → tell the hosting lead and admins",
        default: Number(480),
    },
    Setting {
        name: "OFFCYCLE_MAIL_POLL_MS",
        meaning: "how often the mail worker looks for work",
        default: Number(2000),
    },
    Setting {
        name: "OFFCYCLE_MAIL_RETRY_SECONDS",
        meaning: "first wait after a failed delivery of mail or a webhook (doubles each time, at most an hour)",
        default: Number(30),
    },
    Setting {
        name: "OFFCYCLE_MAIL_LEASE_SECONDS",
        meaning: "how long a worker holds a message it is sending; a worker that dies mid-send leaves it to be sent again after this",
        default: Number(120),
    },
    Setting {
        name: "ARCHIVE_DIR",
        meaning: "a folder (the organisation's synced archive) that also receives every archive copy as `ECR-2026-0042_20261121_v03.pdf`; the database keeps them either way",
        default: Words("none"),
    },
    Setting {
        name: "OFFCYCLE_ARCHIVE_POLL_MS",
        meaning: "how often the archive worker looks for copies another app server filed, and the first wait before retrying a failed folder write (it doubles, at most an hour)",
        default: Number(5000),
    },
    Setting {
        name: "OFFCYCLE_DEMO",
        meaning: "`1` seeds the demo organisation and serves the mail viewer; never set it in production — production never creates demo users",
        default: Words("off (`scripts/dev.sh` sets it)"),
    },
    Setting {
        name: "OFFCYCLE_DEMO_REQUESTS",
        meaning: "`1` (with demo mode) seeds example requests in every state of the process, from triage to completed and rolled back, one on hold, into an empty database",
        default: Words("off (`scripts/dev.sh` sets it)"),
    },
    Setting {
        name: "OFFCYCLE_DEMO_PASSWORD",
        meaning: "the demo people's password; when set, it is (re)applied at every start",
        default: Words("generated, printed once"),
    },
    Setting {
        name: "OFFCYCLE_SESSION_IDLE_MINUTES",
        meaning: "a session ends after this much inactivity",
        default: Number(30),
    },
    Setting {
        name: "OFFCYCLE_SESSION_MAX_HOURS",
        meaning: "a session ends this long after sign-in, whatever happens",
        default: Number(12),
    },
    Setting {
        name: "LEPTOS_SITE_ROOT",
        meaning: "where the browser bundle is (`scripts/dev.sh` sets it)",
        default: Text("target/site"),
    },
    Setting {
        name: "OFFCYCLE_TRUSTED_PROXIES",
        meaning: "comma-separated addresses of the reverse proxies in front; from them, the client's address is the nearest untrusted one in `X-Forwarded-For`",
        default: Words("none: the connection's address"),
    },
    Setting {
        name: "OFFCYCLE_WEBHOOKS_ALLOW_PRIVATE",
        meaning: "`1` lets webhook receivers be on loopback, private or link-local addresses, and plain `http` (receivers inside your network)",
        default: Words("off: public `https` only"),
    },
    Setting {
        name: "OFFCYCLE_OIDC_ISSUER",
        meaning: "the identity provider's issuer URL (OpenID Connect discovery under it); turns sign-in through it on",
        default: Words("off"),
    },
    Setting {
        name: "OFFCYCLE_OIDC_CLIENT_ID",
        meaning: "Offcycle's client id at the provider",
        default: Words("required with the issuer"),
    },
    Setting {
        name: "OFFCYCLE_OIDC_CLIENT_SECRET",
        meaning: "the client secret (`client_secret_basic`)",
        default: Words("one of these two"),
    },
    Setting {
        name: "OFFCYCLE_OIDC_PRIVATE_KEY_FILE",
        meaning: "an RSA private key (PEM) for `private_key_jwt`: each token request carries an RS256 assertion (`iss` = `sub` = client id, `aud` = the token endpoint, a fresh `jti`, 5 minutes)",
        default: Words("one of these two"),
    },
    Setting {
        name: "OFFCYCLE_OIDC_KEY_ID",
        meaning: "the `kid` header of that assertion, if the provider needs one",
        default: Words("none"),
    },
    Setting {
        name: "OFFCYCLE_OIDC_SCOPES",
        meaning: "scopes asked for (space-separated)",
        default: Text("openid email profile"),
    },
    Setting {
        name: "OFFCYCLE_OIDC_ACR_VALUES",
        meaning: "authentication context asked for (space-separated; Login.gov: `http://idmanagement.gov/ns/assurance/ial/1`)",
        default: Words("none"),
    },
    Setting {
        name: "OFFCYCLE_OIDC_ALGORITHMS",
        meaning: "ID token signatures accepted (space-separated: `RS256`, `PS256`, `ES256`, …; never `none`)",
        default: Text("RS256"),
    },
    Setting {
        name: "OFFCYCLE_OIDC_GROUPS_CLAIM",
        meaning: "the claim holding the person's groups (a list or one string)",
        default: Text("groups"),
    },
    Setting {
        name: "OFFCYCLE_OIDC_ROLE_MAP",
        meaning: r#"`group=role;group=team:Team name;…`, first match wins (see "Run it in production")"#,
        default: Words("none: no role from groups"),
    },
    Setting {
        name: "OFFCYCLE_OIDC_PROVISIONING",
        meaning: "`invite`: only invited people (a verified email claims its invitation); `jit`: anyone, with the role their groups give or none",
        default: Text("invite"),
    },
    Setting {
        name: "OFFCYCLE_OIDC_LABEL",
        meaning: r#"the button says "Sign in with …""#,
        default: Text("your organisation's account"),
    },
    Setting {
        name: "OFFCYCLE_PASSWORD_SIGN_IN",
        meaning: "`everyone`, or `admins` (break-glass only; needs the issuer set)",
        default: Text("everyone"),
    },
    Setting {
        name: "OFFCYCLE_METRICS_TOKEN",
        meaning: "the bearer token `/metrics` wants",
        default: Words("none: loopback clients only"),
    },
    Setting {
        name: "OFFCYCLE_LOG_FORMAT",
        meaning: "`json`: one JSON object a line, each with its request's id",
        default: Words("text"),
    },
    Setting {
        name: "RUST_LOG",
        meaning: "log filter",
        default: Text("info,sqlx=warn,leptos=warn"),
    },
];

/// The setting of that name. Every name the code reads is in [`SETTINGS`] (a test checks), so a
/// missing one is a mistake in this file, not in the environment.
pub fn setting(name: &str) -> Setting {
    match SETTINGS.iter().find(|s| s.name == name) {
        Some(s) => *s,
        None => panic!("{name} is read but not in the settings table"),
    }
}

impl Fallback {
    /// The value the server reads when the variable is unset; none for a default in words.
    pub fn value(self) -> Option<String> {
        match self {
            Fallback::Number(n) => Some(n.to_string()),
            Fallback::Text(t) => Some(t.to_string()),
            Fallback::Words(_) => None,
        }
    }
}

/// The README's **Configuration** table.
pub fn markdown() -> String {
    let mut out = String::from("| variable | meaning | default |\n| --- | --- | --- |\n");
    for s in SETTINGS {
        let default = match s.default {
            Fallback::Number(n) => n.to_string(),
            Fallback::Text(t) => format!("`{t}`"),
            Fallback::Words(w) => w.to_string(),
        };
        out.push_str(&format!("| `{}` | {} | {default} |\n", s.name, s.meaning));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_readme_configuration_table_is_the_settings_table() {
        app::readme::assert_section("configuration", &markdown());
    }

    /// Every `"OFFCYCLE_…"` name in the server's code is a setting of the table (but the bench's
    /// own, which no deployment sets), and every setting of the table is read somewhere.
    #[test]
    fn every_variable_the_server_reads_is_in_the_table_and_every_setting_is_read() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
        let this_table = dir.join("settings.rs");
        let mut code = String::new();
        let mut folders = vec![dir];
        while let Some(folder) = folders.pop() {
            for entry in std::fs::read_dir(&folder).expect("the server's sources").flatten() {
                let path = entry.path();
                match path.extension().and_then(|e| e.to_str()) {
                    _ if path.is_dir() => folders.push(path),
                    Some("rs") if path != this_table => {
                        code.push_str(&std::fs::read_to_string(&path).expect("a source file"))
                    }
                    _ => {}
                }
            }
        }
        let named: std::collections::BTreeSet<&str> = code
            .match_indices("\"OFFCYCLE_")
            .filter_map(|(at, _)| {
                let rest = &code[at + 1..];
                let name = &rest[..rest.find('"')?];
                name.chars().all(|c| c.is_ascii_uppercase() || c == '_').then_some(name)
            })
            .collect();
        for name in named.iter().filter(|n| **n != "OFFCYCLE_BENCH_BARE_FILE") {
            assert!(SETTINGS.iter().any(|s| s.name == *name), "{name} is read but not in the settings table");
        }
        for s in SETTINGS {
            assert!(code.contains(&format!("\"{}\"", s.name)), "{} is in the table but nothing reads it", s.name);
        }
    }
}
