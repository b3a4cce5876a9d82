//! Server-side helpers shared by the server functions.

pub use crate::domain::access::Area;
use crate::error::AppError;
use crate::ports::{ClientAddress, CurrentSession, Services};
use http::request::Parts;
use leptos::prelude::*;
use leptos_axum::ResponseOptions;
use std::sync::Arc;

/// The services the server provided as context, if it did (a page rendered outside the app's
/// routes, such as a missing file's, has none). Shared: taking them costs a pointer copy.
pub fn provided_services() -> Option<Arc<Services>> {
    use_context::<Arc<Services>>()
}

/// The services the server provided as context.
pub fn services() -> Result<Arc<Services>, AppError> {
    provided_services().ok_or_else(|| {
        leptos::logging::error!("Services missing from context");
        AppError::Internal
    })
}

/// "Now" from the services' clock (the one decisions are taken with; tests can set it).
pub fn clock_now() -> Result<chrono::DateTime<chrono::Utc>, AppError> {
    Ok(services()?.clock.now())
}

/// `user` acting now, from this request's client address (what the audit trail records).
pub fn acting(user: &crate::api::types::SessionUser) -> Result<crate::ports::Acting<'_>, AppError> {
    Ok(crate::ports::Acting { by: user, source: source_address(), now: clock_now()? })
}

/// The current session, if someone is signed in.
pub fn session() -> Option<CurrentSession> {
    use_context::<Parts>().and_then(|p| p.extensions.get::<CurrentSession>().cloned())
}

/// The current session, or [`AppError::Unauthenticated`].
pub fn require_session() -> Result<CurrentSession, AppError> {
    session().ok_or(AppError::Unauthenticated)
}

/// The current session when its role may use `area` ([`AppError::Unauthenticated`] signed
/// out, [`AppError::Forbidden`] otherwise).
pub fn require_area(area: Area) -> Result<CurrentSession, AppError> {
    let session = require_session()?;
    if area.allows(session.user.role) {
        Ok(session)
    } else {
        Err(AppError::Forbidden)
    }
}

/// True when a plain HTML form (no JavaScript) posted this request.
pub fn is_plain_form_post() -> bool {
    use_context::<Parts>()
        .and_then(|p| {
            p.headers.get(http::header::ACCEPT).and_then(|v| v.to_str().ok()).map(|v| v.contains("text/html"))
        })
        .unwrap_or(false)
}

/// The client's address as the server saw it (for the audit log and throttling).
pub fn source_address() -> String {
    use_context::<Parts>()
        .and_then(|p| p.extensions.get::<ClientAddress>().map(|s| s.0.clone()))
        .unwrap_or_else(|| "unknown".into())
}

/// Refuses `value` over `max` characters with an error at `field` (before anything is saved),
/// else gives it trimmed;
/// the limits themselves are the domain's ([`crate::domain::limits`]).
pub fn within(field: &str, label: &str, value: &str, max: usize) -> Result<String, AppError> {
    crate::domain::limits::check(&[crate::domain::limits::Typed { field, label, value, max }])?;
    Ok(value.trim().to_string())
}

/// Every server function's result passes through here: an error sets its HTTP status, unless
/// the response must stay Leptos's redirect back to the form (plain form posts without JS).
pub fn respond<T>(result: Result<T, AppError>) -> Result<T, AppError> {
    if let Err(err) = &result {
        if !is_plain_form_post() {
            if let (Some(res), Ok(status)) =
                (use_context::<ResponseOptions>(), http::StatusCode::from_u16(err.status()))
            {
                res.set_status(status);
            }
        }
    }
    result
}

use crate::api::types::{NoticePreview, RequestView};
use crate::domain::calendar::Calendar;
use crate::domain::notify::{message, MessageKind, Recipient};
use crate::domain::quorum::Cor;
use crate::domain::sla::Owed;
use crate::domain::tasks::task_list;
use crate::domain::workflow::{available_actions, ActionKind, Actor, Transition};
pub use crate::service::Change;
use crate::service::{Principal, Readable, Workflow};

/// The person acting, as the domain sees them.
pub fn actor_of(session: &CurrentSession) -> Actor {
    crate::service::actor_of(&session.user)
}

/// The calendar decisions use: the admins' holidays, freezes and windows (the default monthly
/// windows until they set any ahead).
pub async fn calendar(services: &Services, now: chrono::DateTime<chrono::Utc>) -> Result<Calendar, AppError> {
    workflow(services).calendar(now).await
}

/// The application service over the provided services.
pub fn workflow(services: &Services) -> Workflow<'_> {
    Workflow { store: &*services.requests, clock: &*services.clock, public_url: &services.public_url }
}

