//! Where webhooks may point: an https receiver on the public internet, unless an operator
//! allows private ones (a receiver inside the agency's network). The server cannot then be
//! turned against itself or its neighbours (cloud metadata at 169.254.169.254, an admin port on
//! loopback).

use super::forms::FormErrors;
use super::limits::{too_long, Typed, SHORT};
use super::notify::EVENT_KEYS;
use std::net::IpAddr;

/// A receiver address, parsed: scheme and host (port and path are the receiver's business).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Receiver {
    /// True for https.
    pub https: bool,
    /// The host name or address, without brackets.
    pub host: String,
    /// The port, as given or the scheme's.
    pub port: u16,
}

/// Parses `url` as a receiver address, or says what is wrong with it.
pub fn receiver(url: &str) -> Result<Receiver, &'static str> {
    let (https, rest) = if let Some(r) = url.strip_prefix("https://") {
        (true, r)
    } else if let Some(r) = url.strip_prefix("http://") {
        (false, r)
    } else {
        return Err("Enter the receiver's address, starting with https://");
    };
    if url.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err("Enter the receiver's address without spaces");
    }
    // The form says the limit with the count (NewWebhook::parse); this guards every other caller.
    if url.chars().count() > super::limits::URL {
        return Err("The receiver's address is too long");
    }
    let authority = rest.split(['/', '?', '#']).next().unwrap_or_default();
    if authority.contains('@') {
        return Err("The receiver's address may not carry a user name or password");
    }
    let (host, port) = match authority.strip_prefix('[') {
        Some(v6) => {
            let (host, after) = v6.split_once(']').ok_or("Enter the receiver's address, starting with https://")?;
            (host, after.strip_prefix(':'))
        }
        None => match authority.rsplit_once(':') {
            Some((h, p)) => (h, Some(p)),
            None => (authority, None),
        },
    };
    let port = match port {
        None => {
            if https {
                443
            } else {
                80
            }
        }
        Some(p) => p.parse().map_err(|_| "The receiver's port must be a number")?,
    };
    if host.is_empty() {
        return Err("Enter the receiver's address, starting with https://");
    }
    Ok(Receiver { https, host: host.to_ascii_lowercase(), port })
}

/// True for an address on the public internet: not loopback, private, link-local, shared
/// (carrier NAT), unspecified, multicast, broadcast or documentation space.
pub fn is_public(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => {
            let [a, b, ..] = v4.octets();
            !(v4.is_loopback()
                || v4.is_private()
                || v4.is_link_local()
                || v4.is_unspecified()
                || v4.is_multicast()
                || v4.is_broadcast()
                || v4.is_documentation()
                || a == 0
                || (a == 100 && (64..128).contains(&b)))
        }
        IpAddr::V6(v6) => {
            if let Some(v4) = v6.to_ipv4_mapped() {
                return is_public(IpAddr::V4(v4));
            }
            let first = v6.segments()[0];
            !(v6.is_loopback()
                || v6.is_unspecified()
                || v6.is_multicast()
                || (first & 0xfe00) == 0xfc00
                || (first & 0xffc0) == 0xfe80
                || first == 0x2001 && v6.segments()[1] == 0x0db8)
        }
    }
}

/// What is wrong with delivering to `receiver` at `addresses` (all of them the host resolves
/// to), if anything, unless private receivers are allowed.
pub fn refusal(receiver: &Receiver, addresses: &[IpAddr], allow_private: bool) -> Option<&'static str> {
    if allow_private {
        return None;
    }
    if !receiver.https {
        return Some("The receiver's address must start with https://");
    }
    if addresses.is_empty() {
        return Some("The receiver's host name does not resolve");
    }
    if !addresses.iter().all(|ip| is_public(*ip)) {
        return Some("The receiver must be on the public internet, not a loopback, private or link-local address");
    }
    None
}

