//! The demo organisation: one person per role, so a newcomer can try every part of the process.

use crate::auth::{hash_password, new_token};
use crate::store::Store;
use app::domain::roles::Role;

/// The demo people: (email, name, role, team).
pub const DEMO_PEOPLE: &[(&str, &str, Role, Option<&str>)] = &[
    ("dev@example.gov", "Dana Developer", Role::DevTeamMember, Some("Grants Portal team")),
    ("hosting@example.gov", "Hal Hosting", Role::HostingEngineer, Some("Hosting team")),
    ("lead@example.gov", "Lee Lead", Role::HostingLead, Some("Hosting team")),
    ("cor1@example.gov", "Elizabeth COR", Role::Cor, None),
    ("cor2@example.gov", "Alana COR", Role::Cor, None),
    ("isso@example.gov", "Iris ISSO", Role::Isso, None),
    ("archivist@example.gov", "Arlo Archivist", Role::Archivist, None),
    ("admin@example.gov", "Ada Admin", Role::Admin, None),
];

/// Creates the demo organisation when the database has no people yet; sets every demo
/// person's password to `password` when one is configured. Returns the password to print when
/// it was generated here (printed once: it is stored only as a hash).
pub async fn seed(
    store: &Store,
    password: Option<&str>,
) -> Result<Option<String>, Box<dyn std::error::Error + Send + Sync>> {
    let fresh = store.user_count().await? == 0;
    if !fresh && password.is_none() {
        return Ok(None);
    }
    let (password, generated) = match password {
        Some(p) => (p.to_string(), false),
        None => (new_token()[..16].to_string(), true),
    };
    let hash = {
        let password = password.clone();
        tokio::task::spawn_blocking(move || hash_password(&password)).await?.map_err(|e| e.to_string())?
    };
    let now = chrono::Utc::now().timestamp_millis();
    for (email, name, role, team) in DEMO_PEOPLE {
        let team_id = match team {
            Some(t) => Some(store.ensure_team(t).await?),
            None => None,
        };
        store.ensure_user(email, name, *role, team_id, Some(&hash), now).await?;
    }
    Ok(generated.then_some(password))
}
