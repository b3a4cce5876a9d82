//! A real SMTP server for the tests (Debian's aiosmtpd on loopback, tests/smtp_sink.py) and
//! the messages it received, parsed.

use super::free_port;
use mail_parser::MessageParser;
use serde_json::Value;
use std::path::PathBuf;
use std::time::Duration;

/// A real SMTP server in a child process, writing what it receives to a folder.
pub struct SmtpSink {
    pub port: u16,
    pub dir: PathBuf,
    child: Option<std::process::Child>,
}

impl SmtpSink {
    /// A sink on a free port, not started yet (to test an outage first).
    pub fn stopped() -> SmtpSink {
        let dir = std::env::temp_dir().join(format!("offcycle-smtp-{}-{}", std::process::id(), free_port()));
        std::fs::create_dir_all(&dir).unwrap();
        SmtpSink { port: free_port(), dir, child: None }
    }

    pub fn start(&mut self) {
        self.spawn(&[]);
    }

    /// Runs the sink script with `extra` arguments and waits until it listens.
    pub fn spawn(&mut self, extra: &[&str]) {
        let script = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/smtp_sink.py");
        let mut child = std::process::Command::new("/usr/bin/python3")
            .args([script, &self.port.to_string(), self.dir.to_str().unwrap()])
            .args(extra)
            .stdout(std::process::Stdio::piped())
            .spawn()
            .expect("python3 with aiosmtpd (Debian python3-aiosmtpd; scripts/bootstrap.sh --test installs it)");
        let mut line = String::new();
        std::io::BufRead::read_line(&mut std::io::BufReader::new(child.stdout.take().unwrap()), &mut line).unwrap();
        assert_eq!(line.trim(), "ready");
        self.child = Some(child);
    }

    /// A sink that takes connections but never answers a message's data: a send hangs there.
    pub fn stalling() -> SmtpSink {
        let mut s = SmtpSink::stopped();
        s.spawn(&["stall"]);
        s
    }

    pub fn running() -> SmtpSink {
        let mut s = SmtpSink::stopped();
        s.start();
        s
    }

    pub fn url(&self) -> String {
        format!("smtp://127.0.0.1:{}", self.port)
    }

    /// Every message received so far: (recipients, raw message).
    pub fn received(&self) -> Vec<(Vec<String>, Vec<u8>)> {
        let mut out = Vec::new();
        for n in 1.. {
            let base = self.dir.join(n.to_string());
            let (Ok(env), Ok(raw)) =
                (std::fs::read_to_string(base.with_extension("json")), std::fs::read(base.with_extension("eml")))
            else {
                break;
            };
            let env: Value = serde_json::from_str(&env).unwrap();
            out.push((env["to"].as_array().unwrap().iter().map(|x| x.as_str().unwrap().to_string()).collect(), raw));
        }
        out
    }

    /// Waits until the messages received satisfy `done`.
    pub async fn wait_until(&self, what: &str, done: impl Fn(&[Mail]) -> bool) -> Vec<Mail> {
        // Up to 30 s: the bench command's longer runs queue hundreds of messages.
        for _ in 0..600 {
            let got = mails(self);
            if done(&got) {
                return got;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!("waited for {what}; got {} messages", self.received().len());
    }

    /// Both approval requests arrived.
    pub async fn approval_requests(&self) -> Vec<Mail> {
        self.wait_until("both approval requests", |m| {
            m.iter().filter(|m| m.text.contains("Your approval is requested")).count() >= 2
        })
        .await
    }

    /// Waits until `n` messages have arrived.
    pub async fn wait_for(&self, n: usize) -> Vec<(Vec<String>, Vec<u8>)> {
        for _ in 0..200 {
            let got = self.received();
            if got.len() >= n {
                return got;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!("expected {n} messages, got {}", self.received().len());
    }
}

impl Drop for SmtpSink {
    fn drop(&mut self) {
        if let Some(mut c) = self.child.take() {
            let _ = c.kill();
            let _ = c.wait();
        }
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// One received message, parsed.
pub struct Mail {
    pub envelope_to: Vec<String>,
    pub to: Vec<String>,
    pub cc: Vec<String>,
    pub subject: String,
    pub text: String,
    pub html: String,
}

pub fn parse(envelope_to: Vec<String>, raw: &[u8]) -> Mail {
    let m = MessageParser::default().parse(raw).expect("a parseable message");
    let addrs = |a: Option<&mail_parser::Address>| -> Vec<String> {
        a.map(|a| a.iter().filter_map(|x| x.address().map(str::to_string)).collect()).unwrap_or_default()
    };
    Mail {
        envelope_to,
        to: addrs(m.to()),
        cc: addrs(m.cc()),
        subject: m.subject().unwrap_or_default().to_string(),
        text: m.body_text(0).map(|t| t.to_string()).unwrap_or_default(),
        html: m.body_html(0).map(|t| t.to_string()).unwrap_or_default(),
    }
}

pub fn mails(sink: &SmtpSink) -> Vec<Mail> {
    sink.received().into_iter().map(|(to, raw)| parse(to, &raw)).collect()
}

/// The decision link in a message's text.
pub fn link_in(text: &str) -> String {
    let start = text.find("/decide/").expect("a decision link");
    let token: String = text[start + 8..].chars().take_while(|c| c.is_ascii_alphanumeric()).collect();
    token
}
