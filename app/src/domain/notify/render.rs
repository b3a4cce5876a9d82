//! A message's text with its placeholders, the invitation, and the HTML alternative.

use super::*;

/// Stands for a COR's personal decision link in a stored body; the mail worker replaces it
/// when it sends (the raw token is never stored).
pub const DECISION_LINK: &str = "{{decision_link}}";
/// Stands for a sign-off link in a stored request to sign off; made at send time.
pub const SIGN_OFF_LINK: &str = "{{sign_off_link}}";
/// Stands for a person's set-password link in a stored invitation; made at send time.
pub const SET_PASSWORD_LINK: &str = "{{set_password_link}}";
/// How long a set-password link works, in hours (from when it is made).
pub const SET_PASSWORD_LINK_HOURS: i64 = 72;

/// What an invitation and the page that sends it say about the link.
pub fn set_password_link_terms() -> String {
    format!("The link works once and expires in {SET_PASSWORD_LINK_HOURS} hours.")
}
/// How an invitation tells someone to sign in: through the identity provider when there is one,
/// with a single-use set-password link when a password is theirs to use.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SignInWay<'a> {
    /// The address people use.
    pub public_url: &'a str,
    /// The identity provider's label, when sign-in goes through one.
    pub provider: Option<&'a str>,
    /// Who may sign in with a password.
    pub passwords: crate::domain::identity::PasswordSignIn,
}

/// The invitation's text (its set-password link, if any, made when it is sent).
pub fn invitation_text(name: &str, role: crate::domain::roles::Role, way: &SignInWay<'_>) -> String {
    let mut text = format!(
        "Hello {name},\n\nYou have been given access to Offcycle, the emergency change service, as {}.\n\n",
        role.label()
    );
    let url = way.public_url;
    if let Some(provider) = way.provider {
        text.push_str(&format!("Sign in at {url}/sign-in with \"Sign in with {provider}\".\n\n"));
    }
    if way.passwords.allows(role) {
        let lead = if way.provider.is_some() { "Or choose a password" } else { "Choose your password" };
        text.push_str(&format!(
            "{lead}: {SET_PASSWORD_LINK}\n{}\n\n\
             Then sign in at {url}/sign-in with this email address.\n",
            set_password_link_terms()
        ));
    }
    text
}

/// Stands for the link's expiry time in a stored body.
pub const LINK_EXPIRY: &str = "{{link_expiry}}";

/// The plain-text body of a message.
pub fn render_text(message: &Message, ctx: &MessageContext) -> String {
    let mut out = format!("{}\n\n{} — {}\nSystem: {}\n", message.kind.headline(), ctx.reference, ctx.title, ctx.system);
    if let Some(note) = &ctx.note {
        out.push_str(&format!("\n{note}\n"));
    }
    if message.kind.carries_decision_link() {
        out.push_str(&format!(
            "\nReview and decide: {DECISION_LINK}\nThis link is yours alone. It works once and expires {LINK_EXPIRY}. \
             Opening it changes nothing; only the Approve or Reject button records a decision.\n"
        ));
    }
    if let MessageKind::SignOffRequest(role) = &message.kind {
        out.push_str(&format!(
            "\nSign off as {}: {SIGN_OFF_LINK}\nThe page shows the plan and what was changed in staging. This link is yours \
             alone: you need no account. It works once and expires {LINK_EXPIRY}. Opening it changes nothing; only the \
             Sign off button records your sign-off.\n",
            role.label()
        ));
    } else {
        out.push_str(&format!("\nOpen the request: {}\n", ctx.link));
    }
    out.push_str("\nYou receive this message because:\n");
    for a in message.to.iter().chain(&message.cc) {
        out.push_str(&format!("- {}\n", a.reason));
    }
    out
}

/// The HTML body: the plain text, escaped, with its links made clickable. The text body is
/// the source of truth; this alternative only adds links and paragraphs.
pub fn render_html(text: &str) -> String {
    fn escape(s: &str) -> String {
        s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
    }
    let mut html = String::from(
        "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"></head>\
         <body style=\"font-family: Arial, sans-serif; font-size: 16px; line-height: 1.5\">",
    );
    for paragraph in text.split("\n\n") {
        let lines: Vec<String> = paragraph
            .lines()
            .map(|line| {
                let words: Vec<String> = line
                    .split(' ')
                    .map(|w| {
                        if w.starts_with("https://") || w.starts_with("http://") {
                            let e = escape(w);
                            format!("<a href=\"{e}\">{e}</a>")
                        } else {
                            escape(w)
                        }
                    })
                    .collect();
                words.join(" ")
            })
            .collect();
        html.push_str(&format!("<p>{}</p>", lines.join("<br>")));
    }
    html.push_str("</body></html>");
    html
}

#[cfg(test)]
mod html_tests {
    use super::*;

    #[test]
    fn html_escapes_everything_and_links_only_urls() {
        let html = render_html("Hello <b>&</b>\nOpen: https://x.gov/a?b=1&c=2\n\nBye");
        assert!(html.contains("Hello &lt;b&gt;&amp;&lt;/b&gt;<br>"));
        assert!(html.contains("<a href=\"https://x.gov/a?b=1&amp;c=2\">https://x.gov/a?b=1&amp;c=2</a>"));
        assert!(html.contains("<p>Bye</p>"));
        assert!(!html.contains("<b>"));
    }
}

#[cfg(test)]
mod invitation_tests {
    use super::*;
    use crate::domain::identity::PasswordSignIn;
    use crate::domain::roles::Role;

    #[test]
    fn an_invitation_offers_the_identity_provider_and_a_password_only_to_whom_may_use_one() {
        let plain = SignInWay { public_url: "https://o.gov", provider: None, passwords: PasswordSignIn::Everyone };
        let text = invitation_text("Ana", Role::Cor, &plain);
        assert!(text.contains("Choose your password: {{set_password_link}}") && text.contains("as COR"));
        assert!(text.contains("The link works once and expires in 72 hours."), "{text}");
        let sso = SignInWay { provider: Some("Login.gov"), ..plain };
        let text = invitation_text("Ana", Role::Cor, &sso);
        assert!(text.contains("\"Sign in with Login.gov\"") && text.contains("Or choose a password"));
        let sso_only = SignInWay { passwords: PasswordSignIn::AdminsOnly, ..sso };
        let text = invitation_text("Ana", Role::Cor, &sso_only);
        assert!(!text.contains(SET_PASSWORD_LINK), "no password link for someone who may not use one: {text}");
        assert!(
            invitation_text("Ana", Role::Admin, &sso_only).contains(SET_PASSWORD_LINK),
            "break-glass admins get one"
        );
    }
}
