//! COR decisions: from an emailed link (the token is the credential; no sign-in) or signed in.
//!
//! Opening a link (the page's GET and [`decision_by_link`]) never changes anything, so mail
//! scanners that open every link decide nothing. Only the POST of [`decide_by_link`] decides,
//! and it spends the link in the same transaction as the decision: single use.

use crate::api::types::{DecisionView, RequestSummary};
use crate::error::AppError;
use leptos::prelude::*;

/// What a decision link shows. Unknown or tampered links are "not found".
#[server(endpoint = "decision_by_link")]
pub async fn decision_by_link(token: String) -> Result<DecisionView, AppError> {
    super::ssr::respond(server::by_link(token).await)
}

/// Decide from an emailed link: `verdict` is `approve` or `reject` (with a `reason`).
#[server(endpoint = "decide_by_link")]
pub async fn decide_by_link(
    token: String,
    #[server(default)] verdict: String,
    #[server(default)] reason: String,
) -> Result<(), AppError> {
    super::ssr::respond(server::decide_by_link(token, verdict, reason).await)
}

/// What a signed-in COR sees when deciding on a request.
#[server(endpoint = "decision_for_cor")]
pub async fn decision_for_cor(reference: String) -> Result<DecisionView, AppError> {
    super::ssr::respond(server::signed_in(reference).await)
}

/// Decide signed in (a COR, or an admin when every COR is out of office).
#[server(endpoint = "decide")]
pub async fn decide(
    reference: String,
    #[server(default)] verdict: String,
    #[server(default)] reason: String,
) -> Result<(), AppError> {
    super::ssr::respond(server::decide_signed_in(reference, verdict, reason).await)
}

/// Requests waiting for the signed-in COR's decision.
#[server(endpoint = "awaiting_my_decision")]
pub async fn awaiting_my_decision() -> Result<Vec<RequestSummary>, AppError> {
    super::ssr::respond(server::awaiting().await)
}

#[cfg(feature = "ssr")]
mod server {
    use crate::api::ssr::*;
    use crate::api::types::{DecisionView, RequestSummary};
    use crate::domain::access::awaits_decision_of;
    use crate::domain::calendar::spoken;
    use crate::domain::forms::FormErrors;
    use crate::domain::quorum::Verdict;
    use crate::domain::workflow::{Action, ActionKind};
    use crate::error::AppError;
    use crate::ports::{token_hash, CurrentSession, DecisionLink};

    fn verdict_of(verdict: &str, reason: &str) -> Result<Verdict, AppError> {
        let problem = |field: &str, message: &str| {
            AppError::from(FormErrors::one(field, message, &[("verdict", verdict), ("reason", reason)]))
        };
        if let Some(e) = crate::domain::limits::too_long(&crate::domain::limits::Typed {
            field: "reason",
            label: "The reason",
            value: reason,
            max: crate::domain::limits::SHORT,
        }) {
            return Err(problem(&e.field, &e.message));
        }
        match verdict {
            "approve" => Ok(Verdict::Approve),
            "reject" => Ok(Verdict::Reject(reason.trim().to_string())),
            _ => Err(problem("verdict", "Choose approve or reject")),
        }
    }

    /// The link and the COR it stands for; unknown links are "not found".
    async fn link_of(token: &str) -> Result<(String, DecisionLink, CurrentSession), AppError> {
        let store = services()?.requests.clone();
        let hash = token_hash(token.trim());
        let link = store.decision_link(&hash).await?.ok_or(AppError::NotFound)?;
        let cor = store.active_user(link.cor_id).await?.ok_or(AppError::NotFound)?;
        Ok((hash, link, CurrentSession { user: cor, token_hash: String::new() }))
    }