/// What can be told of `url` before any name is looked up (when a webhook is added): the
/// scheme, and a host that is an address or `localhost`. Names are checked again, resolved,
/// at every delivery.
pub fn address_refusal(url: &str, allow_private: bool) -> Option<&'static str> {
    let r = match receiver(url) {
        Ok(r) => r,
        Err(e) => return Some(e),
    };
    let literal: Vec<IpAddr> = match r.host.parse::<IpAddr>() {
        Ok(ip) => vec![ip],
        Err(_) if r.host == "localhost" || r.host.ends_with(".localhost") => vec![IpAddr::from([127, 0, 0, 1])],
        // A name: public unless its resolution says otherwise at delivery.
        Err(_) => vec![IpAddr::from([93, 184, 216, 34])],
    };
    refusal(&r, &literal, allow_private)
}

/// The address as it may appear in logs: scheme and host, never the path or query (which
/// often carry the receiver's secret, as Slack's do).
pub fn redacted(url: &str) -> String {
    match receiver(url) {
        Ok(r) => format!("{}://{}/…", if r.https { "https" } else { "http" }, r.host),
        Err(_) => "(an invalid address)".into(),
    }
}

/// A webhook an admin adds, parsed from the form: where it posts, for which team and events.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewWebhook {
    /// The receiver's address (checked by [`address_refusal`]).
    pub url: String,
    /// Only this team's requests (`None`: every team's).
    pub team_id: Option<i64>,
    /// Event keys, comma-separated, or `*` for every event.
    pub events: String,
    /// Post Slack's message shape rather than the event itself.
    pub slack: bool,
}

