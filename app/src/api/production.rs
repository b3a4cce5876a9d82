//! Step 5, production: start the approved plan, mark each step, roll back when one fails,
//! hand over for validation, and the dev team's validation; holds that stop it all.

use crate::api::types::ProductionView;
use crate::error::AppError;
use leptos::prelude::*;

/// The production page's data.
#[server(endpoint = "production_view")]
pub async fn get_production(reference: String) -> Result<ProductionView, AppError> {
    super::ssr::respond(server::production_view(reference).await)
}

/// Start production work (a reason is needed outside the production window).
#[server(endpoint = "start_production")]
pub async fn start_production(reference: String, #[server(default)] override_reason: String) -> Result<(), AppError> {
    super::ssr::respond(server::start_production(reference, override_reason).await)
}

/// Mark a step started, done or failed, or (after a failure) a step's rollback done.
#[server(endpoint = "record_step")]
pub async fn record_step(
    reference: String,
    step: String,
    #[server(default)] rollback: String,
    status: String,
    #[server(default)] note: String,
) -> Result<(), AppError> {
    super::ssr::respond(server::record_step(reference, step, rollback, status, note).await)
}

/// Every step is done: hand over to the dev team to validate in production.
#[server(endpoint = "finish_production")]
pub async fn finish_production(reference: String) -> Result<(), AppError> {
    super::ssr::respond(server::finish_production(reference).await)
}

/// The rollback is done (or production work is abandoned): the request ends rolled back.
#[server(endpoint = "confirm_rollback")]
pub async fn confirm_rollback(reference: String, #[server(default)] reason: String) -> Result<(), AppError> {
    super::ssr::respond(server::confirm_rollback(reference, reason).await)
}

/// The dev team confirms the change works in production: completed, stakeholders told.
#[server(endpoint = "validate_production")]
pub async fn validate_production(reference: String, #[server(default)] note: String) -> Result<(), AppError> {
    super::ssr::respond(server::validate_production(reference, note).await)
}

/// Raise a hold: nothing moves towards production until it is lifted.
#[server(endpoint = "raise_hold")]
pub async fn raise_hold(reference: String, #[server(default)] reason: String) -> Result<(), AppError> {
    super::ssr::respond(server::raise_hold(reference, reason).await)
}

/// Lift the hold.
#[server(endpoint = "lift_hold")]
pub async fn lift_hold(reference: String) -> Result<(), AppError> {
    super::ssr::respond(server::lift_hold(reference).await)
}

/// The request's version while production work is under way: the production page asks every
/// few seconds and shows the newer page when it changed (a number, so the browser's part stays small).
#[server(endpoint = "production_version")]
pub async fn production_version(reference: String) -> Result<i64, AppError> {
    super::ssr::respond(server::production_version(reference).await)
}

/// Log a problem met during the change (it joins the problem log across requests).
#[server(endpoint = "log_problem")]
pub async fn log_problem(reference: String, #[server(default)] text: String) -> Result<(), AppError> {
    super::ssr::respond(server::log_problem(reference, text).await)
}

/// The post-deployment review (`fields[verify_<key>]=yes` per verification item).
#[server(endpoint = "record_post_review")]
pub async fn record_post_review(
    reference: String,
    #[server(default)] lessons: String,
    #[server(default)] fields: std::collections::BTreeMap<String, String>,
) -> Result<(), AppError> {
    super::ssr::respond(server::record_post_review(reference, lessons, fields).await)
}

/// The problem log across requests, for the hosting team.
#[server(endpoint = "problem_log")]
pub async fn problem_log() -> Result<Vec<crate::domain::execution::Problem>, AppError> {
    super::ssr::respond(server::problem_log().await)
}

#[cfg(feature = "ssr")]
mod server {
    use crate::api::ssr::*;
    use crate::api::types::ProductionView;
    use crate::domain::execution::{progress, StepStatus};
    use crate::domain::limits;
    use crate::domain::workflow::{available_actions, Action, ActionKind, Input};
    use crate::error::AppError;

    /// Takes one action from the production page, then shows the page again.
    async fn act(
        reference: &str,
        kind: ActionKind,
        change: impl Fn(&crate::service::Readable) -> Result<Change, AppError>,
    ) -> Result<(), AppError> {
        let (loaded, _) = perform(reference, kind, change).await?;
        let reference = &loaded.request.summary.reference;
        leptos_axum::redirect(&format!("/requests/{reference}/production"));
        Ok(())
    }

