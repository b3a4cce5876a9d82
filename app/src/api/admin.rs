//! Administration (admins only): people, roles, teams, invitations, deactivation. And every
//! person's own account: their sessions and API tokens; and setting a password from a link.

use crate::api::types::{AccountView, PeopleView};
use crate::error::AppError;
use leptos::prelude::*;

/// Everyone and every team.
#[server(endpoint = "people")]
pub async fn people() -> Result<PeopleView, AppError> {
    super::ssr::respond(server::people().await)
}

/// Invite a person by email: they get a single-use, expiring link to choose a password.
#[server(endpoint = "invite_person")]
pub async fn invite_person(
    #[server(default)] email: String,
    #[server(default)] name: String,
    #[server(default)] role: String,
    #[server(default)] team: String,
) -> Result<(), AppError> {
    super::ssr::respond(server::invite(email, name, role, team).await)
}

/// Change a person: `what` is `role`, `team`, `deactivate`, `reactivate` or `resend`.
#[server(endpoint = "change_person")]
pub async fn change_person(id: String, what: String, #[server(default)] value: String) -> Result<(), AppError> {
    super::ssr::respond(server::change(id, what, value).await)
}

/// Replace a team's settings: its standing stakeholder list (one email address per line), and
/// whether one person may sign off staging in several capacities (`several_capacities=yes`).
#[server(endpoint = "set_team_settings")]
pub async fn set_team_settings(
    team: String,
    #[server(default)] stakeholders: String,
    #[server(default)] several_capacities: Option<String>,
) -> Result<(), AppError> {
    super::ssr::respond(server::set_team_settings(team, stakeholders, several_capacities).await)
}

/// Create a team.
#[server(endpoint = "create_team")]
pub async fn create_team(#[server(default)] name: String) -> Result<(), AppError> {
    super::ssr::respond(server::create_team(name).await)
}

/// The signed-in person's sessions and API tokens.
#[server(endpoint = "my_account")]
pub async fn my_account() -> Result<AccountView, AppError> {
    super::ssr::respond(server::account().await)
}

/// End one of your other sessions.
#[server(endpoint = "end_session")]
pub async fn end_session(id: String) -> Result<(), AppError> {
    super::ssr::respond(server::end_session(id).await)
}

/// Create an API token; its value is shown once, in the answer.
#[server(endpoint = "create_api_token")]
pub async fn create_api_token(
    #[server(default)] name: String,
    #[server(default)] scope: String,
) -> Result<String, AppError> {
    super::ssr::respond(server::create_token(name, scope).await)
}

/// Revoke one of your API tokens.
#[server(endpoint = "revoke_api_token")]
pub async fn revoke_api_token(id: String) -> Result<(), AppError> {
    super::ssr::respond(server::revoke_token(id).await)
}

/// Whose set-password link this is (the email), if it still works.
#[server(endpoint = "password_link")]
pub async fn password_link(token: String) -> Result<String, AppError> {
    super::ssr::respond(server::password_link(token).await)
}

/// Choose a password from a link.
#[server(endpoint = "set_password")]
pub async fn set_password(
    token: String,
    #[server(default)] password: String,
    #[server(default)] confirm: String,
) -> Result<(), AppError> {
    super::ssr::respond(server::set_password(token, password, confirm).await)
}

/// Webhooks and their recent deliveries (admins).
#[server(endpoint = "webhooks")]
pub async fn webhooks() -> Result<crate::api::types::WebhooksView, AppError> {
    super::ssr::respond(server::webhooks().await)
}

/// Add a webhook; the answer is its signing secret, shown once.
#[server(endpoint = "add_webhook")]
pub async fn add_webhook(
    #[server(default)] url: String,
    #[server(default)] team: String,
    #[server(default)] events: String,
    #[server(default)] slack: String,
) -> Result<String, AppError> {
    super::ssr::respond(server::add_webhook(url, team, events, slack).await)
}

/// Turn a webhook off.
#[server(endpoint = "remove_webhook")]
pub async fn remove_webhook(id: String) -> Result<(), AppError> {
    super::ssr::respond(server::remove_webhook(id).await)
}