/// A request loaded for the signed-in person: the service's [`Readable`] (request, CORs,
/// calendar, when, `context()`), with who is asking and the services.
pub struct Loaded {
    /// Who is asking.
    pub session: CurrentSession,
    /// The services.
    pub services: Arc<Services>,
    /// The request and what deciding about it needs.
    pub read: Readable,
}

impl std::ops::Deref for Loaded {
    type Target = Readable;
    fn deref(&self) -> &Readable {
        &self.read
    }
}

/// Loads a request the signed-in person may read (others get "not found": no leaks).
pub async fn load_readable(reference: &str) -> Result<Loaded, AppError> {
    load_readable_as(reference, require_session()?).await
}

/// [`load_readable`] for a given person: the signed-in one, or the COR an emailed decision
/// link stands for (then `session.token_hash` is empty: there is no session).
pub async fn load_readable_as(reference: &str, session: CurrentSession) -> Result<Loaded, AppError> {
    let services = services()?;
    let readable = workflow(&services).readable(&session.user, reference).await?;
    Ok(Loaded { session, services, read: readable })
}

/// Authorise → domain → one transaction, through [`Workflow::perform`].
pub async fn perform(
    reference: &str,
    kind: ActionKind,
    build: impl Fn(&Readable) -> Result<Change, AppError>,
) -> Result<(Loaded, Transition), AppError> {
    perform_as(reference, require_session()?, None, kind, build).await
}

/// [`perform`] as `who`; with `decision_token` (the SHA-256 of an emailed link) the commit also
/// spends that link, in the same transaction.
pub async fn perform_as(
    reference: &str,
    who: CurrentSession,
    link: Option<crate::ports::EmailedLink<'_>>,
    kind: ActionKind,
    build: impl Fn(&Readable) -> Result<Change, AppError>,
) -> Result<(Loaded, Transition), AppError> {
    let services = services()?;
    let source = source_address();
    let principal = Principal { user: &who.user, source: &source, link };
    let done = workflow(&services).perform(&principal, reference, kind, build).await?;
    Ok((Loaded { session: who, services: services.clone(), read: done.before }, done.transition))
}

/// The edit conflict for a plan edit based on version `base`: what changed since, in words,
/// and, for the step being edited, the fields someone else changed that differ from `typed`.
pub async fn plan_conflict(reference: &str, base: i64, step_id: Option<u32>, typed: Vec<(String, String)>) -> AppError {
    use crate::domain::forms::{FieldError, FormErrors};
    use crate::domain::history::{excerpt, plan_diff, step_field_changes};
    let l = match load_readable(reference).await {
        Ok(l) => l,
        Err(e) => return e,
    };
    let store = &l.services.requests;
    let base_plan = match store.plan_at(l.request.id, base).await {
        Ok(p) => p.unwrap_or_default(),
        Err(e) => return e.into(),
    };
    let current = &l.request.plan;
    let history = match store.plan_history(l.request.id).await {
        Ok(history) => history,
        Err(e) => return e.into(),
    };
    let mut who: Vec<String> = history.into_iter().filter(|v| v.version > base).map(|v| v.by).collect();
    who.sort();
    who.dedup();
    let who = if who.is_empty() { "Someone else".to_string() } else { who.join(" and ") };
    let mut changes: Vec<String> = plan_diff(&base_plan, current).iter().map(|c| c.words()).collect();
    let mut errors = Vec::new();
    if let Some(id) = step_id {
        match (base_plan.steps.iter().find(|s| s.id == id), current.steps.iter().find(|s| s.id == id)) {
            (Some(before), Some(now)) => {
                for c in step_field_changes(before, now) {
                    let mine = typed.iter().find(|(k, _)| *k == c.field).map(|(_, v)| v.trim()).unwrap_or("");
                    if mine != c.after.trim() {
                        errors.push(FieldError {
                            field: c.field.clone(),
                            message: format!(
                                "{who} changed {} to “{}”. Yours is kept below: keep it, change it or use theirs",
                                c.label.to_lowercase(),
                                excerpt(&c.after, 200)
                            ),
                        });
                    }
                }
            }
            (Some(_), None) => changes.push(
                "The step you are editing was removed. Saving again adds yours back as a new step at the end".into(),
            ),
            _ => {}
        }
    }
    AppError::EditConflict {
        summary: format!(
            "{who} saved the plan (now version {}) while you were working from version {base}. Nothing of yours was saved yet",
            l.request.plan_version
        ),
        changes,
        form: FormErrors { errors, values: typed },
    }
}

