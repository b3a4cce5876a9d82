//! Documented operations (seed 003, step 2: "use documented operations defined in Step 1 as it
//! will be more repeatable in Step 5"): the hosting team's library of named, versioned sets of
//! plan steps; and adding steps to a plan from one, from an earlier request, or pasted in bulk,
//! each shown as a preview before it is added, each step keeping where it came from.

use crate::api::types::OperationView;
use crate::domain::plan::PlanStep;
use crate::error::AppError;
use leptos::prelude::*;

/// The newest version of every documented operation.
#[server(endpoint = "documented_operations")]
pub async fn documented_operations() -> Result<Vec<OperationView>, AppError> {
    super::ssr::respond(server::list().await)
}

/// Save an operation: a new one, or a new version of the one with this name. `steps` is a
/// Markdown table or CSV with a header row, or one step per line.
#[server(endpoint = "save_documented_operation")]
pub async fn save_documented_operation(
    #[server(default)] name: String,
    #[server(default)] steps: String,
) -> Result<(), AppError> {
    super::ssr::respond(server::save(name, steps).await)
}

/// The steps that would be added to the plan (`from`: `operation`, `request` or `paste`).
#[server(endpoint = "preview_plan_steps")]
pub async fn preview_plan_steps(
    reference: String,
    #[server(default)] from: String,
    #[server(default)] operation: String,
    #[server(default)] copy: String,
    #[server(default)] text: String,
) -> Result<Vec<PlanStep>, AppError> {
    super::ssr::respond(server::preview(reference, from, operation, copy, text).await)
}

/// Add the previewed steps at the end of the plan, as a new plan version.
#[server(endpoint = "add_plan_steps")]
pub async fn add_plan_steps(
    reference: String,
    #[server(default)] from: String,
    #[server(default)] operation: String,
    #[server(default)] copy: String,
    #[server(default)] text: String,
) -> Result<(), AppError> {
    super::ssr::respond(server::add(reference, from, operation, copy, text).await)
}

#[cfg(feature = "ssr")]
mod server {
    use crate::api::ssr::*;
    use crate::api::types::OperationView;
    use crate::domain::access::Area;
    use crate::domain::forms::{FieldError, FormErrors};
    use crate::domain::plan::library::NewOperation;
    use crate::domain::plan::paste::parse_steps;
    use crate::domain::plan::{PlanStep, StepSource};
    use crate::domain::workflow::{available_actions, ActionKind, Input};
    use crate::error::AppError;

    /// Where the steps come from, parsed once from the form.
    enum Origin {
        Operation(i64),
        Request(String),
        Paste(String),
    }

    /// The form's four fields, to come back with any problem.
    struct Typed<'a> {
        from: &'a str,
        operation: &'a str,
        copy: &'a str,
        text: &'a str,
    }

    impl Typed<'_> {
        fn problem(&self, field: &str, message: impl Into<String>) -> AppError {
            AppError::Invalid(FormErrors {
                errors: vec![FieldError { field: field.into(), message: message.into() }],
                values: vec![
                    ("from".into(), self.from.into()),
                    ("operation".into(), self.operation.into()),
                    ("copy".into(), self.copy.into()),
                    ("text".into(), self.text.into()),
                ],
            })
        }

        fn origin(&self) -> Result<Origin, AppError> {
            match self.from {
                "operation" => self
                    .operation
                    .trim()
                    .parse()
                    .map(Origin::Operation)
                    .map_err(|_| self.problem("operation", "Choose an operation")),
                "request" if self.copy.trim().is_empty() => {
                    Err(self.problem("copy", "Enter the reference of an earlier request, like ECR-2026-0012"))
                }
                "request" => Ok(Origin::Request(self.copy.trim().to_uppercase())),
                "paste" => Ok(Origin::Paste(self.text.to_string())),
                _ => Err(self.problem("from", "Choose where the steps come from")),
            }
        }

        /// The steps, each marked with where it came from.
        async fn steps(&self) -> Result<Vec<PlanStep>, AppError> {
            let marked = |steps: Vec<PlanStep>, source: StepSource| -> Vec<PlanStep> {
                steps.into_iter().map(|s| PlanStep { source: Some(source.clone()), ..s }).collect()
            };
            match self.origin()? {
                Origin::Operation(id) => {
                    let op = services()?
                        .requests
                        .operation(id)
                        .await?
                        .ok_or_else(|| self.problem("operation", "That operation is not in the library"))?;
                    let source = StepSource::Operation { name: op.name.clone(), version: op.version };
                    Ok(marked(op.steps, source))
                }
                Origin::Request(reference) => {
                    // Only a request this person may read: "not found" says nothing more.
                    let l = load_readable(&reference).await.map_err(|e| match e {
                        AppError::NotFound => {
                            self.problem("copy", format!("There is no request {reference} that you may read"))
                        }
                        e => e,
                    })?;
                    if l.request.plan.steps.is_empty() {
                        return Err(self.problem("copy", format!("{reference} has no plan steps to copy")));
                    }
                    Ok(marked(l.request.plan.steps.clone(), StepSource::Request { reference }))
                }
                Origin::Paste(text) => parse_steps(&text).map_err(|e| self.problem("text", e.to_string())),
            }
        }
    }

    pub async fn list() -> Result<Vec<OperationView>, AppError> {
        let session = require_session()?;
        if !session.user.role.has_access() {
            return Err(AppError::Forbidden);
        }
        Ok(services()?.requests.operations().await?)
    }

    pub async fn save(name: String, steps: String) -> Result<(), AppError> {
        let session = require_area(Area::OperationLibrary)?;
        let operation = NewOperation::parse(&name, &steps)?;
        services()?.requests.save_operation(&operation, &acting(&session.user)?).await?;
        leptos_axum::redirect("/operations");
        Ok(())
    }

    /// Only someone who may edit this plan learns anything from what they asked for.
    async fn may_edit_plan(reference: &str) -> Result<(), AppError> {
        let l = load_readable(reference).await?;
        if !available_actions(&l.request.snapshot, &actor_of(&l.session), &l.context()).contains(&ActionKind::EditPlan)
        {
            return Err(AppError::Forbidden);
        }
        Ok(())
    }

    pub async fn preview(
        reference: String,
        from: String,
        operation: String,
        copy: String,
        text: String,
    ) -> Result<Vec<PlanStep>, AppError> {
        may_edit_plan(&reference).await?;
        Typed { from: &from, operation: &operation, copy: &copy, text: &text }.steps().await
    }

    pub async fn add(
        reference: String,
        from: String,
        operation: String,
        copy: String,
        text: String,
    ) -> Result<(), AppError> {
        may_edit_plan(&reference).await?;
        let typed = Typed { from: &from, operation: &operation, copy: &copy, text: &text };
        let steps = typed.steps().await?;
        let (loaded, _) = perform(&reference, ActionKind::EditPlan, |l| {
            let mut plan = l.request.plan.clone();
            let first = plan.next_id();
            plan.steps.extend(steps.iter().enumerate().map(|(i, s)| PlanStep { id: first + i as u32, ..s.clone() }));
            // Added at the end of whatever the plan is now: nobody's edit is overwritten.
            Ok(Change::plan(plan, l.request.plan_version)
                .typed(&[("from", &from), ("operation", &operation), ("copy", &copy), ("text", &text)])
                .input_at(Input::StepAction, "text"))
        })
        .await?;
        leptos_axum::redirect(&format!("/requests/{}/plan", loaded.request.summary.reference));
        Ok(())
    }
}
