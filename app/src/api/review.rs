//! The hosting team's review (taking a request is in `queue`): record the risk review, return it to the dev
//! team, or submit it to the CORs. Thin, like the wizard: authorise, domain, one transaction.

use crate::error::AppError;
use leptos::prelude::*;
use std::collections::BTreeMap;

/// Record the security and performance risk review (`fields[risk_<key>]=yes` per risk).
#[server(endpoint = "record_risk_review")]
pub async fn record_risk_review(
    reference: String,
    #[server(default)] security_related: String,
    #[server(default)] reason: String,
    #[server(default)] notes: String,
    #[server(default)] fields: BTreeMap<String, String>,
) -> Result<(), AppError> {
    super::ssr::respond(server::record_risk_review(reference, security_related, reason, notes, fields).await)
}

/// Send the request back to the dev team with comments.
#[server(endpoint = "return_to_dev")]
pub async fn return_to_dev(reference: String, #[server(default)] comments: String) -> Result<(), AppError> {
    super::ssr::respond(server::return_to_dev(reference, comments).await)
}

/// Submit to the CORs: freezes the plan version and queues one message per COR.
#[server(endpoint = "submit_to_cors")]
pub async fn submit_to_cors(reference: String) -> Result<(), AppError> {
    super::ssr::respond(server::submit_to_cors(reference).await)
}

#[cfg(feature = "ssr")]
mod server {
    use crate::api::ssr::*;
    use crate::domain::cr_form::{Choice, YesNo};
    use crate::domain::limits;
    use crate::domain::review::{RiskReview, RISKS};
    use crate::domain::workflow::{Action, ActionKind};
    use crate::error::AppError;
    use std::collections::BTreeMap;

    fn go(reference: &str, path: &str) {
        leptos_axum::redirect(&format!("/requests/{reference}/{path}"));
    }

    pub async fn record_risk_review(
        reference: String,
        security_related: String,
        reason: String,
        notes: String,
        fields: BTreeMap<String, String>,
    ) -> Result<(), AppError> {
        limits::check(&[
            limits::Typed { field: "reason", label: "The reason", value: &reason, max: limits::SHORT },
            limits::Typed { field: "notes", label: "Notes", value: &notes, max: limits::LONG },
        ])?;
        let risks = RISKS
            .iter()
            .filter(|(k, _)| fields.get(&format!("risk_{k}")).is_some_and(|v| v == "yes"))
            .map(|(k, _)| k.to_string())
            .collect();
        // A key nobody offered is no answer: the review asks for one at the field.
        let security_related = YesNo::parse(&security_related);
        let typed = RiskReview { risks, notes, security_related, reason };
        let (loaded, _) = perform(&reference, ActionKind::RecordRiskReview, |_| {
            let review = typed.clone().validated()?;
            let mut c = Change::action(Action::RecordRiskReview { security_related: review.is_security_related() });
            c.risk_review = Some(review.clone());
            Ok(c)
        })
        .await?;
        go(&loaded.request.summary.reference, "review");
        Ok(())
    }

    pub async fn return_to_dev(reference: String, comments: String) -> Result<(), AppError> {
        let comments = within("comments", "Comments", &comments, limits::LONG)?;
        let (loaded, _) = perform(&reference, ActionKind::ReturnToDev, |_| {
            Ok(Change::action(Action::ReturnToDev { comments: comments.clone() }).typed(&[("comments", &comments)]))
        })
        .await?;
        go(&loaded.request.summary.reference, "review");
        Ok(())
    }

    pub async fn submit_to_cors(reference: String) -> Result<(), AppError> {
        let (loaded, _) =
            perform(&reference, ActionKind::SubmitToCors, |_| Ok(Change::action(Action::SubmitToCors))).await?;
        go(&loaded.request.summary.reference, "review");
        Ok(())
    }
}