impl NewWebhook {
    /// Parses the form's fields, or says at the field what is wrong (with what was typed).
    pub fn parse(
        url: &str,
        team: &str,
        events: &str,
        slack: &str,
        allow_private: bool,
    ) -> Result<NewWebhook, FormErrors> {
        let url = url.trim();
        let typed = [("url", url), ("team", team), ("events", events), ("slack", slack)];
        let fail = |field: &str, message: &str| FormErrors::one(field, message, &typed);
        let long = [
            Typed { field: "url", label: "The receiver's address", value: url, max: super::limits::URL },
            Typed { field: "events", label: "The event list", value: events, max: SHORT },
        ];
        if let Some(e) = long.iter().find_map(too_long) {
            return Err(fail(&e.field, &e.message));
        }
        let events = match events.trim() {
            "" => "*".to_string(),
            e => e.split(',').map(str::trim).filter(|e| !e.is_empty()).collect::<Vec<_>>().join(","),
        };
        if let Some(why) = address_refusal(url, allow_private) {
            return Err(fail("url", why));
        }
        if let Some(bad) = events.split(',').find(|e| *e != "*" && !EVENT_KEYS.contains(e)) {
            return Err(fail("events", &format!("“{bad}” is not an event; use * or keys like approved, rejected")));
        }
        let team_id = match team.trim() {
            "" => None,
            t => Some(t.parse().map_err(|_| fail("team", "Choose a team"))?),
        };
        Ok(NewWebhook { url: url.to_string(), team_id, events, slack: slack == "yes" })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    #[test]
    fn a_new_webhook_parses_its_form_or_names_the_field() {
        let hook =
            NewWebhook::parse(" https://hooks.example.gov/x ", "3", " approved, ,rejected ", "yes", false).unwrap();
        assert_eq!(
            hook,
            NewWebhook {
                url: "https://hooks.example.gov/x".into(),
                team_id: Some(3),
                events: "approved,rejected".into(),
                slack: true
            }
        );
        assert_eq!(NewWebhook::parse("https://hooks.example.gov/x", "", "", "", false).unwrap().events, "*");
        let field = |r: Result<NewWebhook, FormErrors>| r.unwrap_err().errors[0].field.clone();
        assert_eq!(field(NewWebhook::parse("https://10.0.0.8/x", "", "*", "", false)), "url");
        assert_eq!(
            field(NewWebhook::parse("https://hooks.example.gov/x", "", "approved,nonsense", "", false)),
            "events"
        );
        assert_eq!(field(NewWebhook::parse("https://hooks.example.gov/x", "ops", "*", "", false)), "team");
        let start = "https://hooks.example.gov/";
        let long = format!("{start}{}", "é".repeat(crate::domain::limits::URL - start.len() + 1));
        let refused = NewWebhook::parse(&long, "", "*", "", false).unwrap_err();
        assert_eq!(
            (refused.errors[0].field.as_str(), refused.errors[0].message.as_str()),
            ("url", "The receiver's address must be 500 characters or fewer (it has 501)"),
            "counted in characters, not bytes"
        );
        assert!(NewWebhook::parse(&long[..long.len() - 2], "", "*", "", false).is_ok(), "500 characters pass");
        let kept = NewWebhook::parse("https://hooks.example.gov/x", "ops", "*", "", false).unwrap_err();
        assert_eq!(kept.value_of("url"), Some("https://hooks.example.gov/x"), "what was typed comes back");
    }

    #[test]
    fn only_public_addresses_pass() {
        for bad in [
            "127.0.0.1",
            "10.1.2.3",
            "172.16.0.1",
            "192.168.1.1",
            "169.254.169.254",
            "100.64.0.1",
            "100.127.255.255",
            "0.0.0.0",
            "0.1.2.3",
            "224.0.0.1",
            "255.255.255.255",
            "192.0.2.1",
            "ff02::1",
            "::",
            "::1",
            "fe80::1",
            "fd00::1",
            "::ffff:127.0.0.1",
            "2001:db8::1",
        ] {
            assert!(!is_public(ip(bad)), "{bad}");
        }
        // Around the carrier-NAT block 100.64.0.0/10 and its second octet elsewhere; 2001: outside
        // the documentation prefix.
        for good in [
            "93.184.216.34",
            "2606:4700::1111",
            "8.8.8.8",
            "100.63.255.255",
            "100.128.0.1",
            "8.64.0.1",
            "2001:4860:4860::8888",
        ] {
            assert!(is_public(ip(good)), "{good}");
        }
    }

    #[test]
    fn receivers_parse_and_must_be_https_on_public_addresses() {
        let r = receiver("https://[::1]:8443/hook").unwrap();
        assert_eq!((r.host.as_str(), r.port, r.https), ("::1", 8443, true));
        let r = receiver("http://Hooks.Example.gov/x?y").unwrap();
        assert_eq!((r.host.as_str(), r.port, r.https), ("hooks.example.gov", 80, false));
        assert!(receiver("ftp://x").is_err());
        assert!(receiver("https://user:pw@hooks.example.gov/").is_err());
        assert!(receiver("https:///path").is_err());
        for spaced in ["https://hooks.example .gov/", "https://hooks.example.gov/\u{7}", "https://hooks.example.gov/\n"]
        {
            assert_eq!(receiver(spaced), Err("Enter the receiver's address without spaces"), "{spaced:?}");
        }
        let public = [ip("93.184.216.34")];
        assert_eq!(refusal(&receiver("https://hooks.example.gov/x").unwrap(), &public, false), None);
        assert!(refusal(&receiver("http://hooks.example.gov/x").unwrap(), &public, false).is_some());
        assert!(refusal(&receiver("https://a.example/").unwrap(), &[public[0], ip("10.0.0.1")], false).is_some());
        assert!(refusal(&receiver("https://a.example/").unwrap(), &[], false).is_some());
        assert_eq!(refusal(&receiver("http://127.0.0.1:9/").unwrap(), &[ip("127.0.0.1")], true), None);
    }

    #[test]
    fn adding_a_webhook_refuses_what_is_plainly_private() {
        for bad in [
            "http://hooks.example.gov/x",
            "https://127.0.0.1/x",
            "https://localhost:8080/",
            "https://[::1]/",
            "https://169.254.169.254/latest",
        ] {
            assert!(address_refusal(bad, false).is_some(), "{bad}");
        }
        assert_eq!(address_refusal("https://hooks.example.gov/x", false), None);
        assert_eq!(address_refusal("http://127.0.0.1:9/hook", true), None, "an operator may allow private receivers");
        assert!(address_refusal("ftp://x", true).is_some(), "but never another scheme");
    }

    #[test]
    fn logs_see_the_host_not_the_secret_path() {
        assert_eq!(redacted("https://hooks.slack.com/services/T00/B00/XXXX"), "https://hooks.slack.com/…");
    }
}
