//! Out of office: CORs declare their absences; the hosting team and admins can record them
//! for any COR (with a note). The quorum excuses a COR who is away on the day of a decision.

use crate::api::types::AbsencesView;
use crate::error::AppError;
use leptos::prelude::*;

/// The CORs and every recorded absence.
#[server(endpoint = "absences")]
pub async fn absences() -> Result<AbsencesView, AppError> {
    super::ssr::respond(server::list().await)
}

/// Record an absence (`cor` empty: yourself). Dates are year-month-day, Eastern, inclusive.
#[server(endpoint = "declare_absence")]
pub async fn declare_absence(
    #[server(default)] cor: String,
    #[server(default)] from: String,
    #[server(default)] to: String,
    #[server(default)] note: String,
) -> Result<(), AppError> {
    super::ssr::respond(server::declare(cor, from, to, note).await)
}

/// Remove a recorded absence.
#[server(endpoint = "remove_absence")]
pub async fn remove_absence(id: String) -> Result<(), AppError> {
    super::ssr::respond(server::remove(id).await)
}

#[cfg(feature = "ssr")]
mod server {
    use crate::api::ssr::*;
    use crate::api::types::AbsencesView;
    use crate::domain::access::Area;
    use crate::domain::forms::{FieldError, FormErrors};
    use crate::domain::quorum::NewAbsence;
    use crate::domain::roles::Role;
    use crate::error::AppError;

    fn for_anyone(role: Role) -> bool {
        Area::AnyCorAbsence.allows(role)
    }

    pub async fn list() -> Result<AbsencesView, AppError> {
        let session = require_session()?;
        let role = session.user.role;
        if !Area::OwnAbsence.allows(role) && !for_anyone(role) {
            return Err(AppError::Forbidden);
        }
        let store = services()?.requests.clone();
        let cors = store.configured_cors(clock_now()?).await?.into_iter().map(|c| (c.id, c.name)).collect();
        Ok(AbsencesView { cors, absences: store.absences().await?, for_anyone: for_anyone(role), me: session.user.id })
    }

    pub async fn declare(cor: String, from: String, to: String, note: String) -> Result<(), AppError> {
        let session = require_session()?;
        let role = session.user.role;
        let store = services()?.requests.clone();
        let who = match cor.trim() {
            "" | "me" if Area::OwnAbsence.allows(role) => session.user.id,
            "" | "me" => return Err(AppError::Forbidden),
            id => {
                let id: i64 = id.parse().map_err(|_| AppError::NotFound)?;
                if id != session.user.id && !for_anyone(role) {
                    return Err(AppError::Forbidden);
                }
                id
            }
        };
        if !store.configured_cors(clock_now()?).await?.iter().any(|c| c.id == who) {
            return Err(AppError::Invalid(FormErrors {
                errors: vec![FieldError { field: "cor".into(), message: "Choose a COR".into() }],
                values: vec![("cor".into(), cor), ("from".into(), from), ("to".into(), to), ("note".into(), note)],
            }));
        }
        let absence = NewAbsence::parse(&from, &to, &note).map_err(|mut e| {
            e.values.push(("cor".into(), cor.clone()));
            e
        })?;
        store.add_absence(who, &absence, &acting(&session.user)?).await?;
        leptos_axum::redirect("/out-of-office");
        Ok(())
    }

    pub async fn remove(id: String) -> Result<(), AppError> {
        let session = require_session()?;
        // Only those who may see absences learn whether one exists.
        if !Area::OwnAbsence.allows(session.user.role) && !for_anyone(session.user.role) {
            return Err(AppError::Forbidden);
        }
        let store = services()?.requests.clone();
        let id: i64 = id.trim().parse().map_err(|_| AppError::NotFound)?;
        let absence = store.absences().await?.into_iter().find(|a| a.id == id).ok_or(AppError::NotFound)?;
        if absence.user_id != session.user.id && !for_anyone(session.user.role) {
            return Err(AppError::Forbidden);
        }
        store.remove_absence(id, &acting(&session.user)?).await?;
        leptos_axum::redirect("/out-of-office");
        Ok(())
    }
}
