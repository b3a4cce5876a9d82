//! The dev-team wizard's server functions: one per step. Each is thin: authorise, ask the
//! domain, persist in one transaction (see `ssr::perform`), then send the browser onwards.

use crate::api::types::{MailView, RequestView};
use crate::error::AppError;
use leptos::prelude::*;
use std::collections::BTreeMap;

/// The wizard's view of one request.
#[server(endpoint = "get_request_view")]
pub async fn get_request_view(reference: String) -> Result<RequestView, AppError> {
    super::ssr::respond(server::request_view(reference).await)
}

/// Step 0: answer the triage questions.
#[server(endpoint = "answer_triage")]
pub async fn answer_triage(
    reference: String,
    #[server(default)] active_incident: String,
    #[server(default)] users_cannot_access: String,
    #[server(default)] performance_degraded: String,
    #[server(default)] security_or_quality_need: String,
) -> Result<(), AppError> {
    let form = crate::domain::triage::TriageForm(vec![
        ("active_incident".into(), active_incident),
        ("users_cannot_access".into(), users_cannot_access),
        ("performance_degraded".into(), performance_degraded),
        ("security_or_quality_need".into(), security_or_quality_need),
    ]);
    super::ssr::respond(server::answer_triage(reference, form).await)
}

/// Step 1: add a step (no `step_id`) or replace the step with that id. The step's fields post
/// as `step[action]`, `step[commands]`, … A save based on an older plan version is an edit
/// conflict: nothing is saved, and the typed text comes back with what changed.
#[server(endpoint = "save_plan_step")]
pub async fn save_plan_step(
    reference: String,
    base_version: String,
    #[server(default)] step_id: String,
    step: crate::domain::forms::PlanStepForm,
) -> Result<(), AppError> {
    super::ssr::respond(server::save_plan_step(reference, base_version, step_id, step).await)
}

/// Step 1: move a step up or down, or delete it.
#[server(endpoint = "change_plan_step")]
pub async fn change_plan_step(
    reference: String,
    base_version: String,
    index: String,
    command: String,
) -> Result<(), AppError> {
    super::ssr::respond(server::change_plan_step(reference, base_version, index, command).await)
}

/// Step 1 → 2: the plan is complete.
#[server(endpoint = "complete_plan")]
pub async fn complete_plan(reference: String) -> Result<(), AppError> {
    super::ssr::respond(server::simple(reference, crate::domain::workflow::Action::CompletePlan).await)
}

/// Step 2: what was changed in staging.
#[server(endpoint = "save_staging_notes")]
pub async fn save_staging_notes(reference: String, #[server(default)] notes: String) -> Result<(), AppError> {
    super::ssr::respond(server::save_staging_notes(reference, notes).await)
}

/// Step 2: ask hosting for a call (within [`crate::domain::sla::ASSISTANCE_CALL_HOURS`]).
#[server(endpoint = "request_hosting_help")]
pub async fn request_hosting_help(reference: String) -> Result<(), AppError> {
    super::ssr::respond(server::simple(reference, crate::domain::workflow::Action::RequestHostingHelp).await)
}

/// Step 2: sign off staging as yourself, in one capacity.
#[server(endpoint = "sign_off_staging")]
pub async fn sign_off_staging(
    reference: String,
    #[server(default)] role: String,
    #[server(default)] evidence: String,
) -> Result<(), AppError> {
    super::ssr::respond(server::sign_off(reference, role, evidence).await)
}

/// Step 2: ask someone by email to sign off in one capacity (their own single-use link).
#[server(endpoint = "ask_to_sign_off")]
pub async fn ask_to_sign_off(
    reference: String,
    #[server(default)] capacity: String,
    #[server(default)] name: String,
    #[server(default)] email: String,
) -> Result<(), AppError> {
    super::ssr::respond(server::ask_to_sign_off(reference, capacity, name, email).await)
}

/// Step 2 → 3: staging is validated.
#[server(endpoint = "complete_staging")]
pub async fn complete_staging(reference: String) -> Result<(), AppError> {
    super::ssr::respond(server::simple(reference, crate::domain::workflow::Action::CompleteStaging).await)
}

/// Step 3: save one section of the CR form (saved first, then checked), and continue or stop.
#[server(endpoint = "save_form_section")]
pub async fn save_form_section(
    reference: String,
    section: String,
    #[server(default)] intent: String,
    #[server(default)] base_version: String,
    #[server(default)] fields: BTreeMap<String, String>,
) -> Result<(), AppError> {
    super::ssr::respond(server::save_form_section(reference, section, intent, base_version, fields).await)
}