fn recipient_words(r: &Recipient) -> String {
    match r {
        Recipient::HostingTeam => "The hosting team".into(),
        Recipient::HostingLead => "The hosting lead".into(),
        Recipient::DevTeam => "Your team".into(),
        Recipient::AffectedTeams => "The affected teams".into(),
        Recipient::Cor(_) => "A COR".into(),
        Recipient::Isso => "The ISSO".into(),
        Recipient::Stakeholders => "The stakeholders".into(),
        Recipient::Admins => "The admins".into(),
        Recipient::AskedToSignOff(role) => format!("The person asked to sign off as {}", role.label()),
    }
}

/// Who a message of `kind` reaches, in words, for previews.
pub fn notice_preview(kind: MessageKind, security_related: bool) -> Vec<NoticePreview> {
    let m = message(kind, security_related);
    let to = m.to().iter().map(|a| (a, "To"));
    let cc = m.cc().iter().map(|a| (a, "CC"));
    to.chain(cc)
        .map(|(a, copy)| NoticePreview { who: recipient_words(&a.who), copy: copy.into(), reason: a.reason.clone() })
        .collect()
}

/// Every message submitting to the CORs sends: one per COR, then the copy for everyone else.
pub fn cors_preview(cors: &[Cor], security_related: bool) -> Vec<(String, Vec<NoticePreview>)> {
    let mut out: Vec<(String, Vec<NoticePreview>)> = cors
        .iter()
        .map(|c| {
            let mut notices = notice_preview(MessageKind::ApprovalRequest(c.id), security_related);
            if let Some(first) = notices.first_mut() {
                first.who = c.name.clone();
            }
            (format!("Approval request for {}", c.name), notices)
        })
        .collect();
    out.push(("Copy of the submission".into(), notice_preview(MessageKind::SubmittedToCors, security_related)));
    out
}

/// The view of a loaded request for the person looking.
pub fn view_of(l: &Loaded) -> RequestView {
    let r = &l.request;
    let (now, ctx) = (l.now, l.context());
    let actor = actor_of(&l.session);
    let security = r.snapshot.security_related;
    RequestView {
        summary: r.summary.clone(),
        state: r.snapshot.state,
        fast_path: r.snapshot.fast_path,
        security_related: security,
        triage: r.triage,
        plan: r.plan.clone(),
        plan_version: r.plan_version,
        plan_hash: r.snapshot.plan_hash.short().to_string(),
        form: r.form.clone(),
        window_warnings: r.form.window_warnings(&l.calendar).iter().map(|w| w.message()).collect(),
        // Filled by the request view's server function (it needs the calendar's other changes).
        conflicts: Vec::new(),
        staging_notes: r.staging_notes.clone(),
        sign_offs: r.sign_offs.clone(),
        invitations: r.invitations.clone(),
        assistance: Owed::call(r.assistance_requested_at)
            .map(|clock| (crate::domain::calendar::spoken(clock.due), clock.status(now))),
        call_held: r.call_held_at.map(crate::domain::calendar::spoken),
        returned_comments: r.returned_comments.clone(),
        queued_window: r.queued_window,
        queued_window_words: r
            .queued_window
            .map(|w| crate::domain::calendar::eastern(w).format("%A %-d %B %Y at %-I:%M %p Eastern").to_string()),
        available: available_actions(&r.snapshot, &actor, &ctx),
        tasks: task_list(&r.snapshot, &r.plan, &r.form, &r.staging_notes, &l.calendar),
        submit_notices: notice_preview(MessageKind::SubmittedForReview, security),
        attachments: r.attachments.clone(),
        risk_review: r.risk_review.clone(),
        assigned_name: r.assigned_name.clone(),
        assigned_to_me: r.snapshot.assigned_engineer == Some(l.session.user.id),
        signed_as: r.snapshot.signed_elsewhere(l.session.user.id),
        cors_preview: cors_preview(&l.cors, r.snapshot.security_related),
        form_version: r.form_version,
        comment_count: r.comment_count,
        decisions: {
            let hash = r.snapshot.submitted_plan_hash.as_ref();
            r.snapshot
                .decisions
                .iter()
                .filter(|d| Some(&d.plan_hash) == hash)
                .map(|d| {
                    let when = crate::domain::calendar::eastern(d.at).format("%-d %b %Y, %-I:%M %p Eastern");
                    match &d.verdict {
                        crate::domain::quorum::Verdict::Approve => format!("{} approved on {when}", d.name),
                        crate::domain::quorum::Verdict::Reject(reason) => {
                            format!("{} rejected on {when}: {reason}", d.name)
                        }
                    }
                })
                .collect()
        },
    }
}