#[cfg(feature = "ssr")]
mod server {
    use crate::api::ssr::*;
    use crate::api::types::{AccountView, PeopleView, TeamSettings};
    use crate::domain::access::NewToken;
    use crate::domain::forms::FormErrors;
    use crate::domain::roles::{NewPerson, Role, TeamName};
    use crate::domain::webhook::NewWebhook;
    use crate::error::AppError;
    use crate::ports::PersonChange;

    pub async fn people() -> Result<PeopleView, AppError> {
        let s = require_area(Area::Administration)?;
        let p = services()?.people.clone();
        Ok(PeopleView {
            people: p.people().await?,
            teams: p.teams().await?,
            settings: p.team_settings().await?,
            me: s.user.id,
        })
    }

    /// How invitations from here tell people to sign in.
    fn sign_in_way(services: &crate::ports::Services) -> crate::domain::notify::SignInWay<'_> {
        use crate::domain::identity::PasswordSignIn;
        let methods = &services.sign_in_methods;
        crate::domain::notify::SignInWay {
            public_url: &services.public_url,
            provider: methods.provider.as_deref(),
            passwords: if methods.passwords_for_admins_only {
                PasswordSignIn::AdminsOnly
            } else {
                PasswordSignIn::Everyone
            },
        }
    }

    pub async fn invite(email: String, name: String, role: String, team: String) -> Result<(), AppError> {
        let s = require_area(Area::Administration)?;
        let services = services()?;
        let teams: Vec<i64> = services.people.teams().await?.into_iter().map(|(id, _)| id).collect();
        let person = NewPerson::parse(&email, &name, &role, &team, &teams)?;
        if services.people.invite(&person, &sign_in_way(&services), &acting(&s.user)?).await?.is_none() {
            let typed =
                [("email", email.as_str()), ("name", name.as_str()), ("role", role.as_str()), ("team", team.as_str())];
            return Err(FormErrors::one("email", "Someone with this email address already has access", &typed).into());
        }
        leptos_axum::redirect("/admin/people");
        Ok(())
    }

    pub async fn change(id: String, what: String, value: String) -> Result<(), AppError> {
        let s = require_area(Area::Administration)?;
        let services = services()?;
        let id: i64 = id.trim().parse().map_err(|_| AppError::NotFound)?;
        let acting = acting(&s.user)?;
        // An admin cannot lock themselves out (demote or deactivate themselves).
        if id == s.user.id && matches!(what.as_str(), "role" | "deactivate") {
            return Err(AppError::Refused(
                "You cannot change your own role or deactivate yourself: ask another admin".into(),
            ));
        }
        let change = match what.as_str() {
            "role" => PersonChange::Role(
                Role::parse(value.trim())
                    .ok_or_else(|| AppError::from(FormErrors::one("role", "Choose a role", &[])))?,
            ),
            "team" => PersonChange::Team(match value.trim() {
                "" => None,
                t => Some(t.parse().map_err(|_| AppError::from(FormErrors::one("team", "Choose a team", &[])))?),
            }),
            "deactivate" => PersonChange::Active(false),
            "reactivate" => PersonChange::Active(true),
            "resend" => {
                if !services.people.resend_invitation(id, &sign_in_way(&services), &acting).await? {
                    return Err(AppError::NotFound);
                }
                leptos_axum::redirect("/admin/people");
                return Ok(());
            }
            _ => return Err(AppError::NotFound),
        };
        if !services.people.change_person(id, &change, &acting).await? {
            return Err(AppError::NotFound);
        }
        leptos_axum::redirect("/admin/people");
        Ok(())
    }

    pub async fn set_team_settings(
        team: String,
        stakeholders: String,
        several_capacities: Option<String>,
    ) -> Result<(), AppError> {
        let s = require_area(Area::Administration)?;
        let id: i64 = team.trim().parse().map_err(|_| AppError::NotFound)?;
        let field_name = format!("stakeholders_{id}");
        within(&field_name, "The stakeholder list", &stakeholders, crate::domain::limits::LONG)?;
        let lines = crate::domain::cr_form::address_lines(&stakeholders).map_err(|message| {
            let several = format!("several_capacities_{id}");
            let several_typed = several_capacities.clone().unwrap_or_default();
            FormErrors::one(&field_name, &message, &[(&field_name, &stakeholders), (&several, &several_typed)])
        })?;
        let settings = TeamSettings {
            team_id: id,
            stakeholders: lines.join("\n"),
            one_signer_several_capacities: several_capacities.is_some_and(|v| v == "yes"),
        };
        if !services()?.people.set_team_settings(&settings, &acting(&s.user)?).await? {
            return Err(AppError::NotFound);
        }
        leptos_axum::redirect("/admin/people");
        Ok(())
    }

    pub async fn create_team(name: String) -> Result<(), AppError> {
        let s = require_area(Area::Administration)?;
        let name = TeamName::parse(&name)?;
        let created = services()?.people.create_team(&name, &acting(&s.user)?).await?;
        if created.is_none() {
            return Err(FormErrors::one(
                "team_name",
                "There is already a team with this name",
                &[("team_name", name.as_str())],
            )
            .into());
        }
        leptos_axum::redirect("/admin/people");
        Ok(())
    }

    pub async fn webhooks() -> Result<crate::api::types::WebhooksView, AppError> {
        let s = require_area(Area::Administration)?;
        let services = services()?;
        let p = services.people.clone();
        Ok(crate::api::types::WebhooksView {
            hooks: p.webhooks().await?,
            deliveries: p.webhook_deliveries(50).await?,
            teams: p.teams().await?,
            new_secret: services.reveal.take(&s.token_hash),
        })
    }

    pub async fn add_webhook(url: String, team: String, events: String, slack: String) -> Result<String, AppError> {
        let s = require_area(Area::Administration)?;
        let services = services()?;
        let hook = NewWebhook::parse(&url, &team, &events, &slack, services.webhooks_allow_private)?;
        let secret = services.people.add_webhook(&hook, &acting(&s.user)?).await?;
        services.reveal.put(&s.token_hash, &secret);
        Ok(secret)
    }

    pub async fn remove_webhook(id: String) -> Result<(), AppError> {
        let s = require_area(Area::Administration)?;
        let id: i64 = id.trim().parse().map_err(|_| AppError::NotFound)?;
        if !services()?.people.remove_webhook(id, &acting(&s.user)?).await? {
            return Err(AppError::NotFound);
        }
        leptos_axum::redirect("/admin/webhooks");
        Ok(())
    }

    pub async fn account() -> Result<AccountView, AppError> {
        let s = require_session()?;
        let p = services()?.people.clone();
        let mut sessions = p.sessions_of(s.user.id).await?;
        for v in &mut sessions {
            v.current = s.token_hash.starts_with(&v.id);
        }
        let new_token = services()?.reveal.take(&s.token_hash);
        Ok(AccountView { sessions, tokens: p.tokens_of(s.user.id, clock_now()?).await?, new_token })
    }

    pub async fn end_session(id: String) -> Result<(), AppError> {
        let s = require_session()?;
        if s.token_hash.starts_with(id.trim()) {
            return Err(AppError::Refused("To end this session, sign out".into()));
        }
        if !services()?.people.end_session_of(s.user.id, id.trim()).await? {
            return Err(AppError::NotFound);
        }
        leptos_axum::redirect("/account");
        Ok(())
    }

    pub async fn create_token(name: String, scope: String) -> Result<String, AppError> {
        let s = require_session()?;
        let acting = acting(&s.user)?;
        let new = NewToken::parse(&name, &scope, acting.now)?;
        let token = services()?.people.create_token(&new, &acting).await?;
        services()?.reveal.put(&s.token_hash, &token);
        Ok(token)
    }

    pub async fn revoke_token(id: String) -> Result<(), AppError> {
        let s = require_session()?;
        let id: i64 = id.trim().parse().map_err(|_| AppError::NotFound)?;
        if !services()?.people.revoke_token(id, &acting(&s.user)?).await? {
            return Err(AppError::NotFound);
        }
        leptos_axum::redirect("/account");
        Ok(())
    }

    pub async fn password_link(token: String) -> Result<String, AppError> {
        services()?.accounts.password_link(&token).await?.ok_or(AppError::NotFound)
    }

    pub async fn set_password(token: String, password: String, confirm: String) -> Result<(), AppError> {
        if password != confirm {
            return Err(FormErrors::one("confirm", "The passwords do not match", &[]).into());
        }
        services()?.accounts.set_password(&token, &password, &source_address()).await?;
        leptos_axum::redirect("/sign-in?password_set=1");
        Ok(())
    }
}