/// Step 3 → 4: submit the request for hosting review.
#[server(endpoint = "submit_for_review")]
pub async fn submit_for_review(reference: String) -> Result<(), AppError> {
    super::ssr::respond(server::simple(reference, crate::domain::workflow::Action::SubmitForReview).await)
}

/// The demo mail viewer's messages (demo mode only).
#[server(endpoint = "dev_mail")]
pub async fn dev_mail() -> Result<Vec<MailView>, AppError> {
    super::ssr::respond(server::dev_mail().await)
}

/// Messages that could not be delivered yet (admins only), with their errors.
#[server(endpoint = "undelivered_mail")]
pub async fn undelivered_mail() -> Result<Vec<MailView>, AppError> {
    super::ssr::respond(server::undelivered_mail().await)
}

#[cfg(feature = "ssr")]
mod server {
    use crate::api::ssr::*;
    use crate::api::types::{MailView, RequestView};
    use crate::domain::cr_form::{CrForm, CHECKLIST, SECTIONS};
    use crate::domain::forms::{FieldError, FormErrors, FormFields, PlanStepForm, SignOffForm};
    use crate::domain::history::{excerpt, merge_form, FieldChange, FormMerge};
    use crate::domain::limits;
    use crate::domain::plan::PlanStep;
    use crate::domain::triage::TriageForm;
    use crate::domain::workflow::{Action, ActionKind, SignOffRole, State, TriageOutcome};
    use crate::error::AppError;
    use std::collections::BTreeMap;

    fn go(reference: &str, path: &str) {
        let suffix = if path.is_empty() { String::new() } else { format!("/{path}") };
        leptos_axum::redirect(&format!("/requests/{reference}{suffix}"));
    }

    pub async fn request_view(reference: String) -> Result<RequestView, AppError> {
        let l = load_readable(&reference).await?;
        let mut view = view_of(&l);
        view.conflicts = workflow(&l.services).conflicts(&l.session.user, &l.request, &l.calendar).await?;
        Ok(view)
    }

    pub async fn answer_triage(reference: String, form: TriageForm) -> Result<(), AppError> {
        // Authorised first (inside `perform`), then the input is checked: a caller who may not
        // act learns nothing from the validation.
        let (loaded, _) = perform(&reference, ActionKind::Triage, |_| {
            let answers = form.answers()?;
            let mut c = Change::action(Action::Triage(answers));
            c.triage = Some(answers);
            Ok(c)
        })
        .await?;
        let answers = form.answers()?;
        let r = &loaded.request.summary.reference;
        match answers.outcome() {
            TriageOutcome::RegularChange => go(r, "regular"),
            _ => go(r, ""),
        }
        Ok(())
    }

    fn parse_version(text: &str) -> Result<i64, AppError> {
        text.trim().parse().map_err(|_| AppError::Refused("The form was incomplete: open the plan again".into()))
    }

    fn parse_step_id(text: &str) -> Result<Option<u32>, AppError> {
        match text.trim() {
            "" => Ok(None),
            t => t.parse::<u32>().map(Some).map_err(|_| AppError::NotFound),
        }
    }

    fn parse_index(text: &str, len: usize) -> Result<usize, AppError> {
        match text.trim().parse::<usize>() {
            Ok(i) if (1..=len).contains(&i) => Ok(i - 1),
            _ => Err(AppError::NotFound),
        }
    }

    pub async fn save_plan_step(
        reference: String,
        base_version: String,
        step_id: String,
        form: PlanStepForm,
    ) -> Result<(), AppError> {
        let base = parse_version(&base_version)?;
        let id = parse_step_id(&step_id)?;
        let result = perform(&reference, ActionKind::EditPlan, |l| {
            let step = form.step()?;
            let mut plan = l.request.plan.clone();
            let next = plan.next_id();
            match id.and_then(|id| plan.steps.iter_mut().find(|s| s.id == id)) {
                // Edited, it still came from where it came from.
                Some(slot) => *slot = PlanStep { id: slot.id, source: slot.source.clone(), ..step.clone() },
                // A new step, or one someone else removed that this person deliberately keeps.
                None => plan.steps.push(PlanStep { id: next, ..step.clone() }),
            }
            Ok(Change::plan(plan, base).typed_form(form.values()))
        })
        .await;
        match result {
            Ok((loaded, _)) => {
                go(&loaded.request.summary.reference, "plan");
                Ok(())
            }
            Err(AppError::Conflict) => {
                let mut typed = form.values();
                typed.push(("step_id".into(), step_id.trim().to_string()));
                Err(plan_conflict(&reference, base, id, typed).await)
            }
            Err(e) => Err(e),
        }
    }