    pub async fn production_view(reference: String) -> Result<ProductionView, AppError> {
        let l = load_readable(&reference).await?;
        let r = &l.request;
        let (now, ctx) = (l.now, l.context());
        let live = r.summary.state.in_production();
        let end = if live { now } else { r.execution.last().map(|m| m.at).unwrap_or(now) };
        Ok(ProductionView {
            summary: r.summary.clone(),
            progress: progress(&r.plan, &r.execution),
            available: available_actions(&r.snapshot, &actor_of(&l.session), &ctx),
            started_at: r.implementation_started_at,
            elapsed_minutes: r.implementation_started_at.map(|s| (end - s).num_minutes().max(0)),
            override_reason: r.override_reason.clone(),
            window_warnings: l.calendar.check(now).iter().map(|w| w.message()).collect(),
            hold: r.snapshot.hold.as_ref().map(|h| h.reason.clone()),
            closing_note: r.closing_note.clone(),
            assigned_name: r.assigned_name.clone(),
            live,
            version: r.row_version,
            post_review: r.post_review.clone(),
            problems: r.problems.clone(),
        })
    }

    pub async fn production_version(reference: String) -> Result<i64, AppError> {
        Ok(load_readable(&reference).await?.request.row_version)
    }

    pub async fn start_production(reference: String, override_reason: String) -> Result<(), AppError> {
        let reason = within("override_reason", "The reason", &override_reason, limits::SHORT)?;
        act(&reference, ActionKind::StartImplementation, |_| {
            let action =
                Action::StartImplementation { override_reason: Some(reason.clone()).filter(|r| !r.is_empty()) };
            Ok(Change::action(action).typed(&[("override_reason", &reason)]))
        })
        .await
    }

    pub async fn record_step(
        reference: String,
        step: String,
        rollback: String,
        status: String,
        note: String,
    ) -> Result<(), AppError> {
        let step: u32 = step.trim().parse().map_err(|_| AppError::NotFound)?;
        let rollback = matches!(rollback.as_str(), "true" | "on" | "yes");
        let status = StepStatus::parse(status.trim()).ok_or(AppError::NotFound)?;
        let field = status.note_field(rollback);
        let note = within(field, "The note", &note, limits::SHORT)?;
        act(&reference, ActionKind::RecordStep, |_| {
            let action = Action::RecordStep { step, rollback, status, note: note.clone() };
            Ok(Change::action(action).input_at(Input::Note, field).typed(&[(field, &note)]))
        })
        .await
    }

    pub async fn finish_production(reference: String) -> Result<(), AppError> {
        act(&reference, ActionKind::FinishImplementation, |_| Ok(Change::action(Action::FinishImplementation))).await
    }

    pub async fn confirm_rollback(reference: String, reason: String) -> Result<(), AppError> {
        let reason = within("reason", "The reason", &reason, limits::SHORT)?;
        act(&reference, ActionKind::AbortAndRollBack, |_| {
            Ok(Change::action(Action::AbortAndRollBack { reason: reason.clone() }).typed(&[("reason", &reason)]))
        })
        .await
    }

    pub async fn validate_production(reference: String, note: String) -> Result<(), AppError> {
        let note = within("note", "The note", &note, limits::SHORT)?;
        act(&reference, ActionKind::ValidateInProduction, |_| {
            Ok(Change::action(Action::ValidateInProduction { note: note.clone() }).typed(&[("note", &note)]))
        })
        .await
    }

    pub async fn raise_hold(reference: String, reason: String) -> Result<(), AppError> {
        let reason = within("hold_reason", "The reason", &reason, limits::SHORT)?;
        act(&reference, ActionKind::RaiseHold, |_| {
            Ok(Change::action(Action::RaiseHold { reason: reason.clone() })
                .input_at(Input::Reason, "hold_reason")
                .typed(&[("hold_reason", &reason)]))
        })
        .await
    }

    pub async fn lift_hold(reference: String) -> Result<(), AppError> {
        act(&reference, ActionKind::LiftHold, |_| Ok(Change::action(Action::LiftHold))).await
    }

    pub async fn log_problem(reference: String, text: String) -> Result<(), AppError> {
        let text = within("problem", "The problem", &text, limits::LONG)?;
        act(&reference, ActionKind::LogProblem, |_| {
            Ok(Change::action(Action::LogProblem { text: text.clone() }).typed(&[("problem", &text)]))
        })
        .await
    }

    pub async fn record_post_review(
        reference: String,
        lessons: String,
        fields: std::collections::BTreeMap<String, String>,
    ) -> Result<(), AppError> {
        use crate::domain::execution::VERIFICATION;
        within("lessons", "Lessons learned", &lessons, limits::LONG)?;
        let checks: Vec<String> = VERIFICATION
            .iter()
            .filter(|(k, _)| fields.get(&format!("verify_{k}")).is_some_and(|v| v == "yes"))
            .map(|(k, _)| k.to_string())
            .collect();
        let lessons = lessons.trim().to_string();
        act(&reference, ActionKind::RecordPostReview, |_| {
            let action = Action::RecordPostReview { checks: checks.clone(), lessons: lessons.clone() };
            Ok(Change::action(action).typed(&[("lessons", &lessons), ("verify", &checks.join(","))]))
        })
        .await
    }

    pub async fn problem_log() -> Result<Vec<crate::domain::execution::Problem>, AppError> {
        require_area(Area::ProblemLog)?;
        Ok(services()?.requests.problem_log(500).await?)
    }
}