    fn view(l: &Loaded, closed: Option<String>, conflicts: Vec<String>) -> DecisionView {
        let r = &l.request;
        let now = l.now;
        let today = crate::domain::calendar::eastern_date(now);
        let hash = r.snapshot.plan_under_decision().clone();
        let quorum = r.snapshot.quorum(&l.cors, today).basis();
        let decided = r.snapshot.has_decided(l.session.user.id, &hash);
        let closed = closed.or_else(|| {
            if !ActionKind::Decide.taken_in(r.snapshot.state) {
                Some(format!("No decision is needed now: the request is {}.", r.snapshot.state.label().to_lowercase()))
            } else if decided {
                Some("You have decided on this plan version.".into())
            } else {
                None
            }
        });
        DecisionView {
            summary: r.summary.clone(),
            security_related: r.snapshot.security_related,
            conflicts,
            form: r.form.clone(),
            plan: r.plan.clone(),
            plan_hash: hash.short().to_string(),
            cor_name: l.session.user.display_name.clone(),
            quorum,
            decisions: r
                .snapshot
                .decisions
                .iter()
                .filter(|d| d.plan_hash == hash)
                .map(|d| match &d.verdict {
                    Verdict::Approve => format!("{} approved at {}", d.name, spoken(d.at)),
                    Verdict::Reject(reason) => format!("{} rejected at {}: {reason}", d.name, spoken(d.at)),
                })
                .collect(),
            can_decide: closed.is_none(),
            closed_reason: closed,
        }
    }

    pub async fn by_link(token: String) -> Result<DecisionView, AppError> {
        let (hash, link, cor) = link_of(&token).await?;
        let now = clock_now()?;
        services()?.requests.decision_link_opened(&hash, now).await?;
        let l = load_readable_as(&link.reference, cor).await?;
        let closed = link.standing().closed(l.request.snapshot.submitted_plan_hash.as_ref(), l.now);
        let conflicts = workflow(&l.services).conflicts(&l.session.user, &l.request, &l.calendar).await?;
        Ok(view(&l, closed, conflicts))
    }

    pub async fn decide_by_link(token: String, verdict: String, reason: String) -> Result<(), AppError> {
        let (hash, link, cor) = link_of(&token).await?;
        let choice = verdict_of(&verdict, &reason)?;
        let standing = link.standing();
        perform_as(&link.reference, cor, Some(crate::ports::EmailedLink::Decision(&hash)), ActionKind::Decide, |_| {
            let action = Action::Decide {
                verdict: choice.clone(),
                plan_hash: standing.plan_hash.clone(),
                link: Some(standing.clone()),
            };
            Ok(Change::action(action).typed(&[("verdict", &verdict), ("reason", &reason)]))
        })
        .await?;
        leptos_axum::redirect(&format!("/decide/{}", token.trim()));
        Ok(())
    }

    pub async fn signed_in(reference: String) -> Result<DecisionView, AppError> {
        let l = load_readable(&reference).await?;
        if !crate::domain::access::role_may_take(ActionKind::Decide, l.session.user.role) {
            return Err(AppError::Forbidden);
        }
        let conflicts = workflow(&l.services).conflicts(&l.session.user, &l.request, &l.calendar).await?;
        Ok(view(&l, None, conflicts))
    }

    pub async fn decide_signed_in(reference: String, verdict: String, reason: String) -> Result<(), AppError> {
        let (loaded, _) = perform(&reference, ActionKind::Decide, |l| {
            let choice = verdict_of(&verdict, &reason)?;
            let hash = l.request.snapshot.plan_under_decision().clone();
            Ok(Change::action(Action::Decide { verdict: choice, plan_hash: hash, link: None })
                .typed(&[("verdict", &verdict), ("reason", &reason)]))
        })
        .await?;
        leptos_axum::redirect(&format!("/requests/{}/decide", loaded.request.summary.reference));
        Ok(())
    }

    pub async fn awaiting() -> Result<Vec<RequestSummary>, AppError> {
        let session = require_session()?;
        if awaits_decision_of(session.user.role).is_empty() {
            return Ok(Vec::new());
        }
        Ok(services()?.requests.awaiting_decision(session.user.id).await?)
    }
}