    pub async fn change_plan_step(
        reference: String,
        base_version: String,
        index: String,
        command: String,
    ) -> Result<(), AppError> {
        let base = parse_version(&base_version)?;
        let result = perform(&reference, ActionKind::EditPlan, |l| {
            let mut plan = l.request.plan.clone();
            let i = parse_index(&index, plan.steps.len())?;
            match command.as_str() {
                "up" if i > 0 => plan.steps.swap(i, i - 1),
                "down" if i + 1 < plan.steps.len() => plan.steps.swap(i, i + 1),
                "delete" => {
                    plan.steps.remove(i);
                }
                _ => return Err(AppError::Refused("That step cannot move any further".into())),
            }
            Ok(Change::plan(plan, base))
        })
        .await;
        match result {
            Ok((loaded, _)) => {
                go(&loaded.request.summary.reference, "plan");
                Ok(())
            }
            Err(AppError::Conflict) => Err(plan_conflict(&reference, base, None, Vec::new()).await),
            Err(e) => Err(e),
        }
    }

    /// An action that carries nothing, and the page it leads to.
    pub async fn simple(reference: String, action: Action) -> Result<(), AppError> {
        let (loaded, t) = perform(&reference, action.kind(), |_| Ok(Change::action(action.clone()))).await?;
        let r = &loaded.request.summary.reference;
        match action {
            Action::CompletePlan | Action::RequestHostingHelp => go(r, "staging"),
            Action::CompleteStaging => go(r, "form/details"),
            _ if t.to == State::HostingReview => go(r, "submitted"),
            _ => go(r, ""),
        }
        Ok(())
    }

    pub async fn save_staging_notes(reference: String, notes: String) -> Result<(), AppError> {
        let (loaded, _) = perform(&reference, ActionKind::RecordStagingNotes, |_| {
            let notes = crate::domain::forms::staging_notes(&notes)?;
            Ok(Change::action(Action::RecordStagingNotes { notes }))
        })
        .await?;
        go(&loaded.request.summary.reference, "staging");
        Ok(())
    }

    pub async fn sign_off(reference: String, role: String, evidence: String) -> Result<(), AppError> {
        let form = SignOffForm { role, evidence };
        let (loaded, _) = perform(&reference, ActionKind::SignOff, |_| {
            let (role, evidence) = form.sign_off()?;
            Ok(Change::action(Action::SignOff { role, evidence, link: None })
                .typed(&[("role", &form.role), ("evidence", &form.evidence)]))
        })
        .await?;
        go(&loaded.request.summary.reference, "staging");
        Ok(())
    }

    pub async fn ask_to_sign_off(
        reference: String,
        capacity: String,
        name: String,
        email: String,
    ) -> Result<(), AppError> {
        let typed = [("capacity", capacity.as_str()), ("name", name.as_str()), ("email", email.as_str())];
        let (loaded, _) = perform(&reference, ActionKind::AskToSignOff, |_| {
            let Some(role) = SignOffRole::parse(capacity.trim()) else {
                return Err(AppError::Invalid(FormErrors {
                    errors: vec![FieldError {
                        field: "capacity".into(),
                        message: "Select the capacity to ask them to sign off in".into(),
                    }],
                    values: typed.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect(),
                }));
            };
            let action =
                Action::AskToSignOff { role, name: name.trim().to_string(), email: email.trim().to_lowercase() };
            Ok(Change::action(action).typed(&typed))
        })
        .await?;
        go(&loaded.request.summary.reference, "staging");
        Ok(())
    }

    /// The form as typed into one section, applied over the stored form.
    fn merged(stored: &CrForm, section: &str, fields: &BTreeMap<String, String>) -> CrForm {
        let mut form = stored.clone();
        // Sections other than the details one never send the title.
        let title = form.title.clone();
        for name in crate::domain::cr_form::section_field_names(section) {
            if name == "checklist" {
                form.checklist = CHECKLIST
                    .iter()
                    .filter(|(key, _)| fields.get(&format!("check_{key}")).is_some_and(|v| v == "yes"))
                    .map(|(key, _)| key.to_string())
                    .collect();
            } else if name == "title" && !fields.contains_key("title") {
                // Not sent (older clients, the API): keep the title as it is.
            } else {
                form.set(name, fields.get(name).cloned().unwrap_or_default());
            }
        }
        if section != "details" {
            form.title = title;
        }
        form.normalised()
    }

    pub async fn save_form_section(
        reference: String,
        section: String,
        intent: String,
        base_version: String,
        fields: BTreeMap<String, String>,
    ) -> Result<(), AppError> {
        let position = SECTIONS.iter().position(|(slug, _)| *slug == section).ok_or(AppError::NotFound)?;
        // Limits hold for drafts too: an over-long field is refused before anything is saved.
        let typed: Vec<limits::Typed> = crate::domain::cr_form::section_fields(&section)
            .filter(|f| f.kind != crate::domain::cr_form::FieldKind::Checklist)
            .map(|f| limits::Typed {
                field: f.name,
                label: f.short,
                value: fields.get(f.name).map_or("", String::as_str),
                max: f.max,
            })
            .collect();
        if let Err(mut e) = limits::check(&typed) {
            e.values
                .extend(fields.iter().filter(|(k, _)| k.starts_with("check_")).map(|(k, v)| (k.clone(), v.clone())));
            return Err(AppError::Invalid(e));
        }
        let with_title = |form: &CrForm, l: &crate::ports::LoadedRequest| {
            let mut form = form.clone();
            if form.title.is_empty() {
                form.title = l.summary.title.clone();
            }
            form
        };
        // The version the editor opened, for the three-way merge when someone saved since.
        // (No version sent: an older client or the API; the save applies to the newest.)
        let base = match base_version.trim() {
            "" => None,
            v => {
                let v: i64 =
                    v.parse().map_err(|_| AppError::Refused("The form was incomplete: open it again".into()))?;
                let l = load_readable(&reference).await?;
                let form = l.services.requests.form_at(l.request.id, v).await?.ok_or(AppError::NotFound)?;
                Some((v, with_title(&form, &l.request)))
            }
        };
        // Save the draft first, valid or not: nothing typed is lost, with or without JavaScript.
        let (loaded, _) = perform(&reference, ActionKind::UpdateForm, |l| {
            let stored = with_title(&l.request.form, &l.request);
            let form = match &base {
                Some((v, base_form)) if *v != l.request.form_version => {
                    match merge_form(base_form, &stored, &merged(base_form, &section, &fields)) {
                        FormMerge::Clean(form) => form.normalised(),
                        FormMerge::Conflict(both) => return Err(form_conflict(&section, base_form, &fields, both)),
                    }
                }
                _ => merged(&stored, &section, &fields),
            };
            let complete = form.is_complete(&l.calendar);
            let mut change = Change::action(Action::UpdateForm {
                complete,
                planned_start: form.planned_start(),
                security_related: form.is_security_related(),
            });
            change.form = Some(form);
            Ok(change)
        })
        .await?;
        let r = loaded.request.summary.reference.clone();
        if intent == "later" {
            go(&r, "");
            return Ok(());
        }
        let saved = merged(&with_title(&loaded.request.form, &loaded.request), &section, &fields);
        saved.validate_section(&section, &loaded.calendar)?;
        match SECTIONS.get(position + 1) {
            Some((next, _)) => go(&r, &format!("form/{next}")),
            None => go(&r, "check"),
        }
        Ok(())
    }

    /// Both this editor and someone else changed the same fields: nothing is saved; each such
    /// field says what the other person wrote, and everything typed comes back.
    fn form_conflict(
        section: &str,
        base: &CrForm,
        fields: &BTreeMap<String, String>,
        both: Vec<FieldChange>,
    ) -> AppError {
        let mine = merged(base, section, fields);
        let mut values: Vec<(String, String)> =
            crate::domain::cr_form::section_field_names(section).map(|f| (f.to_string(), mine.value(f))).collect();
        values.extend(fields.iter().filter(|(k, _)| k.starts_with("check_")).map(|(k, v)| (k.clone(), v.clone())));
        let errors = both
            .iter()
            .map(|c| FieldError {
                field: c.field.clone(),
                message: format!(
                    "{} was changed by someone else to “{}”. Yours is kept below: keep it, change it or use theirs",
                    c.label,
                    excerpt(&c.before, 200)
                ),
            })
            .collect();
        AppError::EditConflict {
            summary: "Someone else saved this part of the form while you were editing. Nothing of yours was saved yet"
                .into(),
            changes: both.iter().map(|c| format!("{}: “{}”", c.label, excerpt(&c.before, 300))).collect(),
            form: FormErrors { errors, values },
        }
    }

    pub async fn dev_mail() -> Result<Vec<MailView>, AppError> {
        let services = services()?;
        let admin = session().is_some_and(|s| crate::domain::access::Area::Administration.allows(s.user.role));
        if !services.demo || !(services.loopback_only || admin) {
            return Err(AppError::NotFound);
        }
        // Demo delivery keeps the final body (with its decision link) in memory only.
        let mut mail = services.requests.recent_mail(100).await?;
        for m in &mut mail {
            if let Some(body) = services.demo_inbox.body(m.id) {
                m.body = body;
            }
        }
        Ok(mail)
    }

    pub async fn undelivered_mail() -> Result<Vec<MailView>, AppError> {
        require_area(Area::Administration)?;
        Ok(services()?.requests.undelivered_mail(200).await?)
    }
}
